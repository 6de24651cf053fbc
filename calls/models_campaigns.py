"""Campaigns: many leads surveyed with calling hours, pacing and retries; answers as rows.

Imported at the end of `calls.models`, so these are ordinary models of the `calls` app.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

DEFAULT_TIME_ZONE = "Europe/Madrid"
# Autonomous communities known to the `holidays` library (ISO 3166-2:ES codes).
REGION_CHOICES = [
    ("AN", "Andalucía"),
    ("AR", "Aragón"),
    ("AS", "Asturias"),
    ("CB", "Cantabria"),
    ("CE", "Ceuta"),
    ("CL", "Castilla y León"),
    ("CM", "Castilla-La Mancha"),
    ("CN", "Canarias"),
    ("CT", "Cataluña"),
    ("EX", "Extremadura"),
    ("GA", "Galicia"),
    ("IB", "Illes Balears"),
    ("MC", "Región de Murcia"),
    ("MD", "Comunidad de Madrid"),
    ("ML", "Melilla"),
    ("NC", "Navarra"),
    ("PV", "País Vasco"),
    ("RI", "La Rioja"),
    ("VC", "Comunitat Valenciana"),
]


def default_calling_window() -> dict[str, list[list[str]]]:
    """Weekday (0 = Monday) to a list of [start, end) local "HH:MM" ranges: Mon–Fri 09:00–21:00."""
    return {str(day): [["09:00", "21:00"]] for day in range(5)}


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Borrador")
        SCHEDULED = "scheduled", _("Programada")
        RUNNING = "running", _("En curso")
        PAUSED = "paused", _("Pausada")
        COMPLETED = "completed", _("Completada")
        CANCELLED = "cancelled", _("Cancelada")

    # Target status -> statuses it may be reached from (one state machine; services update conditionally).
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.SCHEDULED: frozenset({Status.DRAFT, Status.PAUSED}),
        Status.RUNNING: frozenset({Status.DRAFT, Status.SCHEDULED, Status.PAUSED, Status.COMPLETED}),
        Status.PAUSED: frozenset({Status.SCHEDULED, Status.RUNNING}),
        Status.COMPLETED: frozenset({Status.RUNNING}),
        Status.CANCELLED: frozenset({Status.DRAFT, Status.SCHEDULED, Status.RUNNING, Status.PAUSED}),
    }
    ACTIVE_STATUSES = frozenset({Status.SCHEDULED, Status.RUNNING})
    FINAL_STATUSES = frozenset({Status.COMPLETED, Status.CANCELLED})

    name = models.CharField(_("nombre"), max_length=200)
    voice_agent = models.ForeignKey(
        "agents_app.VoiceAgent", on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("agente")
    )
    telephony_config = models.ForeignKey(
        "telephony.TelephonyConfig",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("configuración de telefonía"),
        help_text=_("Vacía: la configuración por defecto."),
    )
    status = models.CharField(
        _("estado"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    starts_at = models.DateTimeField(_("inicio"), null=True, blank=True, help_text=_("Vacío: al iniciarla."))
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    calling_window = models.JSONField(
        _("horario de llamadas"),
        default=default_calling_window,
        blank=True,
        help_text=_('Por día de la semana (0 = lunes), tramos locales: {"0": [["09:00", "14:00"], …]}.'),
    )
    time_zone = models.CharField(_("zona horaria"), max_length=64, default=DEFAULT_TIME_ZONE)
    skip_holidays = models.BooleanField(_("no llamar en festivos"), default=True)
    holiday_region = models.CharField(
        _("comunidad autónoma (festivos)"),
        max_length=2,
        choices=REGION_CHOICES,
        blank=True,
        help_text=_("Vacía: solo festivos nacionales, más los de la región de cada contacto."),
    )
    max_concurrent_calls = models.PositiveIntegerField(
        _("llamadas simultáneas máximas"), default=5, validators=[MinValueValidator(1)]
    )
    calls_per_second = models.FloatField(
        _("llamadas por segundo"), default=1.0, validators=[MinValueValidator(0.01), MaxValueValidator(100)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("intentos máximos por contacto"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    retry_delay_busy = models.DurationField(_("reintento si comunica"), default=timedelta(minutes=30))
    retry_delay_no_answer = models.DurationField(_("reintento si no contesta"), default=timedelta(hours=2))
    retry_delay_voicemail = models.DurationField(_("reintento si salta el buzón"), default=timedelta(hours=4))
    retry_delay_failed = models.DurationField(_("reintento si falla la red"), default=timedelta(minutes=10))
    retry_delay_dropped = models.DurationField(
        _("reintento si se corta a medias"), default=timedelta(minutes=15)
    )
    # Pacing: the instant the next dial may start, so calls/second holds across ticks.
    pacing_cursor = models.DateTimeField(
        _("siguiente hueco de marcado"), null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("creada por"),
    )
    started_at = models.DateTimeField(_("iniciada"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminada"), null=True, blank=True)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaña")
        verbose_name_plural = _("campañas")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_concurrent_calls__gte=1), name="campaign_concurrency_positive"
            ),
            models.CheckConstraint(condition=Q(calls_per_second__gt=0), name="campaign_rate_positive"),
            models.CheckConstraint(condition=Q(max_attempts__gte=1), name="campaign_attempts_positive"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from calls.calling_windows import parse_time_zone, parse_window

        errors: dict[str, list[str]] = {}
        for field, check in (("calling_window", parse_window), ("time_zone", parse_time_zone)):
            try:
                check(getattr(self, field))
            except ValidationError as exc:
                errors[field] = exc.messages
        if errors:
            raise ValidationError(errors)


class Lead(models.Model):
    """One customer to survey in a campaign."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        SCHEDULED = "scheduled", _("Reintento programado")
        CALLING = "calling", _("Llamando")
        COMPLETED = "completed", _("Completada")
        INCOMPLETE = "incomplete", _("Incompleta")
        UNREACHABLE = "unreachable", _("No localizable")
        OPTED_OUT = "opted_out", _("No desea participar")
        DO_NOT_CALL = "do_not_call", _("En lista de no llamar")
        INVALID = "invalid", _("Número no válido")
        CANCELLED = "cancelled", _("Cancelado")

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("Contestada")
        BUSY = "busy", _("Ocupado")
        NO_ANSWER = "no_answer", _("Sin respuesta")
        VOICEMAIL = "voicemail", _("Buzón de voz")
        FAILED = "failed", _("Fallo de red")
        DROPPED = "dropped", _("Cortada a medias")
        INVALID = "invalid", _("Número no válido")
        CALLBACK = "callback", _("Pidió que le llamen más tarde")

    WAITING_STATUSES = frozenset({Status.PENDING, Status.SCHEDULED})
    OPEN_STATUSES = WAITING_STATUSES | {Status.CALLING}
    FINAL_STATUSES = frozenset(Status.values) - OPEN_STATUSES
    # Leads a supervisor may send round again ("retry failed").
    RETRYABLE_STATUSES = frozenset({Status.UNREACHABLE, Status.INCOMPLETE, Status.CANCELLED})
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.PENDING: RETRYABLE_STATUSES,
        Status.SCHEDULED: frozenset({Status.PENDING, Status.SCHEDULED, Status.CALLING}),
        Status.CALLING: WAITING_STATUSES,
        Status.COMPLETED: frozenset(
            {Status.CALLING, Status.SCHEDULED, Status.PENDING, Status.INCOMPLETE, Status.UNREACHABLE}
        ),
        Status.INCOMPLETE: frozenset({Status.CALLING}),
        Status.UNREACHABLE: frozenset({Status.CALLING}),
        Status.OPTED_OUT: OPEN_STATUSES | {Status.INCOMPLETE, Status.UNREACHABLE},
        Status.DO_NOT_CALL: OPEN_STATUSES,
        Status.INVALID: OPEN_STATUSES,
        # A calling lead is cancelled when its call ends after the campaign was cancelled.
        Status.CANCELLED: OPEN_STATUSES,
    }

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="leads", verbose_name=_("campaña")
    )
    phone = models.CharField(_("teléfono"), max_length=32, help_text=_("E.164"))
    customer_name = models.CharField(_("nombre del cliente"), max_length=200, blank=True)
    region = models.CharField(_("comunidad autónoma"), max_length=2, choices=REGION_CHOICES, blank=True)
    extra = models.JSONField(
        _("datos adicionales"),
        default=dict,
        blank=True,
        help_text=_("Columnas del CSV, usables como {columna}."),
    )
    status = models.CharField(_("estado"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("intentos"), default=0)
    # Set for every waiting lead; the dispatcher's "due" query walks the index on it.
    next_attempt_at = models.DateTimeField(_("próximo intento"), null=True, blank=True)
    last_outcome = models.CharField(_("último resultado"), max_length=16, choices=Outcome.choices, blank=True)
    callback_at = models.DateTimeField(_("devolver la llamada"), null=True, blank=True)
    encuesta = models.OneToOneField(
        "calls.Encuesta",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lead",
        verbose_name=_("encuesta"),
    )
    current_call = models.ForeignKey(
        "calls.Call",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("llamada actual"),
    )
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("contacto")
        verbose_name_plural = _("contactos")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "phone"], name="lead_phone_once_per_campaign"),
        ]
        indexes = [
            # Due query: campaign = ? AND status = ? AND next_attempt_at <= now ORDER BY next_attempt_at, id.
            models.Index(fields=["campaign", "status", "next_attempt_at"], name="lead_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.phone} ({self.campaign_id})"

    def greeting_context(self) -> dict[str, Any]:
        """Placeholders for the agent's greeting and instructions: {nombre} and any CSV column."""
        return {
            **{str(k): v for k, v in self.extra.items()},
            "nombre": self.customer_name,
            "telefono": self.phone,
        }


class EncuestaAnswer(models.Model):
    """One answer of one survey as a row, so per-question statistics run in the database."""

    encuesta = models.ForeignKey(
        "calls.Encuesta", on_delete=models.CASCADE, related_name="answer_rows", verbose_name=_("encuesta")
    )
    question_key = models.CharField(_("pregunta"), max_length=64)
    value_number = models.DecimalField(
        _("valor numérico"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    value_text = models.TextField(_("valor de texto"), blank=True, default="")

    class Meta:
        ordering = ["encuesta_id", "question_key"]
        verbose_name = _("respuesta")
        verbose_name_plural = _("respuestas")
        constraints = [
            models.UniqueConstraint(fields=["encuesta", "question_key"], name="answer_once_per_question"),
        ]
        indexes = [models.Index(fields=["question_key", "value_number"], name="answer_question_value_idx")]

    def __str__(self) -> str:
        return f"{self.encuesta_id}.{self.question_key}"
