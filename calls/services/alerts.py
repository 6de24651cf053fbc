"""Alerts: raised by the system when something needs staff attention, resolved by staff."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import Alert

MESSAGE_MAX_LENGTH = 2000


def alert_raise(*, kind: str, message: str, dedupe_key: str) -> Alert:
    """Open an alert, or bump the open one with the same dedupe key (newest message wins)."""
    if kind not in Alert.Kind.values:
        raise ValidationError(_("Tipo de alerta desconocido «%(kind)s».") % {"kind": kind})
    key = f"{kind}:{dedupe_key}"[:200]
    message = message[:MESSAGE_MAX_LENGTH]
    now = timezone.now()
    for _attempt in range(2):
        with transaction.atomic():
            bumped = Alert.objects.filter(open_key=key).update(
                message=message, last_seen_at=now, occurrences=F("occurrences") + 1
            )
            if bumped:
                return Alert.objects.get(open_key=key)
            try:
                with transaction.atomic():
                    return Alert.objects.create(
                        kind=kind,
                        message=message,
                        dedupe_key=key,
                        open_key=key,
                        created_at=now,
                        last_seen_at=now,
                    )
            except IntegrityError:
                # Raised concurrently by another process: bump theirs on the next pass.
                continue
    return Alert.objects.get(open_key=key)


@transaction.atomic
def alert_resolve(*, alert: Alert, user: Any) -> Alert:
    """Close an open alert. Resolving a resolved alert is refused, so nobody overwrites who did it."""
    resolved = Alert.objects.filter(pk=alert.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=user if getattr(user, "pk", None) else None, open_key=None
    )
    alert.refresh_from_db()
    if not resolved:
        raise ValidationError(_("La alerta %(id)s ya estaba resuelta.") % {"id": alert.pk})
    return alert
