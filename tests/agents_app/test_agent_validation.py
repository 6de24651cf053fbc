"""An agent that could never hold a call is refused everywhere: admin, API, calls, worker check."""

import typing
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape

from agents_app.agent_templates import TEMPLATES
from agents_app.models import VoiceAgent
from agents_app.validation import STT_MODELS, TTS_MODELS, voice_agent_problems
from calls.models import Call, Encuesta
from tests.factories import VoiceAgentFactory

pytestmark = pytest.mark.django_db

SPANISH_VOICE = "0e5e5e5e-0000-4000-8000-00000000e5e5"
BROKEN = {"language": "klingon", "stt_model": "whisper/large-v3", "dispatch_name": "mi agente"}
BROKEN_API = {"language": "klingon", "sttModel": "whisper/large-v3", "dispatchName": "mi agente"}


@pytest.fixture(autouse=True)
def plugins(settings):
    settings.VOICE_USE_LIVEKIT_INFERENCE = False
    settings.LLM_BASE_URL = "https://api.groq.com/openai/v1"
    settings.VOICE_DEFAULT_VOICE_IDS = {"es": SPANISH_VOICE}


def broken_agent(**extra: str) -> VoiceAgent:
    """Saved past the checks, as agents created before them were."""
    return VoiceAgentFactory(name="Rota", **BROKEN, **extra)


def messages_of(agent: VoiceAgent) -> list[str]:
    return [m for msgs in agent.configuration_problems().values() for m in msgs]


def problems(**changes: str) -> dict[str, list[str]]:
    values = {
        "language": "es",
        "stt_model": "deepgram/nova-3",
        "llm_model": "llama-3.3-70b-versatile",
        "tts_model": "cartesia/sonic-3",
        "voice_id": SPANISH_VOICE,
        "dispatch_name": "agentelocal-encuestas",
        **changes,
    }
    return voice_agent_problems(**values)


# --- the checks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"stt_model": "nova-2"},
        {"stt_model": "deepgram/whisper-large"},
        {"tts_model": "sonic-2"},
        {"llm_model": "openai/gpt-oss-120b"},
        {"language": "en", "voice_id": "", "stt_model": "deepgram/nova-2-phonecall"},
        {"dispatch_name": "Dakota-1ef9_v2.0"},
    ],
)
def test_agents_that_can_run_pass(changes):
    assert problems(**changes) == {}


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"language": "klingon"}, "language", "Idioma no soportado «klingon»"),
        ({"stt_model": "whisper/large-v3"}, "stt_model", "«whisper»"),
        ({"stt_model": "deepgram/nova-9"}, "stt_model", "no tiene el modelo STT «nova-9»"),
        ({"stt_model": "deepgram/nova-2-phonecall"}, "stt_model", "no habla «es»"),
        ({"tts_model": "cartesia/sonic-99"}, "tts_model", "no tiene el modelo TTS «sonic-99»"),
        ({"tts_model": "elevenlabs/eleven_v3"}, "tts_model", "«elevenlabs»"),
        ({"llm_model": "llama 3.3"}, "llm_model", "sin espacios"),
        ({"llm_model": "groq/"}, "llm_model", "sin espacios"),
        ({"llm_model": " "}, "llm_model", "vacío"),
        ({"voice_id": ""}, "voice_id", "que es inglesa"),
        ({"voice_id": "spanish-lady"}, "voice_id", "UUID"),
        ({"dispatch_name": "mi agente"}, "dispatch_name", "sin espacios"),
        ({"dispatch_name": ""}, "dispatch_name", "sin espacios"),
    ],
)
def test_agents_that_cannot_run_are_named_by_field(changes, field, text):
    found = problems(**changes)
    assert list(found) == [field]
    assert text in " ".join(found[field])


def test_livekit_inference_knows_its_providers(settings):
    settings.VOICE_USE_LIVEKIT_INFERENCE = True
    assert problems(stt_model="assemblyai/universal-streaming", tts_model="rime/mist") == {}
    assert "LiveKit Inference" in problems(stt_model="whisper/large-v3")["stt_model"][0]
    assert "nova-9" in problems(stt_model="deepgram/nova-9")["stt_model"][0]


def test_the_models_we_accept_are_models_of_the_plugins_or_of_livekit_inference():
    from livekit.agents.inference import stt as inference_stt
    from livekit.agents.inference import tts as inference_tts
    from livekit.plugins.cartesia import models as cartesia_models
    from livekit.plugins.deepgram import models as deepgram_models

    deepgram = set(typing.get_args(deepgram_models.DeepgramModels)) | {
        m.partition("/")[2] for m in typing.get_args(inference_stt.DeepgramModels)
    }
    cartesia = set(typing.get_args(cartesia_models.TTSModels)) | {
        m.partition("/")[2] for m in typing.get_args(inference_tts.CartesiaModels)
    }
    assert set(STT_MODELS["deepgram"]) <= deepgram
    assert set(TTS_MODELS["cartesia"]) - {"sonic-multilingual"} <= cartesia


