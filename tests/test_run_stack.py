"""`make run`'s stack as the README describes it: scripts/run_stack.py starts a private Redis, a
Celery worker with beat and the web server; a call queued through the API is dialed by the worker
against the LiveKit test server, and the web request does not wait for the phone to ring."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR
SETUP = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from agents_app.models import VoiceAgent
from telephony.models import TelephonyConfig
user = get_user_model().objects.create_superuser("admin", "admin@example.com", "x-local-password-1")
agent = VoiceAgent.objects.create(name="Calidad", dispatch_name="agentelocal-test")
TelephonyConfig.objects.create(
    name="local", from_numbers=["+34944771453"], sip_trunk_id="ST_local", is_default=True
)
print(Token.objects.create(user=user).key, agent.pk)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _until(predicate, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


def _api(port: int, token: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _web_up(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def stack(tmp_path: Path, livekit):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (make run installs it as root)")
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "LIVEKIT_URL": livekit.url,
        "LIVEKIT_API_KEY": livekit.api_key,
        "LIVEKIT_API_SECRET": livekit.api_secret,
        "TELEPHONY_BACKEND": "livekit",
    }
    env.pop("CELERY_BROKER_URL", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    setup = subprocess.run(
        [*manage, "shell", "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    token, agent_id = setup.stdout.split()[-2:]
    proc = subprocess.Popen(
        [sys.executable, "scripts/run_stack.py", "--port", str(port), "--run-dir", str(tmp_path / "run")],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        assert _until(lambda: _web_up(port) or proc.poll() is not None), "the web server did not start"
        assert proc.poll() is None, "run_stack.py exited"
        yield port, token, int(agent_id), tmp_path
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_make_run_stack_dials_queued_calls_without_the_request_waiting(stack, livekit):
    port, token, agent_id, tmp_path = stack
    # Each callee takes 5 s to answer, as in the report; the API must not wait for that.
    livekit.delay("CreateSIPParticipant", 5.0)

    answers = [
        _api(port, token, "/api/calls/outbound", {"agentId": agent_id, "phoneNumber": phone})
        for phone in ("+34621151394", "+34621151395", "+34621151396")
    ]
    statuses_on_answer = [
        _api(port, token, f"/api/calls?encuesta={answer['callId']}")["results"][0]["status"]
        for answer in answers
    ]

    assert all(answer["status"] == "success" for answer in answers)
    assert "in_progress" not in statuses_on_answer

    def all_answered():
        calls = [_api(port, token, f"/api/calls?encuesta={a['callId']}")["results"][0] for a in answers]
        return calls if all(call["status"] == "in_progress" for call in calls) else None

    calls = _until(all_answered, timeout=90)
    assert calls, "the worker did not dial the queued calls"
    dialed_rooms = {request.room_name for request in livekit.calls("CreateSIPParticipant")}
    assert dialed_rooms == {answer["roomName"] for answer in answers}
    assert (tmp_path / "run" / "redis.sock").exists()
