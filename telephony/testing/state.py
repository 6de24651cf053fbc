"""LiveKit's server state (rooms, participants, agent dispatches, SIP trunks) and the Twirp
handlers that read and change it. Handlers run under the server lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from google.protobuf.message import Message
from livekit.protocol import agent_dispatch, models, room, sip

from telephony.testing.twirp import TwirpFault, new_id
from telephony.testing.twirp import copy_message as _copy


class LiveKitState:
    _lock: threading.RLock

    def __init__(self, *, missing_room_is_error: bool = True) -> None:
        self.missing_room_is_error = missing_room_is_error
        self._rooms: dict[str, models.Room] = {}
        self._participants: dict[str, dict[str, models.ParticipantInfo]] = {}
        self._dispatches: dict[str, agent_dispatch.AgentDispatch] = {}
        self._trunks: dict[str, sip.SIPOutboundTrunkInfo] = {}

    def handlers(self) -> Mapping[str, Callable[[Any], Message]]:
        return {
            "CreateRoom": self._create_room,
            "ListRooms": self._list_rooms,
            "DeleteRoom": self._delete_room,
            "ListParticipants": self._list_participants,
            "CreateDispatch": self._create_dispatch,
            "ListDispatch": self._list_dispatch,
            "CreateSIPParticipant": self._create_sip_participant,
            "CreateSIPOutboundTrunk": self._create_outbound_trunk,
            "UpdateSIPOutboundTrunk": self._update_outbound_trunk,
            "ListSIPOutboundTrunk": self._list_outbound_trunk,
            "DeleteSIPTrunk": self._delete_trunk,
        }

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

    def _list_participants(self, req: room.ListParticipantsRequest) -> room.ListParticipantsResponse:
        self._require_room(req.room)
        return room.ListParticipantsResponse(participants=list(self._participants[req.room].values()))

    def _find_participant(self, room_name: str, identity: str) -> models.ParticipantInfo:
        self._require_room(room_name)
        info = self._participants[room_name].get(identity)
        if info is None:
            raise TwirpFault("not_found", "participant does not exist")
        return info

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
