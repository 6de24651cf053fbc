"""The old client saves an agent with two parallel requests; both must succeed, on any database.

On SQLite this needs a database file and a real server process (`make run`'s setup): the
in-memory test database has other locking rules.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory, VoiceAgentFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 8
ROOT = Path(django_settings.BASE_DIR)
SETUP = (
    "from rest_framework.authtoken.models import Token;"
    "from django.contrib.auth import get_user_model;"
    "from agents_app.models import VoiceAgent;"
    "u = get_user_model().objects.create_superuser('jefa', 'j@example.com', 'x');"
    "a = VoiceAgent.objects.create(name='Agente', llm_model='llama-3.3-70b-versatile');"
    "print(Token.objects.create(user=u).key, a.pk)"
)


def _send(url: str, method: str, body: dict, token: str) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _get(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(request, tmp_path) -> Iterator[tuple[str, str, int]]:
    """(base URL, token, agent id) of a server on the run's database engine."""
    if connection.vendor != "sqlite":
        live_server = request.getfixturevalue("live_server")
        agent = VoiceAgentFactory(llm_model="llama-3.3-70b-versatile")
        token = Token.objects.create(user=UserFactory(username="jefa", is_staff=True, is_superuser=True))
        yield live_server.url, token.key, agent.pk
        return
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "LLM_BASE_URL": "https://api.groq.com/openai/v1",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    setup = subprocess.run(
        [*manage, "shell", "-c", SETUP], env=env, check=True, cwd=ROOT, capture_output=True
    )
    key, agent_id = setup.stdout.decode().split()[-2:]
    port = _free_port()
    process = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", key, int(agent_id)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_parallel_put_agent_and_post_ai_config_both_succeed(server, settings):
    settings.LLM_BASE_URL = "https://api.groq.com/openai/v1"
    base, token, agent_id = server
    statuses: list[int] = []

    for round_ in range(ROUNDS):
        barrier = threading.Barrier(2)
        calls = [
            (f"{base}/api/agents/{agent_id}", "PUT", {"name": f"Agente {round_}", "instructions": "Hola."}),
            (f"{base}/api/ai/config", "POST", {"llm_provider": "openai", "llm_model": f"gpt-{round_}"}),
        ]

        def send(url: str, method: str, body: dict, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            statuses.append(_send(url, method, body, token))

        threads = [threading.Thread(target=send, args=call) for call in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert statuses == [200] * (2 * ROUNDS)
    agent = _get(f"{base}/api/agents/{agent_id}", token)
    assert agent["name"] == f"Agente {ROUNDS - 1}"
    assert agent["llmModel"] == f"openai/gpt-{ROUNDS - 1}"
