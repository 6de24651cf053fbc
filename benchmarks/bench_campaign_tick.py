"""Dispatcher tick time against campaign size: 10k, 100k and 1M leads.

    DATABASE_URL=mysql://root@127.0.0.1:3306/test .venv/bin/python benchmarks/bench_campaign_tick.py \
        [--sizes 10000,100000,1000000] [--ticks 30] [--rate 20]

In the test database of DATABASE_URL (created or reused with keepdb; the leads are kept between runs,
MariaDB's SEQUENCE engine inserts a million in seconds), one running campaign per size. Each tick is
`campaign_dispatch` for that campaign with the clock moved one second on: it locks the campaign and the
trunk, checks the window, counts calls in progress, reads the due leads through the index, creates
surveys and calls, marks the leads calling and commits. It starts `--rate` calls (a `--rate` calls/s
campaign ticked every second); the dials themselves are not sent (that is bench_campaign_dialer.py).
Between sizes the leads claimed are put back, so every run measures the same data.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from agents_app.models import VoiceAgent  # noqa: E402
from calls.models import Campaign  # noqa: E402
from telephony.models import TelephonyConfig  # noqa: E402


def ensure_campaign(size: int, agent: VoiceAgent, config: TelephonyConfig) -> Campaign:
    from calls.models import Lead
    from calls.services.campaigns import campaign_create, campaign_start

    name = f"bench tick {size}"
    campaign = Campaign.objects.filter(name=name).first()
    if campaign is None or Lead.objects.filter(campaign=campaign).count() != size:
        Campaign.objects.filter(name=name).delete()
        campaign = campaign_create(
            name=name,
            voice_agent=agent,
            telephony_config=config,
            calling_window={str(day): [["00:00", "24:00"]] for day in range(7)},
            skip_holidays=False,
            max_concurrent_calls=100_000,
        )
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO calls_lead (campaign_id, phone, customer_name, region, extra, status, attempts,"
                " next_attempt_at, last_outcome, created_at, updated_at)"
                f" SELECT %s, CONCAT('+346', LPAD(seq, 8, '0')), CONCAT('Cliente ', seq), '', '{{}}',"
                " 'pending', 0, NOW(6) - INTERVAL 1 DAY, '', NOW(6), NOW(6)"
                f" FROM seq_1_to_{size}",
                [campaign.pk],
            )
        print(f"  created {size} leads in {time.monotonic() - started:.1f} s")
        campaign = campaign_start(campaign_id=campaign.pk)
    return campaign


def reset(campaign: Campaign) -> None:
    from calls.models import Encuesta, Lead

    surveys = list(
        Lead.objects.filter(campaign=campaign, encuesta__isnull=False).values_list("encuesta_id", flat=True)
    )
    Lead.objects.filter(campaign=campaign).exclude(status=Lead.Status.PENDING).update(
        status=Lead.Status.PENDING, attempts=0, encuesta=None, current_call=None
    )
    Encuesta.objects.filter(pk__in=surveys).delete()
    Campaign.objects.filter(pk=campaign.pk).update(pacing_cursor=None, status="running")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--ticks", type=int, default=30)
    parser.add_argument("--rate", type=float, default=20.0)
    args = parser.parse_args()
    if connection.vendor != "mysql":
        sys.exit("This benchmark needs MariaDB (DATABASE_URL=mysql://...).")

    setup_test_environment()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)

    import calls.services.campaign_dispatch as dispatch

    dispatch._enqueue = lambda slots: None  # measure the tick, not the dials
    agent, _ = VoiceAgent.objects.get_or_create(name="Bench", defaults={"dispatch_name": "bench-agent"})
    config = TelephonyConfig.objects.filter(name="bench tick").first() or TelephonyConfig.objects.create(
        name="bench tick", sip_trunk_id="ST_bench", max_concurrent_calls=1_000_000
    )
    print(f"\nDispatcher tick, {connection.vendor} {test_name}, {args.rate:.0f} calls/s campaign")
    for size in (int(s) for s in args.sizes.split(",")):
        campaign = ensure_campaign(size, agent, config)
        Campaign.objects.exclude(pk=campaign.pk).filter(status="running").update(status="paused")
        Campaign.objects.filter(pk=campaign.pk).update(calls_per_second=args.rate, status="running")
        reset(campaign)
        now = timezone.now()
        samples, started = [], []
        for tick in range(args.ticks):
            at = now + timedelta(seconds=tick)
            begin = time.perf_counter()
            slots = dispatch.campaign_dispatch(campaign_id=campaign.pk, now=at)
            samples.append((time.perf_counter() - begin) * 1000)
            started.append(len(slots))
        steady = samples[1:]  # the first tick fills the 2 s lookahead (twice the calls)
        p95 = sorted(steady)[int(0.95 * (len(steady) - 1))]
        print(
            f"  {size:>9,} leads: median {statistics.median(steady):5.1f} ms, p95 {p95:5.1f} ms, "
            f"max {max(steady):5.1f} ms per tick; {statistics.median(started[1:]):.0f} calls started "
            f"per tick (first tick {started[0]} in {samples[0]:.1f} ms)"
        )
        reset(campaign)


if __name__ == "__main__":
    main()
