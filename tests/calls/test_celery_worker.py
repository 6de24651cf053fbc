"""End to end through a real Celery worker consuming from the real Redis broker."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from calls.models import Call
from config.celery import app
from tests.services import require_redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_worker():
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot be shared with a worker; runs on MariaDB")
    require_redis(REDIS_URL)
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    reset_connections()
    try:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.update(saved)
        reset_connections()


def reset_connections() -> None:
    """Drop pooled broker connections so the next publish uses the current broker_url."""
    app._pool = None
    app.amqp._producer_pool = None


def wait_for_status(call_id: int, statuses: set[str], timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = Call.objects.values_list("status", flat=True).get(pk=call_id)
        if status in statuses:
            return status
        time.sleep(0.05)
    return Call.objects.values_list("status", flat=True).get(pk=call_id)


def test_api_call_is_dialed_by_a_real_worker(
    redis_worker, api_client, livekit, telephony_config, voice_agent
):
    response = api_client.post(
        "/api/calls/outbound", {"agentId": voice_agent.pk, "phoneNumber": "+34621151394"}, format="json"
    )
    assert response.status_code == 200
    call = Call.objects.get(encuesta_id=response.json()["callId"])
    assert wait_for_status(call.pk, {Call.Status.IN_PROGRESS}) == Call.Status.IN_PROGRESS
    assert livekit.calls("CreateSIPParticipant")[0].room_name == call.room_name


def test_worker_retries_through_the_broker_then_succeeds(
    redis_worker, api_client, livekit, telephony_config, voice_agent, settings
):
    settings.CALL_DIAL_RETRY_BACKOFF = 0.1
    livekit.fail("CreateRoom", status=503, code="unavailable", times=1)
    response = api_client.post(
        "/api/calls/outbound", {"agentId": voice_agent.pk, "phoneNumber": "+34621151394"}, format="json"
    )
    call_id = Call.objects.get(encuesta_id=response.json()["callId"]).pk
    assert wait_for_status(call_id, {Call.Status.IN_PROGRESS}) == Call.Status.IN_PROGRESS
    assert len(livekit.calls("CreateRoom")) == 2
    assert len(livekit.calls("CreateSIPParticipant")) == 1
