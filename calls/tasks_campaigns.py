"""Campaign tasks: the periodic dispatcher tick and the paced dialing of what it claimed."""

import logging

from celery import shared_task
from celery.signals import worker_shutdown
from django.db import OperationalError

from calls.services.campaign_dialing import calls_dial_paced
from calls.services.campaign_dispatch import campaigns_dispatch
from config.celery import task_log_failure

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, soft_time_limit=20, time_limit=30, expires=5, on_failure=task_log_failure)
def campaigns_dispatch_task() -> int:
    """Beat runs this every CAMPAIGN_DISPATCH_INTERVAL_SECONDS; a late tick expires instead of piling up."""
    return campaigns_dispatch().started


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    on_failure=task_log_failure,
    # A deadlock victim is rolled back whole; claims are conditional, so running again is safe.
    autoretry_for=(OperationalError,),
    max_retries=3,
    default_retry_delay=0.5,
    soft_time_limit=60,
    time_limit=90,
)
def campaign_dial_task(self, slots: list[list[float]]) -> int:
    """Call ids in, with each dial's start time; a redelivered task dials nothing twice."""
    return calls_dial_paced(slots=[(int(call_id), float(at)) for call_id, at in slots])


@worker_shutdown.connect
def close_campaign_dialer(**kwargs: object) -> None:
    """Phones still ringing get their answer recorded before the worker exits (warm shutdown)."""
    from telephony.dialer import get_dialer

    get_dialer().close()
