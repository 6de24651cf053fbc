"""A local OpenAI-compatible chat-completions server, with Groq's strictness, for the real plugin.

``POST /v1/chat/completions`` answers each request with the next scripted ``Reply``: streamed
as server-sent events (text deltas, tool-call deltas, a usage chunk, ``[DONE]``), after an
optional time-to-first-token delay, or as an HTTP error. Like Groq it validates generated tool
arguments against the JSON schema the client declared and answers 400 ``tool_use_failed`` when
they break it. Every request body is recorded for assertions.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from dataclasses import dataclass, field
from typing import Any

import jsonschema
from aiohttp import web

from voiceworker.testing.server import ThreadedServer


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    status: int = 200  # anything else is returned as an error (400, 503, ...)
    prompt_tokens: int = 10
    completion_tokens: int = 5


def say(text: str) -> Reply:
    return Reply(text=text)


def call(name: str, text: str = "", **arguments: Any) -> Reply:
    return Reply(text=text, tool_calls=(ToolCall(name, arguments),))


class OpenAICompatibleServer(ThreadedServer):
    def __init__(
        self, replies: list[Reply] | None = None, *, ttft: float = 0.0, strict_tools: bool = True
    ) -> None:
        super().__init__()
        self.replies: list[Reply] = list(replies or [])
        self.default_reply: Reply | None = None  # served when the script is exhausted (benchmarks)
        self.ttft = ttft
        self.strict_tools = strict_tools
        self.requests: list[dict[str, Any]] = []
        self.rejected: list[str] = []  # the validation errors behind each tool_use_failed
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.app.router.add_post("/v1/chat/completions", self._completions)

    @property
    def base_url(self) -> str:
        return f"{self.http_url}/v1"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self.replies.extend(replies)

    def _next(self) -> Reply:
        with self._lock:
            if self.replies:
                return self.replies.pop(0)
        if self.default_reply is not None:
            return self.default_reply
        return Reply(status=500, text="the local LLM server has no scripted reply left")

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        reply = self._next()
        if reply.status != 200:
            return _error(reply.status, reply.text or "scripted failure", "server_error")
        if self.strict_tools and (problem := _check_tool_arguments(body.get("tools") or [], reply)):
            self.rejected.append(problem)
            return _error(400, f"tool call validation failed: {problem}", "tool_use_failed")
        if self.ttft:
            await asyncio.sleep(self.ttft)
        return await self._stream(request, body, reply)

    async def _stream(self, request: web.Request, body: dict[str, Any], reply: Reply) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        chunk_id = f"chatcmpl-{next(self._ids)}"

        async def send(delta: dict[str, Any] | None, finish: str | None = None, **extra: Any) -> None:
            chunk: dict[str, Any] = {
                "id": chunk_id,
                "object": "chat.completion.chunk",
                "created": 0,
                "model": body.get("model", ""),
                "choices": [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}],
                **extra,
            }
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())

        await send({"role": "assistant", "content": ""})
        for word in _pieces(reply.text):
            await send({"content": word})
        for index, tool_call in enumerate(reply.tool_calls):
            # as OpenAI and Groq stream them: id and name first, then the arguments in pieces
            arguments = json.dumps(tool_call.arguments)
            head = {"index": index, "id": f"call_{chunk_id}_{index}", "type": "function"}
            await send({"tool_calls": [{**head, "function": {"name": tool_call.name, "arguments": ""}}]})
            for start in range(0, len(arguments), 8):
                piece = arguments[start : start + 8]
                await send({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
        await send({}, finish="tool_calls" if reply.tool_calls else "stop")
        usage = {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        }
        await send(None, usage=usage)
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response


def _pieces(text: str) -> list[str]:
    words = text.split(" ")
    return [w if i == len(words) - 1 else w + " " for i, w in enumerate(words)] if text else []


def _error(status: int, message: str, code: str) -> web.Response:
    payload = {"error": {"message": message, "type": "invalid_request_error", "code": code}}
    return web.json_response(payload, status=status)


def _check_tool_arguments(tools: list[dict[str, Any]], reply: Reply) -> str:
    """What Groq checks on its side: the generated arguments against the declared parameters."""
    schemas = {tool["function"]["name"]: tool["function"].get("parameters") or {} for tool in tools}
    for tool_call in reply.tool_calls:
        if tool_call.name not in schemas:
            return f"unknown tool {tool_call.name}"
        try:
            jsonschema.validate(tool_call.arguments, schemas[tool_call.name])
        except jsonschema.ValidationError as exc:
            return f"{tool_call.name}: {exc.message}"
    return ""
