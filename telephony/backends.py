"""Everything we ask of LiveKit, spoken with the livekit-api client (never the `lk` CLI).

Two backends, chosen by settings.TELEPHONY_BACKEND in the manner of Django's email backends:
"livekit" talks to the server; "console" only logs what it would send, for local demos.
"""

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, TypeVar

import aiohttp
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from livekit import api

from telephony.exceptions import SipCallFailed, TelephonyNotConfigured, TelephonyUnavailable
from telephony.webhooks import SIP_CALL_ID

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Errors worth trying again: the server or the network failed, not our request.
RETRYABLE_CODES = {"unavailable", "internal", "unknown", "deadline_exceeded", "resource_exhausted"}


@dataclass(frozen=True)
class DialRequest:
    room_name: str
    room_metadata: str
    agent_name: str
    dispatch_metadata: str
    trunk_id: str
    phone: str
    from_number: str
    participant_identity: str
    participant_name: str
    participant_metadata: str
    ringing_timeout: timedelta
    max_call_duration: timedelta
    empty_timeout: int
    resume: bool = False


@dataclass(frozen=True)
class DialResult:
    dispatch_id: str
    sip_participant_id: str
    sip_call_id: str


@dataclass(frozen=True)
class TrunkSpec:
    trunk_id: str
    name: str
    address: str
    numbers: list[str]
    auth_username: str
    auth_password: str


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, TelephonyUnavailable):
        return exc.retryable
    if isinstance(exc, api.SipCallError):
        return False
    if isinstance(exc, api.ServerError):
        return exc.status >= 500 or exc.code in RETRYABLE_CODES
    return isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | TimeoutError)


def translate_error(exc: BaseException) -> BaseException:
    """LiveKit's and the network's errors as ours; anything else is returned unchanged."""
    if isinstance(exc, api.SipCallError):
        code = exc.sip_status_code or 0
        return SipCallFailed(code, exc.sip_status or "", exc.message or "")
    if isinstance(exc, api.ServerError | aiohttp.ClientError | asyncio.TimeoutError | TimeoutError):
        return TelephonyUnavailable(f"{exc.__class__.__name__}: {exc}", retryable=is_retryable(exc))
    return exc


class TelephonyBackend(Protocol):
    async def dial(self, request: DialRequest) -> DialResult: ...

    async def delete_room(self, room_name: str) -> bool: ...

    async def list_rooms(self) -> set[str]: ...

    async def save_outbound_trunk(self, spec: TrunkSpec) -> str: ...


class LiveKitBackend:
    def __init__(self, url: str, api_key: str, api_secret: str, timeout: float) -> None:
        self.url, self.api_key, self.api_secret, self.timeout = url, api_key, api_secret, timeout

    def _client(self) -> api.LiveKitAPI:
        return api.LiveKitAPI(
            self.url,
            self.api_key,
            self.api_secret,
            timeout=aiohttp.ClientTimeout(total=self.timeout),
        )

    def _bounded(self, coroutine: Coroutine[Any, Any, T], extra: float = 0.0) -> Coroutine[Any, Any, T]:
        # livekit-api 1.2.2 hands aiohttp `timeout=None`, which disables its session timeout.
        return asyncio.wait_for(coroutine, self.timeout + extra)

    async def dial(self, request: DialRequest) -> DialResult:
        async with self._client() as lk:
            await self._bounded(
                lk.room.create_room(
                    api.CreateRoomRequest(
                        name=request.room_name,
                        empty_timeout=request.empty_timeout,
                        metadata=request.room_metadata,
                    )
                )
            )
            existing = (
                await self._bounded(self._existing_sip_participant(lk, request)) if request.resume else None
            )
            # The agent is dispatched while the phone rings, so neither waits for the other.
            dispatch_task = asyncio.ensure_future(self._bounded(self._dispatch(lk, request)))
            try:
                participant = existing
                if participant is None:
                    participant = await self._bounded(
                        lk.sip.create_sip_participant(self._sip_request(request)),
                        extra=request.ringing_timeout.total_seconds(),
                    )
            except BaseException:
                await self._settle(dispatch_task)
                raise
            dispatch = await dispatch_task
        return DialResult(
            dispatch_id=dispatch.id,
            sip_participant_id=participant.participant_id,
            sip_call_id=participant.sip_call_id,
        )

    @staticmethod
    async def _settle(task: asyncio.Future) -> None:
        try:
            await task
        except Exception:
            logger.exception("Agent dispatch failed while the SIP call also failed")

    async def _dispatch(self, lk: api.LiveKitAPI, request: DialRequest) -> api.AgentDispatch:
        if request.resume:
            for dispatch in await lk.agent_dispatch.list_dispatch(request.room_name):
                if dispatch.agent_name == request.agent_name:
                    return dispatch
        return await lk.agent_dispatch.create_dispatch(
            api.CreateAgentDispatchRequest(
                agent_name=request.agent_name,
                room=request.room_name,
                metadata=request.dispatch_metadata,
            )
        )

    @staticmethod
    async def _existing_sip_participant(
        lk: api.LiveKitAPI, request: DialRequest
    ) -> api.SIPParticipantInfo | None:
        """A retried dial must not ring the phone twice: reuse the participant if it exists."""
        response = await lk.room.list_participants(api.ListParticipantsRequest(room=request.room_name))
        for participant in response.participants:
            if participant.identity == request.participant_identity:
                return api.SIPParticipantInfo(
                    participant_id=participant.sid,
                    participant_identity=participant.identity,
                    room_name=request.room_name,
                    sip_call_id=participant.attributes.get(SIP_CALL_ID, ""),
                )
        return None

    @staticmethod
    def _sip_request(request: DialRequest) -> api.CreateSIPParticipantRequest:
        sip = api.CreateSIPParticipantRequest(
            sip_trunk_id=request.trunk_id,
            sip_call_to=request.phone,
            sip_number=request.from_number,
            room_name=request.room_name,
            participant_identity=request.participant_identity,
            participant_name=request.participant_name,
            participant_metadata=request.participant_metadata,
            krisp_enabled=True,
            wait_until_answered=True,
        )
        sip.ringing_timeout.FromTimedelta(request.ringing_timeout)
        sip.max_call_duration.FromTimedelta(request.max_call_duration)
        return sip

    async def delete_room(self, room_name: str) -> bool:
        """Delete the room, which hangs up everyone in it. False if it was already gone."""
        async with self._client() as lk:
            try:
                await self._bounded(lk.room.delete_room(api.DeleteRoomRequest(room=room_name)))
            except api.ServerError as exc:
                if exc.code == "not_found":
                    return False
                raise
        return True

    async def list_rooms(self) -> set[str]:
        async with self._client() as lk:
            response = await self._bounded(lk.room.list_rooms(api.ListRoomsRequest()))
        return {room.name for room in response.rooms}

    async def save_outbound_trunk(self, spec: TrunkSpec) -> str:
        trunk = api.SIPOutboundTrunkInfo(
            name=spec.name,
            address=spec.address,
            numbers=spec.numbers,
            auth_username=spec.auth_username,
            auth_password=spec.auth_password,
        )
        async with self._client() as lk:
            if spec.trunk_id:
                saved = await self._bounded(lk.sip.update_outbound_trunk(spec.trunk_id, trunk))
            else:
                saved = await self._bounded(
                    lk.sip.create_outbound_trunk(api.CreateSIPOutboundTrunkRequest(trunk=trunk))
                )
        return saved.sip_trunk_id


