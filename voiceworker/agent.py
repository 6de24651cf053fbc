"""The survey agent: its tools, and what it says on its own between the model's turns."""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from livekit.agents import Agent, RunContext, function_tool

from calls.services import CallOutcome
from voiceworker import persistence, prompts
from voiceworker.call import SurveyCall
from voiceworker.callback import CallbackTimeError, parse_callback

logger = logging.getLogger(__name__)

MACHINE_CATEGORIES = frozenset({"machine-vm", "machine-unavailable", "machine-ivr"})


class SurveyAgent(Agent):
    def __init__(self, call: SurveyCall, *, greet_on_enter: bool = True) -> None:
        self.call = call
        self.greet_on_enter = greet_on_enter

        async def guardar_encuesta(raw_arguments: dict[str, Any]) -> str | None:
            return await self._save(raw_arguments)

        save_tool = function_tool(
            guardar_encuesta, raw_schema=prompts.build_save_schema(call.job.questionnaire)
        )
        super().__init__(
            instructions=prompts.build_instructions(call.job, now=timezone.now()), tools=[save_tool]
        )

    async def on_enter(self) -> None:
        if self.greet_on_enter:
            self.greet()

    def greet(self) -> None:
        # interruptible: a person's "¿Diga?" must reach the model, not be talked over
        job = self.call.job
        self.session.say(prompts.render_greeting(job.greeting, job.nombre_cliente, job.variables))

    def goodbye(self) -> str:
        job = self.call.job
        return prompts.render_goodbye(job.goodbye, job.nombre_cliente, job.variables)

    async def _save(self, raw_arguments: dict[str, Any]) -> str | None:
        saved, message = await self.call.save_answers(raw_arguments)
        if not saved:
            return message  # back to the model, which asks again
        # One round trip per answer: the next question is read verbatim, queued behind this turn.
        # Tools of one response start together, so an ending tool in the same response (e.g.
        # finalizar_llamada) has already marked the call as closing while the save ran.
        self._continue()
        return None

    def _continue(self) -> None:
        if self.call.closing:
            return
        question = self.call.next_question()
        if question is None:
            self.call.end_with(self.goodbye(), CallOutcome.FINISHED, reason="survey finished")
        else:
            self.session.say(question.text)

    @function_tool
    async def finalizar_llamada(self, context: RunContext) -> None:
        """Termina la llamada: la encuesta está completa o el cliente no quiere seguir ahora.
        La herramienta ya se despide del cliente."""
        self.call.end_with(self.goodbye(), CallOutcome.FINISHED, reason="survey finished")

    @function_tool
    async def rechazar_encuesta(self, context: RunContext) -> None:
        """Solo si el cliente pide expresamente que no le llamen más. La herramienta se despide."""
        await self.call.opt_out()
        self.call.end_with(prompts.opt_out_goodbye(), CallOutcome.OPT_OUT, reason="customer opted out")

    @function_tool
    async def programar_rellamada(self, context: RunContext, fecha: str, hora: str) -> str | None:
        """El cliente pide que le llamen en otro momento. La herramienta se despide.

        Args:
            fecha: Día pedido, AAAA-MM-DD (o como lo dijo el cliente: "mañana", "el lunes").
            hora: Hora pedida, HH:MM en 24 horas (o "a las cinco de la tarde").
        """
        try:
            when = parse_callback(fecha, hora, now=timezone.now(), time_zone=self.call.job.time_zone)
            await persistence.run_db(persistence.request_callback, self.call.job.encuesta_id, when)
        except CallbackTimeError as exc:
            return _("Error: %(error)s Pregunta de nuevo cuándo prefiere que le llamen.") % {"error": exc}
        except Exception:
            logger.exception("could not store the callback time")
            return _("Error: no se ha podido guardar la hora. Discúlpate y usa finalizar_llamada.")
        self.call.end_with(prompts.callback_goodbye(when), CallOutcome.CALLBACK, reason="callback requested")
        return None

    @function_tool
    async def buzon_de_voz(self, context: RunContext) -> None:
        """Ha contestado un contestador automático o buzón de voz."""
        self.on_machine("machine-vm")

    def on_machine(self, category: str) -> None:
        """A machine answered: leave the configured message (if any) and hang up; retryable."""
        message = self.call.job.voicemail_message.strip() if category == "machine-vm" else ""
        self.call.end_with(message, CallOutcome.VOICEMAIL, reason=f"answering machine ({category})")
