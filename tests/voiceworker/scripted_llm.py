"""A deterministic LLM for offline agent tests: it replays a script instead of calling a model.

Each call to ``chat()`` consumes one ``Turn``. A turn that calls tools makes the session run them
and, when a tool returns something, call the LLM again with the tool output: the script needs a
further turn for that reply. A tool that returns ``None`` asks for no reply.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from livekit.agents import APIConnectOptions, llm
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    prompt_tokens: int = 10
    completion_tokens: int = 5


def say(text: str) -> Turn:
    return Turn(text=text)


def call(name: str, text: str = "", **arguments: Any) -> Turn:
    return Turn(text=text, tool_calls=(ToolCall(name, arguments),))


class ScriptExhaustedError(AssertionError):
    pass


class ScriptedLLM(llm.LLM):
    def __init__(self, turns: list[Turn]) -> None:
        super().__init__()
        self._turns = list(turns)
        self._ids = itertools.count(1)
        # What the session sent on each call, so tests can check what the model was told.
        self.requests: list[llm.ChatContext] = []

    @property
    def model(self) -> str:
        return "scripted"

    @property
    def provider(self) -> str:
        return "tests"

    @property
    def remaining(self) -> int:
        return len(self._turns)

    def chat(
        self,
        *,
        chat_ctx: llm.ChatContext,
        tools: list[llm.Tool] | None = None,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        parallel_tool_calls: NotGivenOr[bool] = NOT_GIVEN,
        tool_choice: NotGivenOr[llm.ToolChoice] = NOT_GIVEN,
        extra_kwargs: NotGivenOr[dict[str, Any]] = NOT_GIVEN,
    ) -> llm.LLMStream:
        self.requests.append(chat_ctx.copy())
        if not self._turns:
            raise ScriptExhaustedError("the scripted LLM was called more times than scripted")
        turn = self._turns.pop(0)
        return _ScriptedStream(
            self,
            turn=turn,
            request_id=f"req_{next(self._ids)}",
            chat_ctx=chat_ctx,
            tools=tools or [],
            conn_options=conn_options,
        )


class _ScriptedStream(llm.LLMStream):
    def __init__(self, owner: ScriptedLLM, *, turn: Turn, request_id: str, **kwargs: Any) -> None:
        super().__init__(owner, **kwargs)
        self._turn = turn
        self._request_id = request_id

    async def _run(self) -> None:
        turn = self._turn
        if turn.text:
            self._event_ch.send_nowait(
                llm.ChatChunk(
                    id=self._request_id,
                    delta=llm.ChoiceDelta(role="assistant", content=turn.text),
                )
            )
        if turn.tool_calls:
            calls = [
                llm.FunctionToolCall(
                    name=tc.name,
                    arguments=json.dumps(tc.arguments),
                    call_id=f"{self._request_id}_call_{i}",
                )
                for i, tc in enumerate(turn.tool_calls)
            ]
            self._event_ch.send_nowait(
                llm.ChatChunk(
                    id=self._request_id,
                    delta=llm.ChoiceDelta(role="assistant", tool_calls=calls),
                )
            )
        self._event_ch.send_nowait(
            llm.ChatChunk(
                id=self._request_id,
                usage=llm.CompletionUsage(
                    prompt_tokens=turn.prompt_tokens,
                    completion_tokens=turn.completion_tokens,
                    total_tokens=turn.prompt_tokens + turn.completion_tokens,
                ),
            )
        )
