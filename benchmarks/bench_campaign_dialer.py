"""One dialing worker: phones ringing at once, its resident memory, and calls/second achieved vs configured.

    DATABASE_URL=mysql://root@127.0.0.1:3306/test .venv/bin/python benchmarks/bench_campaign_dialer.py \
        [--leads 240] [--rate 20] [--ring 20]

This process plays the worker: a running campaign (window always open, concurrency 250, trunk 300,
`--rate` calls/second) is ticked every second by `campaigns_dispatch`, exactly as beat would, and the
claimed calls are dialed by the async dialer (`CAMPAIGN_DIALER=async`). The LiveKit test server runs
in another process with every phone ringing `--ring` seconds before answering, so it counts phones
ringing at once and the instant each dial reached it, and this process's RSS is the worker's alone.
Runs in the test database of DATABASE_URL (created or reused with keepdb).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def serve_phones(conn: Connection, ring: float) -> None:
    from telephony.testing.phones import PhoneLiveKitServer

    with PhoneLiveKitServer() as server:
        server.program_default(ring_seconds=ring)
        conn.send((server.url, server.api_key, server.api_secret))
        while conn.recv() == "stats":
            arrivals = [r.received_at for r in server.requests if r.method == "CreateSIPParticipant"]
            conn.send(
                (server.peak_ringing, server.ringing_now, arrivals, server.max_simultaneous_per_number())
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--leads", type=int, default=240)
    parser.add_argument("--rate", type=float, default=20.0, help="configured calls per second")
    parser.add_argument("--ring", type=float, default=20.0, help="seconds each phone rings")
    args = parser.parse_args()

    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=serve_phones, args=(theirs, args.ring), daemon=True
    )
    server.start()
    url, key, secret = ours.recv()

    import django

    django.setup()
    import psutil
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    settings.LIVEKIT_URL, settings.LIVEKIT_API_KEY, settings.LIVEKIT_API_SECRET = url, key, secret
    settings.TELEPHONY_BACKEND = "livekit"
    settings.CAMPAIGN_DIALER = "async"
    settings.CALL_RINGING_TIMEOUT = timedelta(seconds=args.ring + 10)
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)
    try:
        report = run(args, ours)
    finally:
        from telephony.dialer import get_dialer

        get_dialer().close(args.ring + 30)
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=True)
        ours.send("stop")
    peak_ringing, arrivals, twice, rss_peak, in_flight_peak = report
    steady = arrivals[: min(len(arrivals), int(args.rate * args.ring))]
    achieved = (len(steady) - 1) / (steady[-1] - steady[0]) if len(steady) > 1 else 0.0
    print(f"\nCampaign dialer, one process ({connection.vendor} {test_name}), phones ring {args.ring:.0f} s")
    print(f"  dials sent                  {len(arrivals)}")
    print(f"  phones ringing at once      {peak_ringing} (server), {in_flight_peak} in flight (dialer)")
    print(f"  same number twice at once   {'never' if twice <= 1 else f'{twice} at once'}")
    print(f"  worker RSS peak             {rss_peak / 2**20:.0f} MiB")
    print(
        f"  calls/second                {achieved:.2f} achieved vs {args.rate:.2f} configured "
        f"({100 * (achieved - args.rate) / args.rate:+.1f}%, first {len(steady)} dials)"
    )
    print(f"  psutil {psutil.__version__}, {psutil.cpu_count()} CPUs")


def run(args: argparse.Namespace, server: Connection) -> tuple[int, list[float], int, int, int]:
    import psutil
    from django.utils import timezone

    from agents_app.models import VoiceAgent
    from calls.models import Campaign, Lead
    from calls.services.campaign_dispatch import campaigns_dispatch
    from calls.services.campaigns import LeadRow, campaign_create, campaign_start, leads_bulk_create
    from telephony.dialer import get_dialer
    from telephony.models import TelephonyConfig

    Campaign.objects.all().delete()
    TelephonyConfig.objects.update(is_default=False)
    TelephonyConfig.objects.create(
        name="bench",
        sip_trunk_id="ST_bench",
        from_numbers=["+34944771453"],
        max_concurrent_calls=300,
        is_default=True,
    )
    agent, _created = VoiceAgent.objects.get_or_create(
        name="Bench", defaults={"dispatch_name": "bench-agent"}
    )
    campaign = campaign_create(
        name="bench dialer",
        voice_agent=agent,
        calling_window={str(day): [["00:00", "24:00"]] for day in range(7)},
        skip_holidays=False,
        max_concurrent_calls=250,
        calls_per_second=args.rate,
    )
    leads_bulk_create(
        campaign_id=campaign.pk, rows=[LeadRow(phone=f"+3462{n:07d}") for n in range(args.leads)]
    )
    campaign_start(campaign_id=campaign.pk)

    process = psutil.Process()
    rss_peak = process.memory_info().rss
    deadline = time.monotonic() + args.leads / args.rate + args.ring + 5
    next_tick = time.monotonic()
    while time.monotonic() < deadline:
        campaigns_dispatch(now=timezone.now())
        rss_peak = max(rss_peak, process.memory_info().rss)
        if (
            not Lead.objects.filter(campaign=campaign, status=Lead.Status.PENDING).exists()
            and get_dialer().in_flight == 0
        ):
            break
        next_tick += 1.0
        time.sleep(max(0.0, next_tick - time.monotonic()))
    server.send("stats")
    peak_ringing, _now, arrivals, twice = server.recv()
    return peak_ringing, sorted(arrivals), twice, rss_peak, get_dialer().peak


if __name__ == "__main__":
    main()
