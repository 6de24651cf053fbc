"""`runvoiceworker start` as an operator runs it: a real process, a LiveKit agent-protocol server."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from livekit import api
from livekit.protocol import agent

from voiceworker.metadata import JobMetadata
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


# Run in a fresh interpreter against the worker's own database file: the test reads what the job
# process wrote the way an operator would, and never shares a connection with it.
CREATE_CALL = """
import json
from django.utils import timezone
from agents_app.services import voice_agent_create_from_template
from calls.models import Call, Encuesta
from tests.factories import CallFactory, EncuestaFactory
agent = voice_agent_create_from_template(template_key="calidad")
encuesta = EncuestaFactory(voice_agent=agent, status=Encuesta.Status.IN_PROGRESS)
call = CallFactory(encuesta=encuesta, status=Call.Status.IN_PROGRESS, answered_at=timezone.now())
print(json.dumps({"encuesta_id": encuesta.pk, "voice_agent_id": agent.pk, "call_id": call.pk,
                  "room": call.room_name}))
"""
READ_CALL = """
import json, sys
from calls.models import Call
call = Call.objects.select_related("encuesta").get(pk=int(sys.argv[1]))
print(json.dumps({"call": call.status, "encuesta": call.encuesta.status, "reason": call.failure_reason}))
"""


def django_script(env: dict[str, str], script: str, *args: str) -> dict[str, Any]:
    code = f"import django, sys; sys.argv[1:] = {list(args)!r}; django.setup()\n{script}"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_an_assigned_job_runs_the_entrypoint_with_django_in_the_job_process(worker_env: dict[str, str]):
    """Registration, availability, assignment, then the job process: it loads the survey from the
    database, cannot join the room (this server speaks no room protocol), hangs up and fails the call."""
    created = django_script(worker_env, CREATE_CALL)
    metadata = JobMetadata(
        encuesta_id=created["encuesta_id"],
        voice_agent_id=created["voice_agent_id"],
        call_id=created["call_id"],
    )
    job = agent.Job(id="AJ_smoke_1", dispatch_id="AD_smoke_1", type=agent.JobType.JT_ROOM, agent_name="smoke")
    job.metadata = metadata.to_json()
    job.room.name = created["room"]
    job.room.sid = "RM_smoke_1"
    token = (
        api.AccessToken(worker_env["LIVEKIT_API_KEY"], worker_env["LIVEKIT_API_SECRET"])
        .with_identity("agent-AJ_smoke_1")
        .with_kind("agent")
        .with_grants(api.VideoGrants(room_join=True, room=created["room"], agent=True))
        .to_jwt()
    )
    # livekit refuses jobs above 0.7 CPU in production mode; other tests may be keeping it busy
    env = {**worker_env, "VOICE_WORKER_LOAD_THRESHOLD": "inf"}
    with AgentProtocolServer() as server:
        process = start_worker(env, server.url, "--port", "0")
        try:
            assert server.registered.wait(60), "the worker never registered"
            server.offer_job(job, token=token)
            assert server.answered.wait(30), "the worker never answered the job request"
            assert server.availability[0].available is True
            assert server.room_deleted.wait(120), "the job never hung up"
            assert server.deleted_rooms == [created["room"]]
        finally:
            process.send_signal(signal.SIGTERM)
            output = process.communicate(timeout=60)[0].decode()
            print(output)  # shown by pytest when the test fails: the worker's and the job's logs
    assert process.returncode == 0, output
    # written by the job process, through its own Django setup and database connection
    assert django_script(worker_env, READ_CALL, str(created["call_id"])) == {
        "call": "failed",
        "encuesta": "incomplete",  # the callee had answered: not retried as never reached
        "reason": "El agente no pudo entrar en la sala de la llamada.",
    }
