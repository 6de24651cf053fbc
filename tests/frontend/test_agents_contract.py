"""Exact shapes of the old client's agent editor, AI Models and provider requests."""

import pytest

from agents_app.models import PromptTemplate, VoiceAgent
from agents_app.services import voice_agent_create
from tests.factories import VoiceAgentFactory

pytestmark = pytest.mark.django_db

PIPELINE_KEYS = {
    "llm_provider",
    "llm_model",
    "tts_provider",
    "tts_model",
    "tts_voice",
    "stt_provider",
    "stt_model",
    "language",
}


@pytest.fixture
def groq(settings):
    settings.LLM_BASE_URL = "https://api.groq.com/openai/v1"
    settings.VOICE_USE_LIVEKIT_INFERENCE = False
    return settings


def test_prompts_list_and_create(browser):
    PromptTemplate.objects.create(name="Base", description="la de siempre", content="Eres amable.")

    created = browser.post(
        "/api/prompts",
        {"name": "Nueva", "description": "Creado desde el editor", "content": "Pregunta del 0 al 10."},
        format="json",
    )
    listing = browser.get("/api/prompts")

    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "name": "Nueva",
        "description": "Creado desde el editor",
        "content": "Pregunta del 0 al 10.",
    }
    assert [row["name"] for row in listing.json()] == ["Base", "Nueva"]
    assert set(listing.json()[0]) == {"id", "name", "description", "content"}


def test_prompt_errors_have_detail_and_write_nothing(browser):
    browser.post("/api/prompts", {"name": "Base", "content": "x"}, format="json")

    duplicate = browser.post("/api/prompts", {"name": "Base", "content": "y"}, format="json")
    empty = browser.post("/api/prompts", {"name": "Otra"}, format="json")

    assert duplicate.status_code == 400
    assert "name" in duplicate.json()["detail"]
    assert empty.status_code == 400
    assert "content" in empty.json()["detail"]
    assert PromptTemplate.objects.count() == 1


def test_ai_config_reads_the_first_agents_pipeline(browser, groq):
    VoiceAgentFactory(
        llm_model="llama-3.3-70b-versatile",
        tts_model="cartesia/sonic-3",
        stt_model="deepgram/nova-3",
        voice_id="fb926b21",
        language="es",
    )
    VoiceAgentFactory(llm_model="openai/gpt-4.1-mini")

    response = browser.get("/api/ai/config")

    assert response.json() == {
        "llm_provider": "groq",
        "llm_model": "llama-3.3-70b-versatile",
        "tts_provider": "cartesia",
        "tts_model": "sonic-3",
        "tts_voice": "fb926b21",
        "stt_provider": "deepgram",
        "stt_model": "nova-3",
        "language": "es",
    }


def test_ai_config_without_agents_is_empty_so_the_client_keeps_its_defaults(browser):
    assert browser.get("/api/ai/config").json() == {}
    response = browser.post("/api/ai/config", {"llm_provider": "groq", "llm_model": "x"}, format="json")
    assert response.status_code == 404
    assert "agente" in response.json()["detail"]


def test_ai_config_post_maps_onto_the_agents_models(browser, groq):
    agent = VoiceAgentFactory()
    body = {
        "llm_provider": "openai",
        "llm_model": "gpt-4.1-mini",
        "tts_provider": "cartesia",
        "tts_model": "sonic-multilingual",
        "tts_voice": "fb926b21-4d92-411a-85d0-9d06859e2171",
        "stt_provider": "deepgram",
        "stt_model": "nova-2",
        "language": "es",
    }

    response = browser.post("/api/ai/config", body, format="json")

    assert response.status_code == 200
    assert response.json() == body
    agent.refresh_from_db()
    assert agent.llm_model == "openai/gpt-4.1-mini"
    assert agent.tts_model == "cartesia/sonic-multilingual"
    assert agent.stt_model == "deepgram/nova-2"
    assert agent.voice_id == "fb926b21-4d92-411a-85d0-9d06859e2171"
    browser.post("/api/ai/config", {"llm_provider": "groq", "llm_model": "llama-3.3-70b"}, format="json")
    agent.refresh_from_db()
    assert agent.llm_model == "llama-3.3-70b"  # the endpoint's own provider is stored bare


def test_ai_config_is_validated_as_the_agent_is(browser):
    agent = VoiceAgentFactory(tts_model="cartesia/sonic-3")

    too_long = browser.post(
        "/api/ai/config", {"tts_provider": "cartesia", "tts_model": "x" * 100}, format="json"
    )
    bad_provider = browser.post("/api/ai/config", {"llm_provider": "Bad Provider!"}, format="json")

    assert too_long.status_code == 400
    assert "tts_model" in too_long.json()["detail"]
    assert bad_provider.status_code == 400
    assert "llm_provider" in bad_provider.json()["detail"]
    agent.refresh_from_db()
    assert agent.tts_model == "cartesia/sonic-3"


def test_settings_default_llm_for_new_agents(browser, groq):
    assert browser.get("/api/settings").json() == {
        "llm_provider": "groq",
        "llm_model": str(VoiceAgent._meta.get_field("llm_model").default),
    }

    saved = browser.post(
        "/api/settings", {"llm_provider": "deepseek", "llm_model": "deepseek-chat"}, format="json"
    )

    assert saved.status_code == 200
    assert saved.json() == {"llm_provider": "deepseek", "llm_model": "deepseek-chat"}
    assert browser.get("/api/settings").json() == saved.json()
    assert voice_agent_create(name="Nuevo").llm_model == "deepseek/deepseek-chat"
    explicit = voice_agent_create(name="Explícito", llm_model="llama-3.1-8b-instant")
    assert explicit.llm_model == "llama-3.1-8b-instant"


