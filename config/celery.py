import logging
import os

from celery import Celery, Task

# `celery -A config` is a production entry point; manage.py sets the local settings first.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

logger = logging.getLogger(__name__)

app = Celery("agentelocal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def task_log_failure(
    task: Task, exc: BaseException, task_id: str, args: tuple, kwargs: dict, einfo: object
) -> None:
    """Every task's on_failure: a task that gave up for good is always in the logs."""
    logger.error("Task %s%s failed for good: %r", task.name, args, exc)
