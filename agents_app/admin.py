from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from agents_app.agent_templates import TEMPLATES
from agents_app.forms import VoiceAgentAdminForm
from agents_app.frontend_selectors import agent_defaults_llm_model
from agents_app.models import SurveyQuestion, VoiceAgent
from agents_app.services import voice_agent_create_from_template
from calls.admin_permissions import CallPermissionsAdminMixin


class SurveyQuestionInline(admin.TabularInline):
    model = SurveyQuestion
    extra = 0
    fields = ["position", "key", "text", "type", "required"]


class TemplateForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Plantilla"), choices=[(key, t.name) for key, t in TEMPLATES.items()]
    )
    name = forms.CharField(label=_("Nombre del agente"), max_length=120, required=False)


@admin.register(VoiceAgent)
class VoiceAgentAdmin(CallPermissionsAdminMixin, admin.ModelAdmin):
    list_display = ["name", "call_type", "use_case", "language", "llm_model", "dispatch_name", "is_active"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {"llm_model": agent_defaults_llm_model(), **super().get_changeform_initial_data(request)}

    list_filter = ["call_type", "is_active", "language"]
    search_fields = ["name", "use_case", "description"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [SurveyQuestionInline]
    actions = ["place_calls"]
    change_list_template = "admin/agents_app/voiceagent/change_list.html"
    form = VoiceAgentAdminForm
    fieldsets = [
        (None, {"fields": ["name", "call_type", "use_case", "description", "is_active"]}),
        (
            _("Conversación"),
            {"fields": ["instructions", "greeting", "goodbye", "voicemail_message", "language"]},
        ),
        (_("Modelos"), {"fields": ["stt_model", "llm_model", "tts_model", "voice_id", "dispatch_name"]}),
        (_("Fechas"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "from-template/",
                self.admin_site.admin_view(self.from_template_view),
                name="agents_app_voiceagent_from_template",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Llamar…"), permissions=["place_call"])
    def place_calls(self, request: HttpRequest, queryset: QuerySet[VoiceAgent]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Seleccione un único agente para llamar."), messages.WARNING)
            return None
        return HttpResponseRedirect(f"{reverse('admin:calls_call_place')}?agent={queryset.get().pk}")

    def from_template_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = TemplateForm(request.POST or None)
        if form.is_valid():
            try:
                agent = voice_agent_create_from_template(
                    template_key=form.cleaned_data["template"], name=form.cleaned_data["name"] or None
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(request, _("Agente «%(name)s» creado.") % {"name": agent.name})
                return HttpResponseRedirect(reverse("admin:agents_app_voiceagent_change", args=[agent.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Crear agente desde plantilla"),
            "form": form,
            "templates": TEMPLATES.values(),
            "opts": self.model._meta,
        }
        return render(request, "admin/agents_app/voiceagent/from_template.html", context)


# Registered in their own modules.
from agents_app import frontend_admin  # noqa: E402, F401
