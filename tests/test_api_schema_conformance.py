"""Every documented endpoint is called for real and its response validated against /api/schema/."""

from typing import Any

import pytest
from django.core.cache import cache
from livekit.protocol.models import ParticipantInfo
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from calls.models import Alert, Call, Encuesta
from calls.services.alerts import alert_raise
from telephony.testing import make_webhook_event, sign_webhook
from tests.campaigns.test_campaign_api import exercise_campaign_api
from tests.factories import CallFactory, EncuestaFactory, SurveyQuestionFactory
from tests.openapi import api_schema, assert_matches_schema, documented_operations

pytestmark = pytest.mark.django_db(transaction=False)


class CheckedClient:
    """Sends real requests and checks each answer against the schema, recording what it covered."""

    def __init__(self, client: APIClient) -> None:
        self.client = client
        self.covered: set[tuple[str, str, str]] = set()

    def call(self, method: str, path: str, data: Any = None, **extra: Any) -> Any:
        response = getattr(self.client, method)(path, data, format="json", **extra)
        assert response.status_code < 400, (method, path, response.status_code, response.content)
        body = response.json() if response.content else None
        self.covered.add(assert_matches_schema(method, path, response.status_code, body))
        return body


@pytest.fixture
def operator(staff_user) -> CheckedClient:
    cache.clear()  # the outbound throttle counts in the cache, which other tests may have filled
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=staff_user).key}")
    return CheckedClient(client)


@pytest.fixture
def bridge(bridge_client) -> CheckedClient:
    return CheckedClient(bridge_client)


def test_every_documented_response_is_what_the_endpoint_sends(
    operator, bridge, livekit, telephony_config, voice_agent, django_capture_on_commit_callbacks
):
    SurveyQuestionFactory(agent=voice_agent, key="comercial")
    operator.call("get", "/api/telephony/config")
    operator.call("post", "/api/telephony/config", {"provider": "LCR", "fromNumbers": "+34944771453"})
    Call.objects.all().delete()
    telephony_config.delete()
    operator.call(
        "post",
        "/api/telephony/config",
        {"provider": "LCR", "fromNumbers": ["+34944771453"], "sipTrunkId": "ST_testtrunk"},
    )

    created = operator.call("post", "/api/agents", {"name": "Nuevo", "callType": "Outbound"})
    operator.call("get", "/api/agents")
    operator.call("get", f"/api/agents/{created['id']}")
    operator.call("put", f"/api/agents/{created['id']}", {"name": "Otro", "isActive": False})
    operator.call("patch", f"/api/agents/{created['id']}", {"useCase": "Encuestas"})
    operator.call("delete", f"/api/agents/{created['id']}")

    with django_capture_on_commit_callbacks(execute=True):
        placed = operator.call(
            "post",
            "/api/calls/outbound",
            {"agentId": voice_agent.pk, "phoneNumber": "+34621151394", "customerName": "Ana"},
        )
    call = Call.objects.get(encuesta_id=placed["callId"])
    operator.call("get", "/api/calls")
    operator.call("get", f"/api/calls/{call.pk}")
    operator.call("get", "/api/encuestas")
    operator.call("get", f"/api/encuestas/{call.encuesta_id}")
    operator.call("get", "/api/dashboard/stats")

    started = bridge.call("post", "/iniciar-encuesta", {"telefono": "+34621151395", "nombre_cliente": "Luis"})
    bridge.call("post", "/guardar-encuesta", {"id_encuesta": started["id"], "nota_comercial": "8"})
    bridge.call("post", "/colgar", {"nombre_sala": call.room_name})
    answered = CallFactory(
        status=Call.Status.DIALING, encuesta=EncuestaFactory(status=Encuesta.Status.INITIATED)
    )
    body, auth = sign_webhook(
        make_webhook_event(
            "participant_joined",
            room_name=answered.room_name,
            participant_identity="sip_+34621151394",
            participant_kind=ParticipantInfo.Kind.SIP,
            attributes={"sip.callStatus": "active"},
        ),
        livekit.api_key,
        livekit.api_secret,
    )
    response = APIClient().post(
        "/webhooks/livekit", body, content_type="application/webhook+json", HTTP_AUTHORIZATION=auth
    )
    bridge.covered.add(
        assert_matches_schema("post", "/webhooks/livekit", response.status_code, response.json())
    )
    operator.call("post", f"/api/calls/{answered.pk}/hangup")
    exercise_campaign_api(operator.call, voice_agent.pk)
    exercise_frontend_api(operator, voice_agent.pk)

    successes = {op for op in documented_operations() if op[2].startswith("2")}
    assert successes - operator.covered - bridge.covered == set()


def exercise_frontend_api(operator: CheckedClient, agent_id: int) -> None:
    """The old React client's own requests (issue 11), each once."""
    alert = alert_raise(kind=Alert.Kind.API_LIMIT, message="Groq 429", dedupe_key="groq")
    operator.call("get", "/api/alerts")
    operator.call("post", f"/api/alerts/{alert.pk}/resolve")
    for path in (
        "/api/dashboard/recent-calls",
        "/api/dashboard/integrations",
        "/api/dashboard/usage-stats",
        "/api/results",
        "/api/prompts",
        "/api/ai/config",
        "/api/settings",
        "/api/ai/limits",
        "/api/ai/diagnose-google",
    ):
        operator.call("get", path)
    operator.call("post", "/api/prompts", {"name": "Base", "description": "", "content": "Pregunta."})
    operator.call("post", "/api/ai/config", {"llm_provider": "groq", "llm_model": "llama-3.3-70b-versatile"})
    operator.call("post", "/api/settings", {"llm_provider": "groq", "llm_model": "llama-3.3-70b-versatile"})
    operator.call("post", "/api/calls/cleanup")


def test_a_response_with_an_undocumented_key_fails_validation(operator, voice_agent):
    body = operator.call("get", f"/api/agents/{voice_agent.pk}")
    with pytest.raises(AssertionError, match="Additional properties"):
        assert_matches_schema("get", f"/api/agents/{voice_agent.pk}", 200, {**body, "extra": 1})


def test_a_response_missing_a_documented_key_fails_validation(operator, voice_agent):
    body = operator.call("get", f"/api/agents/{voice_agent.pk}")
    del body["callType"]
    with pytest.raises(AssertionError, match="callType"):
        assert_matches_schema("get", f"/api/agents/{voice_agent.pk}", 200, body)


def test_the_served_schema_is_the_one_validated_against(api_client):
    served = api_client.get("/api/schema/", {"format": "json"}).json()
    assert served["paths"].keys() == api_schema()["paths"].keys()
