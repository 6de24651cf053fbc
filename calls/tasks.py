"""Thin Celery tasks: ids in, one service call, retries owned here."""

from celery import Task, shared_task
from django.conf import settings

from calls import services
from config.celery import task_log_failure
from telephony.backends import is_retryable


@shared_task(
    bind=True,
    max_retries=None,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CALL_DIAL_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CALL_DIAL_TASK_TIME_LIMIT,
    on_failure=task_log_failure,
)
def call_dial_task(self: Task, call_id: int, attempt: int = 0) -> str:
    outcome = services.call_dial(call_id=call_id, attempt=attempt)
    if outcome.retry_in is None:
        return outcome.status
    if self.request.is_eager:
        if outcome.next_attempt == attempt:
            # No broker to wait on: the call stays queued and the reconciler picks it up.
            return outcome.status
        return self.run(call_id, outcome.next_attempt)
    raise self.retry(args=(call_id, outcome.next_attempt), countdown=outcome.retry_in)


@shared_task(
    bind=True,
    max_retries=5,
    acks_late=True,
    reject_on_worker_lost=True,
    default_retry_delay=2,
    soft_time_limit=30,
    time_limit=45,
    on_failure=task_log_failure,
)
def call_end_room_task(self: Task, call_id: int) -> bool:
    try:
        return services.call_end_room(call_id=call_id)
    except Exception as exc:
        if is_retryable(exc):
            raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
        raise


@shared_task(soft_time_limit=50, time_limit=60, on_failure=task_log_failure)
def calls_reconcile_task() -> dict[str, int]:
    return services.calls_reconcile()


# Registered with Celery through this module, which autodiscovery imports.
from calls.alert_tasks import alerts_check_task  # noqa: E402, F401
from calls.dashboard_tasks import answer_rollups_refresh_task  # noqa: E402, F401
from calls.webhook_tasks import webhook_deliver_task, webhooks_sweep_task  # noqa: E402, F401
