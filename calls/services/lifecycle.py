"""The call state machine applied: every call status write, and what it means for the survey."""

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from calls.models import Call, Encuesta
from calls.services.encuestas import encuesta_transition
from calls.services.lead_outcomes import lead_follow_call
from calls.services.webhooks import call_ended_payload, webhook_emit
from calls.webhook_models import WebhookEvent

CallStatus = Call.Status


def call_transition(
    *,
    call_id: int,
    to: str,
    at: datetime | None = None,
    failure_reason: str | None = None,
    sip_status_code: int | None = None,
    sip_status: str | None = None,
    sip_call_id: str | None = None,
    sip_participant_id: str | None = None,
) -> bool:
    """Move a call to `to` only from a status Call.TRANSITIONS allows; False if it was not there.

    Timestamps and the duration follow from the target status; the survey follows the call.
    """
    at = at or timezone.now()
    changes: dict[str, object] = {"status": to}
    for name, value in (
        ("failure_reason", failure_reason),
        ("sip_status_code", sip_status_code),
        ("sip_status", sip_status),
        ("sip_call_id", sip_call_id),
        ("sip_participant_id", sip_participant_id),
    ):
        if value is not None:
            changes[name] = value
    if to == CallStatus.DIALING:
        changes["dialing_at"] = at
    elif to == CallStatus.IN_PROGRESS:
        changes["answered_at"] = at
    elif to in Call.TERMINAL_STATUSES:
        changes["ended_at"] = at
    with transaction.atomic():
        rows: QuerySet[Call] = Call.objects.filter(pk=call_id, status__in=Call.TRANSITIONS[to])
        moved = rows.update(**changes)
        if moved and to in Call.TERMINAL_STATUSES:
            call = Call.objects.get(pk=call_id)
            if call.answered_at and call.ended_at:
                seconds = max(0, int((call.ended_at - call.answered_at).total_seconds()))
                Call.objects.filter(pk=call_id).update(duration_seconds=seconds)
                call.duration_seconds = seconds
            _encuesta_follow_call(call, to)
            lead_follow_call(call_id=call_id, to=to)
            webhook_emit(WebhookEvent.CALL_ENDED, call_ended_payload(call))
        elif moved and to == CallStatus.IN_PROGRESS:
            call = Call.objects.only("encuesta_id").get(pk=call_id)
            encuesta_transition(
                encuesta_id=call.encuesta_id, to=Encuesta.Status.IN_PROGRESS, only_from=Encuesta.OPEN_STATUSES
            )
    return bool(moved)


def _encuesta_follow_call(call: Call, to: str) -> None:
    """A call that ended leaves its open survey failed (never reached) or incomplete (reached)."""
    never_reached = to == CallStatus.VOICEMAIL or (to in Call.UNANSWERED_STATUSES and not call.answered_at)
    encuesta_transition(
        encuesta_id=call.encuesta_id,
        to=Encuesta.Status.FAILED if never_reached else Encuesta.Status.INCOMPLETE,
        only_from=Encuesta.OPEN_STATUSES,
    )
