from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

import pytest
from livekit.agents import AgentSession, JobContext
from livekit.agents.testing import fake_job_context

from agents_app.models import VoiceAgent
from agents_app.services import voice_agent_create_from_template
from calls.models import Call, Encuesta
from tests.factories import CallFactory, EncuestaFactory
from tests.voiceworker.scripted_llm import ScriptedLLM, Turn
from voiceworker import persistence, pipeline, worker
from voiceworker.call import SurveyCall
from voiceworker.metadata import JobMetadata
from voiceworker.testing.openai_server import OpenAICompatibleServer

PROVIDER_KEYS = {
    "LIVEKIT_URL": "wss://livekit.example.test",
    "LIVEKIT_API_KEY": "APItestkey",
    "LIVEKIT_API_SECRET": "s" * 40,
    "DEEPGRAM_API_KEY": "dg-test",
    "CARTESIA_API_KEY": "ca-test",
    "GROQ_API_KEY": "gsk-test",
    "OPENAI_API_KEY": "",
    "LLM_BASE_URL": "https://api.groq.com/openai/v1",
    "VOICE_USE_LIVEKIT_INFERENCE": False,
    # a placeholder in Cartesia's id format: the local Cartesia server accepts any voice
    "VOICE_DEFAULT_VOICE_IDS": {"es": "0e5e5e5e-0000-4000-8000-00000000e5e5"},
}


@pytest.fixture
def provider_settings(settings):
    for name, value in PROVIDER_KEYS.items():
        setattr(settings, name, value)
    return settings


@pytest.fixture(autouse=True)
def _no_hangup_grace(settings):
    # the production grace lets the last words cross the network; tests have no network
    settings.VOICE_HANGUP_GRACE_SECONDS = 0


@dataclass
class Survey:
    agent: VoiceAgent
    encuesta: Encuesta
    call: Call

    @property
    def metadata(self) -> JobMetadata:
        return JobMetadata(
            encuesta_id=self.encuesta.pk,
            voice_agent_id=self.agent.pk,
            call_id=self.call.pk,
            nombre_cliente="Ana",
        )


@pytest.fixture
def survey() -> Survey:
    """The 'calidad' questionnaire, answered on a call that is in progress."""
    agent = voice_agent_create_from_template(template_key="calidad")
    encuesta = EncuestaFactory(voice_agent=agent, status=Encuesta.Status.IN_PROGRESS)
    call = CallFactory(encuesta=encuesta, status=Call.Status.IN_PROGRESS)
    return Survey(agent=agent, encuesta=encuesta, call=call)


def text_session(llm: Any) -> AgentSession:
    """The production session minus audio: no STT/TTS/VAD, text in and out."""
    return AgentSession(llm=llm, vad=None, turn_handling={"turn_detection": None})


@dataclass
class RunningCall:
    """A job started through the real entrypoint, with a scripted LLM and a fake job context."""

    job_ctx: JobContext
    session: AgentSession
    llm: Any  # the ScriptedLLM, or None when the real plugin runs
    delete_room: mock.Mock
    shutdown: mock.Mock

    @property
    def call(self) -> SurveyCall:
        return self.session.current_agent.call  # type: ignore[attr-defined]


async def db(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Read the database from async test code, the way the worker does."""
    return await persistence.run_db(fn, *args, **kwargs)


async def settle(running: RunningCall) -> None:
    """Wait until nothing is being said and the call's own follow-ups (next question, hang-up) ran."""
    for _ in range(200):
        await asyncio.sleep(0)
        if (speech := running.session.current_speech) is not None:
            await speech
            continue
        if running.call._tasks:
            await running.call.wait_finished()
            continue
        # a done-callback may still be about to schedule speech: give it a few loop turns
        await asyncio.sleep(0.01)
        if running.session.current_speech is None and not running.call._tasks:
            return


async def fetch_encuesta(pk: int) -> Encuesta:
    return await db(Encuesta.objects.get, pk=pk)


async def fetch_call(pk: int) -> Call:
    return await db(Call.objects.get, pk=pk)


@pytest.fixture
def llm_server(provider_settings) -> Iterator[OpenAICompatibleServer]:
    """The local OpenAI-compatible server, with the LLM settings pointing the real plugin at it."""
    with OpenAICompatibleServer() as server:
        provider_settings.LLM_BASE_URL = server.base_url
        provider_settings.OPENAI_API_KEY = "sk-local-test"
        yield server


@pytest.fixture
def start_call(monkeypatch):
    """Run the worker's entrypoint for some metadata against a scripted LLM."""

    @asynccontextmanager
    async def start(metadata: str, turns: list[Turn] | None = None) -> AsyncIterator[RunningCall]:
        # without a script: the production LLM plugin, wherever LLM_BASE_URL points
        llm: Any = ScriptedLLM(turns) if turns is not None else None
        monkeypatch.setattr(
            pipeline,
            "build_session",
            lambda spec, vad_model=None: text_session(llm if llm is not None else pipeline.build_llm(spec)),
        )
        with fake_job_context(job_metadata=metadata) as job_ctx:
            # a fake job only logs delete_room(); the spies record what the agent asked for
            delete_room = mock.Mock(wraps=job_ctx.delete_room)
            shutdown = mock.Mock(wraps=job_ctx.shutdown)
            monkeypatch.setattr(job_ctx, "delete_room", delete_room)
            monkeypatch.setattr(job_ctx, "shutdown", shutdown)
            await worker.entrypoint(job_ctx)
            if (greeting := job_ctx.primary_session.current_speech) is not None:
                await greeting
            running = RunningCall(
                job_ctx=job_ctx,
                session=job_ctx.primary_session,
                llm=llm,
                delete_room=delete_room,
                shutdown=shutdown,
            )
            try:
                yield running
            finally:
                await running.session.aclose()
                await running.call.wait_finished()

    return start
