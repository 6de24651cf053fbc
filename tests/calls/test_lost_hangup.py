"""A hang-up whose task never reaches the broker still happens: the reconciler carries it out."""

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Call
from calls.services import calls_reconcile
from config.celery import app
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_down():
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "broker_connection_timeout")}
    app.conf.update(
        broker_url=f"redis://127.0.0.1:{closed_port()}/0",
        task_always_eager=False,
        broker_connection_timeout=0.5,
    )
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield app
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None


def test_hangup_lost_by_the_broker_is_done_by_the_reconciler(
    api_client, livekit, broker_down, django_capture_on_commit_callbacks
):
    call = CallFactory(status=Call.Status.IN_PROGRESS, dialing_at=timezone.now(), answered_at=timezone.now())
    livekit.add_participant(call.room_name, call.sip_identity)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/calls/{call.pk}/hangup")

    assert response.status_code == 202
    call.refresh_from_db()
    assert call.status == Call.Status.IN_PROGRESS
    assert call.hangup_requested_at is not None
    assert livekit.calls("DeleteRoom") == []

    Call.objects.filter(pk=call.pk).update(hangup_requested_at=timezone.now() - timedelta(minutes=10))
    assert calls_reconcile()["hung_up"] == 1

    call.refresh_from_db()
    assert call.status == Call.Status.COMPLETED
    assert [r.room for r in livekit.calls("DeleteRoom")] == [call.room_name]
    assert call.room_name not in livekit.rooms()
