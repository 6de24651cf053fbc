"""The LiveKit test server with phones: per number, how long it rings and how the call ends.

A thin subclass of the repo's LiveKit-compatible test server. CreateSIPParticipant with
``wait_until_answered`` rings for the number's ring time (as LiveKit holds the HTTP answer until the
callee answers), then answers, or fails the way LiveKit reports a failed dial (busy 486, no answer
480, declined 603, unknown number 404). It also counts phones ringing at once, overall and per number.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from google.protobuf.message import DecodeError, Message
from livekit.protocol import sip

from telephony.testing import FakeLiveKitServer, TwirpFault, sip_twirp_code

SIP_FAILURES: dict[str, tuple[int, str]] = {
    "busy": (486, "Busy Here"),
    "no_answer": (480, "Temporarily Unavailable"),
    "rejected": (603, "Decline"),
    "invalid": (404, "Not Found"),
}
CREATE_SIP_PARTICIPANT = "/twirp/livekit.SIP/CreateSIPParticipant"


@dataclass(frozen=True)
class Phone:
    ring_seconds: float = 0.0
    outcome: str = "answered"  # "answered" or a key of SIP_FAILURES


class PhoneLiveKitServer(FakeLiveKitServer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._phones: dict[str, Phone] = {}
        self._default_phone = Phone()
        self._ringing: Counter[str] = Counter()
        self._peak_per_number: Counter[str] = Counter()
        self._dials: Counter[str] = Counter()
        self._peak_ringing = 0
        self._phone_lock = threading.Lock()

    def handlers(self) -> Mapping[str, Callable[[Any], Message]]:
        return {**super().handlers(), "CreateSIPParticipant": self._scripted_sip_participant}

    def program(self, number: str, *, ring_seconds: float = 0.0, outcome: str = "answered") -> None:
        if outcome != "answered" and outcome not in SIP_FAILURES:
            raise ValueError(f"unknown outcome {outcome!r}")
        with self._phone_lock:
            self._phones[number] = Phone(ring_seconds, outcome)

    def program_default(self, *, ring_seconds: float = 0.0, outcome: str = "answered") -> None:
        with self._phone_lock:
            self._default_phone = Phone(ring_seconds, outcome)

    def reset_phones(self) -> None:
        with self._phone_lock:
            self._phones.clear()
            self._default_phone = Phone()
            self._ringing.clear()
            self._peak_per_number.clear()
            self._dials.clear()
            self._peak_ringing = 0

    def phone(self, number: str) -> Phone:
        with self._phone_lock:
            return self._phones.get(number, self._default_phone)

    @property
    def ringing_now(self) -> int:
        with self._phone_lock:
            return sum(self._ringing.values())

    @property
    def peak_ringing(self) -> int:
        with self._phone_lock:
            return self._peak_ringing

    def peak_ringing_of(self, number: str) -> int:
        with self._phone_lock:
            return self._peak_per_number[number]

    def max_simultaneous_per_number(self) -> int:
        with self._phone_lock:
            return max(self._peak_per_number.values(), default=0)

    def dials(self) -> Counter[str]:
        with self._phone_lock:
            return Counter(self._dials)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.method != "POST" or request.path != CREATE_SIP_PARTICIPANT:
            return await super()._handle(request)
        message = sip.CreateSIPParticipantRequest()
        try:
            message.ParseFromString(await request.read())  # aiohttp keeps the body for the parent
        except DecodeError:
            return await super()._handle(request)
        number = message.sip_call_to
        ring = self.phone(number).ring_seconds if message.wait_until_answered else 0.0
        with self._phone_lock:
            self._dials[number] += 1
            self._ringing[number] += 1
            self._peak_per_number[number] = max(self._peak_per_number[number], self._ringing[number])
            self._peak_ringing = max(self._peak_ringing, sum(self._ringing.values()))
        try:
            if ring > 0:
                await asyncio.sleep(ring)
            return await super()._handle(request)
        finally:
            with self._phone_lock:
                self._ringing[number] -= 1

    def _scripted_sip_participant(self, req: sip.CreateSIPParticipantRequest) -> sip.SIPParticipantInfo:
        outcome = self.phone(req.sip_call_to).outcome
        if outcome in SIP_FAILURES:
            code, status = SIP_FAILURES[outcome]
            raise TwirpFault(
                sip_twirp_code(code),
                f"sip status {code}: {status}",
                meta={"sip_status_code": str(code), "sip_status": status},
            )
        return self._create_sip_participant(req)
