"""Server plumbing: an aiohttp Twirp endpoint on a background thread that records requests,
injects faults and delays, and dispatches each method to a handler of the subclass."""

from __future__ import annotations

import asyncio
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
from livekit.api import TokenVerifier
from livekit.api.access_token import Claims
from livekit.protocol import agent_dispatch, room, sip

from telephony.testing.twirp import TwirpFault

DEFAULT_API_KEY = "devkey"
DEFAULT_API_SECRET = "fake-livekit-server-secret-0123456789abcdef"

_SERVICES: dict[str, ServiceDescriptor] = {
    "RoomService": room.DESCRIPTOR.services_by_name["RoomService"],
    "AgentDispatchService": agent_dispatch.DESCRIPTOR.services_by_name["AgentDispatchService"],
    "SIP": sip.DESCRIPTOR.services_by_name["SIP"],
}


@dataclass(frozen=True)
class RecordedRequest:
    service: str
    method: str
    message: Message
    received_at: float
    auth_ok: bool
    claims: Claims | None = None


@dataclass
class _Fault:
    error: TwirpFault
    remaining: int | None


@dataclass
class _Delay:
    seconds: float
    remaining: int | None


_F = TypeVar("_F", _Fault, _Delay)


def _take(faults: dict[str, _F], method: str) -> _F | None:
    fault = faults.get(method)
    if fault is None:
        return None
    if fault.remaining is not None:
        fault.remaining -= 1
        if fault.remaining <= 0:
            del faults[method]
    return fault


class TwirpServer:
    """Subclasses provide ``handlers()``: Twirp method name -> handler(request message) -> reply."""

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        api_secret: str = DEFAULT_API_SECRET,
        *,
        rtt: float = 0.0,
    ) -> None:
        self._api_key = api_key
        self._api_secret = api_secret
        self._verifier = TokenVerifier(api_key, api_secret)
        self._lock = threading.RLock()
        self._arrived = threading.Condition(self._lock)
        self._rtt = self._initial_rtt = rtt
        self._requests: list[RecordedRequest] = []
        self._faults: dict[str, _Fault] = {}
        self._delays: dict[str, _Delay] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._startup_error: BaseException | None = None

    def handlers(self) -> Mapping[str, Callable[[Any], Message]]:
        return {}

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

    def delay(self, method: str, seconds: float, times: int | None = None) -> None:
        with self._lock:
            self._delays[method] = _Delay(seconds, times)

    def reset_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._delays.clear()
            self._rtt = self._initial_rtt

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
        handler = self.handlers().get(method.name)
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
