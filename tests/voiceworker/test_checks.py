"""Startup checks, the management command, and building the pipeline from an agent's settings."""

from __future__ import annotations

import sys
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from livekit.agents import AgentServer, inference
from livekit.plugins import cartesia, deepgram, openai

from tests.factories import VoiceAgentFactory
from voiceworker import pipeline, worker
from voiceworker.checks import check_configuration
from voiceworker.providers import PipelineSpec

COMMAND = "voiceworker.management.commands.runvoiceworker"
DEFAULT = PipelineSpec(
    label="Encuesta de calidad",
    language="es",
    stt_model="deepgram/nova-3",
    llm_model="llama-3.3-70b-versatile",
    tts_model="cartesia/sonic-3",
    voice_id="0e5e5e5e-0000-4000-8000-00000000e5e5",
)


def spec(**changes) -> PipelineSpec:
    return PipelineSpec(**{**DEFAULT.__dict__, **changes})


class TestCheckConfiguration:
    def test_everything_present_means_no_problems(self, provider_settings):
        assert check_configuration([DEFAULT]) == []

    @pytest.mark.parametrize(
        ("setting", "mentions"),
        [
            ("LIVEKIT_URL", "LiveKit"),
            ("LIVEKIT_API_KEY", "LiveKit"),
            ("LIVEKIT_API_SECRET", "LiveKit"),
            ("DEEPGRAM_API_KEY", "STT «deepgram/nova-3»"),
            ("CARTESIA_API_KEY", "TTS «cartesia/sonic-3»"),
            ("GROQ_API_KEY", "LLM «llama-3.3-70b-versatile»"),
        ],
    )
    def test_each_missing_setting_is_named_with_what_needs_it(self, provider_settings, setting, mentions):
        setattr(provider_settings, setting, "")
        problems = check_configuration([DEFAULT])
        assert len(problems) == 1
        assert setting in problems[0]
        assert mentions in problems[0]

    def test_all_missing_settings_are_reported_together(self, provider_settings):
        for name in ("LIVEKIT_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET", "DEEPGRAM_API_KEY"):
            setattr(provider_settings, name, "")
        problems = "\n".join(check_configuration([DEFAULT]))
        for name in ("LIVEKIT_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET", "DEEPGRAM_API_KEY"):
            assert name in problems

    def test_a_key_needed_by_several_agents_is_named_once(self, provider_settings):
        provider_settings.DEEPGRAM_API_KEY = ""
        problems = check_configuration([DEFAULT, spec(label="NPS")])
        assert len(problems) == 1
        assert "Encuesta de calidad" in problems[0] and "NPS" in problems[0]

    def test_an_openai_endpoint_needs_the_openai_key(self, provider_settings):
        provider_settings.LLM_BASE_URL = "https://api.openai.com/v1"
        provider_settings.GROQ_API_KEY = ""
        problems = check_configuration([spec(llm_model="gpt-4.1-mini")])
        assert len(problems) == 1 and "OPENAI_API_KEY" in problems[0]
        provider_settings.OPENAI_API_KEY = "sk-test"
        assert check_configuration([spec(llm_model="gpt-4.1-mini")]) == []

    def test_livekit_inference_needs_only_livekit_credentials(self, provider_settings):
        provider_settings.VOICE_USE_LIVEKIT_INFERENCE = True
        for name in ("DEEPGRAM_API_KEY", "CARTESIA_API_KEY", "GROQ_API_KEY"):
            setattr(provider_settings, name, "")
        inference_only = spec(llm_model="openai/gpt-4.1-mini")
        assert check_configuration([inference_only]) == []
        # a bare LLM model name still goes to LLM_BASE_URL (Groq here)
        assert "GROQ_API_KEY" in check_configuration([DEFAULT])[0]

    def test_livekit_inference_needs_livekit_even_in_the_console(self, provider_settings):
        provider_settings.VOICE_USE_LIVEKIT_INFERENCE = True
        provider_settings.LIVEKIT_API_SECRET = ""
        problems = check_configuration([DEFAULT], require_livekit=False)
        assert len(problems) == 1 and "LIVEKIT_API_SECRET" in problems[0]

    def test_the_console_does_not_need_livekit_for_plugins(self, provider_settings):
        provider_settings.LIVEKIT_URL = ""
        assert check_configuration([DEFAULT], require_livekit=False) == []

    def test_a_provider_without_a_plugin_is_refused_unless_inference_is_on(self, provider_settings):
        assemblyai = spec(stt_model="assemblyai/universal-streaming")
        problems = check_configuration([assemblyai])
        assert len(problems) == 1
        assert "assemblyai" in problems[0] and "VOICE_USE_LIVEKIT_INFERENCE" in problems[0]
        provider_settings.VOICE_USE_LIVEKIT_INFERENCE = True
        assert check_configuration([assemblyai]) == []

    def test_an_empty_model_is_a_problem(self, provider_settings):
        assert "vacío" in check_configuration([spec(tts_model="")])[0]


