"""The worker's bridge to the database: plain ORM functions and an async runner for them.

Jobs are asyncio code; Django's ORM is synchronous and thread-bound. Every call runs on one
dedicated thread per job process: one connection per call, writes in the order they were asked
for (transcript lines stay in order), and no write-write races on SQLite, whose shared-cache test
database fails at once instead of waiting. Connections that went stale while the call was quiet
(MariaDB's wait_timeout, CONN_MAX_AGE) are closed around each call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.utils.translation import gettext as _

from agents_app.models import VoiceAgent
from calls import selectors, services
from calls.answers import Question, questionnaire_for
from calls.services import CallOutcome, CallUsage
from voiceworker.metadata import JobMetadata, MetadataError
from voiceworker.providers import PipelineSpec

P = ParamSpec("P")
R = TypeVar("R")

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voiceworker-db")


def _with_fresh_connection(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    close_old_connections()
    try:
        return fn(*args, **kwargs)
    finally:
        close_old_connections()


async def run_db(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a synchronous ORM function from async code."""
    runner = sync_to_async(_with_fresh_connection, thread_sensitive=False, executor=_executor)
    return await runner(fn, *args, **kwargs)


@dataclass(frozen=True)
class SurveyJob:
    """Everything a job needs from the database, loaded once when it starts."""

    encuesta_id: int
    call_id: int | None
    voice_agent_id: int
    agent_name: str
    dispatch_name: str
    instructions: str
    greeting: str
    goodbye: str
    voicemail_message: str
    nombre_cliente: str
    questionnaire: tuple[Question, ...]
    pipeline: PipelineSpec
    # answers a previous call already collected: a redial continues from there
    answers: dict[str, Any] = field(default_factory=dict)
    time_zone: str = "UTC"
    # a campaign lead's columns, for {placeholders} in the greeting and the instructions
    variables: Mapping[str, str] = field(default_factory=dict)

    @property
    def llm_model(self) -> str:
        return self.pipeline.llm_model


def load_job(meta: JobMetadata) -> SurveyJob:
    """Load and cross-check what the metadata points at; MetadataError if it does not add up."""
    survey = selectors.survey_for_call(encuesta_id=meta.encuesta_id)
    if survey is None:
        raise MetadataError(_("No existe la encuesta %(id)s.") % {"id": meta.encuesta_id})
    if survey.voice_agent_id != meta.voice_agent_id:
        raise MetadataError(
            _("La encuesta %(encuesta)s pertenece al agente %(own)s, no al %(given)s.")
            % {"encuesta": survey.encuesta_id, "own": survey.voice_agent_id, "given": meta.voice_agent_id}
        )
    if survey.is_closed:
        raise MetadataError(
            _("La encuesta %(id)s ya está cerrada (%(status)s).")
            % {"id": survey.encuesta_id, "status": survey.status}
        )
    agent = VoiceAgent.objects.filter(pk=meta.voice_agent_id).first()
    if agent is None:
        raise MetadataError(_("No existe el agente %(id)s.") % {"id": meta.voice_agent_id})
    if meta.call_id is not None and not selectors.call_belongs_to_survey(
        call_id=meta.call_id, encuesta_id=survey.encuesta_id
    ):
        raise MetadataError(
            _("La llamada %(call)s no existe o no es de la encuesta %(encuesta)s.")
            % {"call": meta.call_id, "encuesta": survey.encuesta_id}
        )
    return SurveyJob(
        encuesta_id=survey.encuesta_id,
        call_id=meta.call_id,
        voice_agent_id=agent.pk,
        agent_name=agent.name,
        dispatch_name=agent.dispatch_name,
        instructions=agent.instructions,
        greeting=agent.greeting,
        goodbye=agent.goodbye,
        voicemail_message=agent.voicemail_message,
        nombre_cliente=meta.nombre_cliente or survey.nombre_cliente,
        questionnaire=questionnaire_for(agent.questions.all()),
        pipeline=PipelineSpec.from_agent(agent),
        answers=survey.answers,
        time_zone=survey.time_zone,
        variables=survey.variables,
    )


def save_answers(encuesta_id: int, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and store answers; raises django ValidationError and writes nothing if one is bad."""
    encuesta = services.encuesta_save(encuesta_id=encuesta_id, answers=answers)
    return {key: encuesta.respuestas[key] for key in answers}


def append_transcript(encuesta_id: int, speaker: str, text: str) -> None:
    services.encuesta_append_transcript(encuesta_id=encuesta_id, speaker=speaker, text=text)


def mark_answered(call_id: int) -> bool:
    return services.call_mark_answered(call_id=call_id)


def fail_call(call_id: int, reason: str) -> bool:
    return services.survey_call_failed(call_id=call_id, reason=reason)


def opt_out_now(encuesta_id: int) -> None:
    services.survey_opt_out_now(encuesta_id=encuesta_id)


def close_call(encuesta_id: int, call_id: int | None, outcome: CallOutcome, usage: CallUsage) -> str:
    return services.survey_call_close(encuesta_id=encuesta_id, call_id=call_id, outcome=outcome, usage=usage)


def request_callback(encuesta_id: int, when: datetime) -> None:
    services.survey_request_callback(survey_id=encuesta_id, when=when)


def record_amd(encuesta_id: int, category: str) -> None:
    services.survey_record_amd(encuesta_id=encuesta_id, category=category)


def record_summary(encuesta_id: int, summary: str, flags: dict[str, object], tokens: int) -> None:
    services.survey_record_summary(encuesta_id=encuesta_id, summary=summary, flags=flags, tokens=tokens)


def transcript(encuesta_id: int) -> str:
    return selectors.survey_transcript(encuesta_id=encuesta_id)


# --- Used by the management command --------------------------------------------------------


def active_dispatch_names() -> dict[str, list[str]]:
    """Dispatch name -> names of the active agents registered under it."""
    names: dict[str, list[str]] = {}
    for name, dispatch_name in VoiceAgent.objects.filter(is_active=True).values_list("name", "dispatch_name"):
        names.setdefault(dispatch_name, []).append(name)
    return names


def pipeline_specs(dispatch_name: str) -> list[PipelineSpec]:
    agents = VoiceAgent.objects.filter(is_active=True, dispatch_name=dispatch_name)
    return [PipelineSpec.from_agent(agent) for agent in agents]


def console_metadata(encuesta_id: int) -> JobMetadata:
    survey = selectors.survey_for_call(encuesta_id=encuesta_id)
    if survey is None:
        raise MetadataError(_("No existe la encuesta %(id)s.") % {"id": encuesta_id})
    if survey.voice_agent_id is None:
        raise MetadataError(_("La encuesta %(id)s no tiene agente.") % {"id": encuesta_id})
    return JobMetadata(
        encuesta_id=survey.encuesta_id,
        voice_agent_id=survey.voice_agent_id,
        nombre_cliente=survey.nombre_cliente,
    )
