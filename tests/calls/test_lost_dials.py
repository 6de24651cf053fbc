"""A worker lost during a dial: limits from the ringing timeout, and the reconciler finishes the call."""

from datetime import datetime, timedelta

import pytest
from celery import Task
from django.conf import settings
from django.utils import timezone
from livekit.api import ParticipantInfo

from calls.models import Call
from calls.services import calls_reconcile
from calls.tasks import call_dial_task
from config.celery import app
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db


def long_ago() -> datetime:
    return timezone.now() - timedelta(seconds=settings.CALL_DIAL_TASK_TIME_LIMIT) - timedelta(minutes=10)


def test_every_task_has_time_limits_a_failure_handler_and_survives_worker_loss():
    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert "calls.tasks.call_dial_task" in ours
    for name, task in ours.items():
        assert task.soft_time_limit and task.time_limit, name
        assert task.soft_time_limit < task.time_limit, name
        assert task.on_failure.__func__ is not Task.on_failure, name
        if task.acks_late:
            assert task.reject_on_worker_lost, name
    assert ours["calls.tasks.call_dial_task"].acks_late and ours["calls.tasks.call_end_room_task"].acks_late


def test_broker_redelivers_a_lost_dial_soon_after_its_hard_limit():
    ringing = settings.CALL_RINGING_TIMEOUT.total_seconds()
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert ringing < call_dial_task.soft_time_limit < call_dial_task.time_limit < visibility < 3600


def test_reconciler_finishes_a_dial_whose_worker_died_after_the_answer(livekit):
    call = CallFactory(status=Call.Status.DIALING, dialing_at=long_ago(), dial_attempts=1)
    livekit.add_participant(
        call.room_name,
        call.sip_identity,
        kind=ParticipantInfo.Kind.SIP,
        attributes={"sip.callStatus": "active", "sip.callID": "SCL_lost"},
    )

    calls_reconcile()

    call.refresh_from_db()
    assert call.status == Call.Status.IN_PROGRESS
    assert call.sip_call_id == "SCL_lost"
    assert livekit.calls("CreateSIPParticipant") == []


def test_reconciler_never_redials_a_dial_that_may_have_rung(livekit):
    call = CallFactory(status=Call.Status.DIALING, dialing_at=long_ago(), dial_attempts=1)
    livekit.add_participant(call.room_name, "agent-1")

    assert calls_reconcile()["ended"] == 1

    call.refresh_from_db()
    assert call.status == Call.Status.FAILED
    assert "dos veces" in call.failure_reason
    assert livekit.calls("CreateSIPParticipant") == []
    assert [r.room for r in livekit.calls("DeleteRoom")] == [call.room_name]


def test_redelivered_dial_of_a_claimed_attempt_does_not_dial_again(livekit):
    call = CallFactory(status=Call.Status.DIALING, dialing_at=timezone.now(), dial_attempts=1)

    assert call_dial_task.apply((call.pk, 0)).get() == Call.Status.DIALING
    assert livekit.calls("CreateSIPParticipant") == []
