"""The pieces around a session: answering, prompts, greeting, tool schema, console metadata."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from livekit import rtc

from agents_app.models import SurveyQuestion
from calls.answers import DEFAULT_QUESTIONNAIRE, Question
from calls.models import Call, Encuesta
from tests.factories import CallFactory, EncuestaFactory, VoiceAgentFactory
from tests.voiceworker.conftest import Survey, fetch_call, fetch_encuesta
from voiceworker import persistence, worker
from voiceworker.call import SurveyCall
from voiceworker.metadata import JobMetadata
from voiceworker.prompts import build_instructions, build_save_schema, render_greeting
from voiceworker.providers import PipelineSpec

SIP = rtc.ParticipantKind.PARTICIPANT_KIND_SIP
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=ZoneInfo("Europe/Madrid"))
STANDARD = rtc.ParticipantKind.PARTICIPANT_KIND_STANDARD


class FakeRoom(rtc.EventEmitter):
    """What wait_until_answered uses of rtc.Room: its events and its remote participants."""

    def __init__(self, *participants: SimpleNamespace) -> None:
        super().__init__()
        self.remote_participants = {p.identity: p for p in participants}
        self.subscribed: set[tuple[str, object]] = set()

    def on(self, event, callback=None):
        self.subscribed.add((event, callback))
        return super().on(event, callback)

    def off(self, event, callback) -> None:
        self.subscribed.discard((event, callback))
        super().off(event, callback)


def participant(status: str | None, *, kind=SIP, identity: str = "sip_1") -> SimpleNamespace:
    attributes = {} if status is None else {"sip.callStatus": status}
    return SimpleNamespace(identity=identity, kind=kind, attributes=attributes)


def wait_until_answered(room: FakeRoom, timeout: float) -> Coroutine[Any, Any, object]:
    return worker.wait_until_answered(cast(rtc.Room, room), timeout=timeout)


class TestWaitUntilAnswered:
    def test_an_active_call_already_in_the_room_is_answered(self):
        callee = participant("active")
        answered = asyncio.run(wait_until_answered(FakeRoom(callee), timeout=5))
        assert answered is callee

    def test_waits_through_dialing_and_ringing_until_active(self):
        async def scenario() -> tuple[Any, bool]:
            room = FakeRoom()
            waiting = asyncio.create_task(wait_until_answered(room, timeout=5))
            await asyncio.sleep(0)  # let it subscribe
            callee = participant("dialing")
            room.emit("participant_connected", callee)
            callee.attributes["sip.callStatus"] = "ringing"
            room.emit("participant_attributes_changed", {"sip.callStatus": "ringing"}, callee)
            done_while_ringing = waiting.done()
            callee.attributes["sip.callStatus"] = "active"
            room.emit("participant_attributes_changed", {"sip.callStatus": "active"}, callee)
            return await waiting, done_while_ringing

        answered, done_while_ringing = asyncio.run(scenario())
        assert answered is not None and answered.identity == "sip_1"
        assert done_while_ringing is False

    def test_a_callee_who_leaves_before_answering_is_not_answered(self):
        async def scenario() -> object:
            callee = participant("ringing")
            room = FakeRoom(callee)
            waiting = asyncio.create_task(wait_until_answered(room, timeout=5))
            await asyncio.sleep(0)
            room.emit("participant_disconnected", callee)
            return await waiting

        assert asyncio.run(scenario()) is None

    def test_a_hung_up_call_is_not_answered(self):
        assert asyncio.run(wait_until_answered(FakeRoom(participant("hangup")), timeout=5)) is None

    def test_other_participants_are_ignored(self):
        room = FakeRoom(participant("active", kind=STANDARD, identity="operadora"))
        assert asyncio.run(wait_until_answered(room, timeout=0.01)) is None

    def test_a_sip_participant_without_call_status_counts_as_answered(self):
        callee = participant(None)
        assert asyncio.run(wait_until_answered(FakeRoom(callee), timeout=5)) is callee

    def test_handlers_are_removed_afterwards(self):
        async def scenario() -> tuple[set, set]:
            room = FakeRoom()
            waiting = asyncio.create_task(wait_until_answered(room, timeout=5))
            await asyncio.sleep(0)
            during = set(room.subscribed)
            room.emit("participant_connected", participant("active"))
            await waiting
            return during, room.subscribed

        during, after = asyncio.run(scenario())
        assert {event for event, _ in during} == {
            "participant_connected",
            "participant_attributes_changed",
            "participant_disconnected",
        }
        assert after == set()


def make_job(questionnaire=DEFAULT_QUESTIONNAIRE, **changes) -> persistence.SurveyJob:
    fields = {
        "encuesta_id": 1,
        "call_id": 2,
        "voice_agent_id": 3,
        "agent_name": "Encuesta de calidad",
        "dispatch_name": "agentelocal-encuestas",
        "instructions": "Eres Dakota, una asistente de encuestas.",
        "greeting": "Hola{nombre}, ¿tiene un minuto?",
        "goodbye": "Adiós{nombre}.",
        "voicemail_message": "",
        "nombre_cliente": "Ana",
        "questionnaire": questionnaire,
        "pipeline": PipelineSpec("x", "es", "deepgram/nova-3", "llama-3.3-70b-versatile", "cartesia/sonic-3"),
        "time_zone": "Europe/Madrid",
    }
    return persistence.SurveyJob(**{**fields, **changes})


class TestPrompt:
    def test_instructions_list_the_questions_in_order_with_rules(self):
        text = build_instructions(make_job(), now=NOW)
        assert text.startswith("Eres Dakota")
        positions = [text.index(f"[{q.key}]") for q in DEFAULT_QUESTIONNAIRE]
        assert positions == sorted(positions)
        assert "1. [comercial] Del 0 al 10" in text
        assert "(texto libre, opcional)" in text
        for tool in (
            "guardar_encuesta",
            "finalizar_llamada",
            "rechazar_encuesta",
            "programar_rellamada",
            "buzon_de_voz",
        ):
            assert tool in text
        assert "El cliente se llama Ana." in text
        # the model resolves "mañana" against the campaign's local date
        assert "Ahora es miércoles 2026-11-25, 10:30 (hora de Europe/Madrid)." in text

    def test_a_redial_marks_what_was_already_answered(self):
        lines = build_instructions(make_job(answers={"comercial": 8}), now=NOW).splitlines()
        first = next(line for line in lines if line.startswith("1. [comercial]"))
        second = next(line for line in lines if line.startswith("2. [instalador]"))
        assert first.endswith("ya respondida: 8")
        assert "ya respondida" not in second

    def test_an_unknown_name_is_not_mentioned(self):
        assert "se llama" not in build_instructions(make_job(nombre_cliente=""), now=NOW)

    @pytest.mark.parametrize(
        ("greeting", "nombre", "spoken"),
        [
            ("Hola{nombre}, ¿tiene un minuto?", "Ana", "Hola Ana, ¿tiene un minuto?"),
            ("Hola{nombre}, ¿tiene un minuto?", "", "Hola, ¿tiene un minuto?"),
            ("Buenos días.", "Ana", "Buenos días."),
            (
                "",
                "Ana",
                "Hola Ana. Soy un asistente automático y le llamo para una breve encuesta. ¿Tiene un minuto?",
            ),
        ],
    )
    def test_greeting(self, greeting, nombre, spoken):
        assert render_greeting(greeting, nombre) == spoken

    def test_the_save_tool_schema_is_loose_enough_for_providers_that_check_it(self):
        questionnaire = (
            Question("nota", "Del 0 al 10, ¿qué tal?", SurveyQuestion.Type.SCORE),
            Question("asistira", "¿Podrá acudir?", SurveyQuestion.Type.YES_NO),
            Question("motivo", "¿Por qué?", SurveyQuestion.Type.TEXT, required=False),
        )
        schema = build_save_schema(questionnaire)
        assert schema["name"] == "guardar_encuesta"
        parameters = schema["parameters"]
        # Groq rejects a whole turn (400 tool_use_failed) when arguments break the schema:
        # ranges are checked by the tool, which can tell the model; null means "not answered"
        assert parameters["properties"] == {
            "nota": {
                "type": ["integer", "number", "string", "null"],
                "description": "Del 0 al 10, ¿qué tal? (número entero del 0 al 10, obligatoria)",
            },
            "asistira": {
                "type": ["boolean", "string", "null"],
                "description": "¿Podrá acudir? (sí o no, obligatoria)",
            },
            "motivo": {"type": ["string", "null"], "description": "¿Por qué? (texto libre, opcional)"},
        }
        assert "required" not in parameters
        assert not any("minimum" in prop or "enum" in prop for prop in parameters["properties"].values())


@pytest.mark.django_db(transaction=True)
def test_answering_moves_the_call_and_survey_in_progress():
    agent = VoiceAgentFactory()
    call = CallFactory(
        encuesta=EncuestaFactory(voice_agent=agent, status=Encuesta.Status.INITIATED),
        status=Call.Status.RINGING,
    )
    meta = JobMetadata(encuesta_id=call.encuesta_id, voice_agent_id=agent.pk, call_id=call.pk)

    async def scenario() -> None:
        job = await persistence.run_db(persistence.load_job, meta)
        await SurveyCall(job).mark_answered()
        assert (await fetch_call(call.pk)).status == Call.Status.IN_PROGRESS
        assert (await fetch_encuesta(call.encuesta_id)).status == Encuesta.Status.IN_PROGRESS

    asyncio.run(scenario())
    assert Call.objects.get(pk=call.pk).answered_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_console_job_reads_its_metadata_from_the_command(survey: Survey, start_call, monkeypatch):
    meta = persistence.console_metadata(survey.encuesta.pk)
    assert meta.call_id is None
    monkeypatch.setenv(worker.CONSOLE_METADATA_ENV, meta.to_json())

    async def scenario() -> None:
        async with start_call("", []) as running:
            assert running.call.job.encuesta_id == survey.encuesta.pk
            assert running.call.job.call_id is None

    asyncio.run(scenario())
    # without a call only the survey is closed
    assert Encuesta.objects.get(pk=survey.encuesta.pk).status == Encuesta.Status.INCOMPLETE
    assert Call.objects.get(pk=survey.call.pk).status == Call.Status.IN_PROGRESS


def test_django_console_handlers_are_left_to_livekit(settings):
    root = logging.getLogger()
    django_console = logging.StreamHandler()
    django_console.set_name("console")
    livekit_handler = logging.StreamHandler()
    root.addHandler(django_console)
    root.addHandler(livekit_handler)
    try:
        settings.LOGGING = {"version": 1, "handlers": {"console": {"class": "logging.StreamHandler"}}}
        worker.leave_logging_to_livekit()
        assert django_console not in root.handlers
        assert livekit_handler in root.handlers
    finally:
        root.removeHandler(django_console)
        root.removeHandler(livekit_handler)


@pytest.mark.django_db(transaction=True)
class TestLiveCallPaths:
    """The entrypoint's live-room branch, with the room replaced: no path leaves dead air."""

    def run_live(
        self,
        survey: Survey,
        monkeypatch,
        *,
        connect_error: Exception | None = None,
        build_error: Exception | None = None,
    ) -> dict:
        from livekit.agents import AgentSession
        from livekit.agents.testing import fake_job_context

        from tests.voiceworker.scripted_llm import ScriptedLLM
        from voiceworker import pipeline

        seen: dict[str, Any] = {}

        async def connect() -> None:
            if connect_error is not None:
                raise connect_error

        async def answered(room: object, timeout: float) -> SimpleNamespace:
            return participant("active", identity="sip_7")

        async def start(self: AgentSession, agent: object, **kwargs: Any) -> None:
            seen["start"] = kwargs

        async def amd(session: object, agent: object, identity: str) -> None:
            seen["amd_for"] = identity

        monkeypatch.setattr(worker, "wait_until_answered", answered)
        monkeypatch.setattr(worker, "detect_answerer", amd)
        monkeypatch.setattr(AgentSession, "start", start)

        def build_session(spec: object, vad_model: object = None) -> AgentSession:
            if build_error is not None:
                raise build_error
            return AgentSession(llm=ScriptedLLM([]))

        monkeypatch.setattr(pipeline, "build_session", build_session)

        async def scenario() -> None:
            with fake_job_context(job_metadata=survey.metadata.to_json()) as ctx:
                deleted: list[bool] = []

                async def delete_room(room_name: str = "") -> None:
                    deleted.append(True)

                monkeypatch.setattr(ctx, "is_fake_job", lambda: False)
                monkeypatch.setattr(ctx, "connect", connect)
                monkeypatch.setattr(ctx, "delete_room", delete_room)
                await worker.entrypoint(ctx)
                seen["deleted"] = deleted

        asyncio.run(scenario())
        return seen

    def test_the_room_is_deleted_whenever_the_session_closes(self, survey: Survey, monkeypatch, settings):
        settings.VOICE_AMD_ENABLED = True
        seen = self.run_live(survey, monkeypatch)
        options = seen["start"]["room_options"]
        assert options.delete_room_on_close is True
        assert options.participant_identity == "sip_7"
        assert seen["amd_for"] == "sip_7"  # the greeting waits for the answering-machine verdict

    def test_a_failed_connect_ends_the_call_instead_of_leaving_a_silent_line(
        self, survey: Survey, monkeypatch
    ):
        Call.objects.filter(pk=survey.call.pk).update(answered_at=timezone.now())
        seen = self.run_live(survey, monkeypatch, connect_error=ConnectionError("no route to LiveKit"))
        assert seen["deleted"] == [True]
        assert "start" not in seen
        call = Call.objects.select_related("encuesta").get(pk=survey.call.pk)
        assert call.status == Call.Status.FAILED
        assert call.failure_reason == "El agente no pudo entrar en la sala de la llamada."
        # the callee had answered: closed as incomplete, like any call cut short
        assert call.encuesta.status == Encuesta.Status.INCOMPLETE

    def test_a_failed_connect_while_the_phone_rings_leaves_the_survey_retryable(
        self, survey: Survey, monkeypatch
    ):
        Call.objects.filter(pk=survey.call.pk).update(status=Call.Status.RINGING)
        Encuesta.objects.filter(pk=survey.encuesta.pk).update(status=Encuesta.Status.INITIATED)
        seen = self.run_live(survey, monkeypatch, connect_error=TimeoutError())
        assert seen["deleted"] == [True]
        assert Call.objects.get(pk=survey.call.pk).status == Call.Status.FAILED
        assert Encuesta.objects.get(pk=survey.encuesta.pk).status == Encuesta.Status.FAILED

    def test_a_pipeline_that_cannot_be_built_fails_the_call(self, survey: Survey, monkeypatch):
        seen = self.run_live(survey, monkeypatch, build_error=ValueError("unknown TTS model"))
        assert seen["deleted"] == [True]
        call = Call.objects.get(pk=survey.call.pk)
        assert call.status == Call.Status.FAILED
        assert call.failure_reason == "El agente no pudo preparar la voz de la llamada."


def test_the_load_threshold_setting_reaches_the_agent_server(settings):
    from livekit.agents.worker import _default_load_threshold

    default = settings.VOICE_WORKER_LOAD_THRESHOLD
    assert default == _default_load_threshold.prod_default  # livekit's own production default
    settings.VOICE_WORKER_LOAD_THRESHOLD = float("inf")
    server = worker.build_server(agent_name="agentelocal-encuestas", port=0)
    assert server._load_threshold == float("inf")
