"""Webhooks as LiveKit's notifier sends them: event protobufs, protojson bodies, signed tokens."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import time
from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message
from livekit.api import AccessToken
from livekit.protocol import models, webhook

from telephony.testing.server import DEFAULT_API_KEY, DEFAULT_API_SECRET
from telephony.testing.twirp import new_id

_WEBHOOK_EVENTS = frozenset(
    {
        "room_started",
        "room_finished",
        "participant_joined",
        "participant_left",
        "participant_connection_aborted",
        "track_published",
        "track_unpublished",
        "egress_started",
        "egress_updated",
        "egress_ended",
        "ingress_started",
        "ingress_ended",
    }
)


def make_webhook_event(
    event: str,
    *,
    room_name: str,
    participant_identity: str | None = None,
    participant_kind: int | str | None = None,
    attributes: Mapping[str, str] | None = None,
    created_at: int | None = None,
    event_id: str | None = None,
) -> webhook.WebhookEvent:
    """Build a WebhookEvent as LiveKit sends it (participant kind by value or name, e.g. "SIP")."""
    if event not in _WEBHOOK_EVENTS:
        raise ValueError(f"unknown LiveKit webhook event {event!r}")
    is_participant_event = event.startswith("participant_")
    if is_participant_event and not participant_identity:
        raise ValueError(f"{event} needs a participant_identity")
    timestamp = int(time.time()) if created_at is None else created_at
    result = webhook.WebhookEvent(
        event=event,
        id=event_id or new_id("EV"),
        created_at=timestamp,
        room=models.Room(
            sid=new_id("RM"),
            name=room_name,
            creation_time=timestamp,
            creation_time_ms=timestamp * 1000,
        ),
    )
    if participant_identity:
        if isinstance(participant_kind, str):
            kind = models.ParticipantInfo.Kind.Value(participant_kind.upper())
        else:
            kind = participant_kind or models.ParticipantInfo.Kind.STANDARD
        gone = event in ("participant_left", "participant_connection_aborted")
        result.participant.CopyFrom(
            models.ParticipantInfo(
                sid=new_id("PA"),
                identity=participant_identity,
                kind=kind,  # type: ignore[arg-type]
                state=(
                    models.ParticipantInfo.State.DISCONNECTED if gone else models.ParticipantInfo.State.ACTIVE
                ),
                attributes=dict(attributes or {}),
                joined_at=timestamp,
                joined_at_ms=timestamp * 1000,
            )
        )
    return result


def sign_webhook(
    event: webhook.WebhookEvent | Mapping[str, Any],
    api_key: str = DEFAULT_API_KEY,
    api_secret: str = DEFAULT_API_SECRET,
) -> tuple[bytes, str]:
    """Return (JSON body, Authorization header value) as LiveKit's webhook notifier sends them.

    A message is serialized like protojson (camelCase keys, int64 as strings); a mapping is
    sent as given. The header is the bare JWT (no "Bearer "), carrying the body's sha256.
    """
    payload = json_format.MessageToDict(event) if isinstance(event, Message) else dict(event)
    body = json.dumps(payload, separators=(",", ":")).encode()
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    token = (
        AccessToken(api_key, api_secret).with_sha256(digest).with_ttl(datetime.timedelta(minutes=5)).to_jwt()
    )
    return body, token
