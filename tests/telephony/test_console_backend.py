"""The console backend is a drop-in for LiveKit: what it "created" stays alive until deleted."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from calls.models import Call
from calls.services import call_hangup, call_request, calls_reconcile
from telephony.backends import ConsoleBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(settings):
    settings.TELEPHONY_BACKEND = "console"
    cache.delete(ConsoleBackend.ROOMS_KEY)
    yield
    cache.delete(ConsoleBackend.ROOMS_KEY)


def test_the_reconciler_keeps_a_console_call_until_it_is_hung_up(
    console, voice_agent, telephony_config, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call = call_request(agent=voice_agent, phone="+34621151394")
    call.refresh_from_db()
    assert call.status == Call.Status.IN_PROGRESS
    Call.objects.filter(pk=call.pk).update(dialing_at=timezone.now() - timedelta(hours=1))

    assert calls_reconcile() == {"ended": 0, "requeued": 0}
    assert Call.objects.get(pk=call.pk).status == Call.Status.IN_PROGRESS

    settings.CALL_HANGUP_DELAY_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        call_hangup(call=call)
    assert Call.objects.get(pk=call.pk).status == Call.Status.COMPLETED
    assert call.room_name not in cache.get(ConsoleBackend.ROOMS_KEY)
