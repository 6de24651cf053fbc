"""Campaign admin: list with live progress, actions with one summary message, import, results, export."""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.admin_campaign_views import CampaignViews
from calls.campaign_exports import campaign_csv_response, campaign_xlsx_response
from calls.models import Campaign, EncuestaAnswer, Lead
from calls.services.campaigns import (
    campaign_cancel,
    campaign_pause,
    campaign_resume,
    campaign_retry_failed,
    campaign_start,
)

# Action name -> (service, past-participle message for the summary).
CAMPAIGN_ACTIONS: dict[str, tuple[Callable[..., Any], Any]] = {
    "start": (campaign_start, gettext_lazy("iniciadas")),
    "pause": (campaign_pause, gettext_lazy("pausadas")),
    "resume": (campaign_resume, gettext_lazy("reanudadas")),
    "cancel": (campaign_cancel, gettext_lazy("canceladas")),
    "retry": (campaign_retry_failed, gettext_lazy("con fallidos reintentados")),
}


def run_campaign_action(name: str, campaign_ids: list[int]) -> tuple[str, int]:
    """Apply one action to many campaigns; returns ONE summary message and its level."""
    service, done_words = CAMPAIGN_ACTIONS[name]
    done, refused, leads = 0, [], 0
    for campaign_id in campaign_ids:
        try:
            result = service(campaign_id=campaign_id)
        except (ValidationError, Campaign.DoesNotExist) as exc:
            refused.append(" ".join(getattr(exc, "messages", [str(exc)])))
            continue
        done += 1
        if isinstance(result, int):
            leads += result
    text = _("%(n)d campañas %(what)s.") % {"n": done, "what": done_words}
    if name == "retry":
        text += " " + _("%(n)d contactos vuelven a la cola.") % {"n": leads}
    if name == "cancel":
        text += " " + _("%(n)d contactos pendientes cancelados.") % {"n": leads}
    if refused:
        text += " " + _("%(n)d no:") % {"n": len(refused)} + " " + " ".join(refused[:5])
        if len(refused) > 5:
            text += " …"
    level = messages.SUCCESS if done and not refused else messages.WARNING if done else messages.ERROR
    return text, level


def answers_summary(rows: Iterable[EncuestaAnswer]) -> str:
    """ "clave: valor · clave: valor", shortened for a list column."""
    parts = []
    for row in rows:
        value = row.value_text or ("" if row.value_number is None else f"{row.value_number.normalize():f}")
        parts.append(f"{row.question_key}: {Truncator(value).chars(40)}")
    return " · ".join(parts) or "—"


def progress_bar(done: int, total: int) -> str:
    percent = round(100.0 * done / total, 1) if total else 0.0
    return format_html(
        '<div class="campaign-progress" title="{}">'
        '<div class="campaign-progress-bar" style="width:{}%"></div>'
        '<span class="campaign-progress-label">{} / {} ({}%)</span></div>',
        _("terminados / total"),
        percent,
        done,
        total,
        percent,
    )


