"""Every API endpoint × {anonymous, no permissions, each group, superuser}.

Endpoints are discovered from the URL resolver, so a view added later is covered without editing
this file, and a view that does not declare `required_permissions` for a method fails here.
"""

import re
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient
from rest_framework.views import APIView

from calls.roles import OPERADOR, ROLE_PERMISSIONS, SOLO_LECTURA, SUPERVISOR
from config.permissions import RequiredPermissions
from tests.factories import UserFactory
from tests.openapi import assert_matches_schema

# Views that are not for users: the voice agents' bridge (BRIDGE_TOKEN), LiveKit's signed
# webhooks, and the OpenAPI schema and docs (any logged-in user; tested in test_settings_and_schema).
NOT_USER_APIS = {
    "IniciarEncuestaApi",
    "GuardarEncuestaApi",
    "ColgarApi",
    "LiveKitWebhookApi",
    "SpectacularAPIView",
    "SpectacularSwaggerView",
}
METHODS = ("get", "post", "put", "patch", "delete")
_CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, type[APIView]]]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "cls", None)
            if view_class is not None and issubclass(view_class, APIView):
                path = _CONVERTER.sub(lambda m: "999999" if m.group(1) in (None, "int") else "x", route)
                yield "/" + path.lstrip("^").rstrip("$"), view_class


def api_endpoints() -> list[tuple[str, str, type[APIView]]]:
    return [
        (path, method.upper(), view_class)
        for path, view_class in _walk(get_resolver().url_patterns)
        if view_class.__name__ not in NOT_USER_APIS
        for method in METHODS
        if hasattr(view_class, method)
    ]


ENDPOINTS = api_endpoints()
ENDPOINT_IDS = [f"{method} {path}" for path, method, _view in ENDPOINTS]


def test_endpoints_are_discovered():
    paths = {path for path, _method, _view in ENDPOINTS}
    assert {"/api/calls/outbound", "/api/agents/999999", "/api/telephony/config"} <= paths


@pytest.mark.parametrize(("path", "method", "view_class"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_every_api_view_declares_its_permissions(db, path, method, view_class):
    assert RequiredPermissions in view_class.permission_classes, f"{view_class.__name__} {method}"
    needed = getattr(view_class, "required_permissions", {})
    assert method in needed, f"{view_class.__name__} does not declare the permissions of {method}"
    for perm in needed[method]:
        app_label, codename = perm.split(".", 1)
        assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), perm


def test_role_table_names_only_existing_permissions(db):
    for perms in ROLE_PERMISSIONS.values():
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists()


def _client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _call(client: APIClient, method: str, path: str):
    return getattr(client, method.lower())(path, {}, format="json")


def _group_user(name: str):
    user = UserFactory(username=f"role-{name}")
    user.groups.add(Group.objects.get(name=name))
    return user


@pytest.mark.parametrize(("path", "method", "view_class"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_permission_matrix(db, path, method, view_class):
    needed = set(view_class.required_permissions[method])

    assert _call(_client(None), method, path).status_code == 401
    for label, user in (
        ("sin permisos", UserFactory(username="nobody")),
        ("staff sin permisos", UserFactory(username="staff", is_staff=True)),
    ):
        if needed:
            assert _call(_client(user), method, path).status_code == 403, label
    for name in ROLE_PERMISSIONS:
        user = _group_user(name)
        status = _call(_client(user), method, path).status_code
        granted = {
            f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=name).permissions.all()
        }
        if needed <= granted:
            assert status not in (401, 403), (name, status)
        else:
            assert status == 403, (name, status)
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert _call(_client(superuser), method, path).status_code not in (401, 403)


@pytest.mark.parametrize(
    ("group", "method", "path", "allowed"),
    [
        (OPERADOR, "POST", "/api/calls/outbound", True),
        (OPERADOR, "POST", "/api/calls/999999/hangup", True),
        (OPERADOR, "GET", "/api/encuestas", True),
        (OPERADOR, "DELETE", "/api/agents/999999", False),
        (OPERADOR, "POST", "/api/telephony/config", False),
        (SUPERVISOR, "DELETE", "/api/agents/999999", True),
        (SUPERVISOR, "POST", "/api/telephony/config", True),
        (SOLO_LECTURA, "GET", "/api/calls", True),
        (SOLO_LECTURA, "POST", "/api/calls/outbound", False),
        (SOLO_LECTURA, "POST", "/api/calls/999999/hangup", False),
    ],
)
def test_groups_mean_what_their_names_say(db, group, method, path, allowed):
    status = _call(_client(_group_user(group)), method, path).status_code
    assert (status not in (401, 403)) is allowed, status


@pytest.mark.parametrize(
    ("group", "sees_transcript"), [(OPERADOR, False), (SOLO_LECTURA, False), (SUPERVISOR, True)]
)
def test_transcripts_need_their_own_permission(db, group, sees_transcript):
    from tests.factories import EncuestaFactory

    encuesta = EncuestaFactory(transcription="Agente: hola\nCliente: datos personales")
    response = _client(_group_user(group)).get(f"/api/encuestas/{encuesta.pk}")
    data = response.json()
    assert (data["transcription"] == encuesta.transcription) is sees_transcript
    assert sees_transcript or data["transcription"] is None
    assert_matches_schema("GET", f"/api/encuestas/{encuesta.pk}", 200, data)
    assert data["id"] == encuesta.pk
