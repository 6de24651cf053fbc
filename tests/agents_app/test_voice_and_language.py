"""A Spanish agent speaks with a Spanish voice: defaults, templates and the admin's check."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from agents_app.agent_templates import TEMPLATES
from agents_app.models import VoiceAgent
from agents_app.services import voice_agent_create_from_template
from tests.factories import VoiceAgentFactory

pytestmark = pytest.mark.django_db

SPANISH_VOICE = "0e5e5e5e-0000-4000-8000-00000000e5e5"  # placeholder in Cartesia's id format


def admin_form(agent: VoiceAgent, **changes: str) -> dict[str, str]:
    data = {
        "name": agent.name,
        "call_type": agent.call_type,
        "language": agent.language,
        "stt_model": agent.stt_model,
        "llm_model": agent.llm_model,
        "tts_model": agent.tts_model,
        "voice_id": agent.voice_id,
        "dispatch_name": agent.dispatch_name,
        "is_active": "on",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    return {**data, **changes}


def test_new_agents_and_templates_get_the_configured_spanish_voice(settings):
    settings.VOICE_DEFAULT_VOICE_IDS = {"es": SPANISH_VOICE}
    assert VoiceAgent().voice_id == SPANISH_VOICE
    for key in TEMPLATES:
        agent = voice_agent_create_from_template(template_key=key, name=f"t-{key}")
        assert (agent.language, agent.voice_id) == ("es", SPANISH_VOICE)


def test_every_template_says_it_is_an_automated_assistant_and_has_a_goodbye():
    for template in TEMPLATES.values():
        assert "asistente automático" in template.greeting  # EU AI Act, art. 50
        assert template.goodbye


def test_a_voice_id_must_look_like_a_cartesia_voice_and_the_language_be_supported():
    agent = VoiceAgentFactory.build(voice_id="spanish-lady", language="xx")
    with pytest.raises(ValidationError) as excinfo:
        agent.clean()
    assert set(excinfo.value.message_dict) == {"voice_id", "language"}


def test_the_admin_refuses_a_spanish_agent_without_a_voice(admin_client_logged):
    agent = VoiceAgentFactory(language="es", voice_id=SPANISH_VOICE)
    url = reverse("admin:agents_app_voiceagent_change", args=[agent.pk])

    response = admin_client_logged.post(url, admin_form(agent, voice_id=""))
    assert response.status_code == 200
    assert "que es inglesa" in response.content.decode()
    agent.refresh_from_db()
    assert agent.voice_id == SPANISH_VOICE

    response = admin_client_logged.post(url, admin_form(agent, voice_id="", language="en"))
    assert response.status_code == 302  # an English agent may use Cartesia's default voice


def test_out_of_the_box_a_spanish_agent_gets_a_spanish_cartesia_voice(monkeypatch):
    """With no CARTESIA_VOICE_ES in the environment the base settings still name a Spanish voice."""
    import config.settings.base as base

    monkeypatch.delenv("CARTESIA_VOICE_ES", raising=False)
    fresh = importlib.reload(base)
    try:
        voice = fresh.VOICE_DEFAULT_VOICE_IDS["es"]
        assert voice and voice != SPANISH_VOICE
        assert "voice_id" not in VoiceAgent(language="es", voice_id=voice).configuration_problems()
    finally:
        importlib.reload(base)


def test_migration_gives_existing_spanish_agents_without_a_voice_the_default(settings):
    migration = importlib.import_module("agents_app.migrations.0002_spanish_voice")
    settings.VOICE_DEFAULT_VOICE_IDS = {"es": SPANISH_VOICE}
    silent = VoiceAgentFactory(language="es", voice_id="")
    english = VoiceAgentFactory(language="en", voice_id="")
    migration.give_spanish_agents_a_voice(django_apps, None)
    silent.refresh_from_db()
    english.refresh_from_db()
    assert (silent.voice_id, english.voice_id) == (SPANISH_VOICE, "")
