"""Celery side of outgoing webhooks: one attempt per run, retried with the service's backoff."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from calls.services.webhooks import webhook_deliver, webhook_deliveries_due
from calls.webhook_models import WebhookDelivery
from config.celery import task_log_failure

# A retry the broker lost (worker restart, ETA past the visibility timeout) is this late at most.
SWEEP_GRACE = timedelta(minutes=5)


@shared_task(
    bind=True,
    max_retries=None,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=60,
    time_limit=90,
    on_failure=task_log_failure,
)
def webhook_deliver_task(self, delivery_id: int) -> str:
    outcome = webhook_deliver(delivery_id=delivery_id)
    if outcome.status != WebhookDelivery.Status.PENDING or outcome.retry_in is None or self.request.is_eager:
        return outcome.status
    raise self.retry(countdown=max(1.0, outcome.retry_in))


@shared_task(soft_time_limit=50, time_limit=60, on_failure=task_log_failure)
def webhooks_sweep_task() -> int:
    due = webhook_deliveries_due(now=timezone.now() - SWEEP_GRACE)
    for delivery_id in due:
        webhook_deliver_task.delay(delivery_id)
    return len(due)
