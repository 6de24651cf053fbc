from celery import shared_task

from calls.services.alert_checks import alerts_check
from config.celery import task_log_failure


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=50,
    time_limit=60,
    ignore_result=True,
    # the next beat run retries; a failing check must still be visible in the logs
    on_failure=task_log_failure,
)
def alerts_check_task() -> dict[str, int]:
    """Periodic (beat, every minute): the next run is the retry, so no retries of its own."""
    return alerts_check()
