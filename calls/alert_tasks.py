import logging

from celery import Task, shared_task

from calls.services.alert_checks import alerts_check

logger = logging.getLogger(__name__)


class AlertsCheckTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # the next beat run retries; a failing check must still be visible in the logs
        logger.error("alerts check %s failed: %s", task_id, exc)


@shared_task(
    base=AlertsCheckTask,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=50,
    time_limit=60,
    ignore_result=True,
)
def alerts_check_task() -> dict[str, int]:
    """Periodic (beat, every minute): the next run is the retry, so no retries of its own."""
    return alerts_check()
