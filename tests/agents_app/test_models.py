import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from agents_app.models import SurveyQuestion, VoiceAgent
from agents_app.services import voice_agent_create, voice_agent_create_from_template
from tests.factories import VoiceAgentFactory

pytestmark = pytest.mark.django_db


def test_voice_agent_defaults_match_the_old_agent():
    agent = voice_agent_create(name="Dakota")

    assert agent.language == "es"
    assert agent.stt_model == "deepgram/nova-3"
    assert agent.llm_model == "llama-3.3-70b-versatile"
    assert agent.tts_model == "cartesia/sonic-3"
    assert agent.call_type == VoiceAgent.CallType.OUTBOUND
    assert agent.is_active is True


@override_settings(LIVEKIT_AGENT_NAME="worker-de-prueba")
def test_dispatch_name_defaults_to_the_worker_name_from_settings():
    assert voice_agent_create(name="Dakota").dispatch_name == "worker-de-prueba"


def test_agent_name_is_unique():
    VoiceAgentFactory(name="Dakota")

    with pytest.raises(ValidationError) as exc_info:
        voice_agent_create(name="Dakota")

    assert "name" in exc_info.value.message_dict
    assert VoiceAgent.objects.filter(name="Dakota").count() == 1


def test_create_from_template_builds_the_questionnaire_in_order():
    agent = voice_agent_create_from_template(template_key="nps", name="NPS clientes")

    assert agent.name == "NPS clientes"
    assert list(agent.questions.values_list("key", "type", "required")) == [
        ("recomendacion", SurveyQuestion.Type.SCORE, True),
        ("motivo", SurveyQuestion.Type.TEXT, False),
    ]


def test_unknown_template_is_refused_naming_it():
    with pytest.raises(ValidationError, match="no-existe"):
        voice_agent_create_from_template(template_key="no-existe")

    assert not VoiceAgent.objects.exists()


def test_reserved_question_keys_are_refused():
    question = SurveyQuestion(agent=VoiceAgentFactory(), key="status", text="¿Estado?")

    with pytest.raises(ValidationError) as exc_info:
        question.full_clean()

    assert "key" in exc_info.value.message_dict
