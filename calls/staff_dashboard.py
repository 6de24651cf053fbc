"""The staff dashboard shown as the admin index, and its live "calls in progress" JSON."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from calls import staff_dashboard_selectors as selectors
from calls.alert_selectors import alert_list_open
from calls.models import Call

QUESTION_WINDOW_DAYS = 30
FAILURE_WINDOW_DAYS = 7


def _bars(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Calls per day with bar heights in percent of the busiest day, for the CSS chart."""
    peak = max((row["calls"] for row in rows), default=0) or 1
    return [
        {
            **row,
            "height": round(100 * row["calls"] / peak),
            "answered_height": round(100 * row["answered"] / peak),
        }
        for row in rows
    ]


def _with_histograms(agents: list[selectors.AgentStats]) -> list[dict[str, Any]]:
    out = []
    for agent in agents:
        questions = []
        for q in agent.questions:
            peak = max(q.distribution, default=0) or 1
            bars = [
                {"score": s, "n": n, "height": round(100 * n / peak)} for s, n in enumerate(q.distribution)
            ]
            questions.append({"stats": q, "bars": bars})
        out.append({"agent": agent, "questions": questions})
    return out


def live_call_rows(*, limit: int = 50) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for call in selectors.calls_in_progress(limit=limit):
        since = call.answered_at or call.dialing_at or call.queued_at
        rows.append(
            {
                "id": call.pk,
                "to_number": call.to_number,
                "status": call.status,
                "status_label": str(Call.Status(call.status).label),
                "agent": call.encuesta.voice_agent.name if call.encuesta.voice_agent else "",
                "seconds": max(0, int((now - since).total_seconds())),
                "url": reverse("admin:calls_call_change", args=[call.pk]),
            }
        )
    return rows


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not (user.has_perm("calls.view_call") and user.has_perm("calls.view_encuesta")):
        return {"dashboard": None}
    periods = selectors.Periods.at()
    return {
        "dashboard": {
            "periods": periods,
            "calls": selectors.call_counts(periods=periods),
            "surveys": selectors.survey_rates(since=periods.week),
            "per_day": _bars(selectors.calls_per_day(periods=periods)),
            "agents": _with_histograms(
                selectors.question_stats(
                    since=(periods.today - timedelta(days=QUESTION_WINDOW_DAYS - 1)).date()
                )
            ),
            "question_window_days": QUESTION_WINDOW_DAYS,
            "live": live_call_rows(),
            "live_url": reverse("admin:dashboard-live"),
            "poll_ms": int(settings.DASHBOARD_POLL_SECONDS * 1000),
            "failures": selectors.recent_failures(since=periods.now - timedelta(days=FAILURE_WINDOW_DAYS)),
            "failure_window_days": FAILURE_WINDOW_DAYS,
            "alerts": list(alert_list_open(limit=10)) if user.has_perm("calls.view_alert") else None,
        }
    }


def dashboard_live(request: HttpRequest) -> JsonResponse:
    if not request.user.has_perm("calls.view_call"):
        return JsonResponse({"detail": _("No tiene permiso para ver las llamadas.")}, status=403)
    return JsonResponse({"calls": live_call_rows(), "at": timezone.now().isoformat()})
