"""`runvoiceworker start` as an operator runs it: a real process, a LiveKit agent-protocol server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from voiceworker.testing.agent_server import AgentProtocolServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def worker_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    database = tmp_path_factory.mktemp("worker") / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{database}",
        "LIVEKIT_API_KEY": "APIlocalworker",
        "LIVEKIT_API_SECRET": "s" * 40,
        "DEEPGRAM_API_KEY": "dg-local",
        "CARTESIA_API_KEY": "ca-local",
        "GROQ_API_KEY": "gsk-local",
        "CARTESIA_VOICE_ES": "0e5e5e5e-0000-4000-8000-00000000e5e5",
        "VOICE_CONNECT_MAX_RETRY": "0",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    yield env


def start_worker(env: dict[str, str], url: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "runvoiceworker", "start", "--agent-name", "smoke", *args],
        cwd=ROOT,
        env={**env, "LIVEKIT_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_start_registers_its_dispatch_name_and_stops_cleanly(worker_env: dict[str, str]):
    with AgentProtocolServer() as server:
        process = start_worker(worker_env, server.url, "--port", "0")
        try:
            assert server.registered.wait(60), "the worker never registered"
            registration = server.registrations[0]
            assert registration.agent_name == "smoke"
            assert registration.allowed_permissions.agent is True
        finally:
            process.send_signal(signal.SIGTERM)
            output = process.communicate(timeout=60)[0].decode()
    assert process.returncode == 0, output


def test_a_taken_health_port_is_a_failure_not_exit_0(worker_env: dict[str, str]):
    with socket.socket() as taken, AgentProtocolServer() as server:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        process = start_worker(worker_env, server.url, "--port", str(taken.getsockname()[1]))
        output = process.communicate(timeout=90)[0].decode()
    assert process.returncode != 0, output
    assert "se detuvo por un error" in output


def test_an_unreachable_livekit_is_a_failure(worker_env: dict[str, str]):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens once the socket is closed
    process = start_worker(worker_env, f"ws://127.0.0.1:{port}", "--port", "0")
    output = process.communicate(timeout=90)[0].decode()
    assert process.returncode != 0, output
