"""What the agent is told and what it says on its own (greeting, questions, goodbyes)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from agents_app.models import SurveyQuestion
from calls.answers import Question

if TYPE_CHECKING:
    from voiceworker.persistence import SurveyJob

SAVE_TOOL = "guardar_encuesta"
FINISH_TOOL = "finalizar_llamada"
OPT_OUT_TOOL = "rechazar_encuesta"
CALLBACK_TOOL = "programar_rellamada"
VOICEMAIL_TOOL = "buzon_de_voz"

WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def _describe(question: Question) -> str:
    kinds: dict[str, str] = {
        SurveyQuestion.Type.SCORE: _("número entero del 0 al 10"),
        SurveyQuestion.Type.YES_NO: _("sí o no"),
        SurveyQuestion.Type.TEXT: _("texto libre"),
    }
    need = _("obligatoria") if question.required else _("opcional")
    return f"{kinds.get(question.type, _('texto libre'))}, {need}"


def build_instructions(job: SurveyJob, *, now: datetime) -> str:
    lines = []
    for n, q in enumerate(job.questionnaire, 1):
        done = f" — {_('ya respondida')}: {job.answers[q.key]}" if q.key in job.answers else ""
        lines.append(f"{n}. [{q.key}] {q.text} ({_describe(q)}){done}")
    rules = _(
        "Reglas:\n"
        "- Haz las preguntas de una en una, en este orden, y espera la respuesta. No repitas las "
        "que ya están respondidas.\n"
        "- En cuanto el cliente responda, guarda la respuesta con %(save)s usando la clave de la "
        "pregunta. Después NO hagas tú la siguiente pregunta: el sistema la lee tal cual.\n"
        "- Las puntuaciones son números enteros del 0 al 10. Si la respuesta no es clara, pide "
        "que la repita. Nunca inventes una respuesta.\n"
        "- Si %(save)s devuelve un error, díselo al cliente con naturalidad y vuelve a preguntar.\n"
        "- Si el cliente pide que le llamen en otro momento, pregúntale cuándo y usa %(callback)s "
        "con la fecha (AAAA-MM-DD) y la hora (HH:MM) que diga.\n"
        "- Solo si el cliente pide expresamente que no le llamen más, usa %(opt_out)s.\n"
        "- Si el cliente no quiere seguir ahora, o cuando todo esté respondido, usa %(finish)s.\n"
        "- Si contesta un contestador automático o un buzón de voz, usa %(voicemail)s.\n"
        "- Las herramientas que terminan la llamada ya dicen la despedida: no te despidas tú."
    ) % {
        "save": SAVE_TOOL,
        "callback": CALLBACK_TOOL,
        "opt_out": OPT_OUT_TOOL,
        "voicemail": VOICEMAIL_TOOL,
        "finish": FINISH_TOOL,
    }
    today = _("Ahora es %(weekday)s %(date)s, %(time)s (hora de %(tz)s).") % {
        "weekday": WEEKDAYS[now.weekday()],
        "date": now.strftime("%Y-%m-%d"),
        "time": now.strftime("%H:%M"),
        "tz": job.time_zone,
    }
    parts = [
        fill_variables(job.instructions.strip(), job.variables),
        _("Preguntas de la encuesta, en orden (clave entre corchetes):") + "\n" + "\n".join(lines),
        rules,
        today,
    ]
    if job.nombre_cliente:
        parts.append(_("El cliente se llama %(nombre)s.") % {"nombre": job.nombre_cliente})
    return "\n\n".join(part for part in parts if part)


def _fill_name(template: str, nombre: str, variables: Mapping[str, str] | None = None) -> str:
    return fill_variables(template.replace("{nombre}", f" {nombre}" if nombre else ""), variables)


def fill_variables(text: str, variables: Mapping[str, str] | None) -> str:
    """A campaign lead's columns fill their own {placeholders}; {nombre} has its own rule."""
    for key, value in (variables or {}).items():
        if key != "nombre":
            text = text.replace("{" + key + "}", value)
    return text


def render_greeting(greeting: str, nombre: str, variables: Mapping[str, str] | None = None) -> str:
    """VoiceAgent.greeting: {nombre} becomes " Nombre" when the name is known, else nothing;
    a campaign lead's columns fill their own {placeholders}."""
    template = greeting.strip() or _(
        "Hola{nombre}. Soy un asistente automático y le llamo para una breve encuesta. ¿Tiene un minuto?"
    )
    return _fill_name(template, nombre, variables)


def render_goodbye(goodbye: str, nombre: str, variables: Mapping[str, str] | None = None) -> str:
    template = goodbye.strip() or _("Muchas gracias por su tiempo{nombre}. ¡Que tenga un buen día!")
    return _fill_name(template, nombre, variables)


def callback_goodbye(when: datetime) -> str:
    return _("De acuerdo, le llamaremos el %(weekday)s %(day)s a las %(time)s. ¡Hasta entonces!") % {
        "weekday": WEEKDAYS[when.weekday()],
        "day": when.day,
        "time": when.strftime("%H:%M"),
    }


def opt_out_goodbye() -> str:
    return _("Entendido, no le volveremos a llamar. Disculpe las molestias. ¡Adiós!")


def still_there() -> str:
    return _("¿Sigue ahí?")


def time_limit_goodbye() -> str:
    return _("Tenemos que terminar aquí. Muchas gracias por su tiempo. ¡Adiós!")


def apology() -> str:
    return _("Disculpe, estamos teniendo un problema técnico. Le llamaremos más tarde. ¡Adiós!")


def build_save_schema(questionnaire: tuple[Question, ...]) -> dict[str, Any]:
    """The guardar_encuesta schema: one optional property per question, deliberately loose.

    Strict providers (Groq) check tool arguments against the schema themselves and answer 400
    for a value outside it, so the turn fails and nothing is said. Ranges and types are checked
    in the tool instead, which can tell the model what was wrong.
    """
    loose_types: dict[str, list[str]] = {
        SurveyQuestion.Type.SCORE: ["integer", "number", "string", "null"],
        SurveyQuestion.Type.YES_NO: ["boolean", "string", "null"],
    }
    properties: dict[str, Any] = {}
    for question in questionnaire:
        properties[question.key] = {
            "type": loose_types.get(question.type, ["string", "null"]),
            "description": f"{question.text} ({_describe(question)})",
        }
    return {
        "name": SAVE_TOOL,
        "description": _(
            "Guarda en la encuesta la respuesta (o respuestas) que el cliente acaba de dar. "
            "Llámala en cuanto responda cada pregunta; incluye solo las preguntas respondidas."
        ),
        "parameters": {"type": "object", "properties": properties},
    }
