from django.db.models import Avg, Count, FloatField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, NullIf, Round

from calls.models import SCORE_FIELDS, Call, Encuesta


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
