from celery import shared_task

from calls.services.answer_rollups import answer_rollups_refresh_recent
from config.celery import task_log_failure


@shared_task(soft_time_limit=240, time_limit=280, on_failure=task_log_failure)
def answer_rollups_refresh_task() -> int:
    return answer_rollups_refresh_recent(days=2)
