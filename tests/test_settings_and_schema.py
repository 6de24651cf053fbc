"""Production settings, deploy checks and the OpenAPI schema."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import URLResolver, get_resolver
from rest_framework.views import APIView

from config.settings import base

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "BRIDGE_TOKEN": "bridge-token-de-produccion-0123456789abcdef",
    "DJANGO_ALLOWED_HOSTS": "example.com",
}


def run_django(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BRIDGE_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    return {
        **PRODUCTION_ENV,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }


def test_production_settings_refuse_to_load_without_a_secret_key():
    result = run_django(["-c", "import django; django.setup()"], PRODUCTION_ENV)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_load_with_the_environment(production_env):
    code = (
        "import os, django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.LANGUAGE_CODE, s.TIME_ZONE, s.SECRET_KEY == os.environ['DJANGO_SECRET_KEY'])"
    )

    result = run_django(["-c", code], production_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "es", "Europe/Madrid", "True"]


def test_check_deploy_reports_no_issues(production_env):
    result = run_django(["manage.py", "check", "--deploy"], production_env)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr, result.stderr


def test_language_and_time_zone_for_every_environment():
    assert (base.LANGUAGE_CODE, base.TIME_ZONE, base.USE_TZ) == ("es", "Europe/Madrid", True)
    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE) == ("es", "Europe/Madrid")


# --- OpenAPI ----------------------------------------------------------------------------------


def _api_routes(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _api_routes(entry.url_patterns, route)
        elif issubclass(getattr(entry.callback, "cls", object), APIView):
            yield "/" + route


def test_schema_documents_every_api_route(api_client):
    response = api_client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    documented = {re.sub(r"\{(\w+)\}", r"<int:\1>", path) for path in response.json()["paths"]}
    served = {
        route
        for route in _api_routes(get_resolver().url_patterns)
        if not route.startswith(("/api/schema/", "/api/docs/"))
    }
    assert {"/api/agents", "/guardar-encuesta", "/webhooks/livekit"} <= served
    assert served == documented


def test_schema_as_json(api_client):
    response = api_client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "AgenteLocal API"
    assert "/api/agents/{agent_id}" in response.json()["paths"]


def test_swagger_docs_render(client, user):
    client.force_login(user)
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert "swagger" in response.content.decode().lower()


def test_schema_documents_bearer_and_bridge_authentication(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    assert any(s.get("scheme") == "bearer" for s in schema["components"]["securitySchemes"].values())
    for path in ("/iniciar-encuesta", "/guardar-encuesta"):
        assert schema["paths"][path]["post"].get("security"), path


@pytest.mark.parametrize("missing", ["CELERY_BROKER_URL", "DATABASE_URL"])
def test_production_has_no_embedded_database_or_broker(production_env, missing):
    env = {key: value for key, value in production_env.items() if key != missing}
    result = run_django(["-c", "import django; django.setup()"], env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_api_docs_are_served_from_our_own_static_files(client, user):
    from django.contrib.staticfiles import finders

    client.force_login(user)
    page = client.get("/api/docs/").content.decode()

    assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_api_docs_send_anonymous_visitors_to_the_spanish_login(client):
    response = client.get("/api/docs/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/api/docs/"
    login = client.get(response["Location"])
    assert "Iniciar sesión" in login.content.decode()
