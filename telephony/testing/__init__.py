"""A LiveKit-compatible server for tests and benchmarks.

Point the real ``livekit.api.LiveKitAPI`` client at ``FakeLiveKitServer().url``: requests are
binary protobuf over ``POST /twirp/livekit.<Service>/<Method>``, answers are the
``livekit.protocol`` response messages, and errors are Twirp JSON bodies. Plumbing lives in
``server``, LiveKit's state and its handlers in ``state``, signed webhooks in ``webhooks``.
"""

from __future__ import annotations

from telephony.testing.server import DEFAULT_API_KEY, DEFAULT_API_SECRET, RecordedRequest, TwirpServer
from telephony.testing.state import LiveKitState
from telephony.testing.twirp import TwirpFault, sip_twirp_code
from telephony.testing.webhooks import make_webhook_event, sign_webhook

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_API_SECRET",
    "FakeLiveKitServer",
    "RecordedRequest",
    "TwirpFault",
    "make_webhook_event",
    "sign_webhook",
    "sip_twirp_code",
]


class FakeLiveKitServer(LiveKitState, TwirpServer):
    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        api_secret: str = DEFAULT_API_SECRET,
        *,
        rtt: float = 0.0,
        missing_room_is_error: bool = True,
    ) -> None:
        TwirpServer.__init__(self, api_key, api_secret, rtt=rtt)
        LiveKitState.__init__(self, missing_room_is_error=missing_room_is_error)

    def fail_sip(
        self,
        status_code: int = 486,
        status: str = "Busy Here",
        *,
        code: str | None = None,
        times: int | None = None,
    ) -> None:
        """Make CreateSIPParticipant fail the way LiveKit reports a failed dial."""
        twirp_code = code or sip_twirp_code(status_code)
        self.fail(
            "CreateSIPParticipant",
            code=twirp_code,
            msg=f"sip status {status_code}: {status}",
            meta={"sip_status_code": str(status_code), "sip_status": status},
            times=times,
        )
