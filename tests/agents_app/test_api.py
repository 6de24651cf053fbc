import pytest

from agents_app.models import VoiceAgent
from tests.factories import SurveyQuestionFactory, VoiceAgentFactory

pytestmark = pytest.mark.django_db

NEW_AGENT = {
    "name": "Encuesta Calidad Ausarta",
    "callType": "Outbound",
    "useCase": "Encuestas de Satisfacción",
    "description": "Realiza encuestas de calidad...",
}


def detail_url(agent_id: int) -> str:
    return f"/api/agents/{agent_id}"


# --- /api/agents ------------------------------------------------------------------------------


def test_list_agents_in_camel_case_with_questions(api_client):
    question = SurveyQuestionFactory(key="comercial")

    response = api_client.get("/api/agents")

    assert response.status_code == 200
    [item] = response.json()
    assert item["id"] == question.agent.pk
    assert item["callType"] == "Outbound"
    assert item["useCase"] == question.agent.use_case
    assert item["questions"][0]["key"] == "comercial"


def test_create_agent_as_the_frontend_does(api_client, settings):
    response = api_client.post("/api/agents", NEW_AGENT, format="json")

    assert response.status_code == 201
    body = response.json()
    agent = VoiceAgent.objects.get()
    assert body["id"] == agent.pk
    assert {key: body[key] for key in NEW_AGENT} == NEW_AGENT
    assert body["llmModel"] == "llama-3.3-70b-versatile"
    assert body["dispatchName"] == settings.LIVEKIT_AGENT_NAME
    assert agent.use_case == NEW_AGENT["useCase"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**NEW_AGENT, "name": ""}, "name"),
        ({key: v for key, v in NEW_AGENT.items() if key != "name"}, "name"),
        ({**NEW_AGENT, "callType": "Sideways"}, "callType"),
    ],
    ids=["blank-name", "missing-name", "bad-call-type"],
)
def test_create_agent_with_bad_input_is_400_and_writes_nothing(api_client, payload, field):
    response = api_client.post("/api/agents", payload, format="json")

    assert response.status_code == 400
    assert response.json()[field]
    assert not VoiceAgent.objects.exists()


def test_create_agent_with_a_duplicate_name_is_400(api_client):
    VoiceAgentFactory(name=NEW_AGENT["name"])

    response = api_client.post("/api/agents", NEW_AGENT, format="json")

    assert response.status_code == 400
    assert response.json()["name"]
    assert VoiceAgent.objects.count() == 1


# --- /api/agents/{id} -------------------------------------------------------------------------


def test_get_agent(api_client):
    agent = VoiceAgentFactory()

    response = api_client.get(detail_url(agent.pk))

    assert response.status_code == 200
    assert response.json()["name"] == agent.name


def test_put_agent_as_the_frontend_does(api_client):
    agent = VoiceAgentFactory(call_type=VoiceAgent.CallType.INBOUND)
    payload = {
        "name": "Renombrado",
        "useCase": "Citas",
        "description": "Nueva descripción",
        "instructions": "Sé breve.",
        "greeting": "Buenos días{nombre}.",
    }

    response = api_client.put(detail_url(agent.pk), payload, format="json")

    assert response.status_code == 200
    agent.refresh_from_db()
    assert (agent.name, agent.use_case, agent.description, agent.instructions, agent.greeting) == (
        tuple(payload.values())
    )
    assert agent.call_type == VoiceAgent.CallType.INBOUND
    assert response.json()["greeting"] == payload["greeting"]


def test_put_without_name_is_400_and_changes_nothing(api_client):
    agent = VoiceAgentFactory(description="Original")

    response = api_client.put(detail_url(agent.pk), {"description": "Otra"}, format="json")

    assert response.status_code == 400
    assert response.json()["name"]
    agent.refresh_from_db()
    assert agent.description == "Original"


def test_patch_changes_only_what_is_sent(api_client):
    agent = VoiceAgentFactory(description="Original")

    response = api_client.patch(detail_url(agent.pk), {"isActive": False}, format="json")

    assert response.status_code == 200
    agent.refresh_from_db()
    assert agent.is_active is False
    assert agent.description == "Original"


@pytest.mark.parametrize(
    ("payload", "field"), [({"callType": "Sideways"}, "callType"), ({"name": ""}, "name")]
)
def test_patch_with_bad_input_is_400_and_changes_nothing(api_client, payload, field):
    agent = VoiceAgentFactory()

    response = api_client.patch(detail_url(agent.pk), payload, format="json")

    assert response.status_code == 400
    assert response.json()[field]
    assert VoiceAgent.objects.get().name == agent.name


def test_patch_to_a_duplicate_name_is_400(api_client):
    VoiceAgentFactory(name="Ocupado")
    agent = VoiceAgentFactory(name="Libre")

    response = api_client.patch(detail_url(agent.pk), {"name": "Ocupado"}, format="json")

    assert response.status_code == 400
    assert response.json()["name"]
    agent.refresh_from_db()
    assert agent.name == "Libre"


def test_delete_agent(api_client):
    agent = VoiceAgentFactory()

    response = api_client.delete(detail_url(agent.pk))

    assert response.status_code == 204
    assert not VoiceAgent.objects.exists()


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_unknown_agent_is_404(api_client, method):
    response = getattr(api_client, method)(detail_url(999_999), {"name": "X"}, format="json")

    assert response.status_code == 404
    assert response.json()["detail"]


# --- Authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/agents"), ("post", "/api/agents")]
    + [(method, "/api/agents/{id}") for method in ("get", "put", "patch", "delete")],
)
def test_agent_endpoints_require_authentication(anon_client, method, path):
    agent = VoiceAgentFactory(name="Intacto")

    response = getattr(anon_client, method)(path.format(id=agent.pk), {"name": "X"}, format="json")

    assert response.status_code == 401
    assert response.json()["detail"]
    assert list(VoiceAgent.objects.values_list("name", flat=True)) == ["Intacto"]
