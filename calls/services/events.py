"""What LiveKit tells us: webhook events moving calls through their lifecycle.

Webhooks arrive out of order and late, so every move goes through the state machine's conditional
transitions: an end seen before the answer ends the call, and no later event revives it.
"""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import Call
from calls.services.lifecycle import call_transition
from telephony.webhooks import SIP_STATUS_ACTIVE, SIP_STATUS_RINGING, WebhookEvent

CallStatus = Call.Status


def _is_callee(call: Call, event: WebhookEvent) -> bool:
    """Only the participant we dialed for this call is the callee, not any SIP participant."""
    if call.sip_identity and event.participant_identity == call.sip_identity:
        return True
    return bool(call.sip_participant_id) and event.participant_sid == call.sip_participant_id


def _call_end(call: Call, at: datetime) -> bool:
    # An end stamped before the recorded answer (clock skew, reordering) ends at the answer.
    if call.answered_at and at < call.answered_at:
        at = call.answered_at
    if call_transition(call_id=call.pk, to=CallStatus.COMPLETED, at=at):
        return True
    if call.hangup_requested_at:
        return call_transition(
            call_id=call.pk, to=CallStatus.CANCELED, at=at, failure_reason=_("Colgada antes de contestar")
        )
    return False


def call_handle_webhook(*, event: WebhookEvent) -> bool:
    """Move the call of the event's room through its lifecycle. False if nothing changed."""
    room_name = event.room_name
    call = (
        Call.objects.filter(room_name=room_name)
        .only("pk", "status", "hangup_requested_at", "answered_at", "room_name", "sip_participant_id")
        .first()
    )
    if call is None or not room_name:
        return False
    at = event.created_at or timezone.now()
    is_callee = _is_callee(call, event)
    if event.event in ("participant_joined", "participant_attributes_changed") and is_callee:
        if event.sip_call_status == SIP_STATUS_ACTIVE:
            to = CallStatus.IN_PROGRESS
        elif event.sip_call_status in SIP_STATUS_RINGING:
            to = CallStatus.RINGING
        else:
            return False
        return call_transition(
            call_id=call.pk,
            to=to,
            at=at,
            sip_call_id=event.sip_call_id or None,
            sip_participant_id=event.participant_sid or None,
        )
    if event.event == "participant_left" and is_callee:
        if _call_end(call, at):
            return True
        # The callee left before any answer reached us: the call is over, whatever arrives later.
        return call_transition(
            call_id=call.pk,
            to=CallStatus.NO_ANSWER,
            at=at,
            failure_reason=_("El destinatario se fue antes de que constara la respuesta"),
        )
    if event.event == "room_finished":
        return _call_end(call, at)
    return False
