from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from agents_app.agent_templates import TEMPLATES
from agents_app.frontend_selectors import agent_defaults_llm_model
from agents_app.models import SurveyQuestion, VoiceAgent
from agents_app.services import voice_agent_create_from_template
from calls.services import call_request
from telephony.exceptions import TelephonyError


class SurveyQuestionInline(admin.TabularInline):
    model = SurveyQuestion
    extra = 0
    fields = ["position", "key", "text", "type", "required"]


class PlaceCallsForm(forms.Form):
    numbers = forms.CharField(
        label=_("Números"),
        widget=forms.Textarea(attrs={"rows": 10, "cols": 60}),
        help_text=_(
            "Un número por línea. Opcionalmente, el nombre del cliente tras una coma: +34600111222, Ana"
        ),
    )


class TemplateForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Plantilla"), choices=[(key, t.name) for key, t in TEMPLATES.items()]
    )
    name = forms.CharField(label=_("Nombre del agente"), max_length=120, required=False)


def parse_number_lines(text: str) -> list[tuple[str, str]]:
    rows = []
    for line in text.splitlines():
        phone, _sep, name = line.partition(",")
        if phone.strip():
            rows.append((phone.strip(), name.strip()))
    return rows


@admin.register(VoiceAgent)
class VoiceAgentAdmin(admin.ModelAdmin):
    list_display = ["name", "call_type", "use_case", "language", "llm_model", "dispatch_name", "is_active"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {"llm_model": agent_defaults_llm_model(), **super().get_changeform_initial_data(request)}

    list_filter = ["call_type", "is_active", "language"]
    search_fields = ["name", "use_case", "description"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [SurveyQuestionInline]
    actions = ["place_calls"]
    change_list_template = "admin/agents_app/voiceagent/change_list.html"
    fieldsets = [
        (None, {"fields": ["name", "call_type", "use_case", "description", "is_active"]}),
        (_("Conversación"), {"fields": ["instructions", "greeting", "language"]}),
        (_("Modelos"), {"fields": ["stt_model", "llm_model", "tts_model", "voice_id", "dispatch_name"]}),
        (_("Fechas"), {"fields": ["created_at", "updated_at"]}),
    ]

    def get_urls(self):
        return [
            path(
                "from-template/",
                self.admin_site.admin_view(self.from_template_view),
                name="agents_app_voiceagent_from_template",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Llamar…"), permissions=["change"])
    def place_calls(self, request: HttpRequest, queryset) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Seleccione un único agente para llamar."), messages.WARNING)
            return None
        agent = queryset.get()
        results = []
        form = PlaceCallsForm(request.POST if "numbers" in request.POST else None)
        if form.is_valid():
            for phone, name in parse_number_lines(form.cleaned_data["numbers"]):
                try:
                    call = call_request(
                        agent=agent, phone=phone, customer_name=name, requested_by=request.user
                    )
                except (ValidationError, TelephonyError) as exc:
                    message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                    results.append({"phone": phone, "name": name, "ok": False, "message": message})
                else:
                    results.append(
                        {"phone": phone, "name": name, "ok": True, "message": _("En cola"), "call": call}
                    )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Llamar con «%(name)s»") % {"name": agent.name},
            "agent": agent,
            "form": form,
            "results": results,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/agents_app/voiceagent/place_calls.html", context)

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
