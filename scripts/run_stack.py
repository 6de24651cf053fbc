"""`make run`'s processes: a private Redis broker, a Celery worker with beat, and the web server.

Redis listens only on a Unix socket in RUN_DIR (no TCP port, nothing shared with other Redis
users on the machine). The worker and beat run the dialer and the reconciler, so the web request
only enqueues a call and never waits for it to ring. Ctrl-C stops all three.

    python scripts/run_stack.py [--port 8001] [--run-dir .run]
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def start_redis(run_dir: Path) -> tuple[subprocess.Popen, str]:
    """A Redis on RUN_DIR/redis.sock, without a TCP port; returns the process and the broker URL."""
    server = shutil.which("redis-server")
    if server is None:
        sys.exit(
            "redis-server is missing: run `make run` as root once, or `sudo apt-get install redis-server`."
        )
    run_dir.mkdir(parents=True, exist_ok=True)
    sock = run_dir.resolve() / "redis.sock"
    sock.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
         "--dir", str(run_dir.resolve()), "--save", "60 1", "--appendonly", "no", "--loglevel", "warning"],
    )  # fmt: skip
    deadline = time.monotonic() + 15
    while not sock.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"redis-server did not start (exit code {proc.poll()}).")
        time.sleep(0.05)
    return proc, f"redis+socket://{sock}"


def stack_env(broker_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local"),
        "CELERY_BROKER_URL": broker_url,
    }


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    """Celery worker with the beat scheduler embedded (-B): one process group for make run."""
    beat_schedule = Path(env.get("RUN_DIR", ".run")) / "celerybeat-schedule"
    return subprocess.Popen(
        [str(BIN / "celery"), "-A", "config", "worker", "-B", "-s", str(beat_schedule),
         "-P", "threads", "-c", "8", "-l", "info", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env,
    )  # fmt: skip


def stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", default=os.environ.get("PORT", "8001"))
    parser.add_argument("--run-dir", type=Path, default=ROOT / ".run")
    args = parser.parse_args()

    redis, broker_url = start_redis(args.run_dir)
    env = {**stack_env(broker_url), "RUN_DIR": str(args.run_dir.resolve())}
    worker = start_worker(env)
    # --noreload: one server process, which SIGTERM stops together with the rest.
    web = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"0.0.0.0:{args.port}"], cwd=ROOT, env=env
    )
    print(f"AgenteLocal: web on :{args.port}, Celery worker + beat, Redis broker at {broker_url}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: stop(web, worker, redis))
    try:
        while all(proc.poll() is None for proc in (web, worker, redis)):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop(web, worker, redis)
    return 0


if __name__ == "__main__":
    sys.exit(main())
