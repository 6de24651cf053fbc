"""With the database unreachable, the bridge and the API answer a JSON 503 with Retry-After.

A subprocess runs the deployed app (config.wsgi.application) against a MariaDB address where
nothing listens: a real connection failure, whichever database the suite itself uses.
"""

import json
import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings

SCRIPT = """
import json, django
django.setup()
from tests.deployed_client import DeployedAppClient as Client  # what gunicorn serves
out = []
for path, auth, body in [
    ("/guardar-encuesta", "Bearer {bridge}", {{"id_encuesta": 1, "nota_comercial": 8}}),
    ("/iniciar-encuesta", "Bearer {bridge}", {{"telefono": "+34621151394"}}),
    ("/colgar", "Bearer {bridge}", {{"nombre_sala": "encuesta_1"}}),
    ("/api/encuestas", "Token {token}", None),
    ("/api/calls/outbound", "Token {token}", {{"agentId": 1, "phoneNumber": "+34621151394"}}),
]:
    client = Client(HTTP_AUTHORIZATION=auth)
    if body is None:
        r = client.get(path)
    else:
        r = client.post(path, json.dumps(body), content_type="application/json")
    headers = r.headers
    out.append([path, r.status_code, headers.get("Content-Type"), headers.get("Retry-After"), r.text])
print(json.dumps(out))
"""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def answers() -> list:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"mysql://root@127.0.0.1:{_closed_port()}/agentelocal",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT.format(bridge=settings.BRIDGE_TOKEN, token="0123456789abcdef" * 2 + "01234567"),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("index", range(5))
def test_database_outage_is_a_json_503_with_retry_after(answers, index):
    path, status, content_type, retry_after, body = answers[index]

    assert status == 503, (path, body)
    assert content_type == "application/json"
    assert int(retry_after) > 0
    assert "base de datos" in json.loads(body)["detail"]
