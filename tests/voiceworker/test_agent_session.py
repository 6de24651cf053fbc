"""Whole calls through the real entrypoint and agent, with a scripted LLM and the real database."""

from __future__ import annotations

import asyncio
import json
from unittest import mock

import pytest
from django.db import DatabaseError
from livekit.agents import llm

from calls.models import Call, DoNotCallEntry, Encuesta
from tests.voiceworker.conftest import Survey, db, fetch_call, fetch_encuesta
from tests.voiceworker.scripted_llm import ToolCall, Turn, call, say
from voiceworker import persistence

pytestmark = pytest.mark.django_db(transaction=True)

GREETING = (
    "Hola Ana, le llamo de parte del servicio de atención al cliente para una breve encuesta de "
    "calidad sobre su instalación. ¿Tiene un minuto?"
)
ASK_COMERCIAL = "Del 0 al 10, ¿cómo valora la atención del comercial?"
ASK_INSTALADOR = "Gracias. Del 0 al 10, ¿cómo valora el trabajo del instalador?"
ASK_RAPIDEZ = "Del 0 al 10, ¿cómo valora la rapidez del servicio?"
ASK_COMENTARIOS = "¿Quiere añadir algún comentario o sugerencia?"
GOODBYE = "Muchas gracias por su tiempo, Ana. ¡Que tenga un buen día!"
TOKENS_PER_LLM_CALL = 15  # the scripted LLM reports 10 prompt + 5 completion tokens per call


def finish_turn(text: str) -> Turn:
    return Turn(text=text, tool_calls=(ToolCall("finalizar_llamada"),))


def assert_saved_then_spoke(result, arguments: dict, reply: str) -> None:
    result.expect.next_event().is_function_call(name="guardar_encuesta", arguments=arguments)
    result.expect.next_event().is_function_call_output(is_error=False)
    assert result.expect.next_event().is_message(role="assistant").event().item.text_content == reply
    result.expect.no_more_events()


def transcript_lines(encuesta: Encuesta) -> list[str]:
    return encuesta.transcription.splitlines()


def test_full_survey_saves_each_answer_as_given_and_closes_once(survey: Survey, start_call):
    script = [
        say(ASK_COMERCIAL),
        call("guardar_encuesta", comercial=8),
        say(ASK_INSTALADOR),
        call("guardar_encuesta", instalador=9),
        say(ASK_RAPIDEZ),
        call("guardar_encuesta", rapidez=10),
        say(ASK_COMENTARIOS),
        call("guardar_encuesta", comentarios="El técnico fue muy amable"),
        finish_turn(GOODBYE),
    ]
    finish_survey = mock.Mock(wraps=persistence.finish_survey)

    async def scenario() -> int:
        with mock.patch.object(persistence, "finish_survey", finish_survey):
            async with start_call(survey.metadata.to_json(), script) as running:
                result = await running.session.run(user_input="Sí, dígame")
                result.expect.next_event().is_message(role="assistant")
                result.expect.no_more_events()

                result = await running.session.run(user_input="Un ocho")
                assert_saved_then_spoke(result, {"comercial": 8}, ASK_INSTALADOR)
                row = await fetch_encuesta(survey.encuesta.pk)
                assert row.respuestas == {"comercial": 8}
                assert row.puntuacion_comercial == 8
                assert row.puntuacion_instalador is None
                assert row.status == Encuesta.Status.IN_PROGRESS

                result = await running.session.run(user_input="Nueve")
                assert_saved_then_spoke(result, {"instalador": 9}, ASK_RAPIDEZ)
                row = await fetch_encuesta(survey.encuesta.pk)
                assert row.respuestas == {"comercial": 8, "instalador": 9}
                assert row.puntuacion_instalador == 9

                result = await running.session.run(user_input="Diez")
                assert_saved_then_spoke(result, {"rapidez": 10}, ASK_COMENTARIOS)
                row = await fetch_encuesta(survey.encuesta.pk)
                assert row.puntuacion_rapidez == 10
                assert row.status == Encuesta.Status.IN_PROGRESS  # still open until it is closed

                result = await running.session.run(user_input="Que el técnico fue muy amable")
                result.expect.next_event().is_function_call(
                    name="guardar_encuesta", arguments={"comentarios": "El técnico fue muy amable"}
                )
                result.expect.next_event().is_function_call_output(is_error=False)
                result.expect.next_event().is_message(role="assistant")
                result.expect.next_event().is_function_call(name="finalizar_llamada")
                result.expect.next_event().is_function_call_output()
                result.expect.no_more_events()

                running.delete_room.assert_called_once_with()
                running.shutdown.assert_called_once_with(reason="survey finished")
                assert running.llm.remaining == 0
                return len(running.llm.requests)

    llm_calls = asyncio.run(scenario())

    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    assert encuesta.status == Encuesta.Status.COMPLETED
    assert encuesta.completada is True
    assert encuesta.respuestas == {
        "comercial": 8,
        "instalador": 9,
        "rapidez": 10,
        "comentarios": "El técnico fue muy amable",
    }
    assert encuesta.comentarios == "El técnico fue muy amable"
    assert encuesta.llm_model == survey.agent.llm_model
    assert llm_calls == 9
    assert encuesta.tokens_used == TOKENS_PER_LLM_CALL * llm_calls
    assert encuesta.seconds_used is not None
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
    # finalizar_llamada closed the survey; the session closing afterwards did not do it again
    assert finish_survey.call_count == 1
    call_row = Call.objects.get(pk=survey.call.pk)
    assert call_row.status == Call.Status.COMPLETED
    assert call_row.ended_at is not None


