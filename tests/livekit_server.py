"""A LiveKit-compatible Twirp server for tests and benchmarks.

Point the real ``livekit.api.LiveKitAPI`` client at ``FakeLiveKitServer().url``: requests are
binary protobuf over ``POST /twirp/livekit.<Service>/<Method>``, answers are the
``livekit.protocol`` response messages, and errors are Twirp JSON bodies.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import hashlib
import json
import secrets
import string
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

from aiohttp import web
from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import DecodeError, Message
from livekit.api import AccessToken, TokenVerifier
from livekit.api.access_token import Claims
from livekit.protocol import agent_dispatch, models, room, sip, webhook

DEFAULT_API_KEY = "devkey"
DEFAULT_API_SECRET = "fake-livekit-server-secret-0123456789abcdef"

TWIRP_HTTP_STATUS: dict[str, int] = {
    "canceled": 408,
    "unknown": 500,
    "invalid_argument": 400,
    "malformed": 400,
    "deadline_exceeded": 408,
    "not_found": 404,
    "bad_route": 404,
    "already_exists": 409,
    "permission_denied": 403,
    "unauthenticated": 401,
    "resource_exhausted": 429,
    "failed_precondition": 412,
    "aborted": 409,
    "out_of_range": 400,
    "unimplemented": 501,
    "internal": 500,
    "unavailable": 503,
    "dataloss": 500,
}

_SIP_TWIRP_CODES: dict[int, str] = {
    401: "permission_denied",
    402: "permission_denied",
    403: "permission_denied",
    404: "not_found",
    407: "unauthenticated",
    408: "deadline_exceeded",
    410: "not_found",
    480: "resource_exhausted",
    481: "not_found",
    486: "resource_exhausted",
    487: "aborted",
    491: "aborted",
    504: "deadline_exceeded",
    600: "resource_exhausted",
    603: "permission_denied",
    604: "not_found",
    607: "permission_denied",
    608: "permission_denied",
}

_SERVICES: dict[str, ServiceDescriptor] = {
    "RoomService": room.DESCRIPTOR.services_by_name["RoomService"],
    "AgentDispatchService": agent_dispatch.DESCRIPTOR.services_by_name["AgentDispatchService"],
    "SIP": sip.DESCRIPTOR.services_by_name["SIP"],
}

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

_ID_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    return f"{prefix}_" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))


def sip_twirp_code(sip_status_code: int) -> str:
    """The Twirp code LiveKit answers with for a SIP status (mirrors livekit/protocol)."""
    if sip_status_code in _SIP_TWIRP_CODES:
        return _SIP_TWIRP_CODES[sip_status_code]
    if 500 <= sip_status_code < 600:
        return "failed_precondition"
    return "invalid_argument"


@dataclass(frozen=True)
class RecordedRequest:
    service: str
    method: str
    message: Message
    received_at: float
    auth_ok: bool
    claims: Claims | None = None


class TwirpFault(Exception):
    def __init__(
        self,
        code: str,
        msg: str,
        *,
        status: int | None = None,
        meta: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.status = status if status is not None else TWIRP_HTTP_STATUS.get(code, 500)
        self.meta = dict(meta or {})

    def to_response(self) -> web.Response:
        body: dict[str, Any] = {"code": self.code, "msg": self.msg}
        if self.meta:
            body["meta"] = self.meta
        return web.json_response(body, status=self.status)


@dataclass
class _Fault:
    error: TwirpFault
    remaining: int | None


@dataclass
class _Delay:
    seconds: float
    remaining: int | None


_F = TypeVar("_F", _Fault, _Delay)
_M = TypeVar("_M", bound=Message)


def _take(faults: dict[str, _F], method: str) -> _F | None:
    fault = faults.get(method)
    if fault is None:
        return None
    if fault.remaining is not None:
        fault.remaining -= 1
        if fault.remaining <= 0:
            del faults[method]
    return fault


class FakeLiveKitServer:
    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        api_secret: str = DEFAULT_API_SECRET,
        *,
        rtt: float = 0.0,
        missing_room_is_error: bool = True,
    ) -> None:
        self._api_key = api_key
        self._api_secret = api_secret
        self._verifier = TokenVerifier(api_key, api_secret)
        self.missing_room_is_error = missing_room_is_error
        self._lock = threading.RLock()
        self._arrived = threading.Condition(self._lock)
        self._rtt = self._initial_rtt = rtt
        self._requests: list[RecordedRequest] = []
        self._faults: dict[str, _Fault] = {}
        self._delays: dict[str, _Delay] = {}
        self._rooms: dict[str, models.Room] = {}
        self._participants: dict[str, dict[str, models.ParticipantInfo]] = {}
        self._dispatches: dict[str, agent_dispatch.AgentDispatch] = {}
        self._trunks: dict[str, sip.SIPOutboundTrunkInfo] = {}
        self._handlers: dict[str, Callable[[Any], Message]] = {
            "CreateRoom": self._create_room,
            "ListRooms": self._list_rooms,
            "DeleteRoom": self._delete_room,
            "UpdateRoomMetadata": self._update_room_metadata,
            "ListParticipants": self._list_participants,
            "GetParticipant": self._get_participant,
            "RemoveParticipant": self._remove_participant,
            "CreateDispatch": self._create_dispatch,
            "DeleteDispatch": self._delete_dispatch,
            "ListDispatch": self._list_dispatch,
            "CreateSIPParticipant": self._create_sip_participant,
            "TransferSIPParticipant": self._transfer_sip_participant,
            "CreateSIPOutboundTrunk": self._create_outbound_trunk,
            "UpdateSIPOutboundTrunk": self._update_outbound_trunk,
            "ListSIPOutboundTrunk": self._list_outbound_trunk,
            "DeleteSIPTrunk": self._delete_trunk,
        }
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._startup_error: BaseException | None = None

    # lifecycle

    @property
    def api_key(self) -> str:
        return self._api_key

    @property
    def api_secret(self) -> str:
        return self._api_secret

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("server is not running")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError("server already started")
        ready = threading.Event()
        self._startup_error = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._serve, args=(ready,), name="fake-livekit-server", daemon=True
        )
        self._thread.start()
        if not ready.wait(10.0):
            raise RuntimeError("fake LiveKit server did not start in time")
        if self._startup_error is not None:
            self._thread.join()
            self._thread = None
            raise RuntimeError("fake LiveKit server failed to start") from self._startup_error
        return self

    def stop(self) -> None:
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10.0)
        self._thread = None
        self._loop = None
        self._port = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _serve(self, ready: threading.Event) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._start_site())
        except BaseException as exc:  # reported by start()
            self._startup_error = exc
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            if self._runner is not None:
                loop.run_until_complete(self._runner.cleanup())
                self._runner = None
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _start_site(self) -> None:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    # recording

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def calls(self, method: str) -> list[Any]:
        with self._lock:
            return [r.message for r in self._requests if r.method == method]

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Any]:
        """Block until ``count`` requests of ``method`` arrived; returns all recorded so far."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.calls(method)) >= count, timeout):
                got = len(self.calls(method))
                raise TimeoutError(f"{method}: expected {count} request(s), got {got}")
            return self.calls(method)

    # fault injection

    @property
    def rtt(self) -> float:
        with self._lock:
            return self._rtt

    @rtt.setter
    def rtt(self, seconds: float) -> None:
        with self._lock:
            self._rtt = seconds

    def fail(
        self,
        method: str,
        *,
        status: int | None = None,
        code: str = "internal",
        msg: str = "boom",
        meta: Mapping[str, str] | None = None,
        times: int | None = None,
    ) -> None:
        """Answer the next ``times`` calls (None: all) of ``method`` with a Twirp error.

        ``status`` defaults to the HTTP status Twirp uses for ``code``.
        """
        error = TwirpFault(code, msg, status=status, meta=meta)
        with self._lock:
            self._faults[method] = _Fault(error, times)

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

    def delay(self, method: str, seconds: float, times: int | None = None) -> None:
        with self._lock:
            self._delays[method] = _Delay(seconds, times)

    def reset_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._delays.clear()
            self._rtt = self._initial_rtt

    # state

    def rooms(self) -> dict[str, models.Room]:
        with self._lock:
            return {name: self._room_snapshot(name) for name in self._rooms}

    def participants(self, room_name: str) -> list[models.ParticipantInfo]:
        with self._lock:
            return [_copy(p) for p in self._participants.get(room_name, {}).values()]

    def dispatches(self, room_name: str | None = None) -> list[agent_dispatch.AgentDispatch]:
        with self._lock:
            return [_copy(d) for d in self._dispatches.values() if room_name is None or d.room == room_name]

    def trunks(self) -> list[sip.SIPOutboundTrunkInfo]:
        with self._lock:
            return [_copy(t) for t in self._trunks.values()]

    def add_participant(
        self,
        room_name: str,
        identity: str,
        *,
        kind: int = models.ParticipantInfo.Kind.STANDARD,
        name: str = "",
        metadata: str = "",
        attributes: Mapping[str, str] | None = None,
    ) -> models.ParticipantInfo:
        """Put a participant in a room (created if missing), e.g. an agent that joined."""
        with self._lock:
            self._ensure_room(room_name)
            now = time.time()
            info = models.ParticipantInfo(
                sid=new_id("PA"),
                identity=identity,
                name=name,
                metadata=metadata,
                state=models.ParticipantInfo.State.ACTIVE,
                kind=kind,  # type: ignore[arg-type]
                attributes=dict(attributes or {}),
                joined_at=int(now),
                joined_at_ms=int(now * 1000),
            )
            self._participants[room_name][identity] = info
            return _copy(info)

    def reset_state(self) -> None:
        with self._lock:
            self._rooms.clear()
            self._participants.clear()
            self._dispatches.clear()
            self._trunks.clear()

    # HTTP

    def _route(self, path: str) -> tuple[str, MethodDescriptor] | None:
        parts = path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "twirp" or not parts[1].startswith("livekit."):
            return None
        service_name = parts[1].removeprefix("livekit.")
        service = _SERVICES.get(service_name)
        if service is None or parts[2] not in service.methods_by_name:
            return None
        return service_name, service.methods_by_name[parts[2]]

    def _authenticate(self, header: str | None) -> Claims | None:
        if not header or not header.startswith("Bearer "):
            return None
        try:
            return self._verifier.verify(header.removeprefix("Bearer ").strip())
        except Exception:
            return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        route = self._route(request.path) if request.method == "POST" else None
        if route is None:
            await self._sleep(self.rtt)
            error = TwirpFault("bad_route", f"no handler for {request.method} {request.path}")
            return error.to_response()
        service_name, method = route
        body = await request.read()
        as_json = request.content_type == "application/json"
        message = message_factory.GetMessageClass(method.input_type)()
        try:
            if as_json:
                json_format.Parse(body or b"{}", message, ignore_unknown_fields=True)
            else:
                message.ParseFromString(body)
        except (DecodeError, json_format.ParseError) as exc:
            await self._sleep(self.rtt)
            return TwirpFault("malformed", f"failed to parse request: {exc}").to_response()

        claims = self._authenticate(request.headers.get("Authorization"))
        with self._arrived:
            self._requests.append(
                RecordedRequest(
                    service=service_name,
                    method=method.name,
                    message=message,
                    received_at=time.monotonic(),
                    auth_ok=claims is not None,
                    claims=claims,
                )
            )
            self._arrived.notify_all()
            fault = _take(self._faults, method.name) if claims is not None else None
            extra = _take(self._delays, method.name)
            wait = self._rtt + (extra.seconds if extra is not None else 0.0)
        await self._sleep(wait)

        if claims is None:
            return TwirpFault("unauthenticated", "invalid or missing API token").to_response()
        if fault is not None:
            return fault.error.to_response()
        handler = self._handlers.get(method.name)
        if handler is None:
            return TwirpFault("unimplemented", f"{method.name} is not faked").to_response()
        try:
            with self._lock:
                reply = handler(message)
        except TwirpFault as exc:
            return exc.to_response()
        except Exception as exc:
            return TwirpFault("internal", f"{method.name} failed: {exc!r}").to_response()
        if as_json:
            return web.json_response(json_format.MessageToDict(reply))
        return web.Response(body=reply.SerializeToString(), content_type="application/protobuf")

    @staticmethod
    async def _sleep(seconds: float) -> None:
        if seconds > 0:
            await asyncio.sleep(seconds)

    # RoomService

    def _ensure_room(self, name: str, request: room.CreateRoomRequest | None = None) -> None:
        if name in self._rooms:
            return
        now = time.time()
        info = models.Room(
            sid=new_id("RM"),
            name=name,
            creation_time=int(now),
            creation_time_ms=int(now * 1000),
        )
        if request is not None:
            info.empty_timeout = request.empty_timeout
            info.departure_timeout = request.departure_timeout
            info.max_participants = request.max_participants
            info.metadata = request.metadata
        self._rooms[name] = info
        self._participants[name] = {}

    def _room_snapshot(self, name: str) -> models.Room:
        info = _copy(self._rooms[name])
        info.num_participants = len(self._participants.get(name, {}))
        return info

    def _require_room(self, name: str) -> None:
        if name not in self._rooms:
            raise TwirpFault("not_found", "requested room does not exist")

    def _create_room(self, req: room.CreateRoomRequest) -> models.Room:
        if not req.name:
            raise TwirpFault("invalid_argument", "room name is required")
        self._ensure_room(req.name, req)
        return self._room_snapshot(req.name)

    def _list_rooms(self, req: room.ListRoomsRequest) -> room.ListRoomsResponse:
        names = [n for n in self._rooms if not req.names or n in req.names]
        return room.ListRoomsResponse(rooms=[self._room_snapshot(n) for n in names])

    def _delete_room(self, req: room.DeleteRoomRequest) -> room.DeleteRoomResponse:
        if req.room not in self._rooms:
            if self.missing_room_is_error:
                raise TwirpFault("not_found", "requested room does not exist")
            return room.DeleteRoomResponse()
        del self._rooms[req.room]
        self._participants.pop(req.room, None)
        for dispatch_id in [i for i, d in self._dispatches.items() if d.room == req.room]:
            del self._dispatches[dispatch_id]
        return room.DeleteRoomResponse()

    def _update_room_metadata(self, req: room.UpdateRoomMetadataRequest) -> models.Room:
        self._require_room(req.room)
        self._rooms[req.room].metadata = req.metadata
        return self._room_snapshot(req.room)

    def _list_participants(self, req: room.ListParticipantsRequest) -> room.ListParticipantsResponse:
        self._require_room(req.room)
        return room.ListParticipantsResponse(participants=list(self._participants[req.room].values()))

    def _find_participant(self, room_name: str, identity: str) -> models.ParticipantInfo:
        self._require_room(room_name)
        info = self._participants[room_name].get(identity)
        if info is None:
            raise TwirpFault("not_found", "participant does not exist")
        return info

    def _get_participant(self, req: room.RoomParticipantIdentity) -> models.ParticipantInfo:
        return self._find_participant(req.room, req.identity)

    def _remove_participant(self, req: room.RoomParticipantIdentity) -> room.RemoveParticipantResponse:
        self._find_participant(req.room, req.identity)
        del self._participants[req.room][req.identity]
        return room.RemoveParticipantResponse()

    # AgentDispatchService

    def _create_dispatch(
        self, req: agent_dispatch.CreateAgentDispatchRequest
    ) -> agent_dispatch.AgentDispatch:
        if not req.room:
            raise TwirpFault("invalid_argument", "room is required")
        self._ensure_room(req.room)
        dispatch = agent_dispatch.AgentDispatch(
            id=new_id("AD"),
            agent_name=req.agent_name,
            room=req.room,
            metadata=req.metadata,
            restart_policy=req.restart_policy,
            deployment=req.deployment,
            attributes=dict(req.attributes),
            state=agent_dispatch.AgentDispatchState(created_at=time.time_ns()),
        )
        self._dispatches[dispatch.id] = dispatch
        return dispatch

    def _delete_dispatch(
        self, req: agent_dispatch.DeleteAgentDispatchRequest
    ) -> agent_dispatch.AgentDispatch:
        dispatch = self._dispatches.get(req.dispatch_id)
        if dispatch is None or dispatch.room != req.room:
            raise TwirpFault("not_found", "dispatch not found")
        del self._dispatches[req.dispatch_id]
        dispatch.state.deleted_at = time.time_ns()
        return dispatch

    def _list_dispatch(
        self, req: agent_dispatch.ListAgentDispatchRequest
    ) -> agent_dispatch.ListAgentDispatchResponse:
        found = [
            d
            for d in self._dispatches.values()
            if d.room == req.room and (not req.dispatch_id or d.id == req.dispatch_id)
        ]
        return agent_dispatch.ListAgentDispatchResponse(agent_dispatches=found)

    # SIP

    def _create_sip_participant(self, req: sip.CreateSIPParticipantRequest) -> sip.SIPParticipantInfo:
        if not req.sip_trunk_id and not req.HasField("trunk"):
            raise TwirpFault("invalid_argument", "missing sip trunk id")
        if not req.sip_call_to:
            raise TwirpFault("invalid_argument", "missing sip callee number")
        if "@" in req.sip_call_to:
            raise TwirpFault("invalid_argument", "SipCallTo should be a phone number or SIP user")
        if not req.room_name:
            raise TwirpFault("invalid_argument", "missing room name")
        identity = req.participant_identity or f"sip_{req.sip_call_to}"
        call_id = new_id("SCL")
        sip_attributes = {
            "sip.callID": call_id,
            "sip.callStatus": "active" if req.wait_until_answered else "dialing",
            "sip.phoneNumber": req.sip_call_to,
            "sip.trunkID": req.sip_trunk_id,
            "sip.trunkPhoneNumber": req.sip_number,
        }
        attributes = {
            **req.participant_attributes,
            **{k: v for k, v in sip_attributes.items() if v},
        }
        participant = self.add_participant(
            req.room_name,
            identity,
            kind=models.ParticipantInfo.Kind.SIP,
            name=req.participant_name,
            metadata=req.participant_metadata,
            attributes=attributes,
        )
        return sip.SIPParticipantInfo(
            participant_id=participant.sid,
            participant_identity=identity,
            room_name=req.room_name,
            sip_call_id=call_id,
        )

    def _transfer_sip_participant(
        self, req: sip.TransferSIPParticipantRequest
    ) -> sip.TransferSIPParticipantResponse:
        if not req.transfer_to:
            raise TwirpFault("invalid_argument", "missing transfer to")
        self._find_participant(req.room_name, req.participant_identity)
        del self._participants[req.room_name][req.participant_identity]
        return sip.TransferSIPParticipantResponse(
            transfer_id=new_id("STR"),
            status=sip.SIPTransferStatus.STS_TRANSFER_SUCCESSFUL,
        )

    @staticmethod
    def _validate_trunk(trunk: sip.SIPOutboundTrunkInfo) -> None:
        if not trunk.numbers:
            raise TwirpFault("invalid_argument", "no trunk numbers specified")
        if not trunk.address:
            raise TwirpFault("invalid_argument", "no outbound address specified")

    def _create_outbound_trunk(self, req: sip.CreateSIPOutboundTrunkRequest) -> sip.SIPOutboundTrunkInfo:
        if not req.HasField("trunk"):
            raise TwirpFault("invalid_argument", "missing trunk")
        if req.trunk.sip_trunk_id:
            raise TwirpFault("invalid_argument", "trunk id must not be set")
        trunk = _copy(req.trunk)
        self._validate_trunk(trunk)
        trunk.sip_trunk_id = new_id("ST")
        trunk.created_at.GetCurrentTime()
        trunk.updated_at.GetCurrentTime()
        self._trunks[trunk.sip_trunk_id] = trunk
        return trunk

    def _update_outbound_trunk(self, req: sip.UpdateSIPOutboundTrunkRequest) -> sip.SIPOutboundTrunkInfo:
        current = self._trunks.get(req.sip_trunk_id)
        if current is None:
            raise TwirpFault("not_found", "requested sip trunk does not exist")
        action = req.WhichOneof("action")
        if action == "replace":
            trunk = _copy(req.replace)
            trunk.sip_trunk_id = req.sip_trunk_id
            trunk.created_at.CopyFrom(current.created_at)
        elif action == "update":
            trunk = _copy(current)
            _apply_trunk_update(trunk, req.update)
        else:
            raise TwirpFault("invalid_argument", "missing or unsupported update action")
        self._validate_trunk(trunk)
        trunk.updated_at.GetCurrentTime()
        self._trunks[req.sip_trunk_id] = trunk
        return trunk

    def _list_outbound_trunk(self, req: sip.ListSIPOutboundTrunkRequest) -> sip.ListSIPOutboundTrunkResponse:
        found = [
            t
            for t in self._trunks.values()
            if (not req.trunk_ids or t.sip_trunk_id in req.trunk_ids)
            and (not req.numbers or any(n in req.numbers for n in t.numbers))
        ]
        return sip.ListSIPOutboundTrunkResponse(items=found)

    def _delete_trunk(self, req: sip.DeleteSIPTrunkRequest) -> sip.SIPTrunkInfo:
        trunk = self._trunks.pop(req.sip_trunk_id, None)
        if trunk is None:
            raise TwirpFault("not_found", "requested sip trunk does not exist")
        return sip.SIPTrunkInfo(
            sip_trunk_id=trunk.sip_trunk_id,
            kind=sip.SIPTrunkInfo.TrunkKind.TRUNK_OUTBOUND,
            name=trunk.name,
            metadata=trunk.metadata,
            outbound_address=trunk.address,
            outbound_number=trunk.numbers[0] if trunk.numbers else "",
            transport=trunk.transport,
            outbound_username=trunk.auth_username,
            outbound_password=trunk.auth_password,
        )


def _copy(message: _M) -> _M:
    clone = type(message)()
    clone.CopyFrom(message)
    return clone


def _apply_trunk_update(trunk: sip.SIPOutboundTrunkInfo, update: sip.SIPOutboundTrunkUpdate) -> None:
    for field in (
        "address",
        "transport",
        "destination_country",
        "auth_username",
        "auth_password",
        "name",
        "metadata",
        "media_encryption",
        "from_host",
    ):
        if update.HasField(field):
            setattr(trunk, field, getattr(update, field))
    if update.HasField("media"):
        trunk.media.CopyFrom(update.media)
    if update.HasField("numbers"):
        change = update.numbers
        numbers = [] if change.clear else list(trunk.numbers)
        if change.set:
            numbers = list(change.set)
        numbers = [n for n in numbers if n not in change.remove]
        numbers += [n for n in change.add if n not in numbers]
        del trunk.numbers[:]
        trunk.numbers.extend(numbers)


# webhooks


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
