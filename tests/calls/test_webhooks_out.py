"""Outgoing webhooks against a real HTTP receiver on 127.0.0.1."""

import hashlib
import hmac
import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Call, Encuesta, WebhookDelivery, WebhookEndpoint, WebhookEvent
from calls.services import EncuestaClosed, OptOutSource, call_transition, encuesta_save, opt_out_record
from calls.services.webhooks import webhook_deliver, webhook_emit, webhook_redeliver
from tests.factories import CallFactory, EncuestaFactory

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-del-cliente"


@dataclass
class Receiver:
    url: str
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def next_status(self) -> int:
        return self.statuses.pop(0) if self.statuses else 200


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append((dict(self.headers), body))
            status = state.next_status()
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"recibido" if status < 300 else b"error interno")

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/encuestas"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_local(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.WEBHOOK_RETRY_MAX_SECONDS = 3600
    settings.WEBHOOK_RETRY_WINDOW_SECONDS = 24 * 3600


def endpoint_for(receiver: Receiver, *events: str) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name="CRM", url=receiver.url, secret=SECRET, events=list(events or WebhookEvent.values)
    )


def verify(secret: str, header: str, body: bytes) -> bool:
    """The receiver's check, as documented in the README."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    signed = parts["t"].encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def test_a_completed_survey_is_delivered_signed(
    receiver, allow_local, django_capture_on_commit_callbacks
) -> None:
    endpoint_for(receiver, WebhookEvent.SURVEY_COMPLETED)
    encuesta = EncuestaFactory(voice_agent=None, status=Encuesta.Status.IN_PROGRESS)

    with django_capture_on_commit_callbacks(execute=True):
        encuesta_save(
            encuesta_id=encuesta.pk,
            answers={"comercial": 9, "instalador": 8, "rapidez": 7},
            status=Encuesta.Status.COMPLETED,
        )

    [(headers, body)] = receiver.requests
    assert verify(SECRET, headers["X-AgenteLocal-Signature"], body)
    assert not verify("otro-secreto", headers["X-AgenteLocal-Signature"], body)
    assert not verify(SECRET, headers["X-AgenteLocal-Signature"], body.replace(b"9", b"1"))
    sent = json.loads(body)
    assert sent["event"] == "survey.completed"
    assert sent["data"]["encuesta_id"] == encuesta.pk
    assert sent["data"]["respuestas"] == {"comercial": 9, "instalador": 8, "rapidez": 7}
    assert headers["X-AgenteLocal-Delivery"] == sent["id"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert delivery.last_response == "recibido"


def test_nothing_is_sent_when_the_transaction_rolls_back(receiver, allow_local) -> None:
    endpoint_for(receiver)
    with pytest.raises(RuntimeError), __import__("django.db").db.transaction.atomic():
        webhook_emit(WebhookEvent.CALL_ENDED, {"call_id": 1})
        raise RuntimeError("rollback")
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_call_ended_and_opt_out_reach_only_subscribed_endpoints(
    receiver, allow_local, django_capture_on_commit_callbacks
) -> None:
    endpoint_for(receiver, WebhookEvent.CALL_ENDED, WebhookEvent.OPT_OUT)
    call = CallFactory(status=Call.Status.IN_PROGRESS, answered_at=timezone.now() - timedelta(seconds=42))

    with django_capture_on_commit_callbacks(execute=True):
        call_transition(call_id=call.pk, to=Call.Status.COMPLETED)
        opt_out_record(phone=call.encuesta.telefono, source=OptOutSource.VOICE_AGENT, encuesta=call.encuesta)
        with pytest.raises(EncuestaClosed):
            encuesta_save(encuesta_id=call.encuesta_id, status=Encuesta.Status.COMPLETED)

    events = [json.loads(body) for _headers, body in receiver.requests]
    assert [e["event"] for e in events] == ["call.ended", "survey.opted_out"]
    assert events[0]["data"]["call_id"] == call.pk
    assert events[0]["data"]["duration_seconds"] >= 42
    assert events[1]["data"]["telefono"] == call.encuesta.telefono


def test_a_500_is_retried_with_backoff_and_then_delivered(receiver, allow_local) -> None:
    endpoint_for(receiver)
    receiver.statuses = [500, 500]
    [delivery] = webhook_emit(WebhookEvent.CALL_ENDED, {"call_id": 7})
    now = delivery.created_at

    first = webhook_deliver(delivery_id=delivery.pk, now=now)
    assert first.retry_in is not None
    early = webhook_deliver(delivery_id=delivery.pk, now=now + timedelta(seconds=first.retry_in / 2))
    second = webhook_deliver(delivery_id=delivery.pk, now=now + timedelta(seconds=first.retry_in))
    assert second.retry_in is not None
    third = webhook_deliver(
        delivery_id=delivery.pk, now=now + timedelta(seconds=first.retry_in + second.retry_in)
    )

    assert (first.status, second.status, third.status) == ("pending", "pending", "succeeded")
    assert second.retry_in == 2 * first.retry_in
    assert early.status == "pending"
    assert len(receiver.requests) == 3
    assert len({body for _h, body in receiver.requests}) == 1
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (3, 200)


def test_it_gives_up_after_the_retry_window(receiver, allow_local) -> None:
    endpoint_for(receiver)
    receiver.statuses = [500] * 1000
    [delivery] = webhook_emit(WebhookEvent.SURVEY_COMPLETED, {"encuesta_id": 1})
    now = delivery.created_at
    outcome = webhook_deliver(delivery_id=delivery.pk, now=now)
    while outcome.status == "pending":
        assert outcome.retry_in is not None
        now += timedelta(seconds=outcome.retry_in)
        outcome = webhook_deliver(delivery_id=delivery.pk, now=now)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert now <= delivery.retry_until < now + timedelta(seconds=3600)
    assert delivery.attempts == len(receiver.requests) > 5
    assert delivery.last_status_code == 500
    assert webhook_deliver(delivery_id=delivery.pk, now=now + timedelta(days=2)).status == "failed"
    assert delivery.attempts == len(receiver.requests)


def test_redelivery_sends_a_given_up_delivery_again(
    receiver, allow_local, django_capture_on_commit_callbacks
) -> None:
    endpoint_for(receiver)
    [delivery] = webhook_emit(WebhookEvent.CALL_ENDED, {"call_id": 3})
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        webhook_redeliver(delivery=delivery)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert len(receiver.requests) == 1


def test_redelivery_from_the_admin(
    receiver, allow_local, admin_client_logged, django_capture_on_commit_callbacks
) -> None:
    endpoint_for(receiver)
    [delivery] = webhook_emit(WebhookEvent.CALL_ENDED, {"call_id": 3})
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_logged.post(
            "/admin/calls/webhookdelivery/",
            {"action": "redeliver", "_selected_action": [delivery.pk]},
        )

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert admin_client_logged.get(f"/admin/calls/webhookdelivery/{delivery.pk}/change/").status_code == 200


def test_local_addresses_are_refused_by_default(receiver, django_capture_on_commit_callbacks) -> None:
    endpoint_for(receiver)
    with django_capture_on_commit_callbacks(execute=True):
        [delivery] = webhook_emit(WebhookEvent.CALL_ENDED, {"call_id": 1})

    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert "127.0.0.1" in delivery.last_error
    assert delivery.last_status_code is None


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:9/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "ftp://example.com/x",
    ],
)
def test_the_admin_refuses_internal_urls(admin_client_logged, url) -> None:
    response = admin_client_logged.post(
        "/admin/calls/webhookendpoint/add/",
        {"name": "Interno", "url": url, "secret": "x" * 20, "events": ["call.ended"], "is_active": "on"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"]
    assert WebhookEndpoint.objects.count() == 0


def test_the_admin_adds_an_endpoint_when_local_addresses_are_allowed(admin_client_logged, settings) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    response = admin_client_logged.post(
        "/admin/calls/webhookendpoint/add/",
        {
            "name": "Local",
            "url": "http://127.0.0.1:9/x",
            "secret": "x" * 20,
            "events": ["call.ended", "survey.opted_out"],
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().events == ["call.ended", "survey.opted_out"]
