from celery import shared_task

from calls.services.answer_rollups import answer_rollups_refresh_recent


@shared_task(soft_time_limit=240, time_limit=280)
def answer_rollups_refresh_task() -> int:
    return answer_rollups_refresh_recent(days=2)
