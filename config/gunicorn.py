"""gunicorn's settings for production: `gunicorn -c config/gunicorn.py config.wsgi`.

Chosen from benchmarks/bench_bridge.py on 2 cores shared with MariaDB (docs/benchmarks.md): sync
workers, one per core, beat threaded workers (4×4, 2×8, 4×2) and more sync workers (cores + 1,
2 × cores) on both throughput and p99, because every request is short CPU work between database
round trips and nothing in a request waits on a phone (dialing runs in Celery). With the database
on another host, try GUNICORN_WORKERS = cores + 1. Sync workers close each connection after the
response, so keep-alive is nginx's job (it keeps the client connections; gunicorn stays on
loopback). Each value can be overridden from the environment (GUNICORN_*); command-line flags
override both.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", 1))
# Only used by threaded workers (GUNICORN_WORKER_CLASS=gthread); sync workers close at once.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
# The accept queue absorbs bursts while every worker is busy (the kernel caps it at somaxconn).
backlog = int(os.environ.get("GUNICORN_BACKLOG", 2048))
# Recycle workers now and then so a slow leak never grows unbounded; jitter avoids all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