def test_goodbye_is_spoken_before_the_room_is_deleted(survey: Survey, start_call):
    said_before_hangup: list[str] = []

    async def scenario() -> None:
        async with start_call(
            survey.metadata.to_json(), [finish_turn("Perfecto, gracias. ¡Adiós!")]
        ) as running:

            def record_history() -> asyncio.Future[None]:
                said_before_hangup.extend(
                    item.text_content or ""
                    for item in running.session.history.items
                    if isinstance(item, llm.ChatMessage) and item.role == "assistant"
                )
                deleted = asyncio.get_running_loop().create_future()
                deleted.set_result(None)
                return deleted

            running.delete_room.side_effect = record_history
            await running.session.run(user_input="Ya está todo, gracias")
            running.delete_room.assert_called_once_with()

    asyncio.run(scenario())

    assert said_before_hangup[-1] == "Perfecto, gracias. ¡Adiós!"


def test_invalid_score_returns_the_error_to_the_llm_and_writes_nothing(survey: Survey, start_call):
    async def scenario() -> None:
        script = [
            call("guardar_encuesta", comercial=11),
            say("Perdone, necesito una nota del 0 al 10. ¿Qué nota le pone al comercial?"),
            call("guardar_encuesta", comercial=8, instalador=-1),
            say("La nota del instalador debe ser del 0 al 10."),
        ]
        async with start_call(survey.metadata.to_json(), script) as running:
            result = await running.session.run(user_input="Le pongo un once")
            result.expect.next_event().is_function_call(name="guardar_encuesta", arguments={"comercial": 11})
            output = result.expect.next_event().is_function_call_output().event().item.output
            assert output.startswith("Error: no se ha guardado nada.")
            assert "comercial" in output and "del 0 al 10" in output and "11" in output
            result.expect.next_event().is_message(role="assistant")
            result.expect.no_more_events()

            # the model saw the error when it wrote its reply
            outputs = [item for item in running.llm.requests[-1].items if item.type == "function_call_output"]
            assert outputs[-1].output == output

            row = await fetch_encuesta(survey.encuesta.pk)
            assert row.respuestas == {}
            assert row.puntuacion_comercial is None

            # one bad value in a batch writes none of the batch
            result = await running.session.run(user_input="Un ocho al comercial y al instalador nada")
            output = result.expect[1].is_function_call_output().event().item.output
            assert "instalador" in output
            row = await fetch_encuesta(survey.encuesta.pk)
            assert row.respuestas == {}
            assert row.puntuacion_comercial is None
            running.delete_room.assert_not_called()

    asyncio.run(scenario())


def test_opt_out_closes_as_rejected_and_blocks_the_number(survey: Survey, start_call):
    goodbye = "Entendido, no le molestamos más. Que tenga un buen día."

    async def scenario() -> None:
        script = [Turn(text=goodbye, tool_calls=(ToolCall("rechazar_encuesta"),))]
        async with start_call(survey.metadata.to_json(), script) as running:
            result = await running.session.run(user_input="No me interesa, no me llamen más")
            result.expect.next_event().is_message(role="assistant")
            result.expect.next_event().is_function_call(name="rechazar_encuesta")
            result.expect.next_event().is_function_call_output()
            result.expect.no_more_events()
            running.delete_room.assert_called_once_with()
            running.shutdown.assert_called_once_with(reason="customer opted out")

    asyncio.run(scenario())

    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    assert encuesta.status == Encuesta.Status.REJECTED_OPT_OUT
    assert encuesta.completada is False
    assert encuesta.transcription.splitlines()[-1] == f"Agente: {goodbye}"
    entry = DoNotCallEntry.objects.get(phone=encuesta.telefono)
    assert entry.encuesta_id == encuesta.pk
    assert Call.objects.get(pk=survey.call.pk).status == Call.Status.COMPLETED


