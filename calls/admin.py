from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from calls.admin_campaigns import answers_summary
from calls.admin_permissions import CallPermissionsAdminMixin
from calls.admin_place_calls import place_calls_view
from calls.exports import encuestas_csv_response
from calls.models import Call, DoNotCallEntry, Encuesta
from calls.services import OptOutSource, call_hangup, call_retry, opt_out_record
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
    # what the voice worker learnt about the call
    "summary",
    "flags",
    "callback_at",
    "amd_category",
    "close_reason",
    "stt_seconds",
    "tts_characters",
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
    readonly_fields = [
        "attempt",
        "status",
        "room_name",
        "sip_status_code",
        "sip_status",
        "failure_reason",
        "duration_seconds",
    ]
    fields = tuple(readonly_fields)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Encuesta)
class EncuestaAdmin(CallPermissionsAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "telefono",
        "nombre_cliente",
        "voice_agent",
        "status",
        "answers",
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
    actions = ["export_csv", "retry_calls", "hangup_calls", "record_opt_out"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if request.user.has_perm("calls.view_transcript"):
            return fields
        # the summary is a digest of the transcript: same permission
        return [field for field in fields if field not in ("transcription", "summary")]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, "telefono", "voice_agent"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("answer_rows")

    @admin.display(description=_("respuestas"))
    def answers(self, encuesta):
        """Any questionnaire's answers (from the answer rows), not only the legacy columns."""
        return answers_summary(encuesta.answer_rows.all())

    @admin.action(description=_("Exportar seleccionadas a CSV"), permissions=["export_encuesta"])
    def export_csv(self, request, queryset):
        return encuestas_csv_response(queryset.select_related("voice_agent").order_by("id"))

    @admin.action(description=_("Reintentar"), permissions=["place_call"])
    def retry_calls(self, request, queryset):
        for encuesta in queryset:
            _report(
                self,
                request,
                str(encuesta),
                lambda e=encuesta: call_retry(encuesta=e, requested_by=request.user),
            )

    @admin.action(description=_("Colgar"), permissions=["hangup_call"])
    def hangup_calls(self, request, queryset):
        calls = Call.objects.filter(encuesta__in=queryset, status__in=Call.LIVE_STATUSES)
        if not calls:
            self.message_user(
                request, _("Ninguna de las encuestas tiene una llamada en curso."), messages.WARNING
            )
        for call in calls:
            _report(self, request, call.room_name, lambda c=call: call_hangup(call=c))

    @admin.action(
        description=_("Registrar baja: no volver a llamar a estos números"),
        permissions=["add_donotcallentry"],
    )
    def record_opt_out(self, request, queryset):
        reason = _("Registrado a mano por %(user)s") % {"user": request.user.get_username()}
        for encuesta in queryset:
            opt_out_record(
                phone=encuesta.telefono, source=OptOutSource.STAFF, reason=reason, encuesta=encuesta
            )
        self.message_user(
            request,
            _("%(count)s número(s) en la lista de no llamar; sus encuestas abiertas quedan como rechazadas.")
            % {"count": queryset.count()},
        )


@admin.register(Call)
class CallAdmin(CallPermissionsAdminMixin, admin.ModelAdmin):
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
    fields = tuple(CALL_DETAIL_FIELDS)
    actions = ["hangup_calls", "retry_calls"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        view = partial(place_calls_view, admin_site=self.admin_site)
        return [
            path("place/", self.admin_site.admin_view(view), name="calls_call_place"),
            *super().get_urls(),
        ]

    @admin.action(description=_("Colgar"), permissions=["hangup_call"])
    def hangup_calls(self, request, queryset):
        for call in queryset:
            _report(self, request, call.room_name, lambda c=call: call_hangup(call=c))

    @admin.action(description=_("Reintentar"), permissions=["place_call"])
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

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # The same service as every other opt-out, so the number's open survey is closed too.
        encuesta = (
            Encuesta.objects.filter(telefono=obj.phone, status__in=Encuesta.OPEN_STATUSES)
            .order_by("-id")
            .first()
        )
        entry = opt_out_record(
            phone=obj.phone, source=OptOutSource.STAFF, reason=obj.reason, encuesta=encuesta
        )
        obj.pk = entry.pk


# Registered in their own modules.
from calls import alert_admin, webhook_admin  # noqa: E402, F401
