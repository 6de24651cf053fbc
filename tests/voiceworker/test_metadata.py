from __future__ import annotations

import asyncio
import json
from unittest import mock

import pytest
from livekit.agents.testing import fake_job_context

from calls.models import Call, Encuesta
from tests.factories import CallFactory, EncuestaFactory, VoiceAgentFactory
from tests.voiceworker.conftest import Survey
from voiceworker import persistence, pipeline, worker
from voiceworker.metadata import JobMetadata, MetadataError, parse_metadata


def test_valid_metadata_is_parsed():
    meta = parse_metadata(
        json.dumps({"encuesta_id": 5, "call_id": "7", "voice_agent_id": 2, "nombre_cliente": " Ana "})
    )
    assert meta == JobMetadata(encuesta_id=5, voice_agent_id=2, call_id=7, nombre_cliente="Ana")


def test_the_customer_name_is_optional():
    meta = parse_metadata('{"encuesta_id": 5, "call_id": 7, "voice_agent_id": 2}')
    assert meta.nombre_cliente == ""


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "no trae metadatos"),
        ("   ", "no trae metadatos"),
        ("encuesta_5", "no son JSON"),
        ("[1, 2]", "objeto JSON"),
        ('{"call_id": 7, "voice_agent_id": 2}', "encuesta_id"),
        ('{"encuesta_id": 5, "call_id": 7}', "voice_agent_id"),
        ('{"encuesta_id": 5, "voice_agent_id": 2}', "call_id"),
        ('{"encuesta_id": -5, "call_id": 7, "voice_agent_id": 2}', "encuesta_id"),
        ('{"encuesta_id": true, "call_id": 7, "voice_agent_id": 2}', "encuesta_id"),
        ('{"encuesta_id": 5.5, "call_id": 7, "voice_agent_id": 2}', "encuesta_id"),
        ('{"encuesta_id": 5, "call_id": "siete", "voice_agent_id": 2}', "call_id"),
        ('{"encuesta_id": 5, "call_id": 7, "voice_agent_id": 2, "nombre_cliente": 3}', "nombre_cliente"),
    ],
)
def test_bad_metadata_is_refused_with_a_reason(raw, message):
    with pytest.raises(MetadataError, match=message):
        parse_metadata(raw)


def test_console_metadata_may_lack_a_call():
    assert parse_metadata('{"encuesta_id": 5, "voice_agent_id": 2}', require_call=False).call_id is None


def test_metadata_round_trips_through_json():
    meta = JobMetadata(encuesta_id=1, voice_agent_id=2, call_id=3, nombre_cliente="José")
    assert parse_metadata(meta.to_json()) == meta


@pytest.mark.django_db(transaction=True)
class TestLoadJob:
    def test_loads_the_agent_and_its_questionnaire(self, survey: Survey):
        job = persistence.load_job(survey.metadata)
        assert job.encuesta_id == survey.encuesta.pk
        assert job.call_id == survey.call.pk
        assert job.nombre_cliente == "Ana"
        assert [q.key for q in job.questionnaire] == ["comercial", "instalador", "rapidez", "comentarios"]
        assert job.pipeline.stt_model == survey.agent.stt_model
        assert job.llm_model == survey.agent.llm_model

    def test_the_name_falls_back_to_the_survey(self, survey: Survey):
        Encuesta.objects.filter(pk=survey.encuesta.pk).update(nombre_cliente="Luis")
        meta = JobMetadata(
            encuesta_id=survey.encuesta.pk, voice_agent_id=survey.agent.pk, call_id=survey.call.pk
        )
        assert persistence.load_job(meta).nombre_cliente == "Luis"

    def test_unknown_survey_is_refused(self, survey: Survey):
        meta = JobMetadata(encuesta_id=999_999, voice_agent_id=survey.agent.pk, call_id=survey.call.pk)
        with pytest.raises(MetadataError, match="No existe la encuesta"):
            persistence.load_job(meta)

    def test_a_survey_of_another_agent_is_refused(self, survey: Survey):
        other = VoiceAgentFactory()
        meta = JobMetadata(encuesta_id=survey.encuesta.pk, voice_agent_id=other.pk, call_id=survey.call.pk)
        with pytest.raises(MetadataError, match="pertenece al agente"):
            persistence.load_job(meta)

    def test_a_call_of_another_survey_is_refused(self, survey: Survey):
        other_call = CallFactory(encuesta=EncuestaFactory(voice_agent=survey.agent), attempt=1)
        meta = JobMetadata(
            encuesta_id=survey.encuesta.pk, voice_agent_id=survey.agent.pk, call_id=other_call.pk
        )
        with pytest.raises(MetadataError, match="no es de la encuesta"):
            persistence.load_job(meta)

    @pytest.mark.parametrize("status", [Encuesta.Status.COMPLETED, Encuesta.Status.REJECTED_OPT_OUT])
    def test_a_closed_survey_is_refused(self, survey: Survey, status):
        Encuesta.objects.filter(pk=survey.encuesta.pk).update(status=status)
        with pytest.raises(MetadataError, match="ya está cerrada"):
            persistence.load_job(survey.metadata)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "metadata",
    [
        "",
        "{not json",
        '{"encuesta_id": 1}',
        '{"encuesta_id": 999999, "voice_agent_id": 1, "call_id": 1}',
    ],
)
def test_the_entrypoint_refuses_bad_metadata_and_shuts_the_job_down(
    metadata, survey: Survey, monkeypatch, caplog
):
    monkeypatch.delenv(worker.CONSOLE_METADATA_ENV, raising=False)
    build_session = mock.Mock()
    monkeypatch.setattr(pipeline, "build_session", build_session)

    async def scenario() -> None:
        with fake_job_context(job_metadata=metadata) as job_ctx:
            shutdown = mock.Mock()
            monkeypatch.setattr(job_ctx, "shutdown", shutdown)
            await worker.entrypoint(job_ctx)
            shutdown.assert_called_once_with(reason="invalid metadata")
            with pytest.raises(RuntimeError):
                _ = job_ctx.primary_session

    asyncio.run(scenario())

    build_session.assert_not_called()
    assert "refusing job" in caplog.text
    assert Call.objects.get(pk=survey.call.pk).status == Call.Status.IN_PROGRESS
    assert Encuesta.objects.get(pk=survey.encuesta.pk).status == Encuesta.Status.IN_PROGRESS
