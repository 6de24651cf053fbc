"""A local LiveKit agent-protocol endpoint: what `runvoiceworker start` registers with.

``GET /agent`` upgraded to a websocket carrying protobuf ``WorkerMessage``s from the worker and
``ServerMessage``s to it. The server answers the registration with a worker id and records
every registration (agent name, version) and every message type the worker sends.

``offer_job`` plays LiveKit's side of a dispatch: an ``AvailabilityRequest``, and when the worker
answers "available", the ``JobAssignment`` (room URL and token) that makes it start a job
process. The room URL is this server, which does not speak LiveKit's room protocol, so the job's
``ctx.connect()`` fails there; ``RoomService/DeleteRoom`` is served to see the job hang up.
"""

from __future__ import annotations

import asyncio
import threading

from aiohttp import WSMsgType, web
from livekit.protocol import agent, room

from voiceworker.testing.server import ThreadedServer

DELETE_ROOM = "/twirp/livekit.RoomService/DeleteRoom"


class AgentProtocolServer(ThreadedServer):
    def __init__(self) -> None:
        super().__init__()
        self.registrations: list[agent.RegisterWorkerRequest] = []
        self.messages: list[str] = []
        self.registered = threading.Event()
        self.availability: list[agent.AvailabilityResponse] = []
        self.answered = threading.Event()
        self.job_updates: list[agent.UpdateJobStatus] = []
        self.deleted_rooms: list[str] = []
        self.room_deleted = threading.Event()
        self._ws: web.WebSocketResponse | None = None
        self._offers: dict[str, tuple[agent.Job, str]] = {}
        self.app.router.add_get("/agent", self._agent)
        self.app.router.add_post(DELETE_ROOM, self._delete_room)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def offer_job(self, job: agent.Job, *, token: str) -> None:
        """Ask the registered worker to take ``job``; assign it (with ``token``) if it accepts."""
        assert self._loop is not None and self._ws is not None, "no worker is registered"
        self._offers[job.id] = (job, token)
        request = agent.ServerMessage()
        request.availability.job.CopyFrom(job)
        asyncio.run_coroutine_threadsafe(self._ws.send_bytes(request.SerializeToString()), self._loop).result(
            10
        )

    async def _agent(self, request: web.Request) -> web.StreamResponse:
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return web.Response(status=401)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for message in ws:
            if message.type != WSMsgType.BINARY:
                continue
            worker_msg = agent.WorkerMessage()
            worker_msg.ParseFromString(message.data)
            kind = worker_msg.WhichOneof("message") or ""
            self.messages.append(kind)
            if kind == "register":
                self.registrations.append(worker_msg.register)
                reply = agent.ServerMessage()
                reply.register.worker_id = f"AW_local_{len(self.registrations)}"
                reply.register.server_info.version = "local"
                self._ws = ws
                await ws.send_bytes(reply.SerializeToString())
                self.registered.set()
            elif kind == "availability":
                await self._on_availability(ws, worker_msg.availability)
            elif kind == "update_job":
                self.job_updates.append(worker_msg.update_job)
        return ws

    async def _on_availability(self, ws: web.WebSocketResponse, answer: agent.AvailabilityResponse) -> None:
        self.availability.append(answer)
        offer = self._offers.pop(answer.job_id, None)
        if answer.available and offer is not None:
            job, token = offer
            assignment = agent.ServerMessage()
            assignment.assignment.job.CopyFrom(job)
            assignment.assignment.url = self.url
            assignment.assignment.token = token
            await ws.send_bytes(assignment.SerializeToString())
        self.answered.set()

    async def _delete_room(self, request: web.Request) -> web.StreamResponse:
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return web.Response(status=401)
        delete = room.DeleteRoomRequest()
        delete.ParseFromString(await request.read())
        self.deleted_rooms.append(delete.room)
        self.room_deleted.set()
        return web.Response(
            body=room.DeleteRoomResponse().SerializeToString(), content_type="application/protobuf"
        )
