"""The bridge's POST /guardar-encuesta under load, beside the old FastAPI bridge when given.

    .venv/bin/python benchmarks/bench_bridge.py [--duration 15] [--surveys 2000]
    PEER_BRIDGE=/path/to/bridge_server.py PEER_BRIDGE_PYTHON=/path/to/venv/bin/python \\
        .venv/bin/python benchmarks/bench_bridge.py

Both bridges run against the same MariaDB server, each in its own database, with `wrk` (2 threads ×
16 connections, as the issue measured) posting one score to a random survey per request.
Ours runs as documented for production: production settings and `gunicorn -c config/gunicorn.py
config.wsgi` (extra layouts with --layout "workers,threads"). The old bridge runs as its own
`__main__` does: one uvicorn process. PEER_BRIDGE is the old system's `backend/bridge_server.py`
(inigosolana/Ausarta_Robot_Varios_AGENTES, first commit), kept outside this repository;
PEER_BRIDGE_PYTHON an interpreter with fastapi, uvicorn, mysql-connector-python, python-dotenv and
livekit-api. Everything started here is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import MySQLdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.bench_support import stop  # noqa: E402
from scripts.wait_for_service import reachable  # noqa: E402

BIN = Path(sys.executable).parent
OURS_PORT, PEER_PORT = 8771, 8772
TOKEN = "bench-bridge-token-" + "x" * 32
OURS_DB, PEER_DB = "bench_bridge_django", "bench_bridge_old"

WRK_SCRIPT = """
math.randomseed(os.time())
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
wrk.headers["X-Forwarded-Proto"] = "https"
request = function()
  local id = math.random({first}, {last})
  local body = string.format('{{"id_encuesta": %d, "nota_comercial": %d}}', id, math.random(1, 10))
  return wrk.format(nil, "/guardar-encuesta", nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50=%.2f p99=%.2f errors=%d non2xx=%d\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.errors.status))
