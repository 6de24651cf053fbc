"""Reads for the old system's campaign API: lead totals per campaign and leads with their survey."""

from django.db.models import Count, Q, QuerySet

from calls.models import Campaign, Lead

LeadStatus = Lead.Status
# The old client's "failed" and "unreached" leads: the ones a supervisor may send round again.
FAILED_STATUSES = frozenset({LeadStatus.UNREACHABLE, LeadStatus.INVALID, LeadStatus.CANCELLED})
TRANSCRIPTION_PREVIEW_CHARS = 500


def campaigns_with_totals() -> QuerySet[Campaign]:
    """Campaigns with total, called, failed and pending lead counts, in one aggregate query."""
    return Campaign.objects.annotate(
        total_leads=Count("leads"),
        called_leads=Count("leads", filter=Q(leads__attempts__gt=0)),
        failed_leads=Count("leads", filter=Q(leads__status__in=FAILED_STATUSES)),
        pending_leads=Count("leads", filter=Q(leads__status__in=Lead.WAITING_STATUSES)),
    ).order_by("-created_at", "-id")


def campaign_leads_with_surveys(*, campaign_id: int) -> QuerySet[Lead]:
    return (
        Lead.objects.filter(campaign_id=campaign_id)
        .select_related("encuesta")
        .only(
            "id",
            "phone",
            "customer_name",
            "status",
            "updated_at",
            "attempts",
            "encuesta__puntuacion_comercial",
            "encuesta__puntuacion_instalador",
            "encuesta__puntuacion_rapidez",
            "encuesta__comentarios",
            "encuesta__transcription",
        )
        .order_by("id")
    )
