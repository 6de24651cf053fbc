"""Alerts for staff when a provider refuses the worker: a rejected key or a rate/quota limit.

Only the provider's label and HTTP status go into the alert: provider error bodies may echo part
of the key.
"""

from __future__ import annotations

import asyncio
import logging

from django.utils.translation import gettext as _

from calls.services.alerts import alert_raise
from voiceworker import persistence

logger = logging.getLogger(__name__)

_pending: set[asyncio.Task] = set()

# Alert kinds (calls.models.Alert.Kind values): the worker names them without importing the models.
PROVIDER_KEY_REJECTED = "provider_key_rejected"
API_LIMIT = "api_limit"


def classify(error: object) -> tuple[str, str, str] | None:
    """(kind, dedupe key, message) for a session error worth an alert, else None."""
    inner = getattr(error, "error", error)
    status = getattr(inner, "status_code", None)
    label = str(getattr(error, "label", "") or type(inner).__name__)
    if status in (401, 403):
        message = _(
            "%(provider)s ha rechazado la clave de API (HTTP %(status)s): revisa la clave configurada."
        ) % {"provider": label, "status": status}
        return PROVIDER_KEY_REJECTED, label, message
    if status == 429:
        message = _("%(provider)s ha devuelto HTTP 429: se ha alcanzado un límite de uso o de cuota.") % {
            "provider": label
        }
        return API_LIMIT, label, message
    return None


def raise_for_error(error: object) -> object | None:
    found = classify(error)
    if found is None:
        return None
    kind, key, message = found
    return alert_raise(kind=kind, dedupe_key=key, message=message)


async def _report(error: object) -> None:
    try:
        await persistence.run_db(raise_for_error, error)
    except Exception:
        logger.exception("could not record a provider alert")


def report(error: object) -> None:
    """From a session's close handler: record the alert without blocking the event loop."""
    if classify(error) is None:
        return
    task = asyncio.get_running_loop().create_task(_report(error), name="voiceworker-provider-alert")
    _pending.add(task)
    task.add_done_callback(_pending.discard)
