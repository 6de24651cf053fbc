from __future__ import annotations

import asyncio
import datetime
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import pytest
from livekit import api

from telephony.testing import FakeLiveKitServer, make_webhook_event, sign_webhook

T = TypeVar("T")


@pytest.fixture(scope="module")
def server() -> Iterator[FakeLiveKitServer]:
    with FakeLiveKitServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def _fresh(server: FakeLiveKitServer) -> None:
    server.reset_faults()
    server.reset_state()
    server.clear()


def run(
    server: FakeLiveKitServer,
    call: Callable[[api.LiveKitAPI], Awaitable[T]],
    *,
    secret: str | None = None,
) -> T:
    async def main() -> T:
        async with api.LiveKitAPI(server.url, server.api_key, secret or server.api_secret) as lkapi:
            return await call(lkapi)

    return asyncio.run(main())


def test_room_lifecycle(server: FakeLiveKitServer) -> None:
    async def scenario(lkapi: api.LiveKitAPI) -> tuple[api.Room, list[str], list[str]]:
        created = await lkapi.room.create_room(
            api.CreateRoomRequest(name="call-1", empty_timeout=30, metadata='{"x":1}')
        )
        before = await lkapi.room.list_rooms(api.ListRoomsRequest())
        await lkapi.room.delete_room(api.DeleteRoomRequest(room="call-1"))
        after = await lkapi.room.list_rooms(api.ListRoomsRequest())
        return created, [r.name for r in before.rooms], [r.name for r in after.rooms]

    created, before, after = run(server, scenario)

    assert created.sid.startswith("RM_")
    assert (created.name, created.empty_timeout, created.metadata) == ("call-1", 30, '{"x":1}')
    assert created.creation_time > 0
    assert before == ["call-1"]
    assert after == []
    assert [r.method for r in server.requests] == [
        "CreateRoom",
        "ListRooms",
        "DeleteRoom",
        "ListRooms",
    ]
    assert all(r.auth_ok and r.service == "RoomService" for r in server.requests)


def test_deleting_a_missing_room_is_not_found(server: FakeLiveKitServer) -> None:
    with pytest.raises(api.ServerError) as info:
        run(server, lambda lk: lk.room.delete_room(api.DeleteRoomRequest(room="nope")))
    assert (info.value.code, info.value.status) == ("not_found", 404)

    server.missing_room_is_error = False
    try:
        run(server, lambda lk: lk.room.delete_room(api.DeleteRoomRequest(room="nope")))
    finally:
        server.missing_room_is_error = True


def test_create_dispatch_is_recorded(server: FakeLiveKitServer) -> None:
    async def scenario(lkapi: api.LiveKitAPI) -> tuple[api.AgentDispatch, list[api.AgentDispatch]]:
        dispatch = await lkapi.agent_dispatch.create_dispatch(
            api.CreateAgentDispatchRequest(agent_name="voice-agent", room="call-2", metadata='{"call_id": 7}')
        )
        return dispatch, await lkapi.agent_dispatch.list_dispatch("call-2")

    dispatch, listed = run(server, scenario)

    assert dispatch.id.startswith("AD_")
    assert (dispatch.agent_name, dispatch.room, dispatch.metadata) == (
        "voice-agent",
        "call-2",
        '{"call_id": 7}',
    )
    assert [d.id for d in listed] == [dispatch.id]
    (recorded,) = server.wait_for("CreateDispatch")
    assert recorded.metadata == '{"call_id": 7}'
    assert recorded.agent_name == "voice-agent"
    assert "call-2" in server.rooms()


def test_create_sip_participant(server: FakeLiveKitServer) -> None:
    request = api.CreateSIPParticipantRequest(
        sip_trunk_id="ST_trunk",
        sip_call_to="+15551230000",
        sip_number="+15559990000",
        room_name="call-3",
        participant_identity="callee",
        krisp_enabled=True,
        wait_until_answered=True,
    )
    request.ringing_timeout.FromTimedelta(datetime.timedelta(seconds=20))

    info = run(server, lambda lk: lk.sip.create_sip_participant(request))

    assert info.participant_id.startswith("PA_")
    assert info.sip_call_id.startswith("SCL_")
    assert (info.participant_identity, info.room_name) == ("callee", "call-3")
    (sent,) = server.calls("CreateSIPParticipant")
    assert sent.sip_trunk_id == "ST_trunk"
    assert sent.sip_call_to == "+15551230000"
    assert sent.sip_number == "+15559990000"
    assert sent.ringing_timeout.ToTimedelta() == datetime.timedelta(seconds=20)
    assert sent.krisp_enabled is True
    (participant,) = server.participants("call-3")
    assert participant.kind == api.ParticipantInfo.Kind.SIP
    assert participant.attributes["sip.callID"] == info.sip_call_id


def test_sip_failure_raises_sip_call_error(server: FakeLiveKitServer) -> None:
    server.fail_sip(486, "Busy Here", times=1)
    request = api.CreateSIPParticipantRequest(
        sip_trunk_id="ST_trunk", sip_call_to="+15551230000", room_name="call-4"
    )

    with pytest.raises(api.SipCallError) as info:
        run(server, lambda lk: lk.sip.create_sip_participant(request))

    assert info.value.sip_status_code == 486
    assert info.value.sip_status == "Busy Here"
    assert (info.value.code, info.value.status) == ("resource_exhausted", 429)
    run(server, lambda lk: lk.sip.create_sip_participant(request))


def test_injected_server_error(server: FakeLiveKitServer) -> None:
    server.fail("CreateRoom", status=503, code="unavailable", msg="try later")

    with pytest.raises(api.ServerError) as info:
        run(server, lambda lk: lk.room.create_room(api.CreateRoomRequest(name="x")))

    assert not isinstance(info.value, api.SipCallError)
    assert (info.value.status, info.value.code, info.value.message) == (
        503,
        "unavailable",
        "try later",
    )


