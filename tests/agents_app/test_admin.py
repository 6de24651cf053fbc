import pytest
from django.urls import reverse

from agents_app.models import VoiceAgent
from tests.factories import SurveyQuestionFactory, VoiceAgentFactory

pytestmark = pytest.mark.django_db


def test_admin_index_is_in_spanish_and_titled_agentelocal(admin_client_logged):
    response = admin_client_logged.get(reverse("admin:index"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "AgenteLocal" in content
    assert "Administración" in content
    assert "Agentes de voz" in content
    assert "Cerrar sesión" in content  # Django's own strings are translated too


def test_admin_requires_a_staff_login(client):
    response = client.get(reverse("admin:agents_app_voiceagent_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_voice_agent_changelist_renders_with_the_template_link(admin_client_logged):
    agent = VoiceAgentFactory(name="Dakota")

    response = admin_client_logged.get(reverse("admin:agents_app_voiceagent_changelist"))

    assert response.status_code == 200
    assert agent.name in response.content.decode()
    assert reverse("admin:agents_app_voiceagent_from_template") in response.content.decode()


def test_voice_agent_add_form_renders(admin_client_logged):
    response = admin_client_logged.get(reverse("admin:agents_app_voiceagent_add"))

    assert response.status_code == 200
    assert 'name="questions-TOTAL_FORMS"' in response.content.decode()


def test_voice_agent_change_form_shows_the_question_inline(admin_client_logged):
    question = SurveyQuestionFactory(key="rapidez", text="¿Cómo valora la rapidez?")

    response = admin_client_logged.get(
        reverse("admin:agents_app_voiceagent_change", args=[question.agent.pk])
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="questions-0-key"' in content
    assert 'value="rapidez"' in content
    assert "¿Cómo valora la rapidez?" in content


def test_from_template_page_renders_the_templates(admin_client_logged):
    response = admin_client_logged.get(reverse("admin:agents_app_voiceagent_from_template"))

    assert response.status_code == 200
    assert "Encuesta NPS" in response.content.decode()


def test_from_template_page_creates_the_agent_and_its_questions(admin_client_logged):
    response = admin_client_logged.post(
        reverse("admin:agents_app_voiceagent_from_template"), {"template": "calidad", "name": "Calidad Norte"}
    )

    agent = VoiceAgent.objects.get(name="Calidad Norte")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:agents_app_voiceagent_change", args=[agent.pk])
    assert list(agent.questions.values_list("key", flat=True)) == [
        "comercial",
        "instalador",
        "rapidez",
        "comentarios",
    ]


def test_from_template_with_a_taken_name_shows_the_error(admin_client_logged):
    VoiceAgentFactory(name="Encuesta NPS")

    response = admin_client_logged.post(
        reverse("admin:agents_app_voiceagent_from_template"), {"template": "nps", "name": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert VoiceAgent.objects.count() == 1
