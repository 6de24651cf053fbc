"""Many calls ringing at once from one process: asyncio dialing on one shared HTTP session.

A phone rings for up to the ringing timeout while LiveKit's CreateSIPParticipant waits for the answer.
Holding a worker thread per ringing phone caps concurrency at the thread count; here each ringing
call is a coroutine on one event loop thread (a few KB each), and only the short database work
after each outcome runs on a small thread pool.
"""

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp
from livekit import api

from telephony.backends import DialRequest, DialResult, LiveKitBackend, TelephonyBackend, translate_error

logger = logging.getLogger(__name__)

DialDone = Callable[[DialResult | None, BaseException | None], None]


class _SharedSessionBackend(LiveKitBackend):
    """The LiveKit backend speaking through one long-lived aiohttp session (no per-call TLS/TCP setup)."""

    def __init__(self, backend: LiveKitBackend, session: aiohttp.ClientSession) -> None:
        super().__init__(backend.url, backend.api_key, backend.api_secret, backend.timeout)
        self._session = session

    def _client(self) -> api.LiveKitAPI:
        # A client on a session it did not create leaves that session open when it closes.
        return api.LiveKitAPI(self.url, self.api_key, self.api_secret, session=self._session)


def _new_session() -> aiohttp.ClientSession:
    # aiohttp caps a session at 100 connections by default; every ringing call holds one.
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, limit_per_host=0))


async def _sleep_until(not_before: float) -> None:
    delay = not_before - time.time()
    if delay > 0:
        await asyncio.sleep(delay)


async def dial_many(
    backend: TelephonyBackend, requests: Sequence[tuple[DialRequest, float]]
) -> list[DialResult | BaseException]:
    """Dial every request at its start time (epoch seconds), concurrently; results (or our own
    telephony errors) in order."""
    session = _new_session() if isinstance(backend, LiveKitBackend) else None
    dialing = (
        _SharedSessionBackend(backend, session)
        if session and isinstance(backend, LiveKitBackend)
        else backend
    )

    async def one(request: DialRequest, not_before: float) -> DialResult:
        await _sleep_until(not_before)
        try:
            return await dialing.dial(request)
        except Exception as exc:
            raise translate_error(exc) from exc

    try:
        return await asyncio.gather(*(one(r, t) for r, t in requests), return_exceptions=True)
    finally:
        if session:
            await session.close()


class BackgroundDialer:
    """An event loop thread that dials; `submit` returns at once and `on_done` runs on a pool thread."""

    def __init__(self, finisher_threads: int = 4) -> None:
        self._finisher_threads = finisher_threads
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._sessions: dict[tuple[str, str, str], aiohttp.ClientSession] = {}
        self._in_flight = 0
        self._peak = 0
        self._idle = threading.Condition(self._lock)

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def peak(self) -> int:
        return self._peak

    def _start(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="campaign-dialer", daemon=True)
                thread.start()
                self._executor = ThreadPoolExecutor(self._finisher_threads, thread_name_prefix="dial-outcome")
                self._loop = loop
            return self._loop

    def submit(
        self, backend: TelephonyBackend, request: DialRequest, not_before: float, on_done: DialDone
    ) -> None:
        loop = self._start()
        with self._lock:
            self._in_flight += 1
            self._peak = max(self._peak, self._in_flight)
        asyncio.run_coroutine_threadsafe(self._dial(backend, request, not_before, on_done), loop)

    def _backend_on_loop(self, backend: TelephonyBackend) -> TelephonyBackend:
        if not isinstance(backend, LiveKitBackend):
            return backend
        key = (backend.url, backend.api_key, backend.api_secret)
        session = self._sessions.get(key)
        if session is None or session.closed:
            session = self._sessions[key] = _new_session()
        return _SharedSessionBackend(backend, session)

    async def _dial(
        self, backend: TelephonyBackend, request: DialRequest, not_before: float, on_done: DialDone
    ) -> None:
        result: DialResult | None = None
        error: BaseException | None = None
        try:
            await _sleep_until(not_before)
            result = await self._backend_on_loop(backend).dial(request)
        except Exception as exc:
            error = translate_error(exc)
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, on_done, result, error)
        except Exception:
            logger.exception("Recording the outcome of room %s failed", request.room_name)
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Block until no dial is in flight (tests, benchmarks and worker shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Let dials in flight finish (up to `timeout`), then close the shared HTTP sessions."""
        loop = self._loop
        if loop is None:
            return
        self.wait_idle(timeout)
        sessions = list(self._sessions.values())
        self._sessions.clear()

        async def close_all() -> None:
            for session in sessions:
                await session.close()

        asyncio.run_coroutine_threadsafe(close_all(), loop).result(timeout)

    def reset_peak(self) -> None:
        with self._lock:
            self._peak = self._in_flight


_dialer: BackgroundDialer | None = None
_dialer_lock = threading.Lock()


def get_dialer(**options: Any) -> BackgroundDialer:
    """The process-wide dialer, started on first use (in a Celery worker, inside that worker)."""
    global _dialer
    with _dialer_lock:
        if _dialer is None:
            _dialer = BackgroundDialer(**options)
        return _dialer
