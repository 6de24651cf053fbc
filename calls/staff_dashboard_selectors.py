"""Reads behind the staff dashboard (the admin index): a few aggregate queries, all range-bounded.

Answers are read from `Encuesta.respuestas` (JSON) only by `answer_counts_by_day`, the one function
to change when answers get rows of their own; the dashboard reads their daily counts.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
from django.utils import timezone

from agents_app.models import SurveyQuestion, VoiceAgent
from calls.answers import Question, questionnaire_for
from calls.models import AnswerDailyCount, Call, Encuesta

FAILED_CALL_STATUSES = (
    Call.Status.FAILED,
    Call.Status.NO_ANSWER,
    Call.Status.BUSY,
    Call.Status.REJECTED,
    Call.Status.VOICEMAIL,
)
ANSWERED_SURVEY_STATUSES = (
    Encuesta.Status.COMPLETED,
    Encuesta.Status.INCOMPLETE,
    Encuesta.Status.REJECTED_OPT_OUT,
)
CLOSED_SURVEY_STATUSES = (*ANSWERED_SURVEY_STATUSES, Encuesta.Status.FAILED)
YES, NO = "yes", "no"


@dataclass(frozen=True)
class Periods:
    now: datetime
    today: datetime
    week: datetime

    @classmethod
    def at(cls, now: datetime | None = None) -> "Periods":
        now = timezone.localtime(now or timezone.now())
        today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return cls(now=now, today=today, week=today - timedelta(days=today.weekday()))


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def call_counts(*, periods: Periods) -> dict[str, Any]:
    """Calls placed today and this week, and how many of this week's ended ones were answered."""
    row = Call.objects.filter(queued_at__gte=periods.week).aggregate(
        week=Count("id"),
        today=Count("id", filter=Q(queued_at__gte=periods.today)),
        ended=Count("id", filter=Q(ended_at__isnull=False)),
        answered=Count("id", filter=Q(ended_at__isnull=False, answered_at__isnull=False)),
    )
    return {**row, "answer_rate": _rate(row["answered"], row["ended"])}


