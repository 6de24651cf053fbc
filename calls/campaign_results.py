"""Campaign results computed by the database from the answer rows, leads and calls."""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q

from calls.answers import Question, QuestionType, questionnaire_for
from calls.models import Call, Campaign, EncuestaAnswer, Lead

RECOMMEND = re.compile(r"recomend|recommend|nps", re.IGNORECASE)


@dataclass
class QuestionStats:
    key: str
    text: str
    type: str
    answers: int = 0
    average: float | None = None
    distribution: list[tuple[str, int]] = field(default_factory=list)
    nps: float | None = None

    @property
    def max_count(self) -> int:
        return max((n for _v, n in self.distribution), default=0)


@dataclass
class CampaignResults:
    total_leads: int
    lead_counts: dict[str, int]
    completion_rate: float
    refusal_rate: float
    outcomes: dict[str, int]
    questions: list[QuestionStats]

    @property
    def max_outcome(self) -> int:
        return max(self.outcomes.values(), default=0)


def is_nps_question(question: Question) -> bool:
    """A 0–10 score question about recommending: the Net Promoter Score applies."""
    return question.type == QuestionType.SCORE and bool(RECOMMEND.search(f"{question.key} {question.text}"))


def campaign_questionnaire(campaign: Campaign) -> tuple[Question, ...]:
    return questionnaire_for(campaign.voice_agent.questions.all())


def _number_label(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else str(value.normalize())


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def campaign_question_stats(*, campaign: Campaign) -> list[QuestionStats]:
    """Per question: answer count, average, distribution of values and NPS where it applies."""
    answers = EncuestaAnswer.objects.filter(encuesta__lead__campaign=campaign)
    questions = {q.key: q for q in campaign_questionnaire(campaign)}
    summary: dict[str, dict[str, Any]] = {
        row["question_key"]: dict(row)
        for row in answers.values("question_key")
        .annotate(
            n=Count("id"),
            avg=Avg("value_number"),
            promoters=Count("id", filter=Q(value_number__gte=9)),
            detractors=Count("id", filter=Q(value_number__lte=6)),
            scored=Count("value_number"),
        )
        .order_by()
    }
    distribution: dict[str, list[tuple[str, int]]] = {}
    for key, number, text, n in (
        answers.exclude(value_number=None)
        .values_list("question_key", "value_number", "value_text")
        .annotate(n=Count("id"))
        .order_by("question_key", "value_number")
    ):
        label = text or _number_label(number or Decimal(0))
        distribution.setdefault(key, []).append((label, n))
    keys = [*questions, *sorted(set(summary) - set(questions))]
    stats = []
    for key in keys:
        question = questions.get(key) or Question(key, key, QuestionType.TEXT, required=False)
        row: dict[str, Any] = summary.get(key, {})
        item = QuestionStats(key=key, text=question.text, type=question.type, answers=row.get("n", 0))
        if row.get("avg") is not None and question.type == QuestionType.SCORE:
            item.average = round(float(row["avg"]), 2)
        item.distribution = distribution.get(key, [])
        if is_nps_question(question) and row.get("scored"):
            item.nps = round(100.0 * (row["promoters"] - row["detractors"]) / row["scored"], 1)
        stats.append(item)
    return stats


OUTCOME_FILTERS = {
    "answered": Q(answered_at__isnull=False) & ~Q(status=Call.Status.VOICEMAIL),
    "busy": Q(status=Call.Status.BUSY, answered_at__isnull=True),
    "no_answer": Q(status__in=[Call.Status.NO_ANSWER, Call.Status.REJECTED], answered_at__isnull=True),
    "voicemail": Q(status=Call.Status.VOICEMAIL),
    "failed": Q(status__in=[Call.Status.FAILED, Call.Status.CANCELED], answered_at__isnull=True),
}


def campaign_call_outcomes(*, campaign: Campaign) -> dict[str, int]:
    """Dial attempts of the campaign by outcome, one aggregate query."""
    calls = Call.objects.filter(encuesta__lead__campaign=campaign)
    return calls.aggregate(
        **{name: Count("id", filter=condition) for name, condition in OUTCOME_FILTERS.items()}
    )


def campaign_results(*, campaign: Campaign) -> CampaignResults:
    counts = dict(
        Lead.objects.filter(campaign=campaign).values_list("status").annotate(n=Count("id")).order_by()
    )
    total = sum(counts.values())
    return CampaignResults(
        total_leads=total,
        lead_counts={status: counts.get(status, 0) for status in Lead.Status.values},
        completion_rate=_percent(counts.get(Lead.Status.COMPLETED, 0), total),
        refusal_rate=_percent(counts.get(Lead.Status.OPTED_OUT, 0), total),
        outcomes=campaign_call_outcomes(campaign=campaign),
        questions=campaign_question_stats(campaign=campaign),
    )
