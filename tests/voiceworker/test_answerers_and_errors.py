"""Who answers (a mailbox, a person) and an LLM that cannot go on: the agent's session on each."""

from __future__ import annotations

import asyncio

import pytest

from calls.models import Call, DoNotCallEntry, Encuesta
from tests.voiceworker.conftest import Survey, settle
from tests.voiceworker.scripted_llm import call
from tests.voiceworker.test_agent_session import GREETING, TOKENS_PER_LLM_CALL, answer, assistant_said

pytestmark = pytest.mark.django_db(transaction=True)


def test_voicemail_leaves_the_configured_message_and_the_survey_retryable(survey: Survey, start_call):
    survey.agent.voicemail_message = "Le llamábamos para una encuesta. Volveremos a llamar."
    survey.agent.save()

    async def scenario() -> None:
        async with start_call(survey.metadata.to_json(), [call("buzon_de_voz")]) as running:
            await answer(running, "Deje su mensaje después de la señal.")
            assert assistant_said(running)[-1] == "Le llamábamos para una encuesta. Volveremos a llamar."
            running.delete_room.assert_called_once_with()

    asyncio.run(scenario())

    assert Call.objects.get(pk=survey.call.pk).status == Call.Status.VOICEMAIL
    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    assert encuesta.status == Encuesta.Status.FAILED
    assert encuesta.tokens_used == TOKENS_PER_LLM_CALL
    assert not DoNotCallEntry.objects.filter(phone=encuesta.telefono).exists()


def test_a_mailbox_detected_before_the_greeting_gets_the_message_and_no_greeting(survey: Survey, start_call):
    from voiceworker import worker

    survey.agent.voicemail_message = "Le llamábamos para una encuesta."
    survey.agent.save()

    async def scenario() -> None:
        async with start_call(survey.metadata.to_json(), []) as running:
            running.session.history.items.clear()  # the fake job greeted on entry; a live call waits
            await worker.on_answerer(running.session.current_agent, "machine-vm")
            await settle(running)
            assert assistant_said(running) == ["Le llamábamos para una encuesta."]
            running.delete_room.assert_called_once_with()

    asyncio.run(scenario())

    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    assert encuesta.amd_category == "machine-vm"
    assert encuesta.status == Encuesta.Status.FAILED  # retryable by the campaign's policy
    assert Call.objects.get(pk=survey.call.pk).status == Call.Status.VOICEMAIL


def test_a_person_detected_by_amd_is_greeted(survey: Survey, start_call):
    from voiceworker import worker

    async def scenario() -> None:
        async with start_call(survey.metadata.to_json(), []) as running:
            await worker.on_answerer(running.session.current_agent, "human")
            await settle(running)
            assert assistant_said(running)[-1] == GREETING
            running.delete_room.assert_not_called()

    asyncio.run(scenario())
    assert Encuesta.objects.get(pk=survey.encuesta.pk).amd_category == "human"


def test_an_unrecoverable_llm_error_apologises_and_the_room_is_closed(survey: Survey, start_call):
    from livekit.agents import APIStatusError, ErrorEvent

    async def scenario() -> None:
        async with start_call(survey.metadata.to_json(), []) as running:
            error = APIStatusError("tool_use_failed", status_code=400, retryable=False)
            error_event = ErrorEvent(error=llm_error(error), source=running.session.llm)
            running.session.emit("error", error_event)
            await settle(running)
            assert assistant_said(running)[-1].startswith("Disculpe, estamos teniendo un problema técnico.")
            running.delete_room.assert_called_once()

    asyncio.run(scenario())
    assert Encuesta.objects.get(pk=survey.encuesta.pk).close_reason == "error"


def llm_error(error: Exception):
    from livekit.agents.llm import LLMError

    return LLMError(timestamp=0.0, label="test", error=error, recoverable=False)
