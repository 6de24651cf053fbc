"""Ending calls: the hang-up request and the room deletion that carries it out."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import Call
from calls.services.lifecycle import call_transition
from telephony import backends

CallStatus = Call.Status


def call_hangup(*, call: Call, delay: float = 0.0) -> Call:
    """End a call. Queued calls are canceled at once; live ones get their room deleted.

    The deletion is scheduled (never slept for in a request), `delay` seconds from now.
    """
    with transaction.atomic():
        # The row lock orders this against the dial claim: a hang-up either cancels the call
        # before it is dialed, or is seen by the dialer.
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.status == CallStatus.QUEUED and call_transition(
            call_id=call.pk, to=CallStatus.CANCELED, failure_reason=_("Colgada antes de marcar")
        ):
            call.refresh_from_db()
            return call
    if call.status not in Call.LIVE_STATUSES:
        raise ValidationError(
            _("La llamada %(room)s ya ha terminado (%(status)s).")
            % {"room": call.room_name, "status": call.get_status_display()}
        )
    from calls.tasks import call_end_room_task

    Call.objects.filter(pk=call.pk, hangup_requested_at__isnull=True).update(
        hangup_requested_at=timezone.now()
    )
    call_id = call.pk
    transaction.on_commit(
        lambda: call_end_room_task.apply_async((call_id,), countdown=delay or None), robust=True
    )
    call.refresh_from_db()
    return call


def call_end_room(*, call_id: int) -> bool:
    """Delete the call's room in LiveKit (hanging up) and record how the call ended."""
    call = Call.objects.get(pk=call_id)
    backends.run(backends.get_backend().delete_room(call.room_name))
    if call_transition(call_id=call_id, to=CallStatus.COMPLETED):
        return True
    return call_transition(
        call_id=call_id, to=CallStatus.CANCELED, failure_reason=_("Colgada antes de contestar")
    )
