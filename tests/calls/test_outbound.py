"""Placing calls: API → Encuesta + Call → Celery task → LiveKit (the test server) → status."""

import json

import pytest
from django.urls import reverse

from calls.models import Call, DoNotCallEntry, Encuesta
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db

OUTBOUND = "/api/calls/outbound"


@pytest.fixture
def place(api_client, django_capture_on_commit_callbacks, livekit, telephony_config, voice_agent):
    def _place(phone="+34621151394", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return api_client.post(
                OUTBOUND, {"agentId": str(voice_agent.pk), "phoneNumber": phone, **extra}, format="json"
            )

    return _place


def test_outbound_call_places_room_dispatch_and_sip_participant(place, livekit, voice_agent):
    response = place(customerName="Ana")

    assert response.status_code == 200, response.content
    encuesta = Encuesta.objects.get()
    call = encuesta.calls.get()
    assert response.json() == {
        "status": "success",
        "callId": encuesta.pk,
        "surveyId": encuesta.pk,
        "callRecordId": call.pk,
        "roomName": f"encuesta_{encuesta.pk}",
    }
    room = livekit.calls("CreateRoom")[0]
    assert room.name == call.room_name
    dispatch = livekit.calls("CreateDispatch")[0]
    assert dispatch.agent_name == "Dakota-1ef9"
    assert json.loads(dispatch.metadata) == {
        "encuesta_id": encuesta.pk,
        "call_id": call.pk,
        "voice_agent_id": voice_agent.pk,
        "nombre_cliente": "Ana",
    }
    sip = livekit.calls("CreateSIPParticipant")[0]
    assert (sip.sip_trunk_id, sip.sip_call_to, sip.sip_number) == (
        "ST_testtrunk",
        "+34621151394",
        "+34944771453",
    )
    assert sip.room_name == call.room_name
    assert sip.participant_identity == call.sip_identity
    assert sip.krisp_enabled and sip.wait_until_answered
    assert sip.ringing_timeout.seconds == 30
    assert sip.max_call_duration.seconds == 600
    call.refresh_from_db()
    assert call.status == Call.Status.IN_PROGRESS
    assert call.dispatch_id.startswith("AD_") and call.sip_participant_id.startswith("PA_")
    assert call.answered_at is not None
    assert encuesta.__class__.objects.get().status == Encuesta.Status.IN_PROGRESS
    assert all(r.auth_ok for r in livekit.requests)


def test_room_is_created_before_the_phone_rings(place, livekit):
    place()
    order = [r.method for r in livekit.requests]
    assert order.index("CreateRoom") < order.index("CreateSIPParticipant")


@pytest.mark.parametrize(
    ("sip_code", "status", "reason"),
    [
        (486, Call.Status.BUSY, "ocupado"),
        (480, Call.Status.NO_ANSWER, "sin respuesta"),
        (408, Call.Status.NO_ANSWER, "sin respuesta"),
        (603, Call.Status.REJECTED, "rechazada"),
        (404, Call.Status.FAILED, "número inválido"),
        (484, Call.Status.FAILED, "número inválido"),
    ],
)
def test_sip_errors_map_to_call_status(place, livekit, sip_code, status, reason):
    livekit.fail_sip(status_code=sip_code, status="SIP reason")
    assert place().status_code == 200
    call = Call.objects.get()
    assert call.status == status
    assert call.sip_status_code == sip_code
    assert reason in call.failure_reason
    assert call.ended_at is not None
    assert call.encuesta.status == Encuesta.Status.FAILED
    assert len(livekit.calls("CreateSIPParticipant")) == 1


def test_livekit_5xx_is_retried_then_succeeds_without_dialing_twice(place, livekit):
    livekit.fail("CreateRoom", status=503, code="unavailable", times=2)
    place()
    call = Call.objects.get()
    assert call.status == Call.Status.IN_PROGRESS
    assert call.dial_attempts == 3
    assert len(livekit.calls("CreateRoom")) == 3
    assert len(livekit.calls("CreateSIPParticipant")) == 1


def test_retry_after_sip_5xx_reuses_the_participant_already_ringing(place, livekit, settings):
    """LiveKit may have dialed before answering 5xx: the retry must find it, not ring again."""
    livekit.fail("CreateDispatch", status=500, code="internal", times=1)
    place()
    call = Call.objects.get()
    assert call.status == Call.Status.IN_PROGRESS
    assert len(livekit.calls("CreateSIPParticipant")) == 1
    assert len(livekit.calls("ListParticipants")) == 1
    assert len(livekit.dispatches(call.room_name)) == 1


def test_livekit_keeps_failing_marks_call_failed_with_reason(place, livekit, settings):
    settings.CALL_DIAL_MAX_RETRIES = 3
    livekit.fail("CreateRoom", status=500, code="internal", msg="kaputt")
    place()
    call = Call.objects.get()
    assert call.status == Call.Status.FAILED
    assert "kaputt" in call.failure_reason
    assert len(livekit.calls("CreateRoom")) == 3
    assert livekit.calls("CreateSIPParticipant") == []


def test_connection_error_is_retried(place, livekit, settings):
    settings.CALL_DIAL_MAX_RETRIES = 2
    settings.LIVEKIT_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    place()
    call = Call.objects.get()
    assert call.status == Call.Status.FAILED
    assert call.dial_attempts == 2
    assert "LiveKit" in call.failure_reason


def test_redelivered_task_does_not_dial_again(place, livekit):
    from calls.tasks import call_dial_task

    place()
    call = Call.objects.get()
    call_dial_task.apply(args=(call.pk, 0))
    assert len(livekit.calls("CreateSIPParticipant")) == 1


def test_idempotency_key_places_one_call(
    api_client, livekit, telephony_config, voice_agent, django_capture_on_commit_callbacks
):
    payload = {"agentId": voice_agent.pk, "phoneNumber": "+34621151394"}
    with django_capture_on_commit_callbacks(execute=True):
        first = api_client.post(OUTBOUND, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
        second = api_client.post(OUTBOUND, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert Call.objects.count() == 1
    assert len(livekit.calls("CreateSIPParticipant")) == 1


@pytest.mark.parametrize(
    ("payload", "text"),
    [
        ({"phoneNumber": "+34621151394"}, "agentId"),
        ({"agentId": 999999, "phoneNumber": "+34621151394"}, "999999"),
        ({"agentId": "x", "phoneNumber": "+34621151394"}, "agentId"),
        ({"agent": True, "phoneNumber": "12"}, "«12» no es un número de teléfono válido"),
        ({"agent": True, "phoneNumber": "+33612345678"}, "FR"),
        ({"agent": True, "phoneNumber": "+34803123456"}, "tarificación adicional"),
        ({"agent": True, "phoneNumber": "+34901123456"}, "coste compartido"),
        ({"agent": True}, "phoneNumber"),
    ],
)
def test_bad_input_is_a_clear_400_and_writes_nothing(
    api_client, livekit, telephony_config, voice_agent, payload, text
):
    payload = dict(payload)
    if payload.pop("agent", False):
        payload["agentId"] = voice_agent.pk
    response = api_client.post(OUTBOUND, payload, format="json")
    assert response.status_code == 400
    assert text in json.dumps(response.json(), ensure_ascii=False)
    assert not Encuesta.objects.exists()
    assert livekit.requests == []


def test_inactive_agent_is_refused(api_client, livekit, telephony_config, voice_agent):
    voice_agent.is_active = False
    voice_agent.save()
    response = api_client.post(
        OUTBOUND, {"agentId": voice_agent.pk, "phoneNumber": "+34621151394"}, format="json"
    )
    assert response.status_code == 400
    assert "desactivado" in json.dumps(response.json(), ensure_ascii=False)


def test_do_not_call_list_is_honoured(place, livekit):
    DoNotCallEntry.objects.create(phone="+34621151394", reason="opt-out")
    response = place()
    assert response.status_code == 400
    assert "lista de no llamar" in json.dumps(response.json(), ensure_ascii=False)
    assert not Encuesta.objects.exists()
    assert livekit.requests == []


def test_unconfigured_livekit_fails_fast_with_503(place, settings, livekit):
    settings.LIVEKIT_URL = ""
    response = place()
    assert response.status_code == 503
    assert "LIVEKIT_URL" in response.json()["detail"]
    assert not Encuesta.objects.exists()


def test_missing_trunk_falls_back_to_sip_outbound_trunk_id(place, settings, livekit, telephony_config):
    telephony_config.sip_trunk_id = ""
    telephony_config.save()
    settings.SIP_OUTBOUND_TRUNK_ID = "ST_fromenv"
    place()
    assert livekit.calls("CreateSIPParticipant")[0].sip_trunk_id == "ST_fromenv"


def test_no_trunk_anywhere_is_503(place, settings, telephony_config):
    telephony_config.sip_trunk_id = ""
    telephony_config.save()
    response = place()
    assert response.status_code == 503
    assert "SIP_OUTBOUND_TRUNK_ID" in response.json()["detail"]


def test_concurrency_limit_keeps_extra_calls_queued(place, livekit, telephony_config):
    telephony_config.max_concurrent_calls = 1
    telephony_config.save()
    place("+34621151394")
    place("+34621151395")
    statuses = sorted(Call.objects.values_list("status", flat=True))
    assert statuses == [Call.Status.IN_PROGRESS, Call.Status.QUEUED]
    assert len(livekit.calls("CreateSIPParticipant")) == 1


def test_outbound_requires_authentication(anon_client):
    assert anon_client.post(OUTBOUND, {}, format="json").status_code == 401


def test_call_list_and_detail(api_client, place):
    place()
    call = Call.objects.get()
    listing = api_client.get("/api/calls").json()
    assert listing["count"] == 1
    assert listing["results"][0]["roomName"] == call.room_name
    detail = api_client.get(reverse("call-detail", args=[call.pk])).json()
    assert detail["status"] == "in_progress"
    assert detail["sipTrunkId"] == "ST_testtrunk"
    assert api_client.get("/api/calls?status=busy").json()["count"] == 0
    assert api_client.get("/api/calls/999999").status_code == 404


def test_call_factory_room_matches_seed_convention(db):
    call = CallFactory()
    assert call.room_name == f"encuesta_{call.encuesta_id}"


def test_livekit_timeout_is_retried(place, livekit, settings):
    settings.LIVEKIT_REQUEST_TIMEOUT = 0.2
    livekit.delay("CreateRoom", 1.0, times=1)
    place()
    call = Call.objects.get()
    assert call.status == Call.Status.IN_PROGRESS
    assert call.dial_attempts == 2
    assert len(livekit.calls("CreateSIPParticipant")) == 1


def test_outbound_is_throttled_per_user(place, settings):
    from django.core.cache import cache

    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"outbound_calls": "2/min"},
    }
    from rest_framework.throttling import ScopedRateThrottle

    original_rates = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = {"outbound_calls": "2/min"}
    try:
        codes = [place(f"+3462115139{i}").status_code for i in range(3)]
    finally:
        # the settings fixture still holds 2/min here: restore what the class had
        ScopedRateThrottle.THROTTLE_RATES = original_rates
        cache.clear()
    assert codes == [200, 200, 429]
    assert Call.objects.count() == 2


def test_console_backend_logs_instead_of_calling(place, settings, livekit, caplog):
    settings.TELEPHONY_BACKEND = "console"
    settings.LIVEKIT_URL = ""
    with caplog.at_level("WARNING", logger="telephony.backends"):
        assert place().status_code == 200
    assert livekit.requests == []
    assert "would dial" in caplog.text
    assert Call.objects.get().dispatch_id.startswith("AD_console_")


def test_a_call_hung_up_before_its_dial_is_never_dialed(livekit, telephony_config):
    from django.utils import timezone

    from calls.services import call_dial

    call = CallFactory(status=Call.Status.QUEUED, hangup_requested_at=timezone.now(), sip_trunk_id="ST_x")
    assert call_dial(call_id=call.pk).status == Call.Status.CANCELED
    assert livekit.requests == []


def test_final_failure_after_the_phone_was_answered_hangs_up(place, livekit, settings):
    settings.CALL_DIAL_MAX_RETRIES = 1
    livekit.fail("CreateDispatch", status=500, code="internal", msg="no agent")
    place()
    call = Call.objects.get()
    assert call.status == Call.Status.FAILED
    assert len(livekit.calls("CreateSIPParticipant")) == 1
    assert [r.room for r in livekit.calls("DeleteRoom")] == [call.room_name]


@pytest.fixture
def unthrottled():
    from django.core.cache import cache

    cache.clear()


def test_phone_number_is_not_sent_to_livekit_metadata(unthrottled, place, livekit):
    response = place(phone="+34621151394", customerName="Ana")

    assert response.status_code == 200, response.content
    sent = [livekit.calls("CreateRoom")[0].metadata, livekit.calls("CreateDispatch")[0].metadata]
    sent += [p.participant_metadata for p in livekit.calls("CreateSIPParticipant")]
    assert all(text for text in sent)
    for text in sent:
        assert "621151394" not in text and "telefono" not in text


def test_outbound_response_names_both_ids(unthrottled, place, api_client):
    body = place().json()

    call = Call.objects.get(pk=body["callRecordId"])
    assert body["surveyId"] == body["callId"] == call.encuesta_id
    assert api_client.get(f"/api/calls/{body['callRecordId']}").json()["id"] == call.pk
