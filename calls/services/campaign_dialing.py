"""Dialing the calls a campaign tick claimed, at their paced times, without a thread per ringing phone."""

import logging
from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import Call, Campaign, DoNotCallEntry, Lead
from calls.services.dialing import (
    DialOutcome,
    call_claim_for_dialing,
    call_dial_failed,
    call_dial_request,
    call_dial_succeeded,
)
from calls.services.lead_outcomes import lead_transition
from calls.services.lifecycle import call_transition
from telephony import backends, dialer
from telephony.exceptions import SipCallFailed, TelephonyNotConfigured, TelephonyUnavailable

logger = logging.getLogger(__name__)


def _put_back(lead: Lead, call_id: int, reason: str) -> None:
    """Paused or cancelled since the tick: no dial, and no attempt spent."""
    if lead.campaign.status == Campaign.Status.CANCELLED:
        lead_transition(lead_id=lead.pk, to=Lead.Status.CANCELLED, next_attempt_at=None)
    else:
        lead_transition(
            lead_id=lead.pk,
            to=Lead.Status.SCHEDULED,
            attempts=Greatest(F("attempts") - 1, Value(0)),
            next_attempt_at=timezone.now(),
        )
    call_transition(call_id=call_id, to=Call.Status.CANCELED, failure_reason=reason)


def _claim(call_id: int) -> Call | None:
    """Take a queued campaign call for dialing, re-checking what may have changed since the tick:
    the campaign's status and the do-not-call list. (The tick only paces dials inside the window.)"""
    row = Call.objects.filter(pk=call_id).values_list("to_number", "status").first()
    if row is None or row[1] != Call.Status.QUEUED:
        return None  # a redelivered task: this call was dialed or ended already
    to_number = row[0]
    lead = Lead.objects.select_related("campaign").filter(encuesta__calls=call_id).first()
    if (
        lead is not None
        and lead.status == Lead.Status.CALLING
        and lead.campaign.status != Campaign.Status.RUNNING
    ):
        _put_back(lead, call_id, _("Campaña detenida antes de marcar"))
        return None
    if DoNotCallEntry.objects.filter(phone=to_number).exists():
        if lead is not None:
            lead_transition(lead_id=lead.pk, to=Lead.Status.DO_NOT_CALL)
        call_transition(
            call_id=call_id, to=Call.Status.CANCELED, failure_reason=_("En la lista de no llamar")
        )
        return None
    claimed = call_claim_for_dialing(call_id, 0)
    return None if isinstance(claimed, DialOutcome) else claimed


def call_dial_finish(*, call: Call, result: backends.DialResult | None, error: BaseException | None) -> str:
    """Record one dial's outcome, exactly as the one-call path does; network errors retry on that path."""
    if error is None and result is not None:
        return call_dial_succeeded(call=call, result=result).status
    if not isinstance(error, SipCallFailed | TelephonyNotConfigured | TelephonyUnavailable):
        logger.error("Dial of call %s failed unexpectedly: %r", call.pk, error)
        reason = f"{error.__class__.__name__}: {error}"
        call_transition(call_id=call.pk, to=Call.Status.FAILED, failure_reason=reason)
        return Call.Status.FAILED
    outcome = call_dial_failed(call=call, attempt=0, exc=error)
    if outcome.retry_in is not None:
        from calls.tasks import call_dial_task

        call_dial_task.apply_async((call.pk, outcome.next_attempt), countdown=outcome.retry_in)
    return outcome.status


def _finish_in_pool(call: Call, result: backends.DialResult | None, error: BaseException | None) -> None:
    close_old_connections()
    try:
        call_dial_finish(call=call, result=result, error=error)
    finally:
        # Pool threads outlive the task: never leave their connection open between outcomes.
        connection.close()


def calls_dial_paced(*, slots: Sequence[tuple[int, float]]) -> int:
    """Dial each (call id, start epoch seconds). Returns how many were handed to LiveKit.

    "async" (workers): every call rings as a coroutine of the process-wide dialer and this returns
    at once. "inline" (tests and eager mode): dial them concurrently and record outcomes before returning.
    """
    backend = backends.get_backend()
    if settings.CAMPAIGN_DIALER == "async":
        background = dialer.get_dialer(finisher_threads=settings.CAMPAIGN_DIALER_OUTCOME_THREADS)
        handed = 0
        for call_id, not_before in slots:
            # Each call is handed over as soon as it is claimed, so claiming never delays a paced start.
            call = _claim(call_id)
            if call is not None:
                request = call_dial_request(call=call, attempt=0)
                background.submit(backend, request, not_before, partial(_finish_in_pool, call))
                handed += 1
        return handed
    claimed = [(call, at) for call_id, at in slots if (call := _claim(call_id)) is not None]
    requests = [(call_dial_request(call=call, attempt=0), at) for call, at in claimed]
    results = backends.run(dialer.dial_many(backend, requests))
    for (call, _not_before), result in zip(claimed, results, strict=True):
        if isinstance(result, BaseException):
            call_dial_finish(call=call, result=None, error=result)
        else:
            call_dial_finish(call=call, result=result, error=None)
    return len(claimed)
