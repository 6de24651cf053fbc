"""Knowing what happened when no event told us: end vanished calls, requeue lost dials."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import Call
from calls.services.dialing import call_enqueue_dial, room_delete_quietly
from calls.services.hangup import call_end_room
from calls.services.lifecycle import call_transition
from telephony import backends
from telephony.exceptions import TelephonyError

logger = logging.getLogger(__name__)

CallStatus = Call.Status


def calls_reconcile() -> dict[str, int]:
    """End calls LiveKit no longer knows about, and requeue dials whose task was lost."""
    cutoff = timezone.now() - settings.CALL_RECONCILE_GRACE
    hung_up = _hangups_redrive(cutoff)
    ended = _lost_dials_finish()
    stuck = list(
        Call.objects.filter(status__in=Call.ACTIVE_STATUSES, dialing_at__lt=cutoff).values_list(
            "pk", "room_name"
        )
    )
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
    return {"ended": ended, "requeued": requeued, "hung_up": hung_up}


def _hangups_redrive(cutoff: datetime) -> int:
    """Carry out hang-ups requested long enough ago whose task the broker lost."""
    hung_up = 0
    pending = Call.objects.filter(status__in=Call.ACTIVE_STATUSES, hangup_requested_at__lt=cutoff)
    for call_id in pending.values_list("pk", flat=True):
        try:
            hung_up += call_end_room(call_id=call_id)
        except TelephonyError:
            logger.warning("Reconciler could not hang up call %s; next run retries", call_id, exc_info=True)
    return hung_up


def _lost_dials_finish() -> int:
    """Finish dials whose worker died mid-dial: no task can still be on them past its hard limit.

    LiveKit says whether the callee is in the room. A call that may have rung is never dialed again.
    """
    stale = (
        timezone.now() - timedelta(seconds=settings.CALL_DIAL_TASK_TIME_LIMIT) - settings.CALL_RECONCILE_GRACE
    )
    ended = 0
    for call in Call.objects.filter(status=CallStatus.DIALING, dialing_at__lt=stale):
        try:
            found = backends.run(
                backends.get_backend().find_sip_participant(call.room_name, call.sip_identity)
            )
        except TelephonyError:
            logger.warning("Reconciler could not check call %s; next run retries", call.pk, exc_info=True)
            continue
        if found is not None:
            call_transition(
                call_id=call.pk,
                to=CallStatus.IN_PROGRESS,
                sip_participant_id=found.sip_participant_id or None,
                sip_call_id=found.sip_call_id or None,
            )
            continue
        reason = _("El marcado se interrumpió y no se repite para no llamar dos veces (reconciliación)")
        if call_transition(call_id=call.pk, to=CallStatus.FAILED, failure_reason=reason):
            room_delete_quietly(call.room_name)
            ended += 1
    return ended