def test_every_template_makes_an_agent_that_can_run():
    for key in TEMPLATES:
        out = StringIO()
        call_command("loadagenttemplate", key, "--name", f"t-{key}", stdout=out)
        agent = VoiceAgent.objects.get(name=f"t-{key}")
        assert agent.configuration_problems() == {}, key


# --- the admin ----------------------------------------------------------------------------------


def admin_form(**changes: str) -> dict[str, str]:
    return {
        "name": "Nueva",
        "call_type": "Outbound",
        "language": "es",
        "stt_model": "deepgram/nova-3",
        "llm_model": "llama-3.3-70b-versatile",
        "tts_model": "cartesia/sonic-3",
        "voice_id": SPANISH_VOICE,
        "dispatch_name": "agentelocal-encuestas",
        "is_active": "on",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        **changes,
    }


def test_the_admin_add_form_refuses_an_agent_that_cannot_run(admin_client_logged):
    response = admin_client_logged.post(reverse("admin:agents_app_voiceagent_add"), admin_form(**BROKEN))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"language", "stt_model", "dispatch_name"}
    content = response.content.decode()
    for message in messages_of(VoiceAgent(**BROKEN, voice_id=SPANISH_VOICE)):
        assert escape(message) in content
    assert not VoiceAgent.objects.exists()

    ok = admin_client_logged.post(reverse("admin:agents_app_voiceagent_add"), admin_form())
    assert ok.status_code == 302
    assert VoiceAgent.objects.get().name == "Nueva"


def test_the_admin_change_form_refuses_it_too(admin_client_logged):
    agent = VoiceAgentFactory(name="Buena")
    url = reverse("admin:agents_app_voiceagent_change", args=[agent.pk])

    response = admin_client_logged.post(url, admin_form(name="Buena", stt_model="whisper/large-v3"))

    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"stt_model"}
    agent.refresh_from_db()
    assert agent.stt_model == "deepgram/nova-3"


# --- the API ------------------------------------------------------------------------------------


def test_api_create_refuses_it_with_detail_and_field_errors(api_client):
    response = api_client.post("/api/agents", {"name": "Nueva", **BROKEN_API}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert {"language", "sttModel", "dispatchName"} <= set(body)
    assert "sin espacios" in " ".join(body["dispatchName"])
    assert not VoiceAgent.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch"])
def test_api_update_refuses_it_and_changes_nothing(api_client, method):
    agent = VoiceAgentFactory(name="Buena")
    before = agent.updated_at

    response = getattr(api_client, method)(
        f"/api/agents/{agent.pk}", {"name": "Buena", **BROKEN_API}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"]
    assert "sttModel" in response.json()
    agent.refresh_from_db()
    assert (agent.language, agent.stt_model, agent.dispatch_name, agent.updated_at) == (
        "es",
        "deepgram/nova-3",
        "agentelocal-test",
        before,
    )


def test_api_patch_is_checked_against_the_saved_agent(api_client):
    agent = VoiceAgentFactory(name="Inglesa", language="en", voice_id="")

    response = api_client.patch(f"/api/agents/{agent.pk}", {"language": "es"}, format="json")

    assert response.status_code == 400
    assert "que es inglesa" in response.json()["detail"]
    agent.refresh_from_db()
    assert agent.language == "en"


def test_the_old_clients_ai_config_refuses_it(api_client):
    agent = VoiceAgentFactory()

    response = api_client.post(
        "/api/ai/config",
        {"stt_provider": "whisper", "stt_model": "large-v3", "language": "klingon"},
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert "Idioma no soportado" in body["detail"] or "whisper" in body["detail"]
    assert {"language", "stt_model"} <= set(body)
    agent.refresh_from_db()
    assert (agent.language, agent.stt_model) == ("es", "deepgram/nova-3")


# --- placing calls and the worker ---------------------------------------------------------------


def test_a_call_with_an_agent_that_cannot_run_is_refused(api_client, livekit, telephony_config):
    agent = broken_agent()

    response = api_client.post(
        "/api/calls/outbound", {"agentId": agent.pk, "phoneNumber": "+34621151394"}, format="json"
    )

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "«Rota» no puede llamar" in detail
    for message in messages_of(agent):
        assert message in detail
    assert not Call.objects.exists() and not Encuesta.objects.exists()
    assert livekit.requests == []


def test_runvoiceworker_check_reports_the_same_messages():
    agent = broken_agent()

    with pytest.raises(CommandError) as excinfo:
        call_command(
            "runvoiceworker", "--check", "--agent-name", "mi agente", stdout=StringIO(), stderr=StringIO()
        )

    report = str(excinfo.value)
    assert "Rota: Idioma no soportado «klingon»" in report
    assert "Nombre de despacho no válido «mi agente»" in report
    for message in messages_of(agent):
        assert message in report
