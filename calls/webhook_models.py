"""Outgoing webhooks: where customers want to hear about events, and every delivery attempted."""

import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookEvent(models.TextChoices):
    CALL_ENDED = "call.ended", _("Llamada finalizada")
    SURVEY_COMPLETED = "survey.completed", _("Encuesta completada")
    CAMPAIGN_COMPLETED = "campaign.completed", _("Campaña completada")
    OPT_OUT = "survey.opted_out", _("No desea participar (opt-out)")


class WebhookEndpoint(models.Model):
    name = models.CharField(_("nombre"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("secreto"),
        max_length=128,
        default=_new_secret,
        help_text=_("Firma cada entrega con HMAC-SHA256; compártalo solo con el receptor."),
    )
    events = models.JSONField(_("eventos"), default=list, blank=True)
    is_active = models.BooleanField(_("activo"), default=True)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        SUCCEEDED = "succeeded", _("Entregada")
        FAILED = "failed", _("Abandonada")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    # The same id on every attempt and redelivery: receivers deduplicate on it.
    event_id = models.UUIDField(_("id del evento"), default=uuid.uuid4, editable=False)
    event = models.CharField(_("evento"), max_length=32, choices=WebhookEvent.choices)
    body = models.TextField(_("cuerpo JSON"))
    status = models.CharField(
        _("estado"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(_("intentos"), default=0)
    next_attempt_at = models.DateTimeField(_("próximo intento"), default=timezone.now)
    retry_until = models.DateTimeField(_("reintentar hasta"))
    last_attempt_at = models.DateTimeField(_("último intento"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("última respuesta HTTP"), null=True, blank=True)
    last_response = models.TextField(_("última respuesta"), blank=True)
    last_error = models.TextField(_("último error"), blank=True)
    delivered_at = models.DateTimeField(_("entregada"), null=True, blank=True)
    created_at = models.DateTimeField(_("creada"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("entrega de webhook")
        verbose_name_plural = _("entregas de webhooks")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint.url}"
