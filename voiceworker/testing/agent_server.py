"""A local LiveKit agent-protocol endpoint: what `runvoiceworker start` registers with.

``GET /agent`` upgraded to a websocket carrying protobuf ``WorkerMessage``s from the worker and
``ServerMessage``s to it. The server answers the registration with a worker id and records
every registration (agent name, version) and every message type the worker sends.
"""

from __future__ import annotations

import threading

from aiohttp import WSMsgType, web
from livekit.protocol import agent

from voiceworker.testing.server import ThreadedServer


class AgentProtocolServer(ThreadedServer):
    def __init__(self) -> None:
        super().__init__()
        self.registrations: list[agent.RegisterWorkerRequest] = []
        self.messages: list[str] = []
        self.registered = threading.Event()
        self.app.router.add_get("/agent", self._agent)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

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
                await ws.send_bytes(reply.SerializeToString())
                self.registered.set()
        return ws
