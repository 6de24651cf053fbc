"""How long until an answer is committed: the voice worker's tool vs the HTTP bridge.

    .venv/bin/python benchmarks/bench_tool_save.py [-n 200] [--budget 60]

On the database of DATABASE_URL (e.g. mysql://root@127.0.0.1:3306/test_vw), in its test database
(created or reused with keepdb, so the real data is never touched), it times N saves of one answer
along each path, from the call to the committed row:

  tool    what the guardar_encuesta tool runs (voiceworker.call.SurveyCall.save_answers)
          (asyncio -> the worker's DB thread -> calls.services.encuesta_save);
  bridge  POST /guardar-encuesta with the Bearer BRIDGE_TOKEN through Django's test Client
          (the whole request stack in-process, no network);
  http    the same POST over HTTP/1.1 keep-alive to a live server thread on 127.0.0.1.

Each path stops at N saves or after --budget seconds, whichever comes first.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import socket
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.bench_support import percentile  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import DEFAULT_DB_ALIAS, connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

WARMUP = 10


def timed(n: int, budget: float, save: Callable[[int], None]) -> list[float]:
    for i in range(WARMUP):
        save(i)
    samples: list[float] = []
    deadline = time.monotonic() + budget
    for i in range(n):
        started = time.perf_counter()
        save(i)
        samples.append((time.perf_counter() - started) * 1000)
        if time.monotonic() > deadline:
            break
    return samples


def bench_tool(encuesta_id: int, agent_id: int, n: int, budget: float) -> list[float]:
    from voiceworker import persistence
    from voiceworker.call import SurveyCall
    from voiceworker.metadata import JobMetadata

    async def run() -> list[float]:
        meta = JobMetadata(encuesta_id=encuesta_id, voice_agent_id=agent_id)
        job = await persistence.run_db(persistence.load_job, meta)
        # what the guardar_encuesta tool runs before it returns
        save = SurveyCall(job).save_answers
        samples: list[float] = []
        for i in range(WARMUP):
            await save({"comercial": i % 11})
        deadline = time.monotonic() + budget
        for i in range(n):
            started = time.perf_counter()
            saved, reply = await save({"comercial": i % 11})
            samples.append((time.perf_counter() - started) * 1000)
            assert saved, reply
            if time.monotonic() > deadline:
                break
        return samples

    return asyncio.run(run())


def bridge_body(encuesta_id: int, i: int) -> str:
    return json.dumps({"id_encuesta": encuesta_id, "nota_comercial": i % 11})


def bench_bridge(encuesta_id: int, n: int, budget: float) -> list[float]:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {settings.BRIDGE_TOKEN}")

    def save(i: int) -> None:
        response = client.post(
            "/guardar-encuesta", bridge_body(encuesta_id, i), content_type="application/json"
        )
        assert response.status_code == 200, response.content

    return timed(n, budget, save)


class NoDelayHandler(QuietWSGIRequestHandler):
    def setup(self) -> None:
        super().setup()
        # wsgiref writes the headers and the body separately; without TCP_NODELAY the body
        # waits for the client's delayed ACK (40 ms on Linux) and that is all one would measure
        cast(socket.socket, self.connection).setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args) -> None:
        pass


class NoDelayLiveServerThread(LiveServerThread):
    def _create_server(self, connections_override=None):
        return self.server_class(
            (self.host, self.port),
            NoDelayHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )


def bench_http(encuesta_id: int, n: int, budget: float) -> list[float]:
    # an in-memory SQLite test database exists only on this connection: share it, as Django's
    # LiveServerTestCase does
    wrapper = connections[DEFAULT_DB_ALIAS]
    shared = {DEFAULT_DB_ALIAS: wrapper} if wrapper.vendor == "sqlite" else None
    if shared:
        wrapper.inc_thread_sharing()
    server = NoDelayLiveServerThread(
        "127.0.0.1", static_handler=cast(Any, lambda app: app), connections_override=shared, port=0
    )
    server.daemon = True
    server.start()
    server.is_ready.wait(10)
    if server.error:
        raise server.error
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    headers = {
        "Authorization": f"Bearer {settings.BRIDGE_TOKEN}",
        "Content-Type": "application/json",
        "Connection": "keep-alive",
    }

    def save(i: int) -> None:
        conn.request("POST", "/guardar-encuesta", bridge_body(encuesta_id, i).encode(), headers)
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200, body

    try:
        return timed(n, budget, save)
    finally:
        conn.close()
        server.terminate()
        if shared:
            wrapper.dec_thread_sharing()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("-n", type=int, default=200, help="saves per path (default 200)")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per path at most")
    args = parser.parse_args()
    if not settings.BRIDGE_TOKEN:
        sys.exit("BRIDGE_TOKEN is empty: the bridge would refuse every request.")

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)

    from agents_app.services import voice_agent_create_from_template
    from calls.models import Encuesta
    from calls.services import encuesta_create

    agent = voice_agent_create_from_template(template_key="calidad", name=f"bench-{time.time_ns()}")
    encuesta = encuesta_create(phone="+34621151394", voice_agent=agent, customer_name="Bench")
    try:
        results = {
            "tool (ORM via worker DB thread)": bench_tool(encuesta.pk, agent.pk, args.n, args.budget),
            "bridge (test Client, in-process)": bench_bridge(encuesta.pk, args.n, args.budget),
            "bridge (HTTP keep-alive, live server)": bench_http(encuesta.pk, args.n, args.budget),
        }
        # the last save of the last path, read back on this thread's own connection
        last_written = (len(results["bridge (HTTP keep-alive, live server)"]) - 1) % 11
        assert Encuesta.objects.get(pk=encuesta.pk).puntuacion_comercial == last_written
    finally:
        agent.delete()
        Encuesta.objects.filter(pk=encuesta.pk).delete()
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=True)
        teardown_test_environment()

    print(f"\nguardar_encuesta -> committed row, {connection.vendor} database {test_name}")
    if connection.vendor == "sqlite":
        print("(SQLite in memory: not representative of production; use DATABASE_URL=mysql://...)")
    print(f"{'path':<40} {'n':>4} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'max ms':>8}")
    for path, samples in results.items():
        print(
            f"{path:<40} {len(samples):>4} {percentile(samples, 50):>8.2f} {percentile(samples, 99):>8.2f} "
            f"{statistics.fmean(samples):>8.2f} {max(samples):>8.2f}"
        )


if __name__ == "__main__":
    main()
