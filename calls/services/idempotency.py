"""Idempotency keys of call requests: one key names one request."""

import hashlib
import json

from django.utils.translation import gettext as _

from agents_app.models import VoiceAgent
from calls.models import Call
from config.exceptions import ServiceError


class IdempotencyKeyReused(ServiceError):
    """The key was first used for another request: answering with that call would be a lie."""

    http_status = 422


def request_fingerprint(*, agent: VoiceAgent, phone: str, customer_name: str) -> str:
    return hashlib.sha256(json.dumps([agent.pk, phone, customer_name.strip()]).encode()).hexdigest()


def replay_or_refuse(previous: Call, fingerprint: str) -> Call:
    # Calls made before fingerprints were stored have none: they are replayed as before.
    if previous.idempotency_fingerprint and previous.idempotency_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            _(
                "La clave de idempotencia ya se usó para otra llamada (otro agente, número o nombre). "
                "Use una clave nueva para cada llamada."
            )
        )
    return previous
