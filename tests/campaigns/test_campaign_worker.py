"""A 1,000-lead campaign run to completion by a real Celery worker on Redis, dialing the LiveKit test server.

Time is scaled down: phones ring for 50 ms, retries wait a second, the dispatcher ticks every 0.2 s.
10% of the numbers are busy, 20% never answer, the rest answer and complete the survey.
"""

import os
import threading
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from calls.models import Call, Campaign, Encuesta, Lead
from calls.services import call_transition, encuesta_finish, encuesta_save
from calls.tasks_campaigns import campaigns_dispatch_task
from config.celery import app
from tests.services import require_redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
LEADS = 1000
MAX_ATTEMPTS = 3

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def campaign_worker(settings):
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot be shared with a worker; runs on MariaDB")
    require_redis(REDIS_URL)
    settings.CAMPAIGN_DIALER = "async"
    settings.CAMPAIGN_DIAL_LOOKAHEAD_SECONDS = 0.4
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    try:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")
        with start_worker(app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None


class SurveyAgent(threading.Thread):
    """Stands in for the voice agent: answers every question of each answered call, then hangs up."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                for call_id, encuesta_id in Call.objects.filter(status=Call.Status.IN_PROGRESS).values_list(
                    "pk", "encuesta_id"
                ):
                    encuesta_save(
                        encuesta_id=encuesta_id, answers={"comercial": 9, "instalador": 7, "rapidez": 8}
                    )
                    encuesta_finish(encuesta_id=encuesta_id)
                    call_transition(call_id=call_id, to=Call.Status.COMPLETED)
                time.sleep(0.05)
        finally:
            connection.close()


def test_thousand_lead_campaign_runs_to_completion(campaign_worker, phones, make_campaign, telephony_config):
    telephony_config.max_concurrent_calls = 100
    telephony_config.save()
    numbers = [f"+3462{n:07d}" for n in range(LEADS)]
    outcome = {
        n: "busy" if i % 10 == 0 else "no_answer" if i % 10 in (1, 2) else "answered"
        for i, n in enumerate(numbers)
    }
    phones.program_default(ring_seconds=0.05)
    for number, result in outcome.items():
        if result != "answered":
            phones.program(number, ring_seconds=0.05, outcome=result)
    campaign = make_campaign(
        numbers,
        max_attempts=MAX_ATTEMPTS,
        max_concurrent_calls=60,
        calls_per_second=100.0,
        retry_delay_busy=timedelta(seconds=1),
        retry_delay_no_answer=timedelta(seconds=1),
    )
    agent = SurveyAgent()
    agent.start()
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            campaigns_dispatch_task.delay()  # what beat does, faster
            if Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.COMPLETED:
                break
            time.sleep(0.2)
    finally:
        agent.stop.set()
        agent.join(5)

    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.COMPLETED
    leads = {row.phone: row for row in Lead.objects.filter(campaign=campaign)}
    assert all(row.status in Lead.FINAL_STATUSES for row in leads.values())
    dials = phones.dials()
    for number, result in outcome.items():
        row = leads[number]
        if result == "answered":
            assert (row.status, row.attempts, dials[number]) == (Lead.Status.COMPLETED, 1, 1), number
        else:
            assert (row.status, row.attempts, dials[number]) == (
                Lead.Status.UNREACHABLE,
                MAX_ATTEMPTS,
                MAX_ATTEMPTS,
            )
    assert phones.max_simultaneous_per_number() == 1
    assert Encuesta.objects.filter(lead__campaign=campaign, status=Encuesta.Status.COMPLETED).count() == 700
    assert not Call.objects.filter(status__in=Call.LIVE_STATUSES).exists()
