"""The agent cannot go on: it apologises when it still can speak, hangs up, and closes the survey."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from livekit.agents import AgentSession
from livekit.agents.testing import fake_job_context

from calls.models import Call, Encuesta
from tests.voiceworker.conftest import Survey, settle, text_session
from tests.voiceworker.scripted_llm import ScriptedLLM
from tests.voiceworker.test_worker import participant
from voiceworker import pipeline, worker
from voiceworker.testing.openai_server import OpenAICompatibleServer, Reply

pytestmark = pytest.mark.django_db(transaction=True)

APOLOGY = "Disculpe, estamos teniendo un problema técnico. Le llamaremos más tarde. ¡Adiós!"
GREETING_START = "Hola Ana."


def said(session: AgentSession) -> list[str]:
    return [
        item.text_content or ""
        for item in session.history.items
        if item.type == "message" and item.role == "assistant"
    ]


def test_an_unrecoverable_llm_error_apologises_then_hangs_up_and_closes_the_survey(
    survey: Survey, start_call, llm_server: OpenAICompatibleServer
):
    """A 400 the provider will answer again on every retry: the session would only close (cutting
    any speech) after several of them, leaving the callee told "¡Adiós!" on an open line."""
    llm_server.script(Reply(status=400, text="model_decommissioned"))

    async def scenario() -> list[str]:
        async with start_call(survey.metadata.to_json()) as running:
            await running.session.run(user_input="Sí, dígame")
            await settle(running)
            running.delete_room.assert_called_once()
            running.shutdown.assert_called_once()
            return said(running.session)

    spoken = asyncio.run(scenario())
    assert spoken[0].startswith(GREETING_START)
    assert spoken[-1] == APOLOGY
    assert len(llm_server.requests) == 1  # a 400 is not retried
    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    assert encuesta.status == Encuesta.Status.INCOMPLETE
    assert encuesta.close_reason == "error"
    assert encuesta.transcription.splitlines()[-1] == f"Agente: {APOLOGY}"
    assert Call.objects.get(pk=survey.call.pk).status == Call.Status.COMPLETED


class TestLiveCallCrash:
    """The live branch of the entrypoint, the room replaced, the session real (text only)."""

    def run_live(self, survey: Survey, monkeypatch, *, crash: Exception) -> dict[str, Any]:
        seen: dict[str, Any] = {"deleted": [], "shutdown": []}
        real_start = AgentSession.start

        async def start_then_crash(self: AgentSession, agent: Any, **room_kwargs: Any) -> None:
            # the session goes live (the greeting is said), then the room side fails
            await real_start(self, agent)
            if (speech := self.current_speech) is not None:
                await speech
            raise crash

        async def answered(room: object, timeout: float) -> Any:
            return participant("active", identity="sip_7")

        monkeypatch.setattr(worker, "wait_until_answered", answered)
        monkeypatch.setattr(AgentSession, "start", start_then_crash)
        monkeypatch.setattr(
            pipeline, "build_session", lambda spec, vad_model=None: text_session(ScriptedLLM([]))
        )

        async def scenario() -> None:
            with fake_job_context(job_metadata=survey.metadata.to_json()) as ctx:

                async def connect() -> None:
                    return None

                async def delete_room(room_name: str = "") -> None:
                    seen["deleted"].append(True)

                monkeypatch.setattr(ctx, "is_fake_job", lambda: False)
                monkeypatch.setattr(ctx, "connect", connect)
                monkeypatch.setattr(ctx, "delete_room", delete_room)
                monkeypatch.setattr(ctx, "shutdown", lambda reason="": seen["shutdown"].append(reason))
                await worker.entrypoint(ctx)
                # what the entrypoint itself did, before the test closes what is left
                seen["on_return"] = {"deleted": list(seen["deleted"]), "shutdown": list(seen["shutdown"])}
                session = ctx.primary_session
                seen["said"] = said(session)
                call = session.current_agent.call  # type: ignore[attr-defined]
                await session.aclose()
                await call.wait_finished()

        asyncio.run(scenario())
        return seen

    def test_a_crash_after_the_session_went_live_apologises_then_hangs_up(
        self, survey: Survey, monkeypatch, settings
    ):
        settings.VOICE_AMD_ENABLED = False
        seen = self.run_live(survey, monkeypatch, crash=RuntimeError("room input failed"))
        assert seen["said"][0].startswith(GREETING_START)
        assert seen["said"][-1] == APOLOGY
        assert seen["on_return"] == {"deleted": [True], "shutdown": ["crash"]}
        encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
        assert encuesta.status == Encuesta.Status.INCOMPLETE
        assert encuesta.close_reason == "crash"
        assert encuesta.transcription.splitlines()[-1] == f"Agente: {APOLOGY}"
