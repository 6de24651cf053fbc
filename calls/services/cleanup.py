"""The old client's «Resetear salas»: end every live call through the normal hang-up path."""

from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from calls.models import Call
from calls.services import call_hangup


def calls_end_all_live(*, user: Any) -> dict[str, Any]:
    """Hang up every live call; each one is recorded in the admin history under `user`.

    A call that ends on its own meanwhile is counted as already ended, not as an error.
    """
    live_ids = list(
        Call.objects.filter(status__in=Call.LIVE_STATUSES).order_by("id").values_list("pk", flat=True)
    )
    canceled: list[int] = []
    hanging_up: list[int] = []
    already_ended: list[int] = []
    for call in Call.objects.filter(pk__in=live_ids).order_by("id"):
        try:
            call = call_hangup(call=call)
        except ValidationError:
            already_ended.append(call.pk)
            continue
        (canceled if call.status == Call.Status.CANCELED else hanging_up).append(call.pk)
    touched = canceled + hanging_up
    if touched and getattr(user, "pk", None):
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=Call.objects.filter(pk__in=touched),
            action_flag=CHANGE,
            change_message=_("Colgada con «Resetear salas»."),
        )
    return {
        "status": "success",
        "total": len(live_ids),
        "canceled": len(canceled),
        "hanging_up": len(hanging_up),
        "already_ended": len(already_ended),
        "call_ids": touched,
    }