end
"""

OLD_TABLE = """
CREATE TABLE encuestas (
  id INT AUTO_INCREMENT PRIMARY KEY, telefono VARCHAR(32), fecha DATETIME, completada TINYINT(1),
  puntuacion_comercial INT NULL, puntuacion_instalador INT NULL, puntuacion_rapidez INT NULL,
  comentarios TEXT NULL
)
"""


def mysql(database: str | None = None) -> MySQLdb.Connection:
    return MySQLdb.connect(host="127.0.0.1", user="root", port=3306, **({"db": database} if database else {}))


def recreate(name: str) -> None:
    conn = mysql()
    cur = conn.cursor()
    cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    conn.close()


def ours_env(redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
        "BRIDGE_TOKEN": TOKEN,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"mysql://root@127.0.0.1:3306/{OURS_DB}",
        "CELERY_BROKER_URL": redis_url,
        "DJANGO_LOG_LEVEL": "WARNING",
    }


SEED = """
from calls.models import Encuesta
Encuesta.objects.bulk_create(
    [Encuesta(telefono=f"+346{{i:08d}}", status="in_progress") for i in range({n})], batch_size=1000
)
ids = Encuesta.objects.order_by("id").values_list("id", flat=True)
print(ids.first(), ids.last())
"""


def seed_ours(env: dict[str, str], surveys: int) -> tuple[int, int]:
    recreate(OURS_DB)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", SEED.format(n=surveys)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    first, last = out.split()[-2:]
    return int(first), int(last)


def seed_peer(surveys: int) -> tuple[int, int]:
    recreate(PEER_DB)
    conn = mysql(PEER_DB)
    cur = conn.cursor()
    cur.execute(OLD_TABLE)
    cur.executemany(
        "INSERT INTO encuestas (telefono, fecha, completada) VALUES (%s, NOW(), 0)",
        [(f"+346{i:08d}",) for i in range(surveys)],
    )
    conn.commit()
    cur.execute("SELECT MIN(id), MAX(id) FROM encuestas")
    first, last = cur.fetchone()
    conn.close()
    return int(first), int(last)


def wait_up(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not reachable("http", f"http://127.0.0.1:{port}"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the server on port {port} did not start")
        time.sleep(0.2)


def run_wrk(port: int, first: int, last: int, duration: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT.format(token=TOKEN, first=first, last=last))
    url = f"http://127.0.0.1:{port}"
    # a short warm-up (connections, caches), then the measured run
    subprocess.run(["wrk", "-t2", "-c16", "-d3s", "-s", script.name, url], capture_output=True, check=True)
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", "-s", script.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    match = re.search(r"RESULT rps=([\d.]+) p50=([\d.]+) p99=([\d.]+) errors=(\d+) non2xx=(\d+)", out)
    if not match:
        raise SystemExit(f"wrk printed no result:\n{out}")
    rps, p50, p99, errors, non2xx = (float(x) for x in match.groups())
    return {"rps": rps, "p50": p50, "p99": p99, "errors": errors, "non2xx": non2xx}


def bench_ours(
    env: dict[str, str], span: tuple[int, int], duration: int, layout: str | None
) -> dict[str, float]:
    argv = [str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi", "-b", f"127.0.0.1:{OURS_PORT}"]
    if layout:
        workers, threads = layout.split(",")[:2]
        argv += ["-w", workers, "--threads", threads]
        if layout.endswith(",sync"):
            argv += ["-k", "sync"]
    web = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_up(OURS_PORT, web)
        return run_wrk(OURS_PORT, *span, duration)
    finally:
        stop(web)


def bench_peer(source: Path, python: str, span: tuple[int, int], duration: int) -> dict[str, float]:
    workdir = Path(tempfile.mkdtemp(prefix="peer-bridge-"))
    shutil.copy(source, workdir / "bridge_server.py")
    env = {**os.environ, "DB_HOST": "127.0.0.1", "DB_USER": "root", "DB_PASSWORD": "", "DB_NAME": PEER_DB}
    server = subprocess.Popen(
        [
            python,
            "-m",
            "uvicorn",
            "bridge_server:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(PEER_PORT),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_up(PEER_PORT, server)
        return run_wrk(PEER_PORT, *span, duration)
    finally:
        stop(server)
        shutil.rmtree(workdir, ignore_errors=True)


def line(name: str, r: dict[str, float]) -> str:
    bad = (
        f"  ({r['errors']:.0f} socket errors, {r['non2xx']:.0f} non-2xx)"
        if r["errors"] or r["non2xx"]
        else ""
    )
    return f"{name:<40} {r['rps']:>9.0f} {r['p50']:>8.2f} {r['p99']:>8.2f}{bad}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each bridge")
    parser.add_argument("--surveys", type=int, default=2000)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument(
        "--layout", action="append", default=[], help='extra gunicorn "workers,threads[,sync]"'
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: sudo apt-get install -y wrk")

    env = ours_env(args.redis_url)
    span = seed_ours(env, args.surveys)
    peer_source = os.environ.get("PEER_BRIDGE", "")
    peer_span = seed_peer(args.surveys) if peer_source else (0, 0)
    print(
        f"wrk 2 threads × 16 connections, {args.duration} s per run, one score per request, "
        f"{args.surveys} surveys; {args.rounds} alternating rounds (the machine's speed drifts)\n"
    )
    print(f"{'server':<40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    ours_runs, peer_runs = [], []
    for _ in range(args.rounds):
        ours_runs.append(bench_ours(env, span, args.duration, None))
        print(line("ours: gunicorn -c config/gunicorn.py", ours_runs[-1]), flush=True)
        if peer_source:
            python = os.environ.get("PEER_BRIDGE_PYTHON", sys.executable)
            peer_runs.append(bench_peer(Path(peer_source), python, peer_span, args.duration))
            print(line("old bridge: uvicorn, 1 process", peer_runs[-1]), flush=True)
    for layout in args.layout:
        workers, threads = layout.split(",")[:2]
        name = f"ours: {workers} workers × {threads} threads" + (" sync" if layout.endswith("sync") else "")
        print(line(name, bench_ours(env, span, args.duration, layout)), flush=True)
    if not peer_source:
        print("\nPEER_BRIDGE is not set: the old bridge was not measured.")
        return
    throughput = statistics.median(o["rps"] / p["rps"] for o, p in zip(ours_runs, peer_runs, strict=True))
    p99 = statistics.median(o["p99"] / p["p99"] for o, p in zip(ours_runs, peer_runs, strict=True))
    print(
        f"\nmedian of the rounds: throughput {throughput:.2f}× the old bridge's (goal ≥ 2×); "
        f"p99 {p99:.2f}× its p99 (goal ≤ 0.5×)"
    )


if __name__ == "__main__":
    main()
