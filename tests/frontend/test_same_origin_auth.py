"""Session-authenticated unsafe requests: same origin by Fetch Metadata, never cross-site."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agents_app.models import PromptTemplate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BODY = {"name": "Bienvenida", "description": "d", "content": "Eres amable."}


@pytest.fixture
def session_client(superuser) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(superuser)
    return client


def test_cross_site_post_with_a_valid_session_is_refused(session_client):
    response = session_client.post(
        "/api/prompts",
        BODY,
        format="json",
        HTTP_SEC_FETCH_SITE="cross-site",
        HTTP_ORIGIN="https://evil.example",
    )

    assert response.status_code == 403
    assert "detail" in response.json()
    assert not PromptTemplate.objects.exists()


def test_same_site_post_from_another_subdomain_is_refused(session_client):
    response = session_client.post(
        "/api/prompts",
        BODY,
        format="json",
        HTTP_SEC_FETCH_SITE="same-site",
        HTTP_ORIGIN="http://evil.testserver",
    )

    assert response.status_code == 403
    assert not PromptTemplate.objects.exists()


def test_same_origin_post_with_a_session_and_no_csrf_token_is_accepted(session_client):
    response = session_client.post(
        "/api/prompts",
        BODY,
        format="json",
        HTTP_SEC_FETCH_SITE="same-origin",
        HTTP_ORIGIN="http://testserver",
    )

    assert response.status_code == 201, response.content
    assert PromptTemplate.objects.get().name == "Bienvenida"


def test_origin_header_is_the_fallback_without_fetch_metadata(session_client):
    refused = session_client.post("/api/prompts", BODY, format="json", HTTP_ORIGIN="https://evil.example")
    accepted = session_client.post("/api/prompts", BODY, format="json", HTTP_ORIGIN="http://testserver")

    assert refused.status_code == 403
    assert accepted.status_code == 201


def test_trusted_origins_may_post_cross_site(session_client, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://panel.example.com"]

    response = session_client.post(
        "/api/prompts",
        BODY,
        format="json",
        HTTP_SEC_FETCH_SITE="cross-site",
        HTTP_ORIGIN="https://panel.example.com",
    )

    assert response.status_code == 201


def test_without_either_header_the_classic_csrf_token_is_required(session_client):
    refused = session_client.post("/api/prompts", BODY, format="json")
    session_client.get("/admin/")  # its logout form sets the csrftoken cookie
    token = session_client.cookies["csrftoken"].value
    accepted = session_client.post("/api/prompts", BODY, format="json", HTTP_X_CSRFTOKEN=token)

    assert refused.status_code == 403
    assert accepted.status_code == 201


def test_token_clients_are_unchanged_whatever_the_headers(superuser):
    client = APIClient(enforce_csrf_checks=True)
    token = Token.objects.create(user=superuser)
    response = client.post(
        "/api/prompts",
        BODY,
        format="json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
        HTTP_SEC_FETCH_SITE="cross-site",
        HTTP_ORIGIN="https://evil.example",
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/api/alerts"),
        ("post", "/api/alerts/1/resolve"),
        ("get", "/api/dashboard/recent-calls"),
        ("get", "/api/dashboard/integrations"),
        ("get", "/api/dashboard/usage-stats"),
        ("get", "/api/results"),
        ("get", "/api/prompts"),
        ("post", "/api/prompts"),
        ("get", "/api/ai/config"),
        ("post", "/api/ai/config"),
        ("get", "/api/settings"),
        ("post", "/api/settings"),
        ("get", "/api/ai/limits"),
        ("get", "/api/ai/diagnose-google"),
        ("post", "/api/calls/cleanup"),
    ],
)
def test_anonymous_requests_get_401_or_403_and_no_data(method, path):
    client = APIClient()
    response = getattr(client, method)(path, {}, format="json", HTTP_SEC_FETCH_SITE="same-origin")

    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail"}


def test_staff_without_the_model_permission_is_refused(db):
    user = UserFactory(username="mirona", is_staff=True)
    client = APIClient()
    client.force_login(user)

    assert client.get("/api/results", HTTP_SEC_FETCH_SITE="same-origin").status_code == 403
    assert client.get("/api/prompts", HTTP_SEC_FETCH_SITE="same-origin").status_code == 403
