from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from calls.exports import encuestas_csv_response
from calls.models import SCORE_FIELDS, Call, DoNotCallEntry, Encuesta
from calls.services import call_hangup, call_retry
from telephony.exceptions import TelephonyError
from telephony.phones import normalize_phone

RESULT_FIELDS = [
    "completada",
    "puntuacion_comercial",
    "puntuacion_instalador",
    "puntuacion_rapidez",
    "comentarios",
    "respuestas",
    "transcription",
    "seconds_used",
    "tokens_used",
    "llm_model",
]
CALL_DETAIL_FIELDS = [
    "encuesta",
    "attempt",
    "status",
    "room_name",
    "to_number",
    "from_number",
    "telephony_config",
    "sip_trunk_id",
    "dispatch_id",
    "sip_participant_id",
    "sip_call_id",
    "sip_status_code",
    "sip_status",
    "dial_attempts",
    "failure_reason",
    "queued_at",
    "dialing_at",
    "answered_at",
    "ended_at",
    "duration_seconds",
    "hangup_requested_at",
    "requested_by",
]


def _report(modeladmin, request, label: str, func) -> None:
    try:
        func()
    except ValidationError as exc:
        modeladmin.message_user(request, f"{label}: {' '.join(exc.messages)}", messages.ERROR)
    except TelephonyError as exc:
        modeladmin.message_user(request, f"{label}: {exc}", messages.ERROR)
    else:
        modeladmin.message_user(request, f"{label}: OK")


class EncuestaForm(forms.ModelForm):
    class Meta:
        model = Encuesta
        fields = ["telefono", "nombre_cliente", "voice_agent", "fecha"]

    def clean_telefono(self) -> str:
        return normalize_phone(self.cleaned_data["telefono"])


class DoNotCallEntryForm(forms.ModelForm):
    class Meta:
        model = DoNotCallEntry
        fields = ["phone", "reason"]

    def clean_phone(self) -> str:
        # Stored in E.164, the form the dialer looks numbers up by.
        return normalize_phone(self.cleaned_data["phone"])


class CallInline(admin.TabularInline):
    model = Call
    extra = 0
    can_delete = False
    show_change_link = True
    fields = [
        "attempt",
        "status",
        "room_name",
        "sip_status_code",
        "sip_status",
        "failure_reason",
        "duration_seconds",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Encuesta)
class EncuestaAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "telefono",
        "nombre_cliente",
        "voice_agent",
        "status",
        "scores",
        "fecha",
    ]
    list_filter = ["status", "completada", "voice_agent", "fecha"]
    search_fields = ["telefono", "nombre_cliente", "comentarios"]
    date_hierarchy = "fecha"
    list_select_related = ["voice_agent"]
    readonly_fields = [*RESULT_FIELDS, "status", "created_at", "updated_at"]
    fields = [
        "telefono",
        "nombre_cliente",
        "voice_agent",
        "fecha",
        "status",
        *RESULT_FIELDS,
        "created_at",
        "updated_at",
    ]
    inlines = [CallInline]
    form = EncuestaForm
    actions = ["export_csv", "retry_calls", "hangup_calls"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, "telefono", "voice_agent"]

    # One column for the three classic scores keeps the list within a 1366 px screen.
    @admin.display(description=_("puntuaciones"), ordering="puntuacion_comercial")
    def scores(self, obj: Encuesta) -> str:
        values = [getattr(obj, field) for field in SCORE_FIELDS]
        if all(v is None for v in values):
            return "—"
        return " · ".join("—" if v is None else str(v) for v in values)

    @admin.action(description=_("Exportar seleccionadas a CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return encuestas_csv_response(queryset.select_related("voice_agent").order_by("id"))

    @admin.action(description=_("Reintentar"), permissions=["change"])
    def retry_calls(self, request, queryset):
        for encuesta in queryset:
            _report(
                self,
                request,
                str(encuesta),
                lambda e=encuesta: call_retry(encuesta=e, requested_by=request.user),
            )

    @admin.action(description=_("Colgar"), permissions=["change"])
    def hangup_calls(self, request, queryset):
        calls = Call.objects.filter(encuesta__in=queryset, status__in=Call.LIVE_STATUSES)
        if not calls:
            self.message_user(
                request, _("Ninguna de las encuestas tiene una llamada en curso."), messages.WARNING
            )
        for call in calls:
            _report(self, request, call.room_name, lambda c=call: call_hangup(call=c))


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = [
        "room_name",
        "encuesta",
        "attempt",
        "status",
        "sip_status_code",
        "queued_at",
        "duration_seconds",
    ]
    list_filter = ["status", "sip_status_code", "telephony_config", "queued_at"]
    search_fields = ["room_name", "to_number", "sip_call_id", "encuesta__nombre_cliente"]
    date_hierarchy = "queued_at"
    list_select_related = ["encuesta"]
    readonly_fields = CALL_DETAIL_FIELDS
    fields = CALL_DETAIL_FIELDS
    actions = ["hangup_calls", "retry_calls"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Colgar"), permissions=["change"])
    def hangup_calls(self, request, queryset):
        for call in queryset:
            _report(self, request, call.room_name, lambda c=call: call_hangup(call=c))

    @admin.action(description=_("Reintentar"), permissions=["change"])
    def retry_calls(self, request, queryset):
        for call in queryset.select_related("encuesta"):
            _report(
                self,
                request,
                call.room_name,
                lambda c=call: call_retry(encuesta=c.encuesta, requested_by=request.user),
            )


@admin.register(DoNotCallEntry)
class DoNotCallEntryAdmin(admin.ModelAdmin):
    form = DoNotCallEntryForm
    list_display = ["phone", "reason", "encuesta", "created_at"]
    search_fields = ["phone", "reason"]
    readonly_fields = ["encuesta", "created_at"]


# Registered in their own modules.
from calls import alert_admin, webhook_admin  # noqa: E402, F401