def test_settings_errors_have_detail(browser):
    response = browser.post("/api/settings", {"llm_provider": "groq"}, format="json")

    assert response.status_code == 400
    assert "llm_model" in response.json()["detail"]


def test_integrations_report_configuration_and_never_a_secret(browser, groq, settings):
    settings.LIVEKIT_URL = "wss://user:pa55@livekit.example.test"
    settings.LIVEKIT_API_KEY = "APIkey-zq9x"
    settings.LIVEKIT_API_SECRET = "livekit-zq9x"
    settings.GROQ_API_KEY = "gsk-zq9x"
    settings.DEEPGRAM_API_KEY = ""
    settings.CARTESIA_API_KEY = "cartesia-zq9x"
    VoiceAgentFactory(
        stt_model="deepgram/nova-3", llm_model="llama-3.3-70b-versatile", tts_model="cartesia/sonic-3"
    )

    response = browser.get("/api/dashboard/integrations")

    body = response.json()
    assert "zq9x" not in response.content.decode()
    assert "pa55" not in response.content.decode()
    assert [row["name"] for row in body] == ["LiveKit", "STT", "LLM", "TTS"]
    for row in body:
        assert set(row) == {"name", "provider", "active", "model", "url", "env_var"}
    livekit, stt, llm, tts = body
    assert livekit["active"] is True
    assert livekit["url"] == "wss://livekit.example.test"
    assert stt == {
        "name": "STT",
        "provider": "Deepgram",
        "active": False,
        "model": "deepgram/nova-3",
        "url": "",
        "env_var": "DEEPGRAM_API_KEY",
    }
    assert llm["provider"] == "Groq"
    assert llm["active"] is True
    assert llm["env_var"] == "GROQ_API_KEY"
    assert llm["url"] == "https://api.groq.com/openai/v1"
    assert tts["active"] is True


def test_ai_limits_only_blocks_the_project_can_fill(browser, groq, settings):
    settings.DEEPGRAM_API_KEY = "dg"
    settings.CARTESIA_API_KEY = ""
    settings.GROQ_API_KEY = "gsk"

    body = browser.get("/api/ai/limits").json()

    # Groq's per-model quotas and Cartesia (no key) are unknown: no block rather than made-up numbers.
    assert set(body) == {"deepgram"}
    assert body["deepgram"]["active"] is True
    assert body["deepgram"]["balances"] == []


def test_ai_limits_is_empty_when_nothing_is_configured(browser, groq, settings):
    for name in ("DEEPGRAM_API_KEY", "CARTESIA_API_KEY", "GROQ_API_KEY", "OPENAI_API_KEY"):
        setattr(settings, name, "")
    assert browser.get("/api/ai/limits").json() == {}


def test_diagnose_google_says_plainly_when_it_is_not_configured(browser):
    body = browser.get("/api/ai/diagnose-google").json()

    assert body["status"] == "not_configured"
    assert body["available_models"] == []
    assert "Google no está configurado" in body["detail"]


def test_diagnose_google_through_livekit_inference(browser, settings):
    settings.VOICE_USE_LIVEKIT_INFERENCE = True
    settings.LIVEKIT_URL = "wss://livekit.example.test"
    settings.LIVEKIT_API_KEY = "k"
    settings.LIVEKIT_API_SECRET = "s"
    VoiceAgentFactory(llm_model="google/gemini-2.0-flash")

    body = browser.get("/api/ai/diagnose-google").json()

    assert body["status"] == "success"
    assert body["available_models"] == ["google/gemini-2.0-flash"]


@pytest.mark.parametrize("order", ["ai_config_first", "put_first"])
def test_saving_the_agent_keeps_the_model_choice_whatever_order_the_two_requests_arrive(browser, groq, order):
    """The client sends PUT /api/agents/1 (with the models it read) and POST /api/ai/config at once."""
    agent = VoiceAgentFactory(llm_model="llama-3.3-70b-versatile", tts_model="cartesia/sonic-3")
    read = browser.get("/api/agents").json()[0]
    edited = {**read, "name": "Encuesta editada"}
    ai = {
        "llm_provider": "openai",
        "llm_model": "gpt-4.1-mini",
        "tts_provider": "cartesia",
        "tts_model": "sonic-2",
    }

    if order == "ai_config_first":
        responses = [
            browser.post("/api/ai/config", ai, format="json"),
            browser.put(f"/api/agents/{agent.pk}", edited, format="json"),
        ]
    else:
        responses = [
            browser.put(f"/api/agents/{agent.pk}", edited, format="json"),
            browser.post("/api/ai/config", ai, format="json"),
        ]

    assert [r.status_code for r in responses] == [200, 200]
    agent.refresh_from_db()
    assert agent.name == "Encuesta editada"
    assert agent.llm_model == "openai/gpt-4.1-mini"
    assert agent.tts_model == "cartesia/sonic-2"


def test_a_put_built_on_a_fresh_read_still_changes_the_models(browser):
    agent = VoiceAgentFactory(llm_model="llama-3.3-70b-versatile")
    browser.post("/api/ai/config", {"llm_provider": "openai", "llm_model": "gpt-4.1-mini"}, format="json")
    fresh = browser.get(f"/api/agents/{agent.pk}").json()

    response = browser.put(
        f"/api/agents/{agent.pk}", {**fresh, "llmModel": "llama-3.1-8b-instant"}, format="json"
    )

    assert response.status_code == 200
    agent.refresh_from_db()
    assert agent.llm_model == "llama-3.1-8b-instant"
