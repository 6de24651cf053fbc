"""Property-based: every operation of the OpenAPI schema, with valid and invalid generated input,
answers below 500. Operations are read from the schema, so endpoints added later are fuzzed too."""

import json
import os
from typing import cast
from urllib.parse import urlencode

import pytest
import schemathesis
from django.contrib.auth.models import Permission
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis import APIOperation, GenerationMode
from schemathesis.core.result import Ok

from tests.conftest import BRIDGE_TOKEN
from tests.factories import CallFactory, EncuestaFactory, UserFactory

BRIDGE_PATHS = ("/iniciar-encuesta", "/guardar-encuesta", "/colgar")
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


def _schema() -> schemathesis.schemas.BaseSchema:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(generated)))


def _operations() -> list[APIOperation]:
    operations = []
    for result in _schema().get_all_operations():
        assert isinstance(result, Ok), f"the schema has an invalid operation: {result}"
        operations.append(result.ok())
    return operations


OPERATIONS = _operations()
FUZZ_SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def clients(db, livekit, telephony_config, voice_agent):
    """A user with every permission, the bridge, and a few rows for the ids to hit."""
    encuesta = EncuestaFactory(voice_agent=voice_agent)
    CallFactory(encuesta=encuesta)
    user = UserFactory(username="fuzz")
    user.user_permissions.set(Permission.objects.all())
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    bridge = APIClient()
    bridge.credentials(HTTP_AUTHORIZATION=f"Bearer {BRIDGE_TOKEN}")
    return api, bridge


def _send(client: APIClient, method: str, path: str, query, body, media_type: str | None = None) -> int:
    content, content_type = _encode(body, media_type or "application/json")
    # The test client sends bytes as they are (str would be encoded); its stubs only say str.
    response = client.generic(
        method,
        path,
        cast(str, content),
        content_type=content_type,
        QUERY_STRING=urlencode(query or {}, doseq=True),
    )
    return response.status_code


def _encode(body, media_type: str) -> tuple[bytes, str]:
    """The generated body as the media type says; schemathesis also sends raw bytes of any type."""
    if isinstance(body, bytes):
        return body, media_type
    if body is None:
        return b"", media_type
    if "json" in media_type or not isinstance(body, dict):
        return json.dumps(body).encode(), "application/json"
    fields = {k: v if isinstance(v, str | int | float) else json.dumps(v) for k, v in body.items()}
    if media_type.startswith("multipart/"):
        return encode_multipart(BOUNDARY, fields), MULTIPART_CONTENT
    return urlencode(fields).encode(), media_type


def _body(case):
    return None if isinstance(case.body, schemathesis.core.NotSet) else case.body


def _has_input(operation) -> bool:
    return bool(len(operation.path_parameters) or len(operation.query) or len(operation.body))


CASES = [
    (operation, mode)
    for operation in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode == GenerationMode.POSITIVE or _has_input(operation)
]


@pytest.mark.parametrize(("operation", "mode"), CASES, ids=[f"{op.label} {mode.value}" for op, mode in CASES])
def test_schema_operations_never_answer_5xx(clients, operation, mode):
    api, bridge = clients
    client = bridge if operation.path in BRIDGE_PATHS else api

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        status = _send(client, case.method, case.formatted_path, case.query, _body(case), case.media_type)
        assert status < 500, (case.method, case.formatted_path, case.query, _body(case), status)

    check()


@pytest.mark.parametrize(
    "operation", [op for op in OPERATIONS if op.method in ("post", "put", "patch")], ids=str
)
def test_arbitrary_json_bodies_never_answer_5xx(clients, operation):
    api, bridge = clients
    client = bridge if operation.path in BRIDGE_PATHS else api
    path = operation.path.replace("{", "").replace("}", "")
    path = "/".join("1" if part.endswith("_id") else part for part in path.split("/"))

    @FUZZ_SETTINGS
    @given(body=JSON_VALUES)
    def check(body):
        status = _send(client, operation.method.upper(), path, None, body)
        assert status < 500, (operation.method, path, body, status)

    check()