@admin.register(Campaign)
class CampaignAdmin(CampaignViews, admin.ModelAdmin):
    list_display = ["name", "status", "voice_agent", "progress", "calling_now", "starts_at", "created_at"]
    list_filter = ["status", "voice_agent"]
    search_fields = ["name"]
    list_select_related = ["voice_agent"]
    readonly_fields = ["status", "started_at", "finished_at", "created_by", "created_at", "updated_at"]
    actions = ["start", "pause", "resume", "cancel", "retry", "export_csv", "export_xlsx"]
    change_form_template = "admin/calls/campaign/change_form.html"
    change_list_template = "admin/calls/campaign/change_list.html"
    fieldsets = [
        (None, {"fields": ["name", "voice_agent", "telephony_config", "status"]}),
        (
            gettext_lazy("Horario"),
            {
                "fields": [
                    "starts_at",
                    "ends_at",
                    "calling_window",
                    "time_zone",
                    "skip_holidays",
                    "holiday_region",
                ]
            },
        ),
        (
            gettext_lazy("Ritmo y reintentos"),
            {
                "fields": [
                    "max_concurrent_calls",
                    "calls_per_second",
                    "max_attempts",
                    "retry_delay_busy",
                    "retry_delay_no_answer",
                    "retry_delay_voicemail",
                    "retry_delay_failed",
                    "retry_delay_dropped",
                ]
            },
        ),
        (
            gettext_lazy("Registro"),
            {"fields": ["started_at", "finished_at", "created_by", "created_at", "updated_at"]},
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                lead_total=Count("leads"),
                lead_done=Count("leads", filter=Q(leads__status__in=Lead.FINAL_STATUSES)),
                lead_calling=Count("leads", filter=Q(leads__status=Lead.Status.CALLING)),
            )
        )

    @admin.display(description=gettext_lazy("progreso"))
    def progress(self, campaign: Any) -> str:
        return format_html(
            '<span data-campaign-progress="{}">{}</span>',
            campaign.pk,
            progress_bar(campaign.lead_done, campaign.lead_total),
        )

    @admin.display(description=gettext_lazy("llamando"))
    def calling_now(self, campaign: Any) -> str:
        return format_html('<span data-campaign-calling="{}">{}</span>', campaign.pk, campaign.lead_calling)

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        if not change and request.user.is_authenticated:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def _act(self, request: HttpRequest, queryset: QuerySet[Campaign], name: str) -> None:
        text, level = run_campaign_action(name, list(queryset.values_list("pk", flat=True)))
        self.message_user(request, text, level)

    @admin.action(description=gettext_lazy("Iniciar"), permissions=["change"])
    def start(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._act(request, queryset, "start")

    @admin.action(description=gettext_lazy("Pausar"), permissions=["change"])
    def pause(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._act(request, queryset, "pause")

    @admin.action(description=gettext_lazy("Reanudar"), permissions=["change"])
    def resume(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._act(request, queryset, "resume")

    @admin.action(description=gettext_lazy("Cancelar"), permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._act(request, queryset, "cancel")

    @admin.action(description=gettext_lazy("Reintentar contactos fallidos"), permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        self._act(request, queryset, "retry")

    def _export(
        self, request: HttpRequest, queryset: QuerySet[Campaign], respond: Callable
    ) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(
                request, _("Elija una sola campaña para exportar sus resultados."), messages.WARNING
            )
            return None
        return respond(queryset.select_related("voice_agent").get())

    @admin.action(description=gettext_lazy("Exportar resultados (CSV)"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> HttpResponse | None:
        return self._export(request, queryset, campaign_csv_response)

    @admin.action(description=gettext_lazy("Exportar resultados (XLSX)"), permissions=["view"])
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> HttpResponse | None:
        return self._export(request, queryset, campaign_xlsx_response)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        actions = []
        if self.has_change_permission(request):
            actions = [(name, getattr(self, name).short_description) for name in CAMPAIGN_ACTIONS]
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "campaign_actions": actions}
        )

    def get_urls(self) -> list:
        return [*self.campaign_urls(), *super().get_urls()]


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = [
        "phone",
        "customer_name",
        "campaign",
        "status",
        "attempts",
        "last_outcome",
        "next_attempt_at",
    ]
    list_filter = ["status", "last_outcome", "campaign"]
    search_fields = ["phone", "customer_name"]
    list_select_related = ["campaign"]
    readonly_fields = [
        "campaign",
        "callback_at",
        "status",
        "attempts",
        "next_attempt_at",
        "last_outcome",
        "encuesta",
        "current_call",
        "created_at",
        "updated_at",
    ]
    fields = ["campaign", "phone", "customer_name", "region", "extra", *readonly_fields[1:]]
    raw_id_fields = ["campaign"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Lead | None = None) -> list[str]:
        return [*self.readonly_fields, "phone"]


def campaign_url(name: str, campaign_id: int, *args: Any) -> str:
    return reverse(f"admin:calls_campaign_{name}", args=[campaign_id, *args])
