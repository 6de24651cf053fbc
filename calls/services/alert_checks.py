"""Periodic checks that raise alerts from what the calls table shows, in a few aggregate queries."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import Alert, Call
from calls.services.alerts import alert_raise


def _trunk_failures(since) -> int:
    raised = 0
    rows = (
        Call.objects.filter(dialing_at__gte=since)
        .exclude(status__in=Call.LIVE_STATUSES)
        .values("sip_trunk_id")
        .annotate(total=Count("id"), failed=Count("id", filter=Q(status=Call.Status.FAILED)))
    )
    for row in rows:
        total, failed = row["total"], row["failed"]
        if total < settings.ALERT_TRUNK_MIN_CALLS or failed < total * settings.ALERT_TRUNK_FAILURE_SHARE:
            continue
        trunk = row["sip_trunk_id"] or _("(sin trunk)")
        alert_raise(
            kind=Alert.Kind.TRUNK_FAILING,
            dedupe_key=trunk,
            message=_(
                "El trunk SIP %(trunk)s ha fallado %(failed)s de sus últimas %(total)s llamadas. "
                "Revisa el proveedor SIP y el motivo del fallo en las llamadas."
            )
            % {"trunk": trunk, "failed": failed, "total": total},
        )
        raised += 1
    return raised


def _agentless_calls(since, now) -> int:
    """Answered calls where the agent never said a word: no worker took the dispatch."""
    grace = now - timedelta(seconds=settings.ALERT_WORKER_GRACE_SECONDS)
    rows = (
        Call.objects.filter(answered_at__gte=since, answered_at__lt=grace, encuesta__transcription="")
        .exclude(encuesta__voice_agent=None)
        .values("encuesta__voice_agent__dispatch_name")
        .annotate(total=Count("id"))
    )
    raised = 0
    for row in rows:
        if row["total"] < settings.ALERT_WORKER_MIN_CALLS:
            continue
        name = row["encuesta__voice_agent__dispatch_name"]
        alert_raise(
            kind=Alert.Kind.WORKER_NOT_REGISTERED,
            dedupe_key=name,
            message=_(
                "%(total)s llamadas contestadas no han tenido agente de voz. ¿Está en marcha un "
                "voice worker registrado como «%(name)s»? (manage.py runvoiceworker)"
            )
            % {"total": row["total"], "name": name},
        )
        raised += 1
    return raised


def _stalled_queue(now) -> int:
    cutoff = now - timedelta(minutes=settings.ALERT_QUEUE_STALL_MINUTES)
    stalled = Call.objects.filter(status=Call.Status.QUEUED, queued_at__lt=cutoff).count()
    if not stalled:
        return 0
    alert_raise(
        kind=Alert.Kind.CAMPAIGN_STALLED,
        dedupe_key="queue",
        message=_(
            "%(count)s llamadas llevan más de %(minutes)s minutos en cola sin marcarse. "
            "¿Están en marcha el worker de Celery y el broker?"
        )
        % {"count": stalled, "minutes": settings.ALERT_QUEUE_STALL_MINUTES},
    )
    return 1


def alerts_check() -> dict[str, int]:
    now = timezone.now()
    since = now - timedelta(minutes=settings.ALERT_WINDOW_MINUTES)
    return {
        "trunk_failing": _trunk_failures(since),
        "worker_not_registered": _agentless_calls(since, now),
        "campaign_stalled": _stalled_queue(now),
    }
