"""The real `openai` plugin and the real entrypoint against a local OpenAI-compatible server that
checks tool arguments the way Groq does, with the real database."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import pytest

from calls.models import Encuesta
from tests.voiceworker.conftest import Survey, fetch_encuesta, settle
from voiceworker import persistence, summary
from voiceworker.testing.openai_server import OpenAICompatibleServer, Reply, call, say

pytestmark = pytest.mark.django_db(transaction=True)

ASK_INSTALADOR = "Del 0 al 10, ¿cómo valora el trabajo del instalador?"


def tool_outputs(body: dict) -> list[str]:
    return [m["content"] for m in body["messages"] if m.get("role") == "tool"]


def test_an_out_of_range_score_reaches_the_tool_and_the_customer_hears_why(
    survey: Survey, start_call, llm_server: OpenAICompatibleServer
):
    """On Groq a schema with minimum/maximum turned "un once" into a 400 and dead air."""
    llm_server.script(
        call("guardar_encuesta", comercial=11),
        say("Perdone, la nota va del 0 al 10. ¿Qué nota le pone al comercial?"),
    )

    async def scenario() -> list[str]:
        async with start_call(survey.metadata.to_json()) as running:
            await running.session.run(user_input="Le pongo un once")
            await settle(running)
            return [i.text_content or "" for i in running.session.history.items if i.type == "message"]

    said = asyncio.run(scenario())

    assert llm_server.rejected == []  # the provider accepted the arguments
    assert said[-1] == "Perdone, la nota va del 0 al 10. ¿Qué nota le pone al comercial?"
    error = tool_outputs(llm_server.requests[1])[-1]
    assert error.startswith("Error: no se ha guardado nada.") and "11" in error
    assert Encuesta.objects.get(pk=survey.encuesta.pk).respuestas == {}


def test_the_server_refuses_arguments_outside_a_strict_schema_like_groq(llm_server: OpenAICompatibleServer):
    """The check the test above relies on: a schema with a range makes the same reply a 400."""
    tools = [
        {
            "type": "function",
            "function": {
                "name": "guardar_encuesta",
                "parameters": {
                    "type": "object",
                    "properties": {"comercial": {"type": "integer", "maximum": 10}},
                },
            },
        }
    ]
    llm_server.script(call("guardar_encuesta", comercial=11))
    request = urllib.request.Request(
        f"{llm_server.base_url}/chat/completions",
        data=json.dumps({"model": "llama", "messages": [], "tools": tools, "stream": True}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=10)
    assert excinfo.value.code == 400
    assert json.loads(excinfo.value.read())["error"]["code"] == "tool_use_failed"


def test_a_null_optional_answer_and_a_numeric_string_are_saved(
    survey: Survey, start_call, llm_server: OpenAICompatibleServer
):
    llm_server.script(call("guardar_encuesta", comercial="8", comentarios=None))

    async def scenario() -> str:
        async with start_call(survey.metadata.to_json()) as running:
            await running.session.run(user_input="Un ocho")
            await settle(running)
            return [i.text_content for i in running.session.history.items if i.type == "message"][-1]

    assert asyncio.run(scenario()) == ASK_INSTALADOR
    assert Encuesta.objects.get(pk=survey.encuesta.pk).respuestas == {"comercial": 8}
    # one request for the answer: the next question did not need the model
    assert len(llm_server.requests) == 1


def test_a_503_is_retried_and_every_token_is_counted(
    survey: Survey, start_call, llm_server: OpenAICompatibleServer, settings
):
    llm_server.script(
        Reply(status=503),
        Reply(
            text="Del 0 al 10, ¿cómo valora la atención del comercial?",
            prompt_tokens=120,
            completion_tokens=14,
        ),
    )

    async def scenario() -> None:
        async with start_call(survey.metadata.to_json()) as running:
            await running.session.run(user_input="Sí, dígame")
            await settle(running)
            await running.session.aclose()
            await running.call.on_job_shutdown("test")
            row = await fetch_encuesta(survey.encuesta.pk)
            assert row.tokens_used == 134

    asyncio.run(scenario())
    assert len(llm_server.requests) == 2
    assert llm_server.requests[1]["model"] == survey.agent.llm_model
    assert llm_server.requests[1]["stream"] is True


def test_after_the_call_a_summary_and_flags_are_written(survey: Survey, llm_server: OpenAICompatibleServer):
    Encuesta.objects.filter(pk=survey.encuesta.pk).update(
        transcription="Agente: ¿Tiene un minuto?\nCliente: No, y el técnico llegó tarde. Llámeme mañana.\n",
        tokens_used=30,
    )
    verdict = {
        "resumen": "Se queja del retraso del técnico.",
        "queja": True,
        "rellamada": True,
        "idioma": "es",
    }
    llm_server.script(
        Reply(text=json.dumps(verdict, ensure_ascii=False), prompt_tokens=40, completion_tokens=20)
    )

    job = persistence.load_job(survey.metadata)
    asyncio.run(summary.summarize_call(job))

    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    assert encuesta.summary == "Se queja del retraso del técnico."
    assert encuesta.flags == {"complaint": True, "callback_requested": True, "language": "es"}
    assert encuesta.tokens_used == 30 + 60
    sent = llm_server.requests[0]["messages"]
    assert sent[0]["role"] == "system" and "JSON" in sent[0]["content"]
    assert "llegó tarde" in sent[1]["content"]


def test_no_summary_without_a_provider_key(survey: Survey, llm_server: OpenAICompatibleServer, settings):
    settings.OPENAI_API_KEY = ""
    Encuesta.objects.filter(pk=survey.encuesta.pk).update(transcription="Agente: Hola\n")
    asyncio.run(summary.summarize_call(persistence.load_job(survey.metadata)))
    assert llm_server.requests == []
    assert Encuesta.objects.get(pk=survey.encuesta.pk).summary == ""


def test_the_job_shutdown_closes_the_survey_then_summarises_the_whole_transcript(
    survey: Survey, start_call, llm_server: OpenAICompatibleServer
):
    verdict = {"resumen": "Puntúa al comercial con un 8.", "queja": False, "idioma": "es"}
    llm_server.script(call("guardar_encuesta", comercial=8), say(json.dumps(verdict, ensure_ascii=False)))

    async def scenario() -> None:
        async with start_call(survey.metadata.to_json()) as running:
            await running.session.run(user_input="Un ocho")
            await settle(running)
            await running.session.aclose()
            for callback in running.job_ctx._shutdown_callbacks:  # what the job runs on shutdown
                await callback("test")

    asyncio.run(scenario())

    encuesta = Encuesta.objects.get(pk=survey.encuesta.pk)
    assert encuesta.status == Encuesta.Status.INCOMPLETE
    assert encuesta.summary == "Puntúa al comercial con un 8."
    summarised = llm_server.requests[-1]["messages"][1]["content"]
    assert summarised == encuesta.transcription  # every line was written before the summary
    assert "Cliente: Un ocho" in summarised
