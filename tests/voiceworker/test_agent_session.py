"""Whole calls through the real entrypoint and agent, with a scripted LLM and the real database."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError
from django.utils import timezone
from livekit.agents.voice.run_result import RunResult

from calls.models import Call, DoNotCallEntry, Encuesta
from tests.voiceworker.conftest import RunningCall, Survey, db, fetch_encuesta, settle
from tests.voiceworker.scripted_llm import ToolCall, Turn, call, say
from voiceworker import persistence
from voiceworker.prompts import WEEKDAYS

pytestmark = pytest.mark.django_db(transaction=True)

GREETING = (
    "Hola Ana. Soy un asistente automático del servicio de atención al cliente y le llamo para una "
    "breve encuesta de calidad sobre su instalación. ¿Tiene un minuto?"
)
ASK_COMERCIAL = "Del 0 al 10, ¿cómo valora la atención del comercial?"
ASK_INSTALADOR = "Del 0 al 10, ¿cómo valora el trabajo del instalador?"
ASK_RAPIDEZ = "Del 0 al 10, ¿cómo valora la rapidez del servicio?"
ASK_COMENTARIOS = "¿Quiere añadir algún comentario o sugerencia?"
GOODBYE = "Muchas gracias por su tiempo Ana. ¡Que tenga un buen día!"
TOKENS_PER_LLM_CALL = 15  # the scripted LLM reports 10 prompt + 5 completion tokens per call


def transcript_lines(encuesta: Encuesta) -> list[str]:
    return encuesta.transcription.splitlines()


async def answer(running: RunningCall, text: str) -> RunResult:
    result: RunResult = await running.session.run(user_input=text)
    await settle(running)
    return result


def assistant_said(running: RunningCall) -> list[str]:
    return [
        item.text_content or ""
        for item in running.session.history.items
        if item.type == "message" and item.role == "assistant"
    ]


def test_full_survey_costs_one_llm_request_per_answer_and_reads_questions_verbatim(
    survey: Survey, start_call
):
    script = [
        say(ASK_COMERCIAL),
        call("guardar_encuesta", comercial=8),
        call("guardar_encuesta", instalador=9),
        call("guardar_encuesta", rapidez=10),
        call("guardar_encuesta", comentarios="El técnico fue muy amable"),
    ]

    async def scenario() -> int:
        async with start_call(survey.metadata.to_json(), script) as running:
            await answer(running, "Sí, dígame")
            await answer(running, "Un ocho")
            assert assistant_said(running)[-1] == ASK_INSTALADOR
            row = await fetch_encuesta(survey.encuesta.pk)
            assert row.respuestas == {"comercial": 8}
            assert row.status == Encuesta.Status.IN_PROGRESS

            await answer(running, "Nueve")
            assert assistant_said(running)[-1] == ASK_RAPIDEZ
            await answer(running, "Diez")
            assert assistant_said(running)[-1] == ASK_COMENTARIOS
            await answer(running, "Que el técnico fue muy amable")
            # the last answer ends the call with the configured goodbye, no LLM request needed
            assert assistant_said(running)[-1] == GOODBYE
            running.delete_room.assert_called_once_with()
            running.shutdown.assert_called_once_with(reason="survey finished")
            assert running.llm.remaining == 0
            return len(running.llm.requests)

    llm_calls = asyncio.run(scenario())

    assert llm_calls == 5  # one per customer turn; before, every answer cost two
    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    assert encuesta.status == Encuesta.Status.COMPLETED
    assert encuesta.respuestas == {
        "comercial": 8,
        "instalador": 9,
        "rapidez": 10,
        "comentarios": "El técnico fue muy amable",
    }
    assert encuesta.tokens_used == TOKENS_PER_LLM_CALL * llm_calls
    assert encuesta.close_reason == "survey finished"
    assert transcript_lines(encuesta) == [
        f"Agente: {GREETING}",
        "Cliente: Sí, dígame",
        f"Agente: {ASK_COMERCIAL}",
        "Cliente: Un ocho",
        f"Agente: {ASK_INSTALADOR}",
        "Cliente: Nueve",
        f"Agente: {ASK_RAPIDEZ}",
        "Cliente: Diez",
        f"Agente: {ASK_COMENTARIOS}",
        "Cliente: Que el técnico fue muy amable",
        f"Agente: {GOODBYE}",
    ]
    call_row = Call.objects.get(pk=survey.call.pk)
    assert call_row.status == Call.Status.COMPLETED
    assert call_row.ended_at is not None


def test_a_finish_without_text_still_says_the_configured_goodbye_before_hanging_up(
    survey: Survey, start_call
):
    said_before_hangup: list[str] = []

    async def scenario() -> None:
        # Llama on Groq often calls the tool with no text at all
        async with start_call(survey.metadata.to_json(), [call("finalizar_llamada")]) as running:

            def record_history() -> asyncio.Future[None]:
                said_before_hangup.extend(assistant_said(running))
                deleted = asyncio.get_running_loop().create_future()
                deleted.set_result(None)
                return deleted

            running.delete_room.side_effect = record_history
            await answer(running, "Ahora no puedo, lo siento")
            running.delete_room.assert_called_once_with()

    asyncio.run(scenario())

    assert said_before_hangup[-1] == GOODBYE
    assert Encuesta.objects.get(pk=survey.encuesta.pk).status == Encuesta.Status.INCOMPLETE


def test_save_and_finish_in_one_response_makes_no_further_request_and_counts_every_token(
    survey: Survey, start_call
):
    script = [
        Turn(tool_calls=(ToolCall("guardar_encuesta", {"comercial": 6}), ToolCall("finalizar_llamada")))
    ]

    async def scenario() -> None:
        async with start_call(survey.metadata.to_json(), script) as running:
            await answer(running, "Un seis y ya está, tengo prisa")
            # no ScriptExhaustedError: the tools asked for no reply
            assert len(running.llm.requests) == 1
            said = assistant_said(running)
            assert said[-1] == GOODBYE
            assert ASK_INSTALADOR not in said  # the call was ending: no next question

    asyncio.run(scenario())

    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    assert encuesta.respuestas == {"comercial": 6}
    assert encuesta.status == Encuesta.Status.INCOMPLETE
    assert encuesta.tokens_used == TOKENS_PER_LLM_CALL


def test_invalid_score_returns_the_error_to_the_llm_and_writes_nothing(survey: Survey, start_call):
    async def scenario() -> None:
        script = [
            call("guardar_encuesta", comercial=11),
            say("Perdone, necesito una nota del 0 al 10. ¿Qué nota le pone al comercial?"),
            call("guardar_encuesta", comercial=8, instalador=-1),
            say("La nota del instalador debe ser del 0 al 10."),
        ]
        async with start_call(survey.metadata.to_json(), script) as running:
            result = await answer(running, "Le pongo un once")
            result.expect.next_event().is_function_call(name="guardar_encuesta", arguments={"comercial": 11})
            output = result.expect.next_event().is_function_call_output().event().item.output
            assert output.startswith("Error: no se ha guardado nada.")
            assert "comercial" in output and "del 0 al 10" in output and "11" in output
            # the model saw the error when it wrote its reply
            outputs = [item for item in running.llm.requests[-1].items if item.type == "function_call_output"]
            assert outputs[-1].output == output
            row = await fetch_encuesta(survey.encuesta.pk)
            assert row.respuestas == {}

            # one bad value in a batch writes none of the batch
            result = await answer(running, "Un ocho al comercial y al instalador nada")
            output = result.expect[1].is_function_call_output().event().item.output
            assert "instalador" in output
            row = await fetch_encuesta(survey.encuesta.pk)
            assert row.respuestas == {}
            running.delete_room.assert_not_called()

    asyncio.run(scenario())


def test_only_an_explicit_no_me_llamen_mas_opts_out(survey: Survey, start_call):
    async def scenario() -> None:
        async with start_call(survey.metadata.to_json(), [call("rechazar_encuesta")]) as running:
            await answer(running, "No me llamen más")
            running.delete_room.assert_called_once_with()
            running.shutdown.assert_called_once_with(reason="customer opted out")

    asyncio.run(scenario())

    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    assert encuesta.status == Encuesta.Status.REJECTED_OPT_OUT
    assert transcript_lines(encuesta)[-1].startswith("Agente: Entendido, no le volveremos a llamar.")
    assert DoNotCallEntry.objects.get(phone=encuesta.telefono).encuesta_id == encuesta.pk
    assert Call.objects.get(pk=survey.call.pk).status == Call.Status.COMPLETED


def test_llameme_mas_tarde_stores_the_time_in_the_campaign_zone_and_keeps_the_number(
    survey: Survey, start_call, settings
):
    settings.TIME_ZONE = "Europe/Madrid"
    madrid = ZoneInfo("Europe/Madrid")
    day = (timezone.now().astimezone(madrid) + timedelta(days=10)).date()
    script = [call("programar_rellamada", fecha=day.isoformat(), hora="17:30")]

    async def scenario() -> None:
        async with start_call(survey.metadata.to_json(), script) as running:
            await answer(running, "Ahora no puedo, llámeme dentro de diez días a las cinco y media")
            expected = f"le llamaremos el {WEEKDAYS[day.weekday()]} {day.day} a las 17:30"
            assert expected in assistant_said(running)[-1]
            running.delete_room.assert_called_once_with()

    asyncio.run(scenario())

    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    assert encuesta.callback_at == datetime.combine(day, time(17, 30), tzinfo=madrid)
    assert encuesta.flags["callback_requested"] is True
    assert encuesta.status == Encuesta.Status.INCOMPLETE
    assert not DoNotCallEntry.objects.filter(phone=encuesta.telefono).exists()


def test_a_callback_time_that_makes_no_sense_goes_back_to_the_model(survey: Survey, start_call):
    script = [
        call("programar_rellamada", fecha="2001-01-01", hora="10:00"),
        say("Esa fecha ya ha pasado. ¿Cuándo le viene bien?"),
    ]

    async def scenario() -> None:
        async with start_call(survey.metadata.to_json(), script) as running:
            result = await answer(running, "Llámeme el uno de enero de 2001")
            output = result.expect[1].is_function_call_output().event().item.output
            assert output.startswith("Error: Esa hora ya ha pasado")
            running.delete_room.assert_not_called()

    asyncio.run(scenario())
    assert Encuesta.objects.get(pk=survey.encuesta.pk).callback_at is None


def test_dropped_call_keeps_answers_and_transcript_and_ends_incomplete(survey: Survey, start_call):
    async def scenario() -> None:
        async with start_call(survey.metadata.to_json(), [call("guardar_encuesta", comercial=7)]) as running:
            await answer(running, "Un siete")
            # the customer hangs up: RoomIO closes the session, which closes the survey
            await running.session.aclose()
            await running.call.wait_finished()
            running.shutdown.assert_called_once()

    asyncio.run(scenario())

    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    assert encuesta.status == Encuesta.Status.INCOMPLETE
    assert encuesta.respuestas == {"comercial": 7}
    assert transcript_lines(encuesta) == [
        f"Agente: {GREETING}",
        "Cliente: Un siete",
        f"Agente: {ASK_INSTALADOR}",
    ]
    assert encuesta.close_reason == "user_initiated"
    assert Call.objects.get(pk=survey.call.pk).status == Call.Status.COMPLETED


def test_a_redial_continues_where_the_last_call_stopped(survey: Survey, start_call):
    Encuesta.objects.filter(pk=survey.encuesta.pk).update(respuestas={"comercial": 8, "instalador": 9})

    async def scenario() -> None:
        async with start_call(survey.metadata.to_json(), [call("guardar_encuesta", rapidez=7)]) as running:
            assert "ya respondida: 8" in running.session.current_agent.instructions
            await answer(running, "Un siete a la rapidez")
            assert assistant_said(running)[-1] == ASK_COMENTARIOS

    asyncio.run(scenario())
    assert Encuesta.objects.get(pk=survey.encuesta.pk).respuestas == {
        "comercial": 8,
        "instalador": 9,
        "rapidez": 7,
    }


def test_a_silent_line_is_asked_twice_then_closed_as_incomplete(survey: Survey, start_call):
    from livekit.agents import UserStateChangedEvent

    async def scenario() -> None:
        async with start_call(survey.metadata.to_json(), []) as running:
            for _ in range(3):
                running.session.emit(
                    "user_state_changed", UserStateChangedEvent(old_state="listening", new_state="away")
                )
                await settle(running)
            said = assistant_said(running)
            assert said.count("¿Sigue ahí?") == 2
            assert said[-1] == GOODBYE
            running.delete_room.assert_called_once_with()

    asyncio.run(scenario())

    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    assert encuesta.status == Encuesta.Status.INCOMPLETE
    assert encuesta.close_reason == "no response"


def test_the_call_says_goodbye_before_the_sip_maximum_duration(survey: Survey, start_call, settings):
    from datetime import timedelta

    settings.CALL_MAX_DURATION = timedelta(seconds=1)
    settings.VOICE_END_MARGIN_SECONDS = 0.9

    async def scenario() -> None:
        async with start_call(survey.metadata.to_json(), []) as running:
            while not running.delete_room.called:
                await asyncio.sleep(0.05)
            await settle(running)
            assert assistant_said(running)[-1].startswith("Tenemos que terminar aquí.")

    asyncio.run(scenario())
    assert Encuesta.objects.get(pk=survey.encuesta.pk).close_reason == "time limit"


def test_job_shutdown_closes_the_survey_even_without_a_close_event(survey: Survey, start_call):
    async def scenario() -> None:
        async with start_call(survey.metadata.to_json(), []) as running:
            await running.call.on_job_shutdown("room disconnected")
            await running.call.on_job_shutdown("room disconnected")
            row = await fetch_encuesta(survey.encuesta.pk)
            assert row.status == Encuesta.Status.INCOMPLETE
            assert row.transcription == f"Agente: {GREETING}\n"

    asyncio.run(scenario())


def test_a_closed_survey_is_never_reopened(survey: Survey, start_call):
    async def scenario() -> None:
        async with start_call(survey.metadata.to_json(), []):
            await db(
                persistence.save_answers, survey.encuesta.pk, {"comercial": 5, "instalador": 5, "rapidez": 5}
            )
            await db(Encuesta.objects.filter(pk=survey.encuesta.pk).update, status="completed")

    asyncio.run(scenario())
    assert Encuesta.objects.get(pk=survey.encuesta.pk).status == Encuesta.Status.COMPLETED


def test_tools_offered_to_the_model(survey: Survey, start_call):
    async def scenario() -> None:
        async with start_call(survey.metadata.to_json(), []) as running:
            tools = {tool.id: tool for tool in running.session.current_agent.tools}
            assert set(tools) == {
                "guardar_encuesta",
                "finalizar_llamada",
                "rechazar_encuesta",
                "programar_rellamada",
                "buzon_de_voz",
            }
            schema = json.loads(json.dumps(tools["guardar_encuesta"].info.raw_schema))
            assert schema["parameters"]["properties"]["comercial"]["type"] == [
                "integer",
                "number",
                "string",
                "null",
            ]

    asyncio.run(scenario())


def test_an_opt_out_that_failed_to_save_is_written_when_the_call_closes(survey: Survey, start_call, caplog):
    real = persistence.opt_out_now
    attempts: list[int] = []

    def flaky(encuesta_id: int) -> None:
        attempts.append(encuesta_id)
        raise DatabaseError("server has gone away")

    async def scenario() -> None:
        with mock.patch.object(persistence, "opt_out_now", flaky):
            async with start_call(survey.metadata.to_json(), [call("rechazar_encuesta")]) as running:
                await answer(running, "No me llamen más")
                running.delete_room.assert_called_once_with()

    asyncio.run(scenario())

    assert attempts == [survey.encuesta.pk] and real is not flaky
    assert "could not record the opt-out" in caplog.text
    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    assert encuesta.status == Encuesta.Status.REJECTED_OPT_OUT
    assert DoNotCallEntry.objects.filter(phone=encuesta.telefono).exists()
