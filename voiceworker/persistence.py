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
from typing import Any, ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.utils.translation import gettext as _

from agents_app.models import VoiceAgent
from calls import services
from calls.answers import Question, questionnaire_for
from calls.models import Call, Encuesta, Lead
from voiceworker.config import PipelineSpec
from voiceworker.metadata import JobMetadata, MetadataError

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
    nombre_cliente: str
    questionnaire: tuple[Question, ...]
    pipeline: PipelineSpec
    # A campaign lead's CSV columns, for {placeholders} in the greeting and the instructions.
    variables: Mapping[str, str] = field(default_factory=dict)

    @property
    def llm_model(self) -> str:
        return self.pipeline.llm_model


def load_job(meta: JobMetadata) -> SurveyJob:
    """Load and cross-check what the metadata points at; MetadataError if it does not add up."""
    encuesta = Encuesta.objects.filter(pk=meta.encuesta_id).first()
    if encuesta is None:
        raise MetadataError(_("No existe la encuesta %(id)s.") % {"id": meta.encuesta_id})
    if encuesta.voice_agent_id != meta.voice_agent_id:
        raise MetadataError(
            _("La encuesta %(encuesta)s pertenece al agente %(own)s, no al %(given)s.")
            % {"encuesta": encuesta.pk, "own": encuesta.voice_agent_id, "given": meta.voice_agent_id}
        )
    if encuesta.status in Encuesta.FINAL_STATUSES:
        raise MetadataError(
            _("La encuesta %(id)s ya está cerrada (%(status)s).")
            % {"id": encuesta.pk, "status": encuesta.status}
        )
    agent = VoiceAgent.objects.filter(pk=meta.voice_agent_id).first()
    if agent is None:
        raise MetadataError(_("No existe el agente %(id)s.") % {"id": meta.voice_agent_id})
    if (
        meta.call_id is not None
        and not Call.objects.filter(pk=meta.call_id, encuesta_id=encuesta.pk).exists()
    ):
        raise MetadataError(
            _("La llamada %(call)s no existe o no es de la encuesta %(encuesta)s.")
            % {"call": meta.call_id, "encuesta": encuesta.pk}
        )
    return SurveyJob(
        encuesta_id=encuesta.pk,
        call_id=meta.call_id,
        voice_agent_id=agent.pk,
        agent_name=agent.name,
        dispatch_name=agent.dispatch_name,
        instructions=agent.instructions,
        greeting=agent.greeting,
        nombre_cliente=meta.nombre_cliente or encuesta.nombre_cliente,
        questionnaire=questionnaire_for(agent.questions.all()),
        pipeline=PipelineSpec.from_agent(agent),
        variables=_lead_variables(encuesta.pk),
    )


def _lead_variables(encuesta_id: int) -> dict[str, str]:
    extra = Lead.objects.filter(encuesta_id=encuesta_id).values_list("extra", flat=True).first() or {}
    return {str(key): "" if value is None else str(value) for key, value in extra.items()}


def save_answers(encuesta_id: int, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and store answers; raises django ValidationError and writes nothing if one is bad."""
    encuesta = services.encuesta_save(encuesta_id=encuesta_id, answers=answers)
    return {key: encuesta.respuestas[key] for key in answers}


def append_transcript(encuesta_id: int, speaker: str, text: str) -> None:
    services.encuesta_append_transcript(encuesta_id=encuesta_id, speaker=speaker, text=text)


def finish_survey(encuesta_id: int, *, seconds_used: int, tokens_used: int, llm_model: str) -> str:
    encuesta = services.encuesta_finish(
        encuesta_id=encuesta_id,
        seconds_used=seconds_used,
        tokens_used=tokens_used,
        llm_model=llm_model,
    )
    return encuesta.status


def record_usage(encuesta_id: int, *, seconds_used: int, tokens_used: int, llm_model: str) -> None:
    """Usage only, status untouched: for calls whose outcome is decided elsewhere (voicemail)."""
    services.encuesta_save(
        encuesta_id=encuesta_id,
        seconds_used=seconds_used,
        tokens_used=tokens_used,
        llm_model=llm_model,
    )


def opt_out(encuesta_id: int) -> None:
    services.encuesta_opt_out(encuesta_id=encuesta_id)


def call_transition(call_id: int, to: str) -> bool:
    return services.call_transition(call_id=call_id, to=to)


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
    encuesta = Encuesta.objects.filter(pk=encuesta_id).first()
    if encuesta is None:
        raise MetadataError(_("No existe la encuesta %(id)s.") % {"id": encuesta_id})
    if encuesta.voice_agent_id is None:
        raise MetadataError(_("La encuesta %(id)s no tiene agente.") % {"id": encuesta_id})
    return JobMetadata(
        encuesta_id=encuesta.pk,
        voice_agent_id=encuesta.voice_agent_id,
        nombre_cliente=encuesta.nombre_cliente,
    )
