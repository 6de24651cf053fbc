"""Outbound-call benchmark: `make bench` (or `.venv/bin/python benchmarks/bench_calls.py`).

Starts, on 127.0.0.1 only: the LiveKit-compatible test server (with an injected round-trip time),
gunicorn serving the app with production settings, and Celery workers on the real Redis broker,
all on MariaDB. Measures:
  1. API latency of POST /api/calls/outbound (p50/p99) at several client concurrencies;
  2. time from sending the API request to CreateSIPParticipant arriving at LiveKit;
  3. calls per second dialed with N Celery worker threads.
Every loop is bounded in count and time; everything it started is stopped at the end.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.bench_support import percentile, stop  # noqa: E402
from scripts.wait_for_service import reachable  # noqa: E402
from telephony.testing import FakeLiveKitServer  # noqa: E402

PORT = 8765
BIN = Path(sys.executable).parent


def run_env(livekit: FakeLiveKitServer, args) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
        "BRIDGE_TOKEN": "bench-bridge-token-" + "x" * 32,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.redis_url,
        "LIVEKIT_URL": livekit.url,
        "LIVEKIT_API_KEY": livekit.api_key,
        "LIVEKIT_API_SECRET": livekit.api_secret,
        "OUTBOUND_CALLS_THROTTLE_RATE": "1000000/min",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *argv: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *argv], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


SETUP = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from agents_app.models import VoiceAgent
from calls.models import Call, Encuesta
from telephony.models import TelephonyConfig
Call.objects.all().delete(); Encuesta.objects.all().delete()
user, _ = get_user_model().objects.get_or_create(username="bench")
from django.contrib.auth.models import Group
user.groups.add(Group.objects.get(name="Operador"))
token, _ = Token.objects.get_or_create(user=user)
agent, _ = VoiceAgent.objects.get_or_create(name="Bench", defaults={"dispatch_name": "bench-agent"})
TelephonyConfig.objects.all().delete()
TelephonyConfig.objects.create(name="bench", from_numbers=["+34944771453"], sip_trunk_id="ST_bench",
                               max_concurrent_calls=100000, is_default=True)
print(token.key, agent.pk)
"""


def reset_data(env: dict[str, str]) -> tuple[str, int]:
    token, agent_id = manage(env, "shell", "--no-imports", "-c", SETUP).strip().splitlines()[-1].split()
    return token, int(agent_id)


def start_celery(env: dict[str, str], threads: int) -> subprocess.Popen:
    subprocess.run(
        [str(BIN / "celery"), "-A", "config", "purge", "-f"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=False,
    )
    worker = subprocess.Popen(
        [str(BIN / "celery"), "-A", "config", "worker", "-P", "threads", "-c", str(threads), "-l", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(3)
    return worker


class Client:
    def __init__(self, token: str, agent_id: int) -> None:
        self.token, self.agent_id, self.counter = token, agent_id, 0

    def next_phone(self) -> str:
        self.counter += 1
        return f"+346{self.counter % 100000000:08d}"

    async def place(self, session: aiohttp.ClientSession) -> tuple[float, float, str]:
        phone = self.next_phone()
        sent = time.monotonic()
        async with session.post(
            f"http://127.0.0.1:{PORT}/api/calls/outbound",
            json={"agentId": self.agent_id, "phoneNumber": phone},
            headers={"Authorization": f"Token {self.token}"},
        ) as response:
            body = await response.json()
            if response.status != 200:
                raise RuntimeError(f"{response.status}: {body}")
        return sent, time.monotonic() - sent, body["roomName"]


async def latency_run(client: Client, concurrency: int, total: int) -> list[float]:
    latencies: list[float] = []
    async with aiohttp.ClientSession() as session:
        queue = iter(range(total))

        async def worker() -> None:
            for _ in queue:
                _sent, elapsed, _room = await client.place(session)
                latencies.append(elapsed)

        await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(concurrency))), timeout=120)
    return latencies


