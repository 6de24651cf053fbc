"""LiveKit webhooks: signed with the test key, forged ones refused, lifecycle moves forward only."""

import pytest
from livekit.api import ParticipantInfo

from calls.models import Call, Encuesta
from telephony.testing import make_webhook_event, sign_webhook
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db

URL = "/webhooks/livekit"
T0 = 1_790_000_000


@pytest.fixture
def post_event(client, livekit):
    def _post(event, *, key=None, secret=None, tamper=False):
        body, auth = sign_webhook(event, key or livekit.api_key, secret or livekit.api_secret)
        if tamper:
            body = body.replace(b"encuesta_", b"encuestb_")
        return client.post(URL, body, content_type="application/webhook+json", HTTP_AUTHORIZATION=auth)

    return _post


def sip_event(kind, call, status="active", at=T0):
    return make_webhook_event(
        kind,
        room_name=call.room_name,
        participant_identity=call.sip_identity,
        participant_kind=ParticipantInfo.Kind.SIP,
        attributes={"sip.callStatus": status, "sip.callID": "SCL_webhook"},
        created_at=at,
    )


def test_answer_and_hangup_record_times_and_duration(post_event):
    call = CallFactory(status=Call.Status.DIALING)
    assert post_event(sip_event("participant_joined", call, "ringing")).status_code == 200
    call.refresh_from_db()
    assert call.status == Call.Status.RINGING

    post_event(sip_event("participant_joined", call, "active", at=T0 + 5))
    call.refresh_from_db()
    assert call.status == Call.Status.IN_PROGRESS
    assert call.answered_at is not None
    assert call.answered_at.timestamp() == T0 + 5
    assert call.sip_call_id == "SCL_webhook"
    assert call.encuesta.status == Encuesta.Status.IN_PROGRESS

    post_event(sip_event("participant_left", call, "hangup", at=T0 + 65))
    call.refresh_from_db()
    assert call.status == Call.Status.COMPLETED
    assert call.ended_at is not None
    assert call.ended_at.timestamp() == T0 + 65
    assert call.duration_seconds == 60
    assert Encuesta.objects.get().status == Encuesta.Status.INCOMPLETE


def test_late_webhook_never_moves_a_call_backwards(post_event):
    call = CallFactory(status=Call.Status.COMPLETED)
    response = post_event(sip_event("participant_joined", call, "active"))
    assert response.status_code == 200
    assert response.json()["changed"] is False
    call.refresh_from_db()
    assert call.status == Call.Status.COMPLETED


def test_room_finished_ends_a_live_call(post_event):
    call = CallFactory(status=Call.Status.IN_PROGRESS)
    post_event(make_webhook_event("room_finished", room_name=call.room_name, created_at=T0))
    call.refresh_from_db()
    assert call.status == Call.Status.COMPLETED


def test_room_finished_after_hangup_before_answer_is_canceled(post_event):
    from django.utils import timezone

    call = CallFactory(status=Call.Status.RINGING, hangup_requested_at=timezone.now())
    post_event(make_webhook_event("room_finished", room_name=call.room_name, created_at=T0))
    call.refresh_from_db()
    assert call.status == Call.Status.CANCELED


def test_completed_survey_is_not_downgraded_by_call_end(post_event):
    call = CallFactory(status=Call.Status.IN_PROGRESS, encuesta__status=Encuesta.Status.COMPLETED)
    post_event(sip_event("participant_left", call, "hangup"))
    assert Encuesta.objects.get().status == Encuesta.Status.COMPLETED


def test_unknown_room_is_acknowledged_without_changes(post_event):
    response = post_event(make_webhook_event("room_finished", room_name="otra_sala"))
    assert response.status_code == 200
    assert response.json()["changed"] is False


def test_forged_signature_is_401_and_changes_nothing(post_event):
    call = CallFactory(status=Call.Status.DIALING)
    forged = post_event(sip_event("participant_joined", call), secret="x" * 40)
    assert forged.status_code == 401
    tampered = post_event(sip_event("participant_joined", call), tamper=True)
    assert tampered.status_code == 401
    call.refresh_from_db()
    assert call.status == Call.Status.DIALING


def test_unsigned_webhook_is_401(client, livekit):
    call = CallFactory(status=Call.Status.DIALING)
    response = client.post(URL, b'{"event": "room_finished"}', content_type="application/webhook+json")
    assert response.status_code == 401
    call.refresh_from_db()
    assert call.status == Call.Status.DIALING
