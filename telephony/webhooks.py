"""LiveKit's signed webhooks, verified and reduced to what the call lifecycle needs."""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.utils.translation import gettext as _
from livekit import api

from telephony.exceptions import TelephonyNotConfigured, WebhookInvalid, WebhookRejected

logger = logging.getLogger(__name__)

# The SIP participant's attributes LiveKit sets (see docs/livekit-facts).
SIP_CALL_STATUS = "sip.callStatus"
SIP_CALL_ID = "sip.callID"
# Values of sip.callStatus.
SIP_STATUS_ACTIVE = "active"
SIP_STATUS_RINGING = frozenset({"dialing", "ringing"})
# LiveKit stamps events with the current Unix time; outside 2000-2100 it is forged or broken.
PLAUSIBLE_CREATED_AT = range(946_684_800, 4_102_444_800)


@dataclass(frozen=True)
class WebhookEvent:
    event: str
    room_name: str
    created_at: datetime | None = None
    participant_identity: str = ""
    participant_sid: str = ""
    participant_is_sip: bool = False
    sip_call_status: str = ""
    sip_call_id: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


def webhook_event_from_proto(event: api.WebhookEvent) -> WebhookEvent:
    if event.created_at and event.created_at not in PLAUSIBLE_CREATED_AT:
        raise WebhookInvalid(
            _("La fecha del webhook (created_at=%(value)s) no es válida.") % {"value": event.created_at}
        )
    participant = event.participant
    attributes = dict(participant.attributes)
    return WebhookEvent(
        event=event.event,
        room_name=event.room.name,
        created_at=datetime.fromtimestamp(event.created_at, tz=UTC) if event.created_at else None,
        participant_identity=participant.identity,
        participant_sid=participant.sid,
        participant_is_sip=participant.kind == api.ParticipantInfo.Kind.SIP,
        sip_call_status=attributes.get(SIP_CALL_STATUS, ""),
        sip_call_id=attributes.get(SIP_CALL_ID, ""),
        attributes=attributes,
    )


def webhook_receive(*, body: str, authorization: str) -> WebhookEvent:
    """Verify the webhook's signature and parse it. Raises WebhookRejected if it is not LiveKit's."""
    if not settings.LIVEKIT_API_KEY or not settings.LIVEKIT_API_SECRET:
        raise TelephonyNotConfigured(_("LiveKit no está configurado."))
    receiver = api.WebhookReceiver(api.TokenVerifier(settings.LIVEKIT_API_KEY, settings.LIVEKIT_API_SECRET))
    try:
        event = receiver.receive(body, authorization)
    except Exception as exc:
        logger.warning("Rejected LiveKit webhook: %s", exc)
        raise WebhookRejected(_("Firma del webhook no válida.")) from exc
    return webhook_event_from_proto(event)
