from celery import shared_task

from calls.services.alert_checks import alerts_check


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60, ignore_result=True)
def alerts_check_task() -> dict[str, int]:
    """Periodic (beat, every minute): the next run is the retry, so no retries of its own."""
    return alerts_check()
