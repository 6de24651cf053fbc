from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from telephony.exceptions import TelephonyError
from telephony.models import TelephonyConfig
from telephony.services import (
    parse_from_numbers,
    telephony_config_create,
    telephony_config_set_default,
    telephony_config_sync_trunk,
    telephony_config_update,
)


class TelephonyConfigForm(forms.ModelForm):
    from_numbers_text = forms.CharField(
        label=_("Números de origen"),
        required=False,
        help_text=_("Separados por comas, en formato internacional: +34944771453, +34911222333"),
    )
    sip_auth_password = forms.CharField(
        label=_("Contraseña SIP"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Déjela vacía para conservar la actual."),
    )

    class Meta:
        model = TelephonyConfig
        fields = [
            "name",
            "provider",
            "sip_trunk_id",
            "sip_address",
            "sip_auth_username",
            "sip_auth_password",
            "max_concurrent_calls",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_numbers_text"].initial = ", ".join(self.instance.from_numbers or [])

    def clean_from_numbers_text(self) -> list[str]:
        try:
            return parse_from_numbers(self.cleaned_data["from_numbers_text"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


@admin.register(TelephonyConfig)
class TelephonyConfigAdmin(admin.ModelAdmin):
    form = TelephonyConfigForm
    list_display = ["name", "provider", "numbers", "sip_trunk_id", "max_concurrent_calls", "is_default"]
    list_filter = ["provider", "is_default"]
    search_fields = ["name", "provider", "sip_trunk_id"]
    readonly_fields = ["is_default", "created_at", "updated_at"]
    actions = ["make_default", "sync_trunk"]

    @admin.display(description=_("Números de origen"))
    def numbers(self, obj: TelephonyConfig) -> str:
        return ", ".join(obj.from_numbers)

    def get_fields(self, request, obj=None):
        return [
            *TelephonyConfigForm.Meta.fields[:2],
            "from_numbers_text",
            *TelephonyConfigForm.Meta.fields[2:],
        ]

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in TelephonyConfigForm.Meta.fields}
        data["from_numbers"] = form.cleaned_data["from_numbers_text"]
        if not data["sip_auth_password"]:
            data.pop("sip_auth_password")
        with transaction.atomic():
            if change:
                saved = telephony_config_update(config=TelephonyConfig.objects.get(pk=obj.pk), data=data)
            else:
                saved = telephony_config_create(**data)
        obj.pk, obj.is_default = saved.pk, saved.is_default

    @admin.action(description=_("Marcar como configuración por defecto"), permissions=["change"])
    def make_default(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Seleccione una sola configuración."), messages.WARNING)
            return
        config = telephony_config_set_default(config=queryset.get())
        self.message_user(
            request, _("«%(name)s» es ahora la configuración por defecto.") % {"name": config.name}
        )

    @admin.action(description=_("Crear o actualizar el trunk saliente en LiveKit"), permissions=["change"])
    def sync_trunk(self, request, queryset):
        for config in queryset:
            try:
                telephony_config_sync_trunk(config=config)
            except ValidationError as exc:
                self.message_user(request, f"{config}: {' '.join(exc.messages)}", messages.ERROR)
            except TelephonyError as exc:
                self.message_user(request, f"{config}: {exc}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(config)s: trunk %(trunk)s guardado en LiveKit.")
                    % {"config": config, "trunk": config.sip_trunk_id},
                )
