from datetime import datetime
from statistics import mean
from zoneinfo import ZoneInfo

import pytest

from calls.models import Encuesta
from tests.factories import CallFactory, EncuestaFactory, VoiceAgentFactory

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
S = Encuesta.Status


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 1, day, hour, tzinfo=MADRID)


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- GET /api/encuestas -----------------------------------------------------------------------


def test_list_is_paginated_newest_first(api_client):
    old, new = EncuestaFactory(fecha=at(1)), EncuestaFactory(fecha=at(2))

    response = api_client.get("/api/encuestas")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [new.pk, old.pk]
    assert new.voice_agent is not None
    assert body["results"][0]["voice_agent_name"] == new.voice_agent.name
    assert "transcription" not in body["results"][0]


def test_list_pages(api_client):
    for day in (1, 2, 3):
        EncuestaFactory(fecha=at(day))

    body = api_client.get("/api/encuestas", {"page_size": 2}).json()

    assert (body["count"], len(body["results"])) == (3, 2)
    assert body["next"] is not None
    assert body["previous"] is None


def test_filter_by_status(api_client):
    done = EncuestaFactory(status=S.COMPLETED)
    failed = EncuestaFactory(status=S.FAILED)
    EncuestaFactory(status=S.PENDING)

    assert ids(api_client.get("/api/encuestas", {"status": "completed"})) == {done.pk}
    assert ids(api_client.get("/api/encuestas", {"status": ["completed", "failed"]})) == {done.pk, failed.pk}


def test_filter_by_agent(api_client):
    agent = VoiceAgentFactory()
    mine = EncuestaFactory(voice_agent=agent)
    EncuestaFactory()

    assert ids(api_client.get("/api/encuestas", {"agent": agent.pk})) == {mine.pk}


def test_filter_by_date_range(api_client):
    EncuestaFactory(fecha=at(1))
    inside = [EncuestaFactory(fecha=at(2)), EncuestaFactory(fecha=at(3))]
    EncuestaFactory(fecha=at(4))

    response = api_client.get(
        "/api/encuestas", {"date_from": at(2, 0).isoformat(), "date_to": at(3, 23).isoformat()}
    )

    assert ids(response) == {e.pk for e in inside}


def test_date_to_given_as_a_plain_date_includes_that_whole_day(api_client):
    EncuestaFactory(fecha=at(4))
    inside = EncuestaFactory(fecha=at(3, 18))

    assert ids(api_client.get("/api/encuestas", {"date_to": "2026-01-03"})) == {inside.pk}


def test_filter_by_local_date(api_client):
    # 00:30 in Madrid is still the previous day in UTC: the filter must use the local date.
    early = EncuestaFactory(fecha=at(2, 0).replace(minute=30))
    EncuestaFactory(fecha=at(1, 23))
    EncuestaFactory(fecha=at(3, 0))

    assert ids(api_client.get("/api/encuestas", {"date": "2026-01-02"})) == {early.pk}


@pytest.mark.parametrize(
    "params", [{"status": "terminada"}, {"agent": "uno"}, {"date": "2026-13-45"}, {"date_from": "ayer"}]
)
def test_bad_filters_are_400(api_client, params):
    response = api_client.get("/api/encuestas", params)

    assert response.status_code == 400
    assert response.json()[next(iter(params))]


# --- GET /api/encuestas/{id} ------------------------------------------------------------------


def test_detail_includes_transcription_and_calls(api_client):
    call = CallFactory(encuesta__transcription="Agente: Hola.\nCliente: Buenas.")

    response = api_client.get(f"/api/encuestas/{call.encuesta_id}")

    assert response.status_code == 200
    body = response.json()
    assert body["transcription"] == "Agente: Hola.\nCliente: Buenas."
    assert [(c["id"], c["roomName"]) for c in body["calls"]] == [(call.pk, call.room_name)]


def test_unknown_encuesta_is_404(api_client):
    assert api_client.get("/api/encuestas/999999").status_code == 404


# --- GET /api/dashboard/stats -----------------------------------------------------------------


def test_dashboard_stats_on_an_empty_database(api_client):
    response = api_client.get("/api/dashboard/stats")

    assert response.status_code == 200
    assert response.json() == {
        "total_calls": 0,
        "completed_calls": 0,
        "pending_calls": 0,
        "avg_scores": {"comercial": None, "instalador": None, "rapidez": None, "overall": None},
    }


def test_dashboard_stats_are_computed_from_the_surveys(api_client):
    rows = [
        (S.COMPLETED, 8, 9, 10),
        (S.COMPLETED, 6, None, 7),
        (S.IN_PROGRESS, None, 4, None),
        (S.PENDING, None, None, None),
        (S.INITIATED, None, None, None),
        (S.FAILED, None, None, None),
    ]
    for status, comercial, instalador, rapidez in rows:
        EncuestaFactory(
            status=status,
            puntuacion_comercial=comercial,
            puntuacion_instalador=instalador,
            puntuacion_rapidez=rapidez,
        )

    def average(*columns: int) -> float:
        values = [value for row in rows for c in columns if isinstance(value := row[c], int)]
        return round(mean(values), 2)

    response = api_client.get("/api/dashboard/stats")

    assert response.json() == {
        "total_calls": len(rows),
        "completed_calls": sum(row[0] == S.COMPLETED for row in rows),
        "pending_calls": sum(row[0] in (S.PENDING, S.INITIATED, S.IN_PROGRESS) for row in rows),
        "avg_scores": {
            "comercial": average(1),
            "instalador": average(2),
            "rapidez": average(3),
            "overall": average(1, 2, 3),
        },
    }
    assert response.json()["avg_scores"]["comercial"] == 7.0


def test_dashboard_overall_is_rounded_to_two_decimals(api_client):
    for score in (10, 9, 9):
        EncuestaFactory(puntuacion_comercial=score)

    assert api_client.get("/api/dashboard/stats").json()["avg_scores"]["overall"] == round(28 / 3, 2)


# --- Authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/encuestas", "/api/encuestas/{id}", "/api/dashboard/stats"])
def test_requires_authentication(anon_client, path):
    encuesta = EncuestaFactory()

    response = anon_client.get(path.format(id=encuesta.pk))

    assert response.status_code == 401
    assert response.json()["detail"]