def test_wrong_secret_is_unauthenticated(server: FakeLiveKitServer) -> None:
    with pytest.raises(api.ServerError) as info:
        run(
            server,
            lambda lk: lk.room.list_rooms(api.ListRoomsRequest()),
            secret="a-wrong-secret-that-is-long-enough-0123",
        )

    assert (info.value.status, info.value.code) == (401, "unauthenticated")
    (recorded,) = server.requests
    assert recorded.method == "ListRooms"
    assert recorded.auth_ok is False


def test_unknown_method_is_bad_route(server: FakeLiveKitServer) -> None:
    async def scenario(lkapi: api.LiveKitAPI) -> None:
        client = lkapi.room._client
        headers = lkapi.room._auth_header(api.VideoGrants(room_list=True))
        await client.request(
            "RoomService", "NoSuchMethod", api.ListRoomsRequest(), headers, api.ListRoomsResponse
        )

    with pytest.raises(api.ServerError) as info:
        run(server, scenario)
    assert (info.value.status, info.value.code) == (404, "bad_route")


def test_rtt_delays_every_call_until_reset(server: FakeLiveKitServer) -> None:
    server.rtt = 5.0
    request = api.CreateSIPParticipantRequest(
        sip_trunk_id="ST_trunk", sip_call_to="+15551230000", room_name="call-rtt"
    )

    for _ in range(2):
        with pytest.raises(asyncio.TimeoutError):
            run(server, lambda lk: lk.sip.create_sip_participant(request, timeout=0.2))
    server.reset_faults()

    answered = run(server, lambda lk: lk.sip.create_sip_participant(request, timeout=5.0))
    assert answered.room_name == "call-rtt"
    assert [r.method for r in server.requests] == ["CreateSIPParticipant"] * 3


def test_delay_trips_client_timeout(server: FakeLiveKitServer) -> None:
    server.delay("CreateSIPParticipant", 1.0, times=1)
    request = api.CreateSIPParticipantRequest(
        sip_trunk_id="ST_trunk", sip_call_to="+15551230000", room_name="call-5"
    )

    with pytest.raises(asyncio.TimeoutError):
        run(server, lambda lk: lk.sip.create_sip_participant(request, timeout=0.2))

    deadline = time.monotonic() + 5.0
    while not server.participants("call-5") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [p.identity for p in server.participants("call-5")] == ["sip_+15551230000"]


def test_outbound_trunk_crud(server: FakeLiveKitServer) -> None:
    async def scenario(lkapi: api.LiveKitAPI) -> tuple[api.SIPOutboundTrunkInfo, ...]:
        created = await lkapi.sip.create_outbound_trunk(
            api.CreateSIPOutboundTrunkRequest(
                trunk=api.SIPOutboundTrunkInfo(
                    name="main", address="sip.example.com", numbers=["+15559990000"]
                )
            )
        )
        replaced = await lkapi.sip.update_outbound_trunk(
            created.sip_trunk_id,
            api.SIPOutboundTrunkInfo(name="renamed", address="sip2.example.com", numbers=["+15559990000"]),
        )
        patched = await lkapi.sip.update_outbound_trunk_fields(
            created.sip_trunk_id, numbers=["+15558880000"], metadata="m"
        )
        listed = await lkapi.sip.list_outbound_trunk(api.ListSIPOutboundTrunkRequest())
        await lkapi.sip.delete_trunk(api.DeleteSIPTrunkRequest(sip_trunk_id=created.sip_trunk_id))
        return created, replaced, patched, *listed.items

    created, replaced, patched, listed = run(server, scenario)

    assert created.sip_trunk_id.startswith("ST_")
    assert (replaced.sip_trunk_id, replaced.name, replaced.address) == (
        created.sip_trunk_id,
        "renamed",
        "sip2.example.com",
    )
    assert (list(patched.numbers), patched.metadata, patched.name) == (
        ["+15558880000"],
        "m",
        "renamed",
    )
    assert listed.sip_trunk_id == created.sip_trunk_id
    assert server.trunks() == []


def test_signed_webhook_is_accepted(server: FakeLiveKitServer) -> None:
    event = make_webhook_event(
        "participant_left",
        room_name="call-6",
        participant_identity="callee",
        participant_kind="SIP",
        attributes={"sip.callStatus": "hangup"},
    )
    body, auth = sign_webhook(event, server.api_key, server.api_secret)
    receiver = api.WebhookReceiver(api.TokenVerifier(server.api_key, server.api_secret))

    received = receiver.receive(body.decode(), auth)

    assert b'"createdAt"' in body
    assert received.event == "participant_left"
    assert received.room.name == "call-6"
    assert received.participant.identity == "callee"
    assert received.participant.kind == api.ParticipantInfo.Kind.SIP
    assert received.participant.attributes["sip.callStatus"] == "hangup"
    assert received.created_at == event.created_at
    with pytest.raises(Exception, match="hash mismatch"):
        receiver.receive(body.decode().replace("callee", "intruder"), auth)


def test_webhook_from_dict(server: FakeLiveKitServer) -> None:
    body, auth = sign_webhook(
        {"event": "room_finished", "room": {"name": "call-7"}, "id": "EV_1"},
        server.api_key,
        server.api_secret,
    )
    receiver = api.WebhookReceiver(api.TokenVerifier(server.api_key, server.api_secret))

    received = receiver.receive(body.decode(), auth)

    assert (received.event, received.room.name, received.id) == ("room_finished", "call-7", "EV_1")
