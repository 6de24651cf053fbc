import pytest

from calls.models import Call, Encuesta
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_call(livekit):
    call = CallFactory(status=Call.Status.IN_PROGRESS)
    livekit.add_participant(call.room_name, call.sip_identity)
    return call


def test_colgar_deletes_the_room_and_ends_the_call(
    bridge_client, live_call, livekit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = bridge_client.post("/colgar", {"nombre_sala": live_call.room_name}, format="json")
    assert response.status_code == 202
    assert [r.room for r in livekit.calls("DeleteRoom")] == [live_call.room_name]
    live_call.refresh_from_db()
    assert live_call.status == Call.Status.COMPLETED
    assert live_call.hangup_requested_at is not None
    assert live_call.room_name not in livekit.rooms()


def test_colgar_schedules_instead_of_sleeping(
    bridge_client, live_call, livekit, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The goodbye delay is a Celery countdown, never a sleep in the request."""
    from calls import tasks

    settings.CALL_HANGUP_DELAY_SECONDS = 2.0
    scheduled = []
    monkeypatch.setattr(
        tasks.call_end_room_task, "apply_async", lambda args, countdown: scheduled.append((args, countdown))
    )
    monkeypatch.setattr("time.sleep", lambda seconds: pytest.fail("slept in the request"))
    monkeypatch.setattr("asyncio.sleep", lambda seconds: pytest.fail("slept in the request"))
    with django_capture_on_commit_callbacks(execute=True):
        response = bridge_client.post("/colgar", {"nombre_sala": live_call.room_name}, format="json")
    assert response.status_code == 202
    assert scheduled == [((live_call.pk,), 2.0)]
    assert livekit.calls("DeleteRoom") == []


def test_colgar_unknown_room_is_404(bridge_client):
    response = bridge_client.post("/colgar", {"nombre_sala": "encuesta_999"}, format="json")
    assert response.status_code == 404
    assert "encuesta_999" in response.json()["detail"]


def test_colgar_needs_the_bridge_token(api_client, live_call):
    assert api_client.post("/colgar", {"nombre_sala": live_call.room_name}, format="json").status_code == 401


def test_api_hangup_of_queued_call_cancels_without_livekit(api_client, livekit):
    call = CallFactory(status=Call.Status.QUEUED)
    response = api_client.post(f"/api/calls/{call.pk}/hangup")
    assert response.status_code == 202
    assert response.json()["status"] == "canceled"
    assert livekit.requests == []
    assert Encuesta.objects.get().status == Encuesta.Status.FAILED


def test_api_hangup_of_finished_call_is_400(api_client, livekit):
    call = CallFactory(status=Call.Status.COMPLETED)
    response = api_client.post(f"/api/calls/{call.pk}/hangup")
    assert response.status_code == 400
    assert "ya ha terminado" in str(response.json())


def test_api_hangup_room_already_gone_still_ends_call(
    api_client, livekit, django_capture_on_commit_callbacks
):
    call = CallFactory(status=Call.Status.RINGING)
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(f"/api/calls/{call.pk}/hangup").status_code == 202
    call.refresh_from_db()
    assert call.status == Call.Status.CANCELED
    assert len(livekit.calls("DeleteRoom")) == 1


def test_hangup_requires_auth(anon_client):
    call = CallFactory()
    assert anon_client.post(f"/api/calls/{call.pk}/hangup").status_code == 401
