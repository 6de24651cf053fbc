"""Reads behind the old React client's Overview, Results and Usage views."""

from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from calls.models import Encuesta


def encuesta_recent(*, limit: int) -> QuerySet[Encuesta]:
    """The latest surveys, newest first, with only the columns the lists show."""
    return (
        Encuesta.objects.select_related("voice_agent")
        .annotate(campaign_name=F("lead__campaign__name"))
        .order_by("-fecha", "-id")[:limit]
    )


def usage_stats() -> dict:
    """Tokens and seconds used, in total and per LLM model, aggregated by the database."""
    used = Q(tokens_used__isnull=False) | Q(seconds_used__isnull=False)
    zero = Value(0, output_field=IntegerField())
    totals = Encuesta.objects.filter(used).aggregate(
        tokens=Coalesce(Sum("tokens_used"), zero), seconds=Coalesce(Sum("seconds_used"), zero)
    )
    per_model = (
        Encuesta.objects.filter(used)
        .values("llm_model")
        .annotate(
            n_calls=Count("id"),
            tokens=Coalesce(Sum("tokens_used"), zero),
            seconds=Coalesce(Sum("seconds_used"), zero),
        )
        .order_by("-n_calls", "llm_model")
    )
    return {
        "total_tokens": totals["tokens"],
        "total_minutes": round(totals["seconds"] / 60, 1),
        "per_model_stats": [
            {
                "llm_model": row["llm_model"],
                "calls": row["n_calls"],
                "tokens": row["tokens"],
                "seconds": row["seconds"],
            }
            for row in per_model
        ],
    }
