"""Exact shapes of the old client's Overview, Results, Usage and Telephony requests."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from calls.models import Call, Campaign, Encuesta, Lead
from tests.factories import CallFactory, EncuestaFactory

pytestmark = pytest.mark.django_db

S = Encuesta.Status


def _encuestas() -> list[Encuesta]:
    now = timezone.now()
    return [
        EncuestaFactory(
            telefono="+34600000001",
            fecha=now - timedelta(minutes=10),
            status=S.COMPLETED,
            completada=True,
            puntuacion_comercial=9,
            puntuacion_instalador=8,
            puntuacion_rapidez=None,
            comentarios="Todo bien",
            transcription="Agente: Hola, ¿tiene un minuto?\nCliente: Sí, dígame.\n",
            llm_model="llama-3.3-70b-versatile",
            seconds_used=90,
            tokens_used=1200,
        ),
        EncuestaFactory(telefono="+34600000002", fecha=now, status=S.PENDING),
    ]


def test_recent_calls_shape(browser):
    done, pending = _encuestas()

    response = browser.get("/api/dashboard/recent-calls")

    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body] == [pending.pk, done.pk]
    row = body[1]
    assert row == {
        "id": done.pk,
        "phone": "+34600000001",
        "campaign": None,
        "date": row["date"],
        "status": "completed",
        "scores": {"comercial": 9, "instalador": 8, "rapidez": None},
    }
    assert parse_datetime(row["date"]) == done.fecha
    assert len(browser.get("/api/dashboard/recent-calls?limit=1").json()) == 1


def test_results_shape_with_transcript_lines(browser):
    done, _pending = _encuestas()

    body = browser.get("/api/results").json()

    row = next(r for r in body if r["id"] == done.pk)
    assert row == {
        "id": done.pk,
        "telefono": "+34600000001",
        "campaign_name": None,
        "fecha": row["fecha"],
        "completada": True,
        "status": "completed",
        "puntuacion_comercial": 9,
        "puntuacion_instalador": 8,
        "puntuacion_rapidez": None,
        "comentarios": "Todo bien",
        "transcription": "Agente: Hola, ¿tiene un minuto?\nCliente: Sí, dígame.\n",
        "llm_model": "llama-3.3-70b-versatile",
    }
    lines = [line for line in row["transcription"].split("\n") if line.strip()]
    assert all(line.startswith(("Agente: ", "Cliente: ")) for line in lines)


def test_lists_default_to_the_latest_200(browser):
    Encuesta.objects.bulk_create(Encuesta(telefono=f"+3460000{n:04d}") for n in range(205))

    assert len(browser.get("/api/results").json()) == 200
    assert len(browser.get("/api/results?limit=1000").json()) == 205
    assert browser.get("/api/results?limit=1001").status_code == 400


def test_usage_stats_are_aggregated_per_model(browser):
    _encuestas()
    EncuestaFactory(llm_model="openai/gpt-4.1-mini", seconds_used=30, tokens_used=None)
    EncuestaFactory(llm_model="llama-3.3-70b-versatile", seconds_used=60, tokens_used=800)

    response = browser.get("/api/dashboard/usage-stats")

    assert response.status_code == 200
    assert response.json() == {
        "total_tokens": 2000,
        "total_minutes": 3.0,
        "per_model_stats": [
            {"llm_model": "llama-3.3-70b-versatile", "calls": 2, "tokens": 2000, "seconds": 150},
            {"llm_model": "openai/gpt-4.1-mini", "calls": 1, "tokens": 0, "seconds": 30},
        ],
    }


def test_usage_stats_on_an_empty_database(browser):
    assert browser.get("/api/dashboard/usage-stats").json() == {
        "total_tokens": 0,
        "total_minutes": 0.0,
        "per_model_stats": [],
    }


def test_cleanup_ends_every_live_call_through_the_hang_up_path(
    browser, superuser, livekit, django_capture_on_commit_callbacks
):
    queued = CallFactory(status=Call.Status.QUEUED)
    talking = CallFactory(status=Call.Status.IN_PROGRESS, answered_at=timezone.now())
    livekit.add_participant(talking.room_name, talking.sip_identity)
    ended = CallFactory(status=Call.Status.COMPLETED)

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/api/calls/cleanup")

    assert response.status_code == 200
    assert response.json() == {
        "status": "success",
        "total": 2,
        "canceled": 1,
        "hanging_up": 1,
        "already_ended": 0,
        "call_ids": [queued.pk, talking.pk],
    }
    queued.refresh_from_db()
    talking.refresh_from_db()
    ended.refresh_from_db()
    assert queued.status == Call.Status.CANCELED
    assert talking.status == Call.Status.COMPLETED
    assert ended.status == Call.Status.COMPLETED
    assert [r.room for r in livekit.calls("DeleteRoom")] == [talking.room_name]
    entries = LogEntry.objects.filter(user=superuser).order_by("object_id")
    assert sorted(int(e.object_id or 0) for e in entries) == sorted([queued.pk, talking.pk])


def test_cleanup_with_nothing_live_is_an_empty_summary(browser):
    assert browser.post("/api/calls/cleanup").json() == {
        "status": "success",
        "total": 0,
        "canceled": 0,
        "hanging_up": 0,
        "already_ended": 0,
        "call_ids": [],
    }


def test_outbound_validation_errors_carry_a_top_level_detail(browser, voice_agent):
    unknown_agent = browser.post(
        "/api/calls/outbound", {"agentId": "999", "phoneNumber": "+34621151394"}, format="json"
    )
    bad_phone = browser.post(
        "/api/calls/outbound", {"agentId": str(voice_agent.pk), "phoneNumber": "12"}, format="json"
    )
    missing = browser.post("/api/calls/outbound", {}, format="json")

    for response in (unknown_agent, bad_phone, missing):
        assert response.status_code == 400
        assert isinstance(response.json()["detail"], str)
        assert response.json()["detail"]
    assert "999" in unknown_agent.json()["detail"]
    assert unknown_agent.json()["agentId"]  # the per-field messages stay


def test_a_campaign_survey_names_its_campaign_in_recent_calls_and_results(browser, voice_agent):
    campaign = Campaign.objects.create(name="Clientes de marzo", voice_agent=voice_agent)
    survey = EncuestaFactory(telefono="+34600000003", voice_agent=voice_agent)
    Lead.objects.create(campaign=campaign, phone=survey.telefono, encuesta=survey)

    recent = browser.get("/api/dashboard/recent-calls").json()
    results = browser.get("/api/results").json()

    assert [(row["id"], row["campaign"]) for row in recent] == [(survey.pk, "Clientes de marzo")]
    assert [(row["id"], row["campaign_name"]) for row in results] == [(survey.pk, "Clientes de marzo")]
