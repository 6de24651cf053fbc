"""Alerts: raised by the system through one service, listed and resolved by staff."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Alert, Call, Encuesta
from calls.services.alert_checks import alerts_check
from calls.services.alerts import alert_raise
from tests.factories import CallFactory, EncuestaFactory, VoiceAgentFactory

pytestmark = pytest.mark.django_db


def test_get_alerts_returns_open_alerts_as_a_bare_array_newest_first(browser):
    older = alert_raise(kind=Alert.Kind.TRUNK_FAILING, message="trunk", dedupe_key="ST_a")
    Alert.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=1))
    newer = alert_raise(kind=Alert.Kind.API_LIMIT, message="Groq 429", dedupe_key="groq")
    resolved = alert_raise(kind=Alert.Kind.CAMPAIGN_STALLED, message="cola", dedupe_key="queue")
    Alert.objects.filter(pk=resolved.pk).update(resolved_at=timezone.now(), open_key=None)

    response = browser.get("/api/alerts")

    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body] == [newer.pk, older.pk]
    assert set(body[0]) == {"id", "type", "message", "created_at"}
    assert body[0]["type"] == "api_limit"
    assert body[0]["message"] == "Groq 429"
    # the client appends "Z" to a date lacking one: it must be UTC and end in Z
    assert body[0]["created_at"].endswith("Z")
    assert "+" not in body[0]["created_at"]


def test_alert_list_is_bounded_by_limit(browser):
    for n in range(5):
        alert_raise(kind=Alert.Kind.API_LIMIT, message=str(n), dedupe_key=str(n))

    assert len(browser.get("/api/alerts").json()) == 5
    assert len(browser.get("/api/alerts?limit=2").json()) == 2
    for bad in ("0", "1001", "abc"):
        response = browser.get(f"/api/alerts?limit={bad}")
        assert response.status_code == 400
        assert "limit" in response.json()["detail"]


def test_raising_the_same_condition_again_bumps_the_open_alert():
    first = alert_raise(kind=Alert.Kind.API_LIMIT, message="uno", dedupe_key="groq")
    again = alert_raise(kind=Alert.Kind.API_LIMIT, message="dos", dedupe_key="groq")

    assert again.pk == first.pk
    assert again.occurrences == 2
    assert again.message == "dos"
    assert Alert.objects.count() == 1


def test_resolve_records_who_and_a_new_occurrence_opens_a_new_alert(browser, superuser):
    alert = alert_raise(kind=Alert.Kind.API_LIMIT, message="uno", dedupe_key="groq")

    response = browser.post(f"/api/alerts/{alert.pk}/resolve")

    assert response.status_code == 200
    assert response.json()["id"] == alert.pk
    alert.refresh_from_db()
    assert alert.resolved_by == superuser
    assert alert.resolved_at is not None
    assert browser.get("/api/alerts").json() == []
    reopened = alert_raise(kind=Alert.Kind.API_LIMIT, message="otra vez", dedupe_key="groq")
    assert reopened.pk != alert.pk


def test_resolving_twice_or_an_unknown_alert_is_a_clear_error(browser):
    alert = alert_raise(kind=Alert.Kind.API_LIMIT, message="uno", dedupe_key="groq")
    browser.post(f"/api/alerts/{alert.pk}/resolve")

    twice = browser.post(f"/api/alerts/{alert.pk}/resolve")
    unknown = browser.post("/api/alerts/999999/resolve")

    assert twice.status_code == 400
    assert "ya estaba resuelta" in twice.json()["detail"]
    assert unknown.status_code == 404
    assert "detail" in unknown.json()


def test_check_raises_trunk_failing_when_most_recent_calls_failed(settings):
    settings.ALERT_TRUNK_MIN_CALLS = 4
    now = timezone.now()
    for status in (Call.Status.FAILED, Call.Status.FAILED, Call.Status.FAILED, Call.Status.COMPLETED):
        CallFactory(status=status, sip_trunk_id="ST_bad", dialing_at=now - timedelta(minutes=5))
    for status in (Call.Status.COMPLETED,) * 4:
        CallFactory(status=status, sip_trunk_id="ST_good", dialing_at=now - timedelta(minutes=5))

    assert alerts_check()["trunk_failing"] == 1
    alert = Alert.objects.get(kind=Alert.Kind.TRUNK_FAILING)
    assert "ST_bad" in alert.message
    assert "3" in alert.message


def test_check_raises_worker_not_registered_for_answered_calls_without_agent(settings):
    settings.ALERT_WORKER_MIN_CALLS = 2
    agent = VoiceAgentFactory(dispatch_name="agente-fantasma")
    answered = timezone.now() - timedelta(minutes=3)
    for _n in range(2):
        CallFactory(
            encuesta=EncuestaFactory(voice_agent=agent, status=Encuesta.Status.IN_PROGRESS),
            status=Call.Status.IN_PROGRESS,
            answered_at=answered,
        )
    talking = EncuestaFactory(transcription="Agente: Hola\n", status=Encuesta.Status.IN_PROGRESS)
    CallFactory(encuesta=talking, status=Call.Status.IN_PROGRESS, answered_at=answered)

    assert alerts_check()["worker_not_registered"] == 1
    assert "agente-fantasma" in Alert.objects.get(kind=Alert.Kind.WORKER_NOT_REGISTERED).message


def test_check_raises_stalled_queue_and_nothing_when_all_is_well(settings):
    CallFactory(status=Call.Status.QUEUED)
    assert alerts_check() == {"trunk_failing": 0, "worker_not_registered": 0, "campaign_stalled": 0}

    CallFactory(status=Call.Status.QUEUED, queued_at=timezone.now() - timedelta(minutes=30))
    assert alerts_check()["campaign_stalled"] == 1
    assert alerts_check()["campaign_stalled"] == 1
    assert Alert.objects.get(kind=Alert.Kind.CAMPAIGN_STALLED).occurrences == 2


def test_alerts_are_in_the_admin_and_resolved_there(client, superuser):
    alert = alert_raise(kind=Alert.Kind.PROVIDER_KEY_REJECTED, message="Cartesia 401", dedupe_key="cartesia")
    client.force_login(superuser)

    listing = client.get("/admin/calls/alert/?open=1")
    assert "Cartesia 401" in listing.content.decode()
    client.post(
        "/admin/calls/alert/", {"action": "resolve_alerts", "_selected_action": [alert.pk]}, follow=True
    )
    alert.refresh_from_db()
    assert alert.resolved_by == superuser


def test_the_beat_task_runs_the_checks_and_is_scheduled(settings):
    from calls.alert_tasks import alerts_check_task
    from config.celery import app

    CallFactory(status=Call.Status.QUEUED, queued_at=timezone.now() - timedelta(hours=1))

    assert alerts_check_task.delay().get()["campaign_stalled"] == 1
    assert "calls.alert_tasks.alerts_check_task" in app.tasks
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "calls.alert_tasks.alerts_check_task" in schedule
