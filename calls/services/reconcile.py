"""Knowing what happened when no event told us: end vanished calls, requeue lost dials."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import Call
from calls.services.dialing import call_enqueue_dial
from calls.services.lifecycle import call_transition
from telephony import backends

CallStatus = Call.Status


def calls_reconcile() -> dict[str, int]:
    """End calls LiveKit no longer knows about, and requeue dials whose task was lost."""
    cutoff = timezone.now() - settings.CALL_RECONCILE_GRACE
    stuck = list(
        Call.objects.filter(status__in=Call.ACTIVE_STATUSES, dialing_at__lt=cutoff).values_list(
            "pk", "room_name"
        )
    )
    ended = 0
    if stuck:
        rooms = backends.run(backends.get_backend().list_rooms())
        for call_id, room_name in stuck:
            if room_name in rooms:
                continue
            reason = _("La sala ya no existe en LiveKit (reconciliación)")
            ended += call_transition(call_id=call_id, to=CallStatus.COMPLETED) or call_transition(
                call_id=call_id, to=CallStatus.FAILED, failure_reason=reason
            )
    requeued = 0
    for call in Call.objects.filter(status=CallStatus.QUEUED, enqueued_at__lt=cutoff):
        if Call.objects.filter(pk=call.pk, enqueued_at=call.enqueued_at).update(enqueued_at=timezone.now()):
            call_enqueue_dial(call=call)
            requeued += 1
    return {"ended": ended, "requeued": requeued}