def time_to_dial(client: Client, livekit: FakeLiveKitServer, samples: int) -> list[float]:
    results = []

    async def one() -> tuple[float, str]:
        async with aiohttp.ClientSession() as session:
            sent, _elapsed, room = await client.place(session)
        return sent, room

    for _ in range(samples):
        livekit.clear()
        sent, room = asyncio.run(one())
        deadline = time.monotonic() + 10
        arrival = None
        while arrival is None and time.monotonic() < deadline:
            for request in livekit.requests:
                sent_to = getattr(request.message, "room_name", None)
                if request.method == "CreateSIPParticipant" and sent_to == room:
                    arrival = request.received_at
            time.sleep(0.002)
        if arrival is None:
            raise RuntimeError(f"CreateSIPParticipant for {room} never arrived")
        results.append(arrival - sent)
        time.sleep(0.05)
    return results


def throughput(client: Client, livekit: FakeLiveKitServer, total: int) -> float:
    livekit.clear()
    start = time.monotonic()
    asyncio.run(latency_run(client, 10, total))
    livekit.wait_for("CreateSIPParticipant", count=total, timeout=120)
    return total / (time.monotonic() - start)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="mysql://root@127.0.0.1:3306/bench_agentelocal")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--rtt", type=float, default=0.05, help="injected LiveKit round trip, seconds")
    parser.add_argument("--requests", type=int, default=400, help="API requests per concurrency level")
    parser.add_argument("--gunicorn-workers", type=int, default=3)
    args = parser.parse_args()

    if args.database_url.startswith("mysql://"):
        import MySQLdb

        name = args.database_url.rsplit("/", 1)[1]
        conn = MySQLdb.connect(host="127.0.0.1", user="root", port=3306)
        conn.cursor().execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4")
        conn.close()

    with FakeLiveKitServer(rtt=args.rtt) as livekit:
        env = run_env(livekit, args)
        manage(env, "migrate", "--noinput")
        token, agent_id = reset_data(env)
        client = Client(token, agent_id)
        web = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "-b",
                f"127.0.0.1:{PORT}",
                "-w",
                str(args.gunicorn_workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        worker = None
        deadline = time.monotonic() + 30
        while not reachable("redis", f"http://127.0.0.1:{PORT}") and time.monotonic() < deadline:
            time.sleep(0.2)
        try:
            print(
                f"LiveKit test server RTT {args.rtt * 1000:.0f} ms; MariaDB; Redis broker; gunicorn "
                f"{args.gunicorn_workers} workers; 2 cores shared by everything.\n"
            )
            asyncio.run(latency_run(client, 4, 40))  # warm-up
            print("1. POST /api/calls/outbound latency. The API only enqueues; Celery is paused so the")
            print("   2 cores serve the API and the load generator alone.")
            print(f"{'clients':>8} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8}")
            for concurrency in (1, 5, 20):
                start = time.monotonic()
                lat = asyncio.run(latency_run(client, concurrency, args.requests))
                rate = len(lat) / (time.monotonic() - start)
                print(
                    f"{concurrency:>8} {len(lat):>9} {statistics.median(lat) * 1000:>8.1f} "
                    f"{percentile(lat, 99) * 1000:>8.1f} {rate:>8.0f}"
                )
            reset_data(env)
            worker = start_celery(env, 4)

            print("\n2. Time from API request to CreateSIPParticipant at LiveKit (idle system)")
            ttd = time_to_dial(client, livekit, 30)
            budget = 2 * args.rtt + 0.020
            print(
                f"p50 {statistics.median(ttd) * 1000:.1f} ms, p99 {percentile(ttd, 99) * 1000:.1f} ms, "
                f"max {max(ttd) * 1000:.1f} ms; budget 2×RTT+20 ms = {budget * 1000:.0f} ms"
            )

            print("\n3. Calls dialed per second (API → Redis → Celery → LiveKit), 200 calls")
            print(f"{'worker threads':>15} {'calls/s':>8}")
            for threads in (1, 4, 16):
                stop(worker)
                reset_data(env)
                worker = start_celery(env, threads)
                print(f"{threads:>15} {throughput(client, livekit, 200):>8.1f}")
        finally:
            if worker:
                stop(worker)
            stop(web)


if __name__ == "__main__":
    main()
