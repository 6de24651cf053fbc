"""A call the voice agent could not carry (LLM error, crash, failed connect) is redialed like a dropped call.

The agent apologises with "Le llamaremos más tarde": the campaign must keep that promise. The
writes are the worker's own (voiceworker.persistence), on calls a real tick dialed.
"""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Call, Encuesta, Lead
from calls.services import CallOutcome, CallUsage, encuesta_save
from tests.campaigns.conftest import lead
from voiceworker import persistence

pytestmark = pytest.mark.django_db

NUMBER = "+34621160001"


def apologise_and_close(reason: str) -> Callable[[int, int], object]:
    # what SurveyCall.end_with(prompts.apology(), CallOutcome.DROPPED, reason=...) writes
    return lambda encuesta_id, call_id: persistence.close_call(
        encuesta_id, call_id, CallOutcome.DROPPED, CallUsage(close_reason=reason)
    )


def connect_failed(encuesta_id: int, call_id: int) -> object:
    return persistence.fail_call(call_id, "El agente no pudo entrar en la sala de la llamada.")


FAILURES = {
    "llm error": apologise_and_close("error"),
    "crash": apologise_and_close("crash"),
    "connect failed": connect_failed,
}


@pytest.mark.parametrize("failure", FAILURES.values(), ids=FAILURES.keys())
def test_an_answered_call_the_agent_failed_is_redialed_after_the_dropped_delay(
    phones, make_campaign, tick, failure
):
    campaign = make_campaign([NUMBER], max_attempts=3)
    tick()
    first = lead(NUMBER)
    call_id = first.current_call_id
    assert Call.objects.get(pk=call_id).answered_at is not None
    encuesta_save(encuesta_id=first.encuesta_id, answers={"comercial": 7})
    failure(first.encuesta_id, call_id)

    row = lead(NUMBER)
    assert row.encuesta.status == Encuesta.Status.INCOMPLETE
    assert (row.status, row.last_outcome) == (Lead.Status.SCHEDULED, Lead.Outcome.DROPPED)
    assert row.next_attempt_at - row.updated_at == pytest.approx(
        campaign.retry_delay_dropped, abs=timedelta(seconds=1)
    )

    assert tick(now=row.next_attempt_at - timedelta(seconds=1)).started == 0
    assert tick(now=row.next_attempt_at).started == 1
    again = lead(NUMBER)
    assert (again.status, again.attempts) == (Lead.Status.CALLING, 2)
    assert again.encuesta_id == first.encuesta_id
    assert again.encuesta.respuestas["comercial"] == 7  # the redial continues from there
    assert again.encuesta.status in Encuesta.OPEN_STATUSES
    assert list(again.encuesta.calls.order_by("attempt").values_list("attempt", "status")) == [
        (1, Call.Status.FAILED if failure is connect_failed else Call.Status.COMPLETED),
        (2, Call.Status.IN_PROGRESS),
    ]
    assert phones.dials()[NUMBER] == 2


def test_a_connect_failure_while_the_phone_rang_is_redialed_after_the_failed_delay(
    phones, make_campaign, tick
):
    campaign = make_campaign([NUMBER], max_attempts=3)
    tick()
    first = lead(NUMBER)
    # the agent's job starts with the room, before the callee picks up
    Call.objects.filter(pk=first.current_call_id).update(status=Call.Status.RINGING, answered_at=None)
    Encuesta.objects.filter(pk=first.encuesta_id).update(status=Encuesta.Status.INITIATED)
    connect_failed(first.encuesta_id, first.current_call_id)

    row = lead(NUMBER)
    assert row.encuesta.status == Encuesta.Status.FAILED
    assert (row.status, row.last_outcome) == (Lead.Status.SCHEDULED, Lead.Outcome.FAILED)
    assert row.next_attempt_at - row.updated_at == pytest.approx(
        campaign.retry_delay_failed, abs=timedelta(seconds=1)
    )
    assert tick(now=row.next_attempt_at).started == 1
    assert (lead(NUMBER).status, lead(NUMBER).attempts) == (Lead.Status.CALLING, 2)


@pytest.mark.parametrize("failure", FAILURES.values(), ids=FAILURES.keys())
def test_the_last_attempt_failed_by_the_agent_leaves_the_lead_incomplete(
    phones, make_campaign, tick, failure
):
    make_campaign([NUMBER], max_attempts=1)
    tick()
    row = lead(NUMBER)
    failure(row.encuesta_id, row.current_call_id)
    row = lead(NUMBER)
    assert (row.status, row.last_outcome) == (Lead.Status.INCOMPLETE, Lead.Outcome.DROPPED)
    assert tick(now=timezone.now() + timedelta(days=1)).started == 0