@pytest.mark.django_db(transaction=True)
class TestCommand:
    @pytest.fixture(autouse=True)
    def _keep_test_logging(self, monkeypatch):
        # the command hands the process's logging to livekit; not the test process's
        monkeypatch.setattr(worker, "leave_logging_to_livekit", mock.Mock())

    def test_missing_keys_stop_the_worker_before_it_registers(self, provider_settings):
        provider_settings.DEEPGRAM_API_KEY = ""
        provider_settings.LIVEKIT_API_SECRET = ""
        with (
            mock.patch.object(worker, "build_server") as build_server,
            pytest.raises(CommandError) as excinfo,
        ):
            call_command("runvoiceworker", "start", stdout=StringIO(), stderr=StringIO())
        assert "DEEPGRAM_API_KEY" in str(excinfo.value)
        assert "LIVEKIT_API_SECRET" in str(excinfo.value)
        build_server.assert_not_called()

    def test_check_only_succeeds_when_everything_is_configured(self, provider_settings):
        VoiceAgentFactory(dispatch_name="agentelocal-encuestas")
        out = StringIO()
        with mock.patch.object(worker, "build_server") as build_server:
            call_command(
                "runvoiceworker",
                "--check",
                "--agent-name",
                "agentelocal-encuestas",
                stdout=out,
                stderr=StringIO(),
            )
        assert "Configuración correcta" in out.getvalue()
        build_server.assert_not_called()

    def test_it_checks_the_models_of_the_agents_it_serves(self, provider_settings):
        VoiceAgentFactory(dispatch_name="ventas", stt_model="assemblyai/universal-streaming")
        with pytest.raises(CommandError, match="assemblyai"):
            call_command("runvoiceworker", "--check", "--agent-name", "ventas", stdout=StringIO())

    def test_dispatch_names_nobody_serves_are_reported(self, provider_settings):
        VoiceAgentFactory(name="Calidad", dispatch_name="agentelocal-encuestas")
        VoiceAgentFactory(name="Ventas", dispatch_name="ventas")
        VoiceAgentFactory(name="Vieja", dispatch_name="retirada", is_active=False)
        out, err = StringIO(), StringIO()
        call_command(
            "runvoiceworker", "--check", "--agent-name", "agentelocal-encuestas", stdout=out, stderr=err
        )
        assert "* agentelocal-encuestas: Calidad" in out.getvalue()
        assert "ventas: Ventas" in out.getvalue()
        assert "--agent-name ventas" in err.getvalue()
        assert "retirada" not in out.getvalue() + err.getvalue()

    def test_it_runs_the_livekit_cli_for_the_requested_name_and_mode(self, provider_settings):
        seen: dict = {}

        def run_app(server) -> None:
            seen["argv"], seen["server"] = list(sys.argv), server

        argv_before = list(sys.argv)
        with (
            mock.patch.object(worker, "build_server", wraps=worker.build_server) as build_server,
            mock.patch(f"{COMMAND}.cli.run_app", side_effect=run_app),
        ):
            call_command(
                "runvoiceworker",
                "dev",
                "--agent-name",
                "ventas",
                "--log-level",
                "DEBUG",
                stdout=StringIO(),
                stderr=StringIO(),
            )
        build_server.assert_called_once_with(agent_name="ventas", port=None)
        assert isinstance(seen["server"], AgentServer)
        assert seen["argv"][1:] == ["dev", "--log-level", "DEBUG"]
        assert sys.argv == argv_before

    def test_a_worker_that_never_reached_livekit_is_an_error(self, provider_settings):
        def run_app(server) -> None:
            server._connection_failed = True  # what the library sets after max_retry failures

        with (
            mock.patch(f"{COMMAND}.cli.run_app", side_effect=run_app),
            pytest.raises(CommandError, match="no pudo conectar"),
        ):
            call_command("runvoiceworker", stdout=StringIO(), stderr=StringIO())

    def test_a_failed_worker_exit_is_an_error(self, provider_settings):
        with mock.patch(f"{COMMAND}.cli.run_app") as run_app:
            run_app.side_effect = SystemExit(2)
            with pytest.raises(CommandError, match="código 2"):
                call_command("runvoiceworker", stdout=StringIO(), stderr=StringIO())

    def test_a_worker_that_stopped_on_an_error_exits_non_zero(self, provider_settings):
        def run_app(server) -> None:
            # e.g. the health port is taken: the library logs it and returns normally
            server.failure = OSError(98, "address already in use")

        with (
            mock.patch(f"{COMMAND}.cli.run_app", side_effect=run_app),
            pytest.raises(CommandError, match="address already in use"),
        ):
            call_command("runvoiceworker", "--port", "0", stdout=StringIO(), stderr=StringIO())

    def test_the_health_port_is_an_option(self, provider_settings):
        server = worker.build_server(agent_name="ventas", port=0)
        assert server._port == 0

    def test_a_spanish_agent_without_a_voice_is_refused(self, provider_settings):
        VoiceAgentFactory(dispatch_name="ventas", voice_id="")
        with pytest.raises(CommandError, match="que es inglesa"):
            call_command("runvoiceworker", "--check", "--agent-name", "ventas", stdout=StringIO())

    def test_the_console_needs_a_survey(self, provider_settings):
        with pytest.raises(CommandError, match="--encuesta"):
            call_command("runvoiceworker", "console", stdout=StringIO(), stderr=StringIO())


