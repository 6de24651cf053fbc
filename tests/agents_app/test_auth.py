"""How the frontend authenticates against /api/*: DRF tokens (Token or Bearer) and sessions."""

import io

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(user) -> Token:
    return Token.objects.create(user=user)


@pytest.mark.parametrize("keyword", ["Token", "Bearer"])
def test_drf_token_works_with_either_keyword(anon_client, token, keyword):
    anon_client.credentials(HTTP_AUTHORIZATION=f"{keyword} {token.key}")

    assert anon_client.get("/api/agents").status_code == 200


@pytest.mark.parametrize("keyword", ["Token", "Bearer"])
def test_unknown_token_is_401(anon_client, keyword):
    anon_client.credentials(HTTP_AUTHORIZATION=f"{keyword} no-es-un-token")

    response = anon_client.get("/api/agents")

    assert response.status_code == 401
    assert response.json()["detail"]


def test_the_bridge_token_does_not_open_the_frontend_api(bridge_client):
    assert bridge_client.get("/api/agents").status_code == 401


def test_session_login_works(anon_client, user):
    anon_client.force_login(user)

    assert anon_client.get("/api/agents").status_code == 200


def test_session_writes_need_the_csrf_token(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post("/api/agents", {"name": "Sin CSRF"}, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_drf_create_token_command_gives_a_working_token(anon_client, user):
    out = io.StringIO()

    call_command("drf_create_token", user.username, stdout=out)

    key = out.getvalue().split()[2]
    assert Token.objects.get(user=user).key == key
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert anon_client.get("/api/agents").status_code == 200
