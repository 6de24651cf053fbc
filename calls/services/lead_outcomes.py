"""What a finished call or a closed survey means for its campaign lead (retry, callback or final)."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from calls.models import Call, Campaign, Encuesta, Lead

LeadStatus = Lead.Status
Outcome = Lead.Outcome
INVALID_NUMBER_SIP_CODES = frozenset({404, 410, 484, 604})
RETRY_DELAY_FIELDS: dict[str, str] = {
    Outcome.BUSY: "retry_delay_busy",
    Outcome.NO_ANSWER: "retry_delay_no_answer",
    Outcome.VOICEMAIL: "retry_delay_voicemail",
    Outcome.FAILED: "retry_delay_failed",
    Outcome.DROPPED: "retry_delay_dropped",
}


def lead_transition(
    *, lead_id: int, to: str, from_statuses: frozenset[str] | None = None, **fields: Any
) -> bool:
    """Conditional status change through Lead.TRANSITIONS; False when the lead was elsewhere."""
    allowed = Lead.TRANSITIONS[to] if from_statuses is None else from_statuses & Lead.TRANSITIONS[to]
    return bool(
        Lead.objects.filter(pk=lead_id, status__in=allowed).update(
            status=to, updated_at=timezone.now(), **fields
        )
    )


def call_outcome(call: Call, to: str) -> str:
    """The lead-level outcome of one ended call, from its final status and whether it was answered."""
    if to == Call.Status.VOICEMAIL:
        return Outcome.VOICEMAIL
    if to == Call.Status.BUSY:
        return Outcome.BUSY
    if call.sip_status_code in INVALID_NUMBER_SIP_CODES:
        return Outcome.INVALID
    if call.answered_at:
        return Outcome.DROPPED
    if to == Call.Status.FAILED:
        return Outcome.FAILED
    return Outcome.NO_ANSWER


def _pending_callback(lead: Lead, encuesta: Encuesta, now: datetime) -> datetime | None:
    # Encuesta.callback_at is set by the voice agent ("llámeme más tarde"); the lead's by staff.
    candidates = [
        when for when in (lead.callback_at, getattr(encuesta, "callback_at", None)) if when and when > now
    ]
    return min(candidates) if candidates else None


def lead_follow_call(*, call_id: int, to: str) -> None:
    """Called in the transaction that ends the call: decide the lead's next step."""
    lead = (
        # The lead row only: a join would lock the campaign, which the dispatcher locks before its leads.
        Lead.objects.select_for_update()
        .filter(
            encuesta_id=Call.objects.filter(pk=call_id).values("encuesta_id")[:1], status=LeadStatus.CALLING
        )
        .first()
    )
    if lead is None or lead.encuesta is None:
        return
    call = Call.objects.get(pk=call_id)
    now = timezone.now()
    survey = lead.encuesta.status
    changes: dict[str, Any] = {"next_attempt_at": None}
    if survey == Encuesta.Status.COMPLETED:
        target, changes["last_outcome"] = LeadStatus.COMPLETED, Outcome.ANSWERED
    elif survey == Encuesta.Status.REJECTED_OPT_OUT:
        target, changes["last_outcome"] = LeadStatus.OPTED_OUT, Outcome.ANSWERED
    else:
        outcome = call_outcome(call, to)
        changes["last_outcome"] = outcome
        callback = _pending_callback(lead, lead.encuesta, now)
        campaign = lead.campaign
        if outcome == Outcome.INVALID:
            target = LeadStatus.INVALID
        elif campaign.status == Campaign.Status.CANCELLED:
            target = LeadStatus.CANCELLED
        elif callback is not None:
            target, changes["next_attempt_at"], changes["last_outcome"] = (
                LeadStatus.SCHEDULED,
                callback,
                Outcome.CALLBACK,
            )
        elif lead.attempts >= campaign.max_attempts:
            target = LeadStatus.INCOMPLETE if outcome == Outcome.DROPPED else LeadStatus.UNREACHABLE
        else:
            target = LeadStatus.SCHEDULED
            changes["next_attempt_at"] = now + getattr(campaign, RETRY_DELAY_FIELDS[outcome])
    lead_transition(lead_id=lead.pk, to=target, from_statuses=frozenset({LeadStatus.CALLING}), **changes)


def lead_follow_encuesta(*, encuesta: Encuesta, lead_id: int | None = None) -> None:
    """A survey closed outside a call (a late save): a waiting or failed lead becomes final.

    A lead still on the phone is settled when its call ends, so it keeps counting against concurrency.
    """
    targets: dict[str, str] = {
        Encuesta.Status.COMPLETED: LeadStatus.COMPLETED,
        Encuesta.Status.REJECTED_OPT_OUT: LeadStatus.OPTED_OUT,
    }
    target = targets.get(encuesta.status)
    if target is None:
        return
    if lead_id is None:
        lead_id = Lead.objects.filter(encuesta=encuesta).values_list("pk", flat=True).first()
    if lead_id is not None:
        lead_transition(
            lead_id=lead_id,
            to=target,
            from_statuses=Lead.TRANSITIONS[target] - {LeadStatus.CALLING},
            next_attempt_at=None,
            last_outcome=Outcome.ANSWERED,
        )


@transaction.atomic
def lead_schedule_callback(*, lead_id: int, when: datetime) -> Lead:
    """The customer asked to be called at `when`: a waiting lead moves now, a calling one after hanging up."""
    lead = Lead.objects.select_for_update().get(pk=lead_id)
    Lead.objects.filter(pk=lead.pk).update(callback_at=when, updated_at=timezone.now())
    if lead.status in Lead.WAITING_STATUSES:
        lead_transition(
            lead_id=lead.pk, to=LeadStatus.SCHEDULED, next_attempt_at=when, last_outcome=Outcome.CALLBACK
        )
    lead.refresh_from_db()
    return lead
