"""Importing a big CSV of leads into a campaign: wall time and peak memory.

    DATABASE_URL=mysql://root@127.0.0.1:3306/test .venv/bin/python benchmarks/bench_lead_import.py \
        [--rows 100000 --rows 20000] [--budget 15]

On the database of DATABASE_URL, in its test database (created or reused with keepdb, so real data is
never touched), it writes a CSV of N rows (phone, name, region, two extra columns, ~2% invalid
numbers, ~1% repeated), imports it through `calls.services.lead_import.leads_import` (the path the
admin and the API take, with the rejection report written to a file) and reports the time and the
peak resident memory above the process's level before the import (sampled every 10 ms), and the CPU
seconds the importing process used (on a busy shared machine the wall time exceeds it). Running two
sizes shows the memory does not grow with the file. Exits non-zero when the largest import exceeds
--budget seconds.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

REGIONS = ["MD", "Andalucía", "PV", "Cataluña", ""]


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(rows)
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["telefono", "nombre", "region", "pedido", "fecha_instalacion"])
        for i in range(rows):
            phone = f"6{10_000_000 + i:08d}"
            roll = rng.random()
            if roll < 0.02:
                phone = "12345"
            elif roll < 0.03 and i:
                phone = f"6{10_000_000 + i - 1:08d}"
            writer.writerow([phone, f"Cliente {i}", REGIONS[i % len(REGIONS)], f"P-{i}", "2026-03-01"])


class PeakRss:
    def __init__(self) -> None:
        self.process = psutil.Process()
        self.base = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self.process.memory_info().rss)
        self.cpu = sum(self.process.cpu_times()[:2]) - self.cpu_start

    def __enter__(self) -> PeakRss:
        self.cpu_start = sum(self.process.cpu_times()[:2])
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)
        self.cpu = sum(self.process.cpu_times()[:2]) - self.cpu_start


def bench(rows: int, workdir: Path) -> tuple[float, float, float, int, int]:
    from agents_app.models import VoiceAgent
    from calls.lead_files import read_lead_file
    from calls.models import Campaign
    from calls.services.campaigns import campaign_create
    from calls.services.lead_import import leads_import

    path = workdir / f"leads-{rows}.csv"
    write_csv(path, rows)
    agent = VoiceAgent.objects.first() or VoiceAgent.objects.create(name="Bench", dispatch_name="bench")
    campaign = campaign_create(name=f"Bench import {rows}", voice_agent=agent)
    try:
        report_path = workdir / "report.csv"
        with (
            open(path, "rb") as stream,
            open(report_path, "w", encoding="utf-8") as report,
            PeakRss() as memory,
        ):
            started = time.perf_counter()
            result = leads_import(campaign_id=campaign.pk, table=read_lead_file(stream), report=report)
            elapsed = time.perf_counter() - started
        mib = (memory.peak - memory.base) / 2**20
        return elapsed, memory.cpu, mib, result.created, result.rejected_total
    finally:
        Campaign.objects.filter(pk=campaign.pk).delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rows", type=int, action="append", help="rows per import (repeatable)")
    parser.add_argument("--budget", type=float, default=15.0, help="seconds allowed for the largest import")
    args = parser.parse_args()
    sizes = sorted(args.rows or [20_000, 100_000])

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)
    print(f"Lead import on {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(
        f"{'rows':>8} {'seconds':>8} {'cpu s':>6} {'rows/s':>8} {'peak RSS +MiB':>14} "
        f"{'created':>8} {'rejected':>8}"
    )
    elapsed = 0.0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for rows in sizes:
                elapsed, cpu, mib, created, rejected = bench(rows, Path(tmp))
                print(
                    f"{rows:>8} {elapsed:>8.2f} {cpu:>6.1f} {rows / elapsed:>8.0f} {mib:>14.1f} "
                    f"{created:>8} {rejected:>8}"
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=True)
        teardown_test_environment()
    if elapsed > args.budget:
        print(f"FAIL: {sizes[-1]} rows took {elapsed:.1f} s (budget {args.budget:.0f} s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
