"""The operators' entry points: the placecall command and the admin actions."""

import pytest
from django.core.management import CommandError, call_command

from calls.models import Call, Encuesta
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(livekit, telephony_config, voice_agent):
    return voice_agent


def test_placecall_by_name_and_by_id(ready, livekit, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("placecall", "--agent", ready.name, "--phone", "621151394", "--name", "Ana")
        call_command("placecall", "--agent", str(ready.pk), "--phone", "+34621151395")
    out = capsys.readouterr().out
    assert "encuesta_" in out
    assert Encuesta.objects.filter(nombre_cliente="Ana", telefono="+34621151394").exists()
    assert len(livekit.calls("CreateSIPParticipant")) == 2


def test_placecall_errors_are_command_errors(ready):
    with pytest.raises(CommandError, match="No existe"):
        call_command("placecall", "--agent", "nadie", "--phone", "+34621151394")
    with pytest.raises(CommandError, match="no es un número"):
        call_command("placecall", "--agent", ready.name, "--phone", "123")


def test_admin_llamar_action_queues_each_number_and_reports(
    admin_client_logged, ready, livekit, django_capture_on_commit_callbacks
):
    action = admin_client_logged.post(
        "/admin/agents_app/voiceagent/", {"action": "place_calls", "_selected_action": [ready.pk]}
    )
    url = action.headers["Location"]
    assert url == f"/admin/calls/call/place/?agent={ready.pk}"
    page = admin_client_logged.get(url)
    assert page.status_code == 200
    assert 'name="numbers"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        result = admin_client_logged.post(
            url, {"numbers": "+34621151394, Ana\n12345\n+34803123456\n621151395"}, follow=True
        )
    html = result.content.decode()
    assert result.redirect_chain == [(url, 303)]
    assert "2 llamadas en cola: +34621151394, 621151395." in html
    assert "«12345» no es un número de teléfono válido" in html
    assert "tarificación adicional" in html
    assert Call.objects.count() == 2
    assert len(livekit.calls("CreateSIPParticipant")) == 2


def test_admin_hangup_and_retry_actions(
    admin_client_logged, ready, livekit, django_capture_on_commit_callbacks
):
    call = CallFactory(status=Call.Status.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_logged.post(
            "/admin/calls/call/", {"action": "hangup_calls", "_selected_action": [call.pk]}
        )
    call.refresh_from_db()
    assert call.status == Call.Status.COMPLETED
    assert livekit.calls("DeleteRoom")[0].room == call.room_name

    with django_capture_on_commit_callbacks(execute=True):
        admin_client_logged.post(
            "/admin/calls/encuesta/", {"action": "retry_calls", "_selected_action": [call.encuesta_id]}
        )
    assert call.encuesta.calls.count() == 2
    assert call.encuesta.calls.get(attempt=2).status == Call.Status.IN_PROGRESS


def test_admin_call_change_page_shows_sip_details(admin_client_logged):
    call = CallFactory(status=Call.Status.BUSY, sip_status_code=486, sip_status="Busy Here")
    html = admin_client_logged.get(f"/admin/calls/call/{call.pk}/change/").content.decode()
    assert "486" in html and "Busy Here" in html
