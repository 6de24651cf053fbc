"""The survey agent: what it says, its tools, and how a call's results reach the database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from livekit.agents import (
    Agent,
    AgentSession,
    CloseEvent,
    ConversationItemAddedEvent,
    RunContext,
    function_tool,
    get_job_context,
    llm,
)
from livekit.agents.metrics import LLMModelUsage

from agents_app.models import SurveyQuestion
from calls.answers import Question
from calls.models import Call
from voiceworker import persistence, provider_alerts
from voiceworker.persistence import SurveyJob

logger = logging.getLogger(__name__)

# The transcript format the old system's reports read: one "Speaker: text" line per turn.
SPEAKER_AGENT = "Agente"
SPEAKER_CUSTOMER = "Cliente"
SPEAKERS = {"assistant": SPEAKER_AGENT, "user": SPEAKER_CUSTOMER}

SAVE_TOOL = "guardar_encuesta"
FINISH_TOOL = "finalizar_llamada"
OPT_OUT_TOOL = "rechazar_encuesta"
VOICEMAIL_TOOL = "buzon_de_voz"


class Outcome(StrEnum):
    COMPLETED = "completed"  # the agent closed the survey with finalizar_llamada
    OPT_OUT = "opt_out"
    VOICEMAIL = "voicemail"


# --- What the agent is told ------------------------------------------------------------------


def _describe(question: Question) -> str:
    kinds = {
        SurveyQuestion.Type.SCORE: _("número entero del 0 al 10"),
        SurveyQuestion.Type.YES_NO: _("sí o no"),
        SurveyQuestion.Type.TEXT: _("texto libre"),
    }
    need = _("obligatoria") if question.required else _("opcional")
    return f"{kinds.get(question.type, _('texto libre'))}, {need}"


def build_instructions(job: SurveyJob) -> str:
    questions = "\n".join(
        f"{n}. [{q.key}] {q.text} ({_describe(q)})" for n, q in enumerate(job.questionnaire, 1)
    )
    rules = _(
        "Reglas:\n"
        "- Haz las preguntas de una en una, en este orden, y espera la respuesta.\n"
        "- En cuanto el cliente responda, guarda esa respuesta con %(save)s usando la clave de la "
        "pregunta. No esperes al final de la encuesta.\n"
        "- Las puntuaciones son números enteros del 0 al 10. Si la respuesta no es clara, pide "
        "que la repita antes de guardarla. Nunca inventes una respuesta.\n"
        "- Si %(save)s devuelve un error, díselo al cliente con naturalidad y vuelve a preguntar.\n"
        "- Si el cliente no quiere participar o pide que no le llamen más, despídete con "
        "amabilidad y, en esa misma respuesta, usa %(opt_out)s.\n"
        "- Si contesta un contestador automático o un buzón de voz, usa %(voicemail)s sin dejar "
        "ningún mensaje.\n"
        "- Cuando hayas hecho todas las preguntas, da las gracias, despídete y, en esa misma "
        "respuesta, usa %(finish)s."
    ) % {
        "save": SAVE_TOOL,
        "opt_out": OPT_OUT_TOOL,
        "voicemail": VOICEMAIL_TOOL,
        "finish": FINISH_TOOL,
    }
    parts = [
        job.instructions.strip(),
        _("Preguntas de la encuesta, en orden (clave entre corchetes):") + "\n" + questions,
        rules,
    ]
    if job.nombre_cliente:
        parts.append(_("El cliente se llama %(nombre)s.") % {"nombre": job.nombre_cliente})
    return "\n\n".join(part for part in parts if part)


def render_greeting(greeting: str, nombre: str) -> str:
    """VoiceAgent.greeting: {nombre} becomes " Nombre" when the name is known, else nothing."""
    template = greeting.strip() or _("Hola{nombre}, le llamamos para una breve encuesta. ¿Tiene un minuto?")
    return template.replace("{nombre}", f" {nombre}" if nombre else "")


def build_save_schema(questionnaire: tuple[Question, ...]) -> dict[str, Any]:
    """The guardar_encuesta tool schema: one optional property per question of this agent."""
    properties: dict[str, Any] = {}
    for question in questionnaire:
        if question.type == SurveyQuestion.Type.SCORE:
            prop: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": 10}
        elif question.type == SurveyQuestion.Type.YES_NO:
            prop = {"type": "boolean"}
        else:
            prop = {"type": "string"}
        prop["description"] = question.text
        properties[question.key] = prop
    return {
        "name": SAVE_TOOL,
        "description": _(
            "Guarda en la encuesta la respuesta (o respuestas) que el cliente acaba de dar. "
            "Llámala en cuanto responda cada pregunta; incluye solo las preguntas respondidas."
        ),
        "parameters": {"type": "object", "properties": properties, "additionalProperties": False},
    }


def _validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    return " ".join(exc.messages)


# --- The call's state and its writes -----------------------------------------------------------


class TranscriptWriter:
    """Appends each final turn to the Encuesta as it happens, in order, off the event loop."""

    def __init__(self, encuesta_id: int) -> None:
        self._encuesta_id = encuesta_id
        self._queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def push(self, speaker: str, text: str) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="voiceworker-transcript")
        self._queue.put_nowait((speaker, text))

    async def _run(self) -> None:
        while True:
            speaker, text = await self._queue.get()
            try:
                await persistence.run_db(persistence.append_transcript, self._encuesta_id, speaker, text)
            except Exception:
                logger.exception(
                    "could not append a transcript line", extra={"encuesta_id": self._encuesta_id}
                )
            finally:
                self._queue.task_done()

    async def flush(self) -> None:
        await self._queue.join()

    async def aclose(self) -> None:
        await self.flush()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


class SurveyCall:
    """One call's survey: saves answers, records the transcript, closes the survey once."""

    def __init__(self, job: SurveyJob) -> None:
        self.job = job
        self.outcome: Outcome | None = None
        self.finished = False
        self._outcome_recorded = False
        self._session: AgentSession | None = None
        self._started_at: float | None = None
        self._finish_lock = asyncio.Lock()
        self._finish_task: asyncio.Task[bool] | None = None
        self._transcript = TranscriptWriter(job.encuesta_id)

    @property
    def _log(self) -> dict[str, Any]:
        return {"encuesta_id": self.job.encuesta_id, "call_id": self.job.call_id}

    def attach(self, session: AgentSession) -> None:
        """Follow a session: transcript as it goes, survey closed when it ends."""
        self._session = session
        self._started_at = time.monotonic()
        session.on("conversation_item_added", self._on_item_added)
        session.on("close", self._on_close)

    def _on_item_added(self, event: ConversationItemAddedEvent) -> None:
        item = event.item
        if not isinstance(item, llm.ChatMessage) or item.role not in SPEAKERS:
            return
        text = (item.text_content or "").strip()
        if text:
            self._transcript.push(SPEAKERS[item.role], text)

    def _on_close(self, event: CloseEvent) -> None:
        if event.error is not None:
            logger.error("session closed on error: %s", event.error, extra=self._log)
            provider_alerts.report(event.error)
        self._finish_task = asyncio.create_task(self.finish(), name="voiceworker-finish")
        # the customer hung up or the session failed: nothing is left to do in this job
        if (ctx := get_job_context(required=False)) is not None:
            ctx.shutdown(reason=f"session closed: {event.reason.value}")

    async def on_job_shutdown(self, reason: str) -> None:
        """Job shutdown callback: the last chance to close the survey, whatever happened."""
        if self._finish_task is not None:
            await self._finish_task  # finish() logs its own failures and never raises
        await self.finish()
        await self._transcript.aclose()

    async def wait_finished(self) -> None:
        """For tests: wait for the close-event finish to be done."""
        if self._finish_task is not None:
            await self._finish_task

    def _seconds_used(self) -> int:
        return 0 if self._started_at is None else round(time.monotonic() - self._started_at)

    def _tokens_used(self) -> int:
        if self._session is None:
            return 0
        return sum(
            usage.input_tokens + usage.output_tokens
            for usage in self._session.usage.model_usage
            if isinstance(usage, LLMModelUsage)
        )

    async def save_answers(self, raw_arguments: Mapping[str, Any]) -> str:
        # optional properties may come back as null: they are "not answered", not an answer
        answers = {key: value for key, value in raw_arguments.items() if value is not None}
        if not answers:
            return _("No se ha guardado nada: no se ha recibido ninguna respuesta.")
        try:
            saved = await persistence.run_db(persistence.save_answers, self.job.encuesta_id, answers)
        except ValidationError as exc:
            return _("Error: no se ha guardado nada. %(errors)s Vuelve a hacer la pregunta.") % {
                "errors": _validation_text(exc)
            }
        except Exception:
            logger.exception("could not save answers", extra=self._log)
            return _("Error: no se han podido guardar las respuestas ahora mismo.")
        listed = ", ".join(f"{key}={value}" for key, value in saved.items())
        return _("Guardado: %(answers)s.") % {"answers": listed}

    async def opt_out(self) -> None:
        """Record the refusal at once, before the goodbye: a call dropped now must not lose it."""
        self.outcome = Outcome.OPT_OUT
        await self._record_outcome()

    async def voicemail(self) -> None:
        self.outcome = Outcome.VOICEMAIL
        await self._record_outcome()

    async def _record_outcome(self) -> bool:
        """Write what the outcome implies; finish() tries again if this failed."""
        if self._outcome_recorded:
            return True
        try:
            if self.outcome == Outcome.OPT_OUT:
                # rejected_opt_out and the number on the do-not-call list
                await persistence.run_db(persistence.opt_out, self.job.encuesta_id)
            elif self.outcome == Outcome.VOICEMAIL and self.job.call_id is not None:
                # the service also moves the survey to failed, so the dialer can retry it
                await persistence.run_db(persistence.call_transition, self.job.call_id, Call.Status.VOICEMAIL)
        except Exception:
            logger.exception("could not record the outcome %s", self.outcome, extra=self._log)
            return False
        self._outcome_recorded = True
        return True

    async def mark_answered(self) -> None:
        if self.job.call_id is None:
            return
        try:
            await persistence.run_db(persistence.call_transition, self.job.call_id, Call.Status.IN_PROGRESS)
        except Exception:
            logger.exception("could not mark the call as answered", extra=self._log)

    async def finish(self) -> bool:
        """Close the survey and the call exactly once; True when (already) done."""
        async with self._finish_lock:
            if self.finished:
                return True
            seconds, tokens, model = self._seconds_used(), self._tokens_used(), self.job.llm_model
            if not await self._record_outcome():
                return False
            try:
                await self._transcript.flush()
                if self.outcome == Outcome.VOICEMAIL:
                    await persistence.run_db(
                        persistence.record_usage,
                        self.job.encuesta_id,
                        seconds_used=seconds,
                        tokens_used=tokens,
                        llm_model=model,
                    )
                else:
                    status = await persistence.run_db(
                        persistence.finish_survey,
                        self.job.encuesta_id,
                        seconds_used=seconds,
                        tokens_used=tokens,
                        llm_model=model,
                    )
                    logger.info("survey closed as %s", status, extra=self._log)
                    if self.job.call_id is not None:
                        await persistence.run_db(
                            persistence.call_transition, self.job.call_id, Call.Status.COMPLETED
                        )
            except Exception:
                logger.exception("could not close the survey", extra=self._log)
                return False
            self.finished = True
            return True

    async def hang_up(self, reason: str) -> None:
        """End the call for everyone: deleting the room disconnects the SIP participant."""
        ctx = get_job_context(required=False)
        if ctx is None:
            logger.warning("no job context to hang up; closing the session only", extra=self._log)
            if self._session is not None:
                self._session.shutdown()
            return
        grace = settings.VOICE_HANGUP_GRACE_SECONDS
        if grace > 0:
            # playout is measured when audio leaves the agent; let the last words cross the network
            await asyncio.sleep(grace)
        try:
            await ctx.delete_room()
        except Exception:
            logger.exception("could not delete the room; ending the job anyway", extra=self._log)
        ctx.shutdown(reason=reason)


