"""Folds survey answers into daily counts per agent, question and answer (AnswerDailyCount)."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from agents_app.models import SurveyQuestion, VoiceAgent
from calls.dashboard_models import AnswerDailyCount
from calls.staff_dashboard_selectors import NO, YES, answer_counts_by_day, questionnaires

YES_VALUES = {True, "1", "true"}
NO_VALUES = {False, "0", "false"}


def _normalised(question_type: str, value: Any) -> str | None:
    """One spelling per answer whatever the database returns (SQLite 1, MariaDB "true", ...)."""
    if question_type == SurveyQuestion.Type.YES_NO:
        if value in YES_VALUES:
            return YES
        return NO if value in NO_VALUES else None
    try:
        score = int(value)
    except (TypeError, ValueError):
        return None
    return str(score) if 0 <= score <= 10 else None


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@transaction.atomic
def answer_rollups_refresh(*, first_day: date, last_day: date) -> int:
    """Recount the days first_day..last_day (local dates) from the surveys; returns rows written."""
    agents = list(VoiceAgent.objects.only("id"))
    types_by_key: dict[str, dict[int, str]] = {}
    for agent_id, questionnaire in questionnaires(agents).items():
        for question in questionnaire:
            if question.type != SurveyQuestion.Type.TEXT:
                types_by_key.setdefault(question.key, {})[agent_id] = question.type
    start, end = _local_midnight(first_day), _local_midnight(last_day + timedelta(days=1))
    totals: dict[tuple[date, int, str, str], int] = {}
    for key, types in types_by_key.items():
        counts = answer_counts_by_day(key=key, agent_ids=list(types), start=start, end=end)
        for (day, agent_id), by_value in counts.items():
            for value, n in by_value.items():
                normalised = _normalised(types[agent_id], value)
                if normalised is not None:
                    bucket = (day, agent_id, key, normalised)
                    totals[bucket] = totals.get(bucket, 0) + n
    AnswerDailyCount.objects.filter(day__gte=first_day, day__lte=last_day).delete()
    AnswerDailyCount.objects.bulk_create(
        [
            AnswerDailyCount(day=day, voice_agent_id=agent_id, key=key, value=value, count=n)
            for (day, agent_id, key, value), n in totals.items()
        ],
        batch_size=1000,
    )
    return len(totals)


def answer_rollups_refresh_recent(*, days: int = 2) -> int:
    """The last `days` local days, today included: what the periodic task keeps current."""
    today = timezone.localdate()
    return answer_rollups_refresh(first_day=today - timedelta(days=days - 1), last_day=today)
