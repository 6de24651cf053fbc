from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from calls.models import Call, Encuesta
from calls.services import call_retry, call_transition, calls_reconcile
from calls.tasks import calls_reconcile_task
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db


def old(minutes=10):
    return timezone.now() - timedelta(minutes=minutes)


def test_reconcile_ends_calls_whose_room_is_gone(livekit, django_capture_on_commit_callbacks):
    gone = CallFactory(status=Call.Status.IN_PROGRESS, dialing_at=old(), answered_at=old())
    ringing_gone = CallFactory(status=Call.Status.RINGING, dialing_at=old())
    alive = CallFactory(status=Call.Status.IN_PROGRESS, dialing_at=old())
    livekit.add_participant(alive.room_name, alive.sip_identity)
    recent = CallFactory(status=Call.Status.DIALING, dialing_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        result = calls_reconcile_task.apply().get()

    assert result == {"ended": 2, "requeued": 0}
    statuses = dict(Call.objects.values_list("pk", "status"))
    assert statuses[gone.pk] == Call.Status.COMPLETED
    assert statuses[ringing_gone.pk] == Call.Status.FAILED
    assert statuses[alive.pk] == Call.Status.IN_PROGRESS
    assert statuses[recent.pk] == Call.Status.DIALING
    assert "reconciliación" in Call.objects.get(pk=ringing_gone.pk).failure_reason


def test_reconcile_requeues_lost_queued_calls(livekit, telephony_config, django_capture_on_commit_callbacks):
    lost = CallFactory(
        status=Call.Status.QUEUED, queued_at=old(), enqueued_at=old(), telephony_config=telephony_config
    )
    lost.sip_trunk_id = "ST_testtrunk"
    lost.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert calls_reconcile() == {"ended": 0, "requeued": 1}
    lost.refresh_from_db()
    assert lost.status == Call.Status.IN_PROGRESS
    assert len(livekit.calls("CreateSIPParticipant")) == 1


def test_retry_creates_a_new_attempt_with_its_own_room(
    livekit, telephony_config, django_capture_on_commit_callbacks
):
    first = CallFactory(status=Call.Status.DIALING)
    call_transition(call_id=first.pk, to=Call.Status.BUSY)
    encuesta = Encuesta.objects.get()
    assert encuesta.status == Encuesta.Status.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        second = call_retry(encuesta=encuesta)

    assert second.attempt == 2
    assert second.room_name == f"encuesta_{encuesta.pk}_intento_2"
    second.refresh_from_db()
    assert second.status == Call.Status.IN_PROGRESS
    assert livekit.calls("CreateSIPParticipant")[0].room_name == second.room_name


def test_retry_refuses_finished_or_live_surveys(livekit, telephony_config):
    live = CallFactory(status=Call.Status.RINGING)
    with pytest.raises(ValidationError, match="en curso"):
        call_retry(encuesta=live.encuesta)
    done = CallFactory(status=Call.Status.COMPLETED, encuesta__status=Encuesta.Status.COMPLETED)
    with pytest.raises(ValidationError, match="cerrada"):
        call_retry(encuesta=done.encuesta)


@pytest.mark.parametrize(
    ("start", "target", "moved"),
    [
        (Call.Status.QUEUED, Call.Status.DIALING, True),
        (Call.Status.COMPLETED, Call.Status.IN_PROGRESS, False),
        (Call.Status.BUSY, Call.Status.NO_ANSWER, False),
        (Call.Status.IN_PROGRESS, Call.Status.RINGING, False),
        (Call.Status.RINGING, Call.Status.IN_PROGRESS, True),
        (Call.Status.IN_PROGRESS, Call.Status.VOICEMAIL, True),
        (Call.Status.CANCELED, Call.Status.COMPLETED, False),
    ],
)
def test_transitions_only_move_forward(start, target, moved):
    call = CallFactory(status=start)
    assert call_transition(call_id=call.pk, to=target) is moved
    call.refresh_from_db()
    assert call.status == (target if moved else start)


def test_voicemail_leaves_the_survey_retryable():
    call = CallFactory(status=Call.Status.IN_PROGRESS, answered_at=timezone.now())
    call_transition(call_id=call.pk, to=Call.Status.VOICEMAIL)
    assert Encuesta.objects.get().status == Encuesta.Status.FAILED


def test_retry_refuses_a_survey_without_an_agent(livekit, telephony_config):
    call = CallFactory(
        status=Call.Status.BUSY, encuesta__voice_agent=None, encuesta__status=Encuesta.Status.FAILED
    )
    with pytest.raises(ValidationError, match="agente activo"):
        call_retry(encuesta=call.encuesta)
    assert livekit.requests == []