# --- The agent -----------------------------------------------------------------------------


def _disallow_interruptions(context: RunContext) -> None:
    # a goodbye the customer talks over must still end the call; if the speech was already
    # interrupted there is nothing left to protect
    with contextlib.suppress(RuntimeError):
        context.disallow_interruptions()


class SurveyAgent(Agent):
    def __init__(self, call: SurveyCall) -> None:
        self.call = call

        async def guardar_encuesta(raw_arguments: dict[str, Any]) -> str:
            return await call.save_answers(raw_arguments)

        save_tool = function_tool(guardar_encuesta, raw_schema=build_save_schema(call.job.questionnaire))
        super().__init__(instructions=build_instructions(call.job), tools=[save_tool])

    async def on_enter(self) -> None:
        # callees answer with "¿Sí?" or "¿Diga?": that must not cut the greeting short
        self.session.say(
            render_greeting(self.call.job.greeting, self.call.job.nombre_cliente),
            allow_interruptions=False,
        )

    @function_tool
    async def finalizar_llamada(self, context: RunContext) -> None:
        """Cuelga la llamada cuando la encuesta ha terminado y ya te has despedido."""
        _disallow_interruptions(context)
        await context.wait_for_playout()
        self.call.outcome = self.call.outcome or Outcome.COMPLETED
        await self.call.finish()
        await self.call.hang_up("survey finished")

    @function_tool
    async def rechazar_encuesta(self, context: RunContext) -> None:
        """El cliente no quiere participar o pide que no le llamen más. Despídete antes."""
        _disallow_interruptions(context)
        await self.call.opt_out()
        await context.wait_for_playout()
        await self.call.finish()
        await self.call.hang_up("customer opted out")

    @function_tool
    async def buzon_de_voz(self, context: RunContext) -> None:
        """Ha contestado un contestador automático o buzón de voz. No dejes mensaje."""
        await self.call.voicemail()
        await self.call.finish()
        await self.call.hang_up("voicemail")