class ConsoleBackend:
    """Logs what would be sent to LiveKit and never places a call.

    It remembers the rooms it "created" (in Django's cache, shared by the web and Celery
    processes when the cache is) so the reconciler sees them alive, as it would with LiveKit.
    """

    ROOMS_KEY = "telephony:console:rooms"

    def _rooms(self) -> set[str]:
        return set(cache.get(self.ROOMS_KEY) or ())

    async def dial(self, request: DialRequest) -> DialResult:
        logger.warning("[console telephony] would dial %s", request)
        cache.set(self.ROOMS_KEY, self._rooms() | {request.room_name}, timeout=None)
        return DialResult(
            dispatch_id=f"AD_console_{request.room_name}",
            sip_participant_id=f"PA_console_{request.room_name}",
            sip_call_id=f"SCL_console_{request.room_name}",
        )

    async def delete_room(self, room_name: str) -> bool:
        logger.warning("[console telephony] would delete room %s", room_name)
        rooms = self._rooms()
        cache.set(self.ROOMS_KEY, rooms - {room_name}, timeout=None)
        return room_name in rooms

    async def list_rooms(self) -> set[str]:
        return self._rooms()

    async def save_outbound_trunk(self, spec: TrunkSpec) -> str:
        logger.warning("[console telephony] would save trunk %s", {**spec.__dict__, "auth_password": "***"})
        return spec.trunk_id or "ST_console"


def ensure_configured() -> None:
    """Raise TelephonyNotConfigured naming what is missing; calls fail fast instead of in a task."""
    if settings.TELEPHONY_BACKEND == "console":
        return
    if settings.TELEPHONY_BACKEND != "livekit":
        raise TelephonyNotConfigured(
            _("TELEPHONY_BACKEND «%(value)s» no existe: use «livekit» o «console».")
            % {"value": settings.TELEPHONY_BACKEND}
        )
    missing = [
        name
        for name in ("LIVEKIT_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET")
        if not getattr(settings, name)
    ]
    if missing:
        raise TelephonyNotConfigured(
            _("LiveKit no está configurado: faltan %(names)s.") % {"names": ", ".join(missing)}
        )


def get_backend() -> TelephonyBackend:
    ensure_configured()
    if settings.TELEPHONY_BACKEND == "console":
        return ConsoleBackend()
    return LiveKitBackend(
        settings.LIVEKIT_URL,
        settings.LIVEKIT_API_KEY,
        settings.LIVEKIT_API_SECRET,
        settings.LIVEKIT_REQUEST_TIMEOUT,
    )


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one LiveKit conversation from synchronous code (Celery tasks, admin, commands).

    LiveKit's and the network's errors leave as SipCallFailed or TelephonyUnavailable.
    """
    try:
        return asyncio.run(coroutine)
    except Exception as exc:
        translated = translate_error(exc)
        if translated is exc:
            raise
        raise translated from exc
