"""Outgoing webhooks: emit an event to every subscribed endpoint, deliver it signed, retry, give up.

Each delivery is a POST of a JSON body with
`X-AgenteLocal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`.
Failed attempts are retried with exponential backoff until `retry_until` (24 h by default).
"""

import hashlib
import hmac
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from calls.services.webhook_http import WebhookTargetRefused, post_pinned
from calls.webhook_models import WebhookDelivery, WebhookEndpoint, WebhookEvent

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-AgenteLocal-Signature"
RESPONSE_KEEP_CHARS = 2000


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str
    retry_in: float | None = None


def webhook_sign(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _retry_window() -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_RETRY_WINDOW_SECONDS)


def _enqueue(delivery_ids: list[int]) -> None:
    from calls.webhook_tasks import webhook_deliver_task

    for delivery_id in delivery_ids:
        webhook_deliver_task.delay(delivery_id)


def webhook_emit(event: str, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """Record one delivery per active endpoint subscribed to `event`, sent once the caller commits.

    Called inside the transaction that makes the event true: if it rolls back, nothing is sent.
    """
    if event not in WebhookEvent.values:
        raise ValueError(f"Unknown webhook event {event!r}")
    endpoints = [e for e in WebhookEndpoint.objects.filter(is_active=True) if event in (e.events or [])]
    if not endpoints:
        return []
    now = timezone.now()
    event_id = uuid.uuid4()
    body = json.dumps(
        {"id": str(event_id), "event": event, "created_at": now.isoformat(), "data": payload},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                event_id=event_id,
                event=event,
                body=body,
                created_at=now,
                next_attempt_at=now,
                retry_until=now + _retry_window(),
            )
            for endpoint in endpoints
        ]
    )
    ids = [d.pk for d in deliveries if d.pk] or list(
        WebhookDelivery.objects.filter(event_id=event_id).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return deliveries


def _backoff(attempts: int) -> float:
    return min(
        settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1),
        settings.WEBHOOK_RETRY_MAX_SECONDS,
    )


def webhook_deliver(*, delivery_id: int, now: datetime | None = None) -> DeliveryOutcome:
    """One attempt. Claimed with a conditional update so two workers never send it at once."""
    now = now or timezone.now()
    lease = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 2 + 30)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=lease, attempts=F("attempts") + 1, last_attempt_at=now)
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    if not claimed:
        if delivery.status == WebhookDelivery.Status.PENDING:
            return DeliveryOutcome(delivery.status, (delivery.next_attempt_at - now).total_seconds())
        return DeliveryOutcome(delivery.status)

    body = delivery.body.encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "AgenteLocal-Webhooks/1",
        "X-AgenteLocal-Event": delivery.event,
        "X-AgenteLocal-Delivery": str(delivery.event_id),
        SIGNATURE_HEADER: webhook_sign(secret=delivery.endpoint.secret, timestamp=timestamp, body=body),
    }
    code: int | None = None
    text = error = ""
    try:
        code, text = post_pinned(
            delivery.endpoint.url,
            body=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_private=settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
        )
    except WebhookTargetRefused as exc:
        error = str(exc)
    except OSError as exc:
        error = f"{type(exc).__name__}: {exc}"
    fields: dict[str, Any] = {
        "last_status_code": code,
        "last_response": text[:RESPONSE_KEEP_CHARS],
        "last_error": error,
    }
    if code is not None and 200 <= code < 300:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=WebhookDelivery.Status.SUCCEEDED, delivered_at=timezone.now(), **fields
        )
        return DeliveryOutcome(WebhookDelivery.Status.SUCCEEDED)
    delay = _backoff(delivery.attempts)
    next_at = now + timedelta(seconds=delay)
    if next_at > delivery.retry_until:
        WebhookDelivery.objects.filter(pk=delivery_id).update(status=WebhookDelivery.Status.FAILED, **fields)
        logger.warning("Webhook delivery %s given up after %s attempts", delivery_id, delivery.attempts)
        return DeliveryOutcome(WebhookDelivery.Status.FAILED)
    WebhookDelivery.objects.filter(pk=delivery_id).update(next_attempt_at=next_at, **fields)
    return DeliveryOutcome(WebhookDelivery.Status.PENDING, delay)


def webhook_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send again now, with a fresh retry window, whatever happened before."""
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, next_attempt_at=now, retry_until=now + _retry_window()
    )
    transaction.on_commit(lambda: _enqueue([delivery.pk]), robust=True)
    delivery.refresh_from_db()
    return delivery


def webhook_deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose time has come: the beat sweep's safety net for lost retries."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def call_ended_payload(call: Any) -> dict[str, Any]:
    return {
        "call_id": call.pk,
        "encuesta_id": call.encuesta_id,
        "attempt": call.attempt,
        "status": call.status,
        "to_number": call.to_number,
        "sip_status_code": call.sip_status_code,
        "sip_status": call.sip_status,
        "failure_reason": call.failure_reason,
        "answered_at": call.answered_at,
        "ended_at": call.ended_at,
        "duration_seconds": call.duration_seconds,
    }


def encuesta_payload(encuesta: Any) -> dict[str, Any]:
    return {
        "encuesta_id": encuesta.pk,
        "telefono": encuesta.telefono,
        "nombre_cliente": encuesta.nombre_cliente,
        "voice_agent_id": encuesta.voice_agent_id,
        "status": encuesta.status,
        "completada": encuesta.completada,
        "respuestas": encuesta.respuestas,
        "fecha": encuesta.fecha,
    }


# Survey status -> event emitted when a survey reaches it.
ENCUESTA_STATUS_EVENTS = {
    "completed": WebhookEvent.SURVEY_COMPLETED,
    "rejected_opt_out": WebhookEvent.OPT_OUT,
}
