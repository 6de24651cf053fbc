"""The campaign admin's own pages: progress JSON, one-click actions, import with preview, results."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.campaign_exports import campaign_csv_response, campaign_xlsx_response
from calls.campaign_results import campaign_results
from calls.campaign_selectors import campaign_progress, campaigns_lead_counts, progress_from_counts
from calls.lead_files import read_lead_file
from calls.lead_import_files import import_path, open_report, save_upload
from calls.models import Campaign, Lead
from calls.services.lead_import import leads_import, leads_preview

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
EXPORTS = {"csv": campaign_csv_response, "xlsx": campaign_xlsx_response}


class LeadFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichero CSV o XLSX"),
        help_text=gettext_lazy(
            "Separado por «;» o «,», en UTF-8 o Windows-1252. Columnas: telefono (o phone_number, movil…), "
            "nombre (o customer_name), region (opcional); las demás se guardan y se pueden usar en el saludo "
            "como {columna}."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("El fichero supera los 50 MB."))
        return upload


def progress_payload(campaign: Campaign, counts: dict[str, int] | None = None) -> dict[str, Any]:
    progress = (
        progress_from_counts(campaign, counts) if counts is not None else campaign_progress(campaign=campaign)
    )
    opening = progress.next_window_opening
    return {
        "id": campaign.pk,
        "status": campaign.status,
        "status_label": campaign.get_status_display(),
        "total": progress.total,
        "done": progress.done,
        "percent_done": progress.percent_done,
        "calls_in_progress": progress.calls_in_progress,
        "window_open_now": progress.window_open_now,
        "next_window_opening": opening.isoformat() if opening else None,
        "next_window_opening_label": formats.date_format(timezone.localtime(opening), "DATETIME_FORMAT")
        if opening
        else "",
        "counts": [
            {"status": status, "label": str(label), "n": progress.counts.get(status, 0)}
            for status, label in Lead.Status.choices
        ],
    }


class CampaignViews:
    """Mixed into CampaignAdmin (a ModelAdmin): extra URLs under /admin/calls/campaign/<id>/."""

    admin_site: Any
    has_view_permission: Callable[..., bool]
    has_change_permission: Callable[..., bool]

    def campaign_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("progress.json", wrap(self.progress_list_view), name="calls_campaign_progress_list"),
            path("<int:object_id>/progress.json", wrap(self.progress_view), name="calls_campaign_progress"),
            path("<int:object_id>/do/<str:action>/", wrap(self.action_view), name="calls_campaign_do"),
            path("<int:object_id>/import/", wrap(self.import_view), name="calls_campaign_import"),
            path(
                "<int:object_id>/import/<str:token>/confirm/",
                wrap(self.import_confirm_view),
                name="calls_campaign_import_confirm",
            ),
            path(
                "<int:object_id>/import/<str:token>/report.csv",
                wrap(self.import_report_view),
                name="calls_campaign_import_report",
            ),
            path("<int:object_id>/results/", wrap(self.results_view), name="calls_campaign_results"),
            path("<int:object_id>/export.<str:fmt>", wrap(self.export_view), name="calls_campaign_export"),
        ]

    def _campaign(self, request: HttpRequest, object_id: int, change: bool = False) -> Campaign:
        campaign = get_object_or_404(Campaign.objects.select_related("voice_agent"), pk=object_id)
        allowed = (
            self.has_change_permission(request, campaign)
            if change
            else self.has_view_permission(request, campaign)
        )
        if not allowed:
            raise PermissionDenied
        return campaign

    def _context(self, request: HttpRequest, campaign: Campaign, title: str, **extra: Any) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": Campaign._meta,
            "original": campaign,
            "campaign": campaign,
            "title": title,
            **extra,
        }

    def progress_view(self, request: HttpRequest, object_id: int) -> JsonResponse:
        return JsonResponse(progress_payload(self._campaign(request, object_id)))

    def progress_list_view(self, request: HttpRequest) -> JsonResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        ids = [int(x) for x in request.GET.get("ids", "").split(",") if x.isdigit()][:500]
        counts = campaigns_lead_counts(campaign_ids=ids)
        campaigns = Campaign.objects.filter(pk__in=ids)
        return JsonResponse({"campaigns": [progress_payload(c, counts[c.pk]) for c in campaigns]})

    @staticmethod
    def _change_url(campaign_id: int) -> str:
        return reverse("admin:calls_campaign_change", args=[campaign_id])

    def action_view(self, request: HttpRequest, object_id: int, action: str) -> HttpResponse:
        from calls.admin_campaigns import CAMPAIGN_ACTIONS, run_campaign_action

        if request.method != "POST" or action not in CAMPAIGN_ACTIONS:
            raise Http404
        campaign = self._campaign(request, object_id, change=True)
        text, level = run_campaign_action(action, [campaign.pk])
        messages.add_message(request, level, text)
        return HttpResponseRedirect(self._change_url(campaign.pk))

    def import_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        campaign = self._campaign(request, object_id, change=True)
        form = LeadFileForm(request.POST or None, request.FILES or None)
        context = self._context(
            request, campaign, _("Importar contactos: %(name)s") % {"name": campaign.name}
        )
        if request.method == "POST" and form.is_valid():
            token = save_upload(campaign_id=campaign.pk, upload=form.cleaned_data["file"])
            stored = import_path(campaign_id=campaign.pk, token=token, kind="upload")
            try:
                with open(stored, "rb") as stream:  # type: ignore[arg-type]
                    preview = leads_preview(table=read_lead_file(stream))
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                context.update(preview=preview, token=token, filename=form.cleaned_data["file"].name)
                return TemplateResponse(request, "admin/calls/campaign/import_preview.html", context)
        context["form"] = form
        return TemplateResponse(request, "admin/calls/campaign/import.html", context)

    @staticmethod
    def _stored(campaign: Campaign, token: str, kind: str) -> Any:
        stored = import_path(campaign_id=campaign.pk, token=token, kind=kind)
        if stored is None:
            raise Http404(_("El fichero ya no está disponible; vuelva a subirlo."))
        return stored

    def import_confirm_view(self, request: HttpRequest, object_id: int, token: str) -> HttpResponse:
        if request.method != "POST":
            raise Http404
        campaign = self._campaign(request, object_id, change=True)
        upload = self._stored(campaign, token, "upload")
        try:
            with open(upload, "rb") as stream, open_report(campaign_id=campaign.pk, token=token) as report:
                result = leads_import(campaign_id=campaign.pk, table=read_lead_file(stream), report=report)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(self._change_url(campaign.pk))
        finally:
            upload.unlink(missing_ok=True)
        messages.add_message(
            request, messages.SUCCESS if not result.rejected_total else messages.WARNING, result.summary()
        )
        context = self._context(
            request, campaign, _("Importación terminada: %(name)s") % {"name": campaign.name}, result=result
        )
        context["report_url"] = reverse("admin:calls_campaign_import_report", args=[campaign.pk, token])
        return TemplateResponse(request, "admin/calls/campaign/import_result.html", context)

    def import_report_view(self, request: HttpRequest, object_id: int, token: str) -> FileResponse:
        campaign = self._campaign(request, object_id)
        return FileResponse(
            open(self._stored(campaign, token, "report"), "rb"),
            as_attachment=True,
            filename=f"campana-{campaign.pk}-rechazados.csv",
            content_type="text/csv; charset=utf-8",
        )

    def results_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        campaign = self._campaign(request, object_id)
        results = campaign_results(campaign=campaign)
        context = self._context(
            request, campaign, _("Resultados: %(name)s") % {"name": campaign.name}, results=results
        )
        context["lead_rows"] = [
            (label, results.lead_counts.get(status, 0)) for status, label in Lead.Status.choices
        ]
        context["outcome_rows"] = [
            (label, results.outcomes.get(key, 0))
            for key, label in (
                ("answered", _("Contestadas")),
                ("busy", _("Ocupado")),
                ("no_answer", _("Sin respuesta")),
                ("voicemail", _("Buzón de voz")),
                ("failed", _("Fallidas")),
            )
        ]
        return TemplateResponse(request, "admin/calls/campaign/results.html", context)

    def export_view(self, request: HttpRequest, object_id: int, fmt: str) -> HttpResponseBase:
        if fmt not in EXPORTS:
            raise Http404
        return EXPORTS[fmt](self._campaign(request, object_id))
