"""What LiveKit tells us: webhook events moving calls through their lifecycle."""

from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import Call
from calls.services.lifecycle import call_transition
from telephony.webhooks import SIP_STATUS_ACTIVE, SIP_STATUS_RINGING, WebhookEvent

CallStatus = Call.Status


def call_handle_webhook(*, event: WebhookEvent) -> bool:
    """Move the call of the event's room through its lifecycle. False if nothing changed."""
    room_name = event.room_name
    call = Call.objects.filter(room_name=room_name).only("pk", "status", "hangup_requested_at").first()
    if call is None or not room_name:
        return False
    at = event.created_at or timezone.now()
    is_sip = event.participant_is_sip or event.participant_identity == call.sip_identity
    if event.event in ("participant_joined", "participant_attributes_changed") and is_sip:
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
    if event.event == "participant_left" and is_sip:
        return call_transition(call_id=call.pk, to=CallStatus.COMPLETED, at=at)
    if event.event == "room_finished":
        if call_transition(call_id=call.pk, to=CallStatus.COMPLETED, at=at):
            return True
        if call.hangup_requested_at:
            return call_transition(
                call_id=call.pk, to=CallStatus.CANCELED, at=at, failure_reason=_("Colgada antes de contestar")
            )
    return False
