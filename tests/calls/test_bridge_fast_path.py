"""POST /guardar-encuesta through the deployed WSGI app: the fast path answers what it can."""

import io
import json

import pytest

from calls.models import Encuesta
from tests.conftest import BRIDGE_TOKEN
from tests.deployed_client import DeployedAppClient
from tests.factories import EncuestaFactory

pytestmark = pytest.mark.django_db

GUARDAR = "/guardar-encuesta"


@pytest.fixture
def encuesta() -> Encuesta:
    return EncuestaFactory(voice_agent=None, status=Encuesta.Status.IN_PROGRESS)


@pytest.fixture
def deployed() -> DeployedAppClient:
    client = DeployedAppClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {BRIDGE_TOKEN}")
    return client


def answered_by_fast_path(response) -> bool:
    # DRF's views always add Allow; the fast path answers without Django's stack.
    return "Allow" not in response.headers


def test_a_valid_save_is_answered_by_the_fast_path_with_the_views_exact_body(
    deployed, bridge_client, encuesta
):
    response = deployed.post(GUARDAR, {"id_encuesta": encuesta.pk, "nota_comercial": 8}, format="json")

    assert response.status_code == 200
    assert answered_by_fast_path(response)
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    encuesta.refresh_from_db()
    assert encuesta.puntuacion_comercial == 8
    from rest_framework.test import APIClient

    view = APIClient()
    view.credentials(HTTP_AUTHORIZATION=f"Bearer {BRIDGE_TOKEN}")
    same = view.post(GUARDAR, {"id_encuesta": encuesta.pk, "nota_comercial": 8}, format="json")
    assert not answered_by_fast_path(same)
    assert same.content == response.content


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"id_encuesta": 999999, "nota_comercial": 8}, 404),
        ({"nota_comercial": 8}, 400),
        ({"id_encuesta": "x"}, 400),
        ({"id_encuesta": 1, "nota_comercial": "②"}, 400),
        ({"id_encuesta": 1, "status": "terminada"}, 400),
    ],
)
def test_every_refusal_is_the_full_stacks(deployed, encuesta, body, status):
    body = {**body, "id_encuesta": encuesta.pk} if body.get("id_encuesta") == 1 else body

    response = deployed.post(GUARDAR, body, format="json")

    assert response.status_code == status
    assert not answered_by_fast_path(response)
    assert response.json()["detail"]


def test_a_closed_survey_is_refused_by_the_full_stack(deployed, encuesta):
    Encuesta.objects.filter(pk=encuesta.pk).update(status=Encuesta.Status.REJECTED_OPT_OUT)

    response = deployed.post(GUARDAR, {"id_encuesta": encuesta.pk, "nota_comercial": 8}, format="json")

    assert response.status_code == 409
    assert not answered_by_fast_path(response)


@pytest.mark.parametrize(
    ("authorization", "host"),
    [("Bearer wrong", "testserver"), ("", "testserver"), (f"Bearer {BRIDGE_TOKEN}", "evil.example")],
    ids=["bad-token", "no-token", "unknown-host"],
)
def test_requests_it_cannot_vouch_for_go_to_django(encuesta, authorization, host):
    response = DeployedAppClient().post(
        GUARDAR,
        {"id_encuesta": encuesta.pk, "nota_comercial": 8},
        format="json",
        HTTP_AUTHORIZATION=authorization,
        HTTP_HOST=host,
    )

    assert response.status_code in (400, 401, 403)
    encuesta.refresh_from_db()
    assert encuesta.puntuacion_comercial is None


def test_plain_http_is_left_to_django_when_tls_is_required(encuesta, settings):
    from calls.bridge_fast_path import NotHandled, _check_request

    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    body = json.dumps({"id_encuesta": encuesta.pk}).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": GUARDAR,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "testserver",
        "HTTP_AUTHORIZATION": f"Bearer {BRIDGE_TOKEN}",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
    }

    with pytest.raises(NotHandled):
        _check_request(environ)  # SecurityMiddleware redirects it
    assert _check_request({**environ, "HTTP_X_FORWARDED_PROTO": "https"}) == body


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b'{"id_encuesta": 1, "respuestas": ' + b'{"a": ' * 40 + b"1" + b"}" * 41,
        b'{"id_encuesta": "\\ud800"}',
    ],
    ids=["truncated", "too-deep", "lone-surrogate"],
)
def test_bodies_the_parser_refuses_get_its_400(deployed, raw):
    response = deployed.generic("POST", GUARDAR, raw, content_type="application/json")

    assert response.status_code == 400
    assert json.loads(response.content)["detail"]


def test_other_bridge_endpoints_are_djangos(deployed):
    response = deployed.post("/iniciar-encuesta", {"telefono": "+34621151394"}, format="json")

    assert response.status_code == 201
    assert not answered_by_fast_path(response)


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_database_dropped_costs_no_answer(deployed):
    """The fast path skips the per-request ping; a dead connection falls back to a fresh one."""
    from django.db import connection

    if connection.vendor != "mysql":
        pytest.skip("needs a database server that can kill a client connection")
    import MySQLdb

    encuesta = EncuestaFactory(voice_agent=None, status=Encuesta.Status.IN_PROGRESS)
    connection.settings_dict["CONN_MAX_AGE"] = 60  # persistent, as in production
    try:
        first = deployed.post(GUARDAR, {"id_encuesta": encuesta.pk, "nota_comercial": 8}, format="json")
        assert first.status_code == 200 and answered_by_fast_path(first)
        with connection.cursor() as cursor:
            cursor.execute("SELECT CONNECTION_ID()")
            (thread_id,) = cursor.fetchone()
        params = connection.get_connection_params()
        killer = MySQLdb.connect(
            host=params.get("host", "127.0.0.1"),
            port=params.get("port", 3306),
            user=params["user"],
            password=params.get("password", ""),
        )
        killer.cursor().execute(f"KILL {int(thread_id)}")
        killer.close()

        second = deployed.post(GUARDAR, {"id_encuesta": encuesta.pk, "nota_instalador": 9}, format="json")
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()

    assert second.status_code == 200, second.content
    encuesta.refresh_from_db()
    assert (encuesta.puntuacion_comercial, encuesta.puntuacion_instalador) == (8, 9)
