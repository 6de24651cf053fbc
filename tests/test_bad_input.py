"""Input that used to answer 500: each is now a clear 4xx with a top-level `detail` or field errors."""

import json

import pytest
from livekit.api import ParticipantInfo

from calls.models import Call, Encuesta
from telephony.testing.webhooks import make_webhook_event, sign_webhook
from tests.factories import CallFactory, EncuestaFactory

pytestmark = pytest.mark.django_db

POST_ENDPOINTS = [
    "/guardar-encuesta",
    "/iniciar-encuesta",
    "/colgar",
    "/api/calls/outbound",
    "/api/agents",
    "/api/telephony/config",
]


@pytest.fixture
def encuesta() -> Encuesta:
    return EncuestaFactory(voice_agent=None, status=Encuesta.Status.IN_PROGRESS)


@pytest.mark.parametrize("score", ["²", "⁸", "①", "--5", "٣", "５", "1e1", "9" * 5000])
def test_scores_that_are_not_ascii_whole_numbers_are_a_400(bridge_client, encuesta, score):
    response = bridge_client.post(
        "/guardar-encuesta", {"id_encuesta": encuesta.pk, "nota_comercial": score}, format="json"
    )

    assert response.status_code == 400
    assert "del 0 al 10" in json.dumps(response.json(), ensure_ascii=False)
    encuesta.refresh_from_db()
    assert encuesta.puntuacion_comercial is None


def _nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


@pytest.mark.parametrize("path", POST_ENDPOINTS)
@pytest.mark.parametrize("body", [_nested(940), b"[" * 940 + b"]" * 940, _nested(40)])
def test_deeply_nested_json_is_a_400_on_every_post_endpoint(bridge_client, api_client, path, body):
    client = bridge_client if not path.startswith("/api/") else api_client
    assert len(body) <= 6000

    response = client.generic("POST", path, body, content_type="application/json")

    assert response.status_code == 400
    assert "anidado" in response.json()["detail"]


@pytest.mark.parametrize("value", ["\\ud800", "ok \\udfff fin"])
def test_a_lone_surrogate_in_respuestas_is_a_400_and_saves_nothing(bridge_client, encuesta, value):
    body = f'{{"id_encuesta": {encuesta.pk}, "respuestas": {{"comentarios": "{value}"}}}}'

    response = bridge_client.generic("POST", "/guardar-encuesta", body, content_type="application/json")

    assert response.status_code == 400
    assert "sustituto" in response.json()["detail"]
    encuesta.refresh_from_db()
    assert encuesta.respuestas == {}


@pytest.mark.parametrize("param", ["date_from", "date_to", "date"])
@pytest.mark.parametrize("value", ["2024-02-30", "2024-13-01", "0000-01-01", "0001-01-01", "9999-12-31"])
def test_impossible_dates_are_a_400(api_client, param, value):
    response = api_client.get("/api/encuestas", {param: value})

    assert response.status_code == 400
    assert param in response.json()


def test_valid_dates_still_filter(api_client):
    EncuestaFactory()

    response = api_client.get("/api/encuestas", {"date_from": "2000-01-01", "date_to": "2999-12-31"})

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize("created_at", [10**15, -(10**12), 2**40, 1])
def test_a_signed_webhook_with_an_absurd_created_at_is_a_400(client, livekit, created_at):
    call = CallFactory(status=Call.Status.RINGING)
    event = make_webhook_event(
        "participant_joined",
        room_name=call.room_name,
        participant_identity=call.sip_identity,
        participant_kind=ParticipantInfo.Kind.SIP,
        attributes={"sip.callStatus": "active"},
        created_at=created_at,
    )
    body, auth = sign_webhook(event, livekit.api_key, livekit.api_secret)

    response = client.post(
        "/webhooks/livekit", body, content_type="application/webhook+json", HTTP_AUTHORIZATION=auth
    )

    assert response.status_code == 400
    assert "created_at" in response.json()["detail"]
    call.refresh_from_db()
    assert call.status == Call.Status.RINGING


@pytest.mark.parametrize(
    "path", ["/api/calls?encuesta=" + "9" * 25, "/api/calls/" + "9" * 25, "/api/agents/" + "9" * 25]
)
def test_numbers_beyond_the_database_integers_are_never_a_500(api_client, path):
    response = api_client.get(path)

    # SQLite refuses to send such a number (400); MariaDB compares it and finds nothing.
    if response.status_code == 200:
        assert response.json()["count"] == 0
    else:
        assert response.status_code in (400, 404)
        assert response.json()["detail"]
