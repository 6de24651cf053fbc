from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, FloatField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, NullIf, Round

from calls.models import SCORE_FIELDS, Call, Encuesta, Lead


def encuesta_list() -> QuerySet[Encuesta]:
    return Encuesta.objects.select_related("voice_agent")


def call_list() -> QuerySet[Call]:
    return Call.objects.select_related("encuesta", "telephony_config")


def dashboard_stats() -> dict[str, object]:
    """Totals and average scores, aggregated by the database in one query."""
    score_sum = sum((Coalesce(Sum(f), Value(0)) for f in SCORE_FIELDS), Value(0))
    score_count = sum((Count(f) for f in SCORE_FIELDS), Value(0))
    averages = {
        field.removeprefix("puntuacion_"): Round(Avg(Cast(field, FloatField())), 2) for field in SCORE_FIELDS
    }
    row = Encuesta.objects.aggregate(
        total_calls=Count("id"),
        completed_calls=Count("id", filter=Q(status=Encuesta.Status.COMPLETED)),
        pending_calls=Count("id", filter=Q(status__in=Encuesta.OPEN_STATUSES)),
        overall=Round(Cast(score_sum, FloatField()) / NullIf(score_count, Value(0)), 2),
        **averages,
    )
    return {
        "total_calls": row.pop("total_calls"),
        "completed_calls": row.pop("completed_calls"),
        "pending_calls": row.pop("pending_calls"),
        "avg_scores": row,
    }


# --- Voice worker reads ------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyForCall:
    """What a voice-worker job needs from a survey, read once when the job starts."""

    encuesta_id: int
    voice_agent_id: int | None
    nombre_cliente: str
    is_closed: bool
    status: str
    answers: dict[str, Any]
    time_zone: str
    # a campaign lead's CSV columns, for {placeholders} in the greeting and the instructions
    variables: dict[str, str]


def survey_for_call(*, encuesta_id: int) -> SurveyForCall | None:
    encuesta = Encuesta.objects.filter(pk=encuesta_id).first()
    if encuesta is None:
        return None
    lead = Lead.objects.filter(encuesta_id=encuesta_id).select_related("campaign").first()
    extra = (lead.extra if lead else None) or {}
    return SurveyForCall(
        encuesta_id=encuesta.pk,
        voice_agent_id=encuesta.voice_agent_id,
        nombre_cliente=encuesta.nombre_cliente,
        is_closed=encuesta.status in Encuesta.FINAL_STATUSES,
        status=encuesta.status,
        answers=dict(encuesta.respuestas or {}),
        # "llámeme el lunes a las cinco" means five in the campaign's zone
        time_zone=(lead.campaign.time_zone if lead and lead.campaign_id else "") or settings.TIME_ZONE,
        variables={str(key): "" if value is None else str(value) for key, value in extra.items()},
    )


def call_belongs_to_survey(*, call_id: int, encuesta_id: int) -> bool:
    return Call.objects.filter(pk=call_id, encuesta_id=encuesta_id).exists()


def survey_transcript(*, encuesta_id: int) -> str:
    return Encuesta.objects.values_list("transcription", flat=True).get(pk=encuesta_id)