def test_voicemail_hangs_up_and_leaves_the_survey_failed_for_a_retry(survey: Survey, start_call):
    async def scenario() -> None:
        script = [Turn(tool_calls=(ToolCall("buzon_de_voz"),))]
        async with start_call(survey.metadata.to_json(), script) as running:
            result = await running.session.run(
                user_input="Ha llamado al 621 15 13 94. Deje su mensaje después de la señal."
            )
            result.expect.next_event().is_function_call(name="buzon_de_voz")
            result.expect.next_event().is_function_call_output()
            result.expect.no_more_events()
            running.delete_room.assert_called_once_with()
            running.shutdown.assert_called_once_with(reason="voicemail")

    asyncio.run(scenario())

    call_row = Call.objects.get(pk=survey.call.pk)
    assert call_row.status == Call.Status.VOICEMAIL
    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    # the session closing afterwards must not turn it into "incomplete"
    assert encuesta.status == Encuesta.Status.FAILED
    assert encuesta.respuestas == {}
    assert encuesta.seconds_used is not None
    assert encuesta.tokens_used == TOKENS_PER_LLM_CALL
    assert not DoNotCallEntry.objects.filter(phone=encuesta.telefono).exists()


def test_dropped_call_keeps_answers_and_transcript_and_ends_incomplete(survey: Survey, start_call):
    async def scenario() -> None:
        script = [call("guardar_encuesta", comercial=7), say(ASK_INSTALADOR)]
        async with start_call(survey.metadata.to_json(), script) as running:
            await running.session.run(user_input="Un siete")
            # the customer hangs up: RoomIO closes the session, which closes the survey
            await running.session.aclose()
            await running.call.wait_finished()
            running.delete_room.assert_not_called()
            # in a real job the close also ends the job
            running.shutdown.assert_called_once()

            row = await fetch_encuesta(survey.encuesta.pk)
            assert row.status == Encuesta.Status.INCOMPLETE
            call_row = await fetch_call(survey.call.pk)
            assert call_row.status == Call.Status.COMPLETED

    asyncio.run(scenario())

    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    assert encuesta.status == Encuesta.Status.INCOMPLETE
    assert encuesta.completada is False
    assert encuesta.respuestas == {"comercial": 7}
    assert encuesta.puntuacion_comercial == 7
    assert transcript_lines(encuesta) == [
        f"Agente: {GREETING}",
        "Cliente: Un siete",
        f"Agente: {ASK_INSTALADOR}",
    ]
    assert encuesta.tokens_used == TOKENS_PER_LLM_CALL * 2


def test_job_shutdown_closes_the_survey_even_without_a_close_event(survey: Survey, start_call):
    """The shutdown callback is the last resort: it closes the survey once, whatever happened."""

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
            # the bridge (or an operator) completed it while the call was still open
            await db(
                persistence.save_answers,
                survey.encuesta.pk,
                {"comercial": 5, "instalador": 5, "rapidez": 5},
            )
            await db(Encuesta.objects.filter(pk=survey.encuesta.pk).update, status="completed")

    asyncio.run(scenario())

    assert Encuesta.objects.get(pk=survey.encuesta.pk).status == Encuesta.Status.COMPLETED


def test_tool_schema_follows_the_agents_questionnaire(survey: Survey, start_call):
    async def scenario() -> None:
        async with start_call(survey.metadata.to_json(), []) as running:
            tools = {tool.id: tool for tool in running.session.current_agent.tools}
            assert set(tools) == {
                "guardar_encuesta",
                "finalizar_llamada",
                "rechazar_encuesta",
                "buzon_de_voz",
            }
            schema = tools["guardar_encuesta"].info.raw_schema
            assert json.loads(json.dumps(schema))["parameters"]["properties"]["comercial"] == {
                "type": "integer",
                "minimum": 0,
                "maximum": 10,
                "description": "Del 0 al 10, ¿cómo valora la atención del comercial?",
            }

    asyncio.run(scenario())


def test_an_opt_out_that_failed_to_save_is_retried_before_hanging_up(survey: Survey, start_call, caplog):
    real_opt_out = persistence.opt_out
    attempts: list[int] = []

    def flaky_opt_out(encuesta_id: int) -> None:
        attempts.append(encuesta_id)
        if len(attempts) == 1:
            raise DatabaseError("server has gone away")
        real_opt_out(encuesta_id)

    async def scenario() -> None:
        script = [Turn(text="Entendido, adiós.", tool_calls=(ToolCall("rechazar_encuesta"),))]
        with mock.patch.object(persistence, "opt_out", flaky_opt_out):
            async with start_call(survey.metadata.to_json(), script) as running:
                await running.session.run(user_input="No quiero")
                running.delete_room.assert_called_once_with()

    asyncio.run(scenario())

    assert attempts == [survey.encuesta.pk, survey.encuesta.pk]
    assert "could not record the outcome" in caplog.text
    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    assert encuesta.status == Encuesta.Status.REJECTED_OPT_OUT
    assert DoNotCallEntry.objects.filter(phone=encuesta.telefono).exists()
