"""Local Deepgram (live STT) and Cartesia (TTS) servers for the real plugins.

Each records what the plugin sent (query parameters, JSON messages, bytes of audio) so tests can
assert the model, the language, the voice and the sample rate a call would really use.

- Deepgram: ``GET /v1/listen`` upgraded to a websocket; binary frames are audio; after
  ``audio_bytes_per_transcript`` bytes the next scripted transcript is sent as a final
  ``Results`` message. ``Finalize``/``CloseStream``/``KeepAlive`` text messages are honoured.
- Cartesia: ``GET /tts/websocket`` (one JSON request per text piece, answered with base64 PCM
  ``chunk`` messages and ``done`` once ``continue`` is false) and ``POST /tts/bytes`` (raw PCM).
  The audio is silence whose length follows the text (like speech would).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from voiceworker.testing.server import ThreadedServer

MS_OF_AUDIO_PER_CHARACTER = 60


def silence(sample_rate: int, seconds: float) -> bytes:
    return b"\x00\x00" * int(sample_rate * seconds)


@dataclass
class DeepgramSession:
    query: dict[str, str]
    auth: str
    audio_bytes: int = 0
    control: list[str] = field(default_factory=list)


class DeepgramServer(ThreadedServer):
    def __init__(
        self, transcripts: list[str] | None = None, *, audio_bytes_per_transcript: int = 3200
    ) -> None:
        super().__init__()
        self.transcripts = list(transcripts or [])
        self.audio_bytes_per_transcript = audio_bytes_per_transcript
        self.sessions: list[DeepgramSession] = []
        self.app.router.add_get("/v1/listen", self._listen)

    @property
    def base_url(self) -> str:
        return f"{self.http_url}/v1/listen"

    async def _listen(self, request: web.Request) -> web.StreamResponse:
        session = DeepgramSession(query=dict(request.query), auth=request.headers.get("Authorization", ""))
        self.sessions.append(session)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        pending = 0
        async for message in ws:
            if message.type == WSMsgType.BINARY:
                session.audio_bytes += len(message.data)
                pending += len(message.data)
                if pending >= self.audio_bytes_per_transcript and self.transcripts:
                    pending = 0
                    await ws.send_str(json.dumps(self._results(self.transcripts.pop(0), session)))
            elif message.type == WSMsgType.TEXT:
                kind = json.loads(message.data).get("type", "")
                session.control.append(kind)
                if kind == "CloseStream":
                    break
        await ws.close()
        return ws

    @staticmethod
    def _results(text: str, session: DeepgramSession) -> dict[str, Any]:
        words = [
            {
                "word": w.lower(),
                "punctuated_word": w,
                "start": i * 0.3,
                "end": i * 0.3 + 0.25,
                "confidence": 0.98,
            }
            for i, w in enumerate(text.split())
        ]
        return {
            "type": "Results",
            "channel_index": [0, 1],
            "duration": len(words) * 0.3,
            "start": 0.0,
            "is_final": True,
            "speech_final": True,
            "channel": {"alternatives": [{"transcript": text, "confidence": 0.98, "words": words}]},
            "metadata": {"request_id": "local", "model_info": {"name": session.query.get("model", "")}},
        }


@dataclass
class CartesiaRequest:
    transport: str  # "websocket" or "bytes"
    query: dict[str, str]
    api_key: str
    body: dict[str, Any]


class CartesiaServer(ThreadedServer):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[CartesiaRequest] = []
        self.app.router.add_get("/tts/websocket", self._websocket)
        self.app.router.add_post("/tts/bytes", self._bytes)

    @property
    def base_url(self) -> str:
        return self.http_url

    def _audio(self, body: dict[str, Any]) -> bytes:
        rate = int(body.get("output_format", {}).get("sample_rate", 24000))
        return silence(rate, len(body.get("transcript", "").strip()) * MS_OF_AUDIO_PER_CHARACTER / 1000)

    async def _bytes(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(
            CartesiaRequest("bytes", dict(request.query), request.headers.get("X-API-Key", ""), body)
        )
        return web.Response(body=self._audio(body), content_type="application/octet-stream")

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            body = json.loads(message.data)
            self.requests.append(
                CartesiaRequest("websocket", dict(request.query), request.headers.get("X-API-Key", ""), body)
            )
            context_id = body.get("context_id")
            if audio := self._audio(body):
                chunk = {"type": "chunk", "data": base64.b64encode(audio).decode(), "context_id": context_id}
                await ws.send_str(json.dumps({**chunk, "done": False}))
            if not body.get("continue", False):
                await ws.send_str(json.dumps({"type": "done", "done": True, "context_id": context_id}))
        return ws
