"""How long the staff dashboard (the admin index) takes to render with 1M surveys on MariaDB.

    DATABASE_URL=mysql://root@127.0.0.1:3306/test .venv/bin/python benchmarks/bench_dashboard.py \
        [--surveys 1000000] [-n 30] [--budget-ms 200]

Works in its own database, `<name of DATABASE_URL>_dashboard_bench`, created, migrated and filled
once in bulk with INSERT ... SELECT from MariaDB's sequence engine (a year of surveys, one call
each, three active agents, two questionnaires; about a minute), then reused while the row count
matches, and builds the daily answer counts the dashboard reads. Times N full GET /admin/
renders through Django's test Client as a superuser, after a warm-up, and prints the queries of
one render. Exits 1 when the median exceeds the budget.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

SECONDS_PER_YEAR = 365 * 24 * 3600


def bench_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if not parts.scheme.startswith("mysql"):
        sys.exit("bench_dashboard.py needs DATABASE_URL=mysql://... (MariaDB)")
    name = f"{parts.path.lstrip('/') or 'test'}_dashboard_bench"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def create_database(url: str, name: str) -> None:
    import MySQLdb

    parts = urlsplit(url)
    conn = MySQLdb.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=parts.username or "root",
        passwd=parts.password or "",
    )
    conn.cursor().execute(
        f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    )
    conn.close()


FILL_SURVEYS = """
INSERT INTO encuestas (id, telefono, fecha, completada, puntuacion_comercial, puntuacion_instalador,
    puntuacion_rapidez, comentarios, status, llm_model, created_at, updated_at, voice_agent_id,
    nombre_cliente, respuestas, transcription)
SELECT seq, CONCAT('+346', LPAD(seq, 8, '0')), fecha, status = 'completed',
    IF(answered, seq % 11, NULL), IF(answered, (seq DIV 11) % 11, NULL), IF(answered, (seq DIV 7) % 11, NULL),
    '', status, 'llama-3.3-70b', fecha, fecha, agent, '',
    IF(NOT answered, '{}', IF(agent = %(custom)s,
        JSON_OBJECT('nps', seq % 11, 'volveria', IF(seq % 3 = 0, 'true', 'false') = 'true',
                    'comentario', 'Todo bien'),
        JSON_OBJECT('comercial', seq % 11, 'instalador', (seq DIV 11) % 11, 'rapidez', (seq DIV 7) % 11,
                    'comentarios', ''))),
    ''
FROM (
    SELECT seq, UTC_TIMESTAMP(6) - INTERVAL ((%(n)s - seq) * %(step)s) SECOND AS fecha,
        ELT(1 + seq % 10, 'completed', 'completed', 'completed', 'completed', 'incomplete',
            'rejected_opt_out', 'failed', 'failed', 'completed', 'incomplete') AS status,
        ELT(1 + seq % 3, %(a1)s, %(a2)s, %(custom)s) AS agent,
        seq % 10 NOT IN (6, 7) AS answered
    FROM seq_1_to_{n}
) AS s
"""

FILL_CALLS = """
INSERT INTO calls_call (encuesta_id, attempt, room_name, to_number, from_number, sip_trunk_id, dispatch_id,
    sip_participant_id, sip_call_id, sip_status_code, sip_status, status, dial_attempts, failure_reason,
    queued_at, enqueued_at, dialing_at, answered_at, ended_at, duration_seconds)
SELECT id, 1, CONCAT('encuesta_', id), telefono, '+34944771453', 'ST_bench', '', '', '',
    IF(status = 'failed', 486, 200), IF(status = 'failed', 'Busy Here', 'OK'),
    IF(status = 'failed', 'busy', 'completed'), 1, IF(status = 'failed', 'ocupado', ''),
    fecha, fecha, fecha, IF(status = 'failed', NULL, fecha + INTERVAL 5 SECOND),
    fecha + INTERVAL 95 SECOND, IF(status = 'failed', NULL, 90)
