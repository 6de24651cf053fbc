from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from telephony.phones import normalize_phones


class TelephonyConfig(models.Model):
    name = models.CharField(_("nombre"), max_length=100, default="Principal")
    provider = models.CharField(_("proveedor"), max_length=100, default="LCR")
    from_numbers = models.JSONField(
        _("números de origen"), default=list, blank=True, help_text=_("Números E.164.")
    )
    sip_trunk_id = models.CharField(
        _("trunk SIP saliente (LiveKit)"), max_length=64, blank=True, help_text=_("ST_…")
    )
    sip_address = models.CharField(
        _("dirección SIP del proveedor"), max_length=255, blank=True, help_text=_("sip.proveedor.com")
    )
    sip_auth_username = models.CharField(_("usuario SIP"), max_length=255, blank=True)
    sip_auth_password = models.CharField(_("contraseña SIP"), max_length=255, blank=True)
    max_concurrent_calls = models.PositiveIntegerField(
        _("llamadas simultáneas máximas"), default=5, validators=[MinValueValidator(1)]
    )
    is_default = models.BooleanField(_("por defecto"), default=False)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("configuración de telefonía")
        verbose_name_plural = _("configuraciones de telefonía")
        constraints = [
            # MariaDB has no partial indexes: there the services' row lock keeps one default.
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="single_default_config"
            ),
            models.CheckConstraint(
                condition=Q(max_concurrent_calls__gte=1), name="max_concurrent_calls_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider})"

    @property
    def from_number(self) -> str:
        return self.from_numbers[0] if self.from_numbers else ""

    def clean(self) -> None:
        if not isinstance(self.from_numbers, list):
            raise ValidationError({"from_numbers": _("Debe ser una lista de números.")})
        try:
            self.from_numbers = normalize_phones(self.from_numbers)
        except ValidationError as exc:
            raise ValidationError({"from_numbers": exc.messages}) from exc