class TestPipeline:
    def test_plugins_by_default(self, provider_settings):
        agent_spec = spec(voice_id="a0e99841-438c-4a64-b679-ae501e7d6091")
        stt = pipeline.build_stt(agent_spec)
        assert isinstance(stt, deepgram.STT)
        assert stt.model == "nova-3"
        assert stt._opts.language == "es"
        llm = pipeline.build_llm(agent_spec)
        assert isinstance(llm, openai.LLM)
        assert llm.model == "llama-3.3-70b-versatile"
        assert str(llm._client.base_url).startswith("https://api.groq.com/openai/v1")
        assert llm._client.api_key == "gsk-test"
        tts = pipeline.build_tts(agent_spec)
        assert isinstance(tts, cartesia.TTS)
        assert tts.model == "sonic-3"
        assert tts._opts.voice == "a0e99841-438c-4a64-b679-ae501e7d6091"
        assert tts._opts.language == "es"

    def test_livekit_inference_when_enabled(self, provider_settings):
        provider_settings.VOICE_USE_LIVEKIT_INFERENCE = True
        agent_spec = spec(llm_model="openai/gpt-4.1-mini")
        assert isinstance(pipeline.build_stt(agent_spec), inference.STT)
        assert isinstance(pipeline.build_llm(agent_spec), inference.LLM)
        assert isinstance(pipeline.build_tts(agent_spec), inference.TTS)

    def test_vad_and_turn_detection_work_offline(self):
        assert pipeline.load_vad() is not None
        assert pipeline.build_turn_detector().model == "turn-detector-v1-mini"