def survey_rates(*, since: datetime) -> dict[str, Any]:
    """Completion (of closed surveys) and refusal (of surveys the customer answered) since `since`."""
    by_status = dict(
        Encuesta.objects.filter(fecha__gte=since)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    closed = sum(by_status.get(s, 0) for s in CLOSED_SURVEY_STATUSES)
    answered = sum(by_status.get(s, 0) for s in ANSWERED_SURVEY_STATUSES)
    completed = by_status.get(Encuesta.Status.COMPLETED, 0)
    refused = by_status.get(Encuesta.Status.REJECTED_OPT_OUT, 0)
    return {
        "total": sum(by_status.values()),
        "closed": closed,
        "completed": completed,
        "refused": refused,
        "completion_rate": _rate(completed, closed),
        "refusal_rate": _rate(refused, answered),
    }


def calls_per_day(*, periods: Periods, days: int = 14) -> list[dict[str, Any]]:
    """One row per local day (oldest first, empty days included): calls placed and answered."""
    first = periods.today - timedelta(days=days - 1)
    rows = {
        row["day"]: row
        for row in Call.objects.filter(queued_at__gte=first)
        .annotate(day=TruncDate("queued_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day")
        .annotate(calls=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
    }
    out = []
    for offset in range(days):
        day: date = (first + timedelta(days=offset)).date()
        row = rows.get(day)
        out.append(
            {"day": day, "calls": row["calls"] if row else 0, "answered": row["answered"] if row else 0}
        )
    return out


def answer_counts_by_day(
    *, key: str, agent_ids: list[int], start: datetime, end: datetime
) -> dict[tuple[date, int], dict[Any, int]]:
    """{(local day, agent id): {stored answer value: surveys}} for one question key, start <= fecha < end.

    The one place that knows answers live in `Encuesta.respuestas`.
    """
    rows = (
        Encuesta.objects.filter(voice_agent_id__in=agent_ids, fecha__gte=start, fecha__lt=end)
        .annotate(
            value=KT(f"respuestas__{key}"), day=TruncDate("fecha", tzinfo=timezone.get_current_timezone())
        )
        .filter(value__isnull=False)
        .order_by()
        .values_list("day", "voice_agent_id", "value")
        .annotate(n=Count("id"))
    )
    counts: dict[tuple[date, int], dict[Any, int]] = defaultdict(dict)
    for day, agent_id, value, n in rows:
        bucket = counts[(day, agent_id)]
        bucket[value] = bucket.get(value, 0) + n
    return counts


def questionnaires(agents: list[VoiceAgent]) -> dict[int, tuple[Question, ...]]:
    """Each agent's questionnaire (its own questions or the classic one), in two queries at most."""
    questions_by_agent: dict[int, list[SurveyQuestion]] = defaultdict(list)
    for question in SurveyQuestion.objects.filter(agent__in=agents).order_by("agent", "position", "id"):
        questions_by_agent[question.agent_id].append(question)
    return {agent.pk: questionnaire_for(questions_by_agent[agent.pk]) for agent in agents}


@dataclass
class QuestionStats:
    key: str
    text: str
    type: str
    answers: int = 0
    average: float | None = None
    yes_rate: float | None = None
    distribution: list[int] = field(default_factory=list)


@dataclass
class AgentStats:
    agent_id: int
    name: str
    questions: list[QuestionStats]


def _score_stats(stats: QuestionStats, counts: dict[Any, int]) -> None:
    histogram = [0] * 11
    for value, n in counts.items():
        try:
            score = int(value)
        except (TypeError, ValueError):
            continue
        if 0 <= score <= 10:
            histogram[score] += n
    stats.distribution = histogram
    stats.answers = sum(histogram)
    if stats.answers:
        stats.average = round(sum(score * n for score, n in enumerate(histogram)) / stats.answers, 2)


def _yes_no_stats(stats: QuestionStats, counts: dict[str, int]) -> None:
    yes, no = counts.get(YES, 0), counts.get(NO, 0)
    stats.answers = yes + no
    stats.yes_rate = _rate(yes, yes + no)


def active_agents() -> QuerySet[VoiceAgent]:
    return VoiceAgent.objects.filter(is_active=True).order_by("name", "id")


def question_stats(*, since: date) -> list[AgentStats]:
    """Per active agent, its questionnaire's score averages and distributions and yes/no shares.

    Read from the daily answer counts (calls.services.answer_rollups), from day `since` on.
    """
    agents = list(active_agents().only("id", "name"))
    by_agent = questionnaires(agents)
    counts: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    rows = (
        AnswerDailyCount.objects.filter(voice_agent__in=agents, day__gte=since)
        .order_by()
        .values_list("voice_agent_id", "key", "value")
        .annotate(n=Sum("count"))
    )
    for agent_id, key, value, n in rows:
        counts[(agent_id, key)][value] = n
    result = []
    for agent in agents:
        stats_rows = []
        for q in by_agent[agent.pk]:
            if q.type == SurveyQuestion.Type.TEXT:
                continue
            stats = QuestionStats(key=q.key, text=q.text, type=q.type)
            if q.type == SurveyQuestion.Type.SCORE:
                _score_stats(stats, counts[(agent.pk, q.key)])
            else:
                _yes_no_stats(stats, counts[(agent.pk, q.key)])
            stats_rows.append(stats)
        result.append(AgentStats(agent_id=agent.pk, name=agent.name, questions=stats_rows))
    return result


def calls_in_progress(*, limit: int = 50) -> QuerySet[Call]:
    return (
        Call.objects.filter(status__in=Call.ACTIVE_STATUSES)
        .select_related("encuesta__voice_agent")
        .order_by("dialing_at", "id")[:limit]
    )


def recent_failures(*, since: datetime, limit: int = 10) -> QuerySet[Call]:
    """The latest calls that ended without a conversation, with their SIP code and reason."""
    return (
        Call.objects.filter(ended_at__gte=since, status__in=FAILED_CALL_STATUSES)
        .select_related("encuesta")
        .order_by("-ended_at", "-id")[:limit]
    )