FROM encuestas
"""


def fill(n: int) -> None:
    from django.db import connection

    from agents_app.models import SurveyQuestion, VoiceAgent
    from calls.models import Call, Encuesta

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
        cursor.execute("TRUNCATE TABLE calls_call")
        cursor.execute("TRUNCATE TABLE encuestas")
        cursor.execute("SET FOREIGN_KEY_CHECKS = 1")
    SurveyQuestion.objects.all().delete()
    VoiceAgent.objects.all().delete()
    a1 = VoiceAgent.objects.create(name="Calidad Ausarta", dispatch_name="bench-1")
    a2 = VoiceAgent.objects.create(name="Calidad Norte", dispatch_name="bench-2")
    custom = VoiceAgent.objects.create(name="NPS", dispatch_name="bench-3")
    SurveyQuestion.objects.create(agent=custom, key="nps", text="Del 0 al 10…", position=1)
    SurveyQuestion.objects.create(agent=custom, key="volveria", text="¿Volvería?", type="yes_no", position=2)
    SurveyQuestion.objects.create(agent=custom, key="comentario", text="¿Algo más?", type="text", position=3)
    params = {"n": n, "step": SECONDS_PER_YEAR / n, "a1": a1.pk, "a2": a2.pk, "custom": custom.pk}
    with connection.cursor() as cursor:
        cursor.execute(FILL_SURVEYS.replace("{n}", str(n)).replace(" % ", " %% "), params)
        cursor.execute(FILL_CALLS)
        cursor.execute("ANALYZE TABLE encuestas, calls_call")
    live = Encuesta.objects.order_by("-id")[:12]
    for i, encuesta in enumerate(live):
        Call.objects.create(
            encuesta=encuesta,
            attempt=2,
            room_name=f"live_{encuesta.pk}",
            to_number=encuesta.telefono,
            status=Call.Status.IN_PROGRESS if i % 2 else Call.Status.RINGING,
        )
    print(f"filled {n} surveys and {Call.objects.count()} calls in {time.monotonic() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--surveys", type=int, default=1_000_000)
    parser.add_argument("-n", type=int, default=30)
    parser.add_argument("--budget-ms", type=float, default=200.0)
    args = parser.parse_args()

    url, name = bench_url(os.environ.get("DATABASE_URL", ""))
    create_database(url, name)
    os.environ["DATABASE_URL"] = url

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from calls.models import AnswerDailyCount, Encuesta

    setup_test_environment()
    call_command("migrate", verbosity=0)
    if Encuesta.objects.count() != args.surveys:
        fill(args.surveys)
    if not AnswerDailyCount.objects.exists():
        started = time.monotonic()
        call_command("refresh_answer_rollups", days=370, stdout=open(os.devnull, "w"))  # noqa: SIM115
        print(f"daily answer counts built in {time.monotonic() - started:.0f} s")
    user_model = get_user_model()
    user = user_model.objects.filter(username="bench").first() or user_model.objects.create_superuser(
        "bench", "bench@example.com", "bench-pass"
    )
    client = Client()
    client.force_login(user)

    for _ in range(3):
        assert client.get("/admin/").status_code == 200
    samples = []
    for _ in range(args.n):
        started = time.perf_counter()
        response = client.get("/admin/")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get("/admin/")
    samples.sort()
    median = statistics.median(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    version = getattr(connection, "mysql_version", "?")
    print(f"GET /admin/ (staff dashboard), {args.surveys} surveys, MariaDB {version}:")
    print(f"  median {median:.1f} ms, p95 {p95:.1f} ms, max {samples[-1]:.1f} ms over {args.n} renders")
    print(f"  {len(queries)} queries; slowest:")
    for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]:
        print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
    if median > args.budget_ms:
        print(f"  OVER BUDGET: median above {args.budget_ms:.0f} ms")
        sys.exit(1)


if __name__ == "__main__":
    main()
