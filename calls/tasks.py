"""Thin Celery tasks: ids in, one service call, retries owned here."""

import logging

from celery import shared_task

from calls import services
from telephony.livekit import is_retryable

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=None, acks_late=True)
def place_call(self, call_id: int, attempt: int = 0) -> str:
    outcome = services.call_dial(call_id=call_id, attempt=attempt)
    if outcome.retry_in is None:
        return outcome.status
    if self.request.is_eager:
        if outcome.next_attempt == attempt:
            # No broker to wait on: the call stays queued and the reconciler picks it up.
            return outcome.status
        return self.run(call_id, outcome.next_attempt)
    raise self.retry(args=(call_id, outcome.next_attempt), countdown=outcome.retry_in)


@shared_task(bind=True, max_retries=5, acks_late=True, default_retry_delay=2)
def end_call(self, call_id: int) -> bool:
    try:
        return services.call_end_room(call_id=call_id)
    except Exception as exc:
        if is_retryable(exc):
            raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
        raise


@shared_task
def reconcile_calls() -> dict[str, int]:
    return services.calls_reconcile()


# Registered with Celery through this module, which autodiscovery imports.
from calls.alert_tasks import alerts_check_task  # noqa: E402, F401
from calls.dashboard_tasks import answer_rollups_refresh_task  # noqa: E402, F401
from calls.webhook_tasks import webhook_deliver_task, webhooks_sweep_task  # noqa: E402, F401
