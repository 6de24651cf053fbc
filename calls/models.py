from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]
SCORE_FIELDS = ("puntuacion_comercial", "puntuacion_instalador", "puntuacion_rapidez")


class Encuesta(models.Model):
    """One survey of one customer. Maps onto the old system's `encuestas` table."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        INITIATED = "initiated", _("Iniciada")
        IN_PROGRESS = "in_progress", _("En curso")
        INCOMPLETE = "incomplete", _("Incompleta")
        COMPLETED = "completed", _("Completada")
        REJECTED_OPT_OUT = "rejected_opt_out", _("Rechazada (no desea participar)")
        FAILED = "failed", _("Fallida")

    # The legacy table used a 32-bit auto-increment id.
    id = models.AutoField(primary_key=True)
    telefono = models.CharField(_("teléfono"), max_length=32)
    fecha = models.DateTimeField(_("fecha"), default=timezone.now)
    completada = models.BooleanField(_("completada"), default=False)
    puntuacion_comercial = models.SmallIntegerField(
        _("puntuación comercial"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    puntuacion_instalador = models.SmallIntegerField(
        _("puntuación instalador"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    puntuacion_rapidez = models.SmallIntegerField(
        _("puntuación rapidez"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    comentarios = models.TextField(_("comentarios"), blank=True, default="")
    status = models.CharField(
        _("estado"), max_length=32, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    llm_model = models.CharField(_("modelo LLM"), max_length=100, blank=True, default="")
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    voice_agent = models.ForeignKey(
        "agents_app.VoiceAgent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="encuestas",
        verbose_name=_("agente"),
    )
    nombre_cliente = models.CharField(_("nombre del cliente"), max_length=200, blank=True)
    respuestas = models.JSONField(_("respuestas"), default=dict, blank=True)
    transcription = models.TextField(_("transcripción"), blank=True, default="")
    seconds_used = models.PositiveIntegerField(_("segundos"), null=True, blank=True)
    tokens_used = models.PositiveIntegerField(_("tokens"), null=True, blank=True)
    # What the voice worker learnt about the call. Database defaults: the old system's inserts
    # do not name these columns.
    amd_category = models.CharField(
        _("contestador (AMD)"),
        max_length=32,
        blank=True,
        default="",
        db_default="",
        help_text=_("Quién contestó."),
    )
    close_reason = models.CharField(
        _("motivo de cierre"), max_length=64, blank=True, default="", db_default=""
    )
    stt_seconds = models.FloatField(_("audio transcrito (s)"), null=True, blank=True)
    tts_characters = models.PositiveIntegerField(_("caracteres sintetizados"), null=True, blank=True)
    summary = models.TextField(_("resumen"), blank=True, default="", db_default="")
    flags = models.JSONField(_("indicadores"), default=dict, db_default={}, blank=True)
    callback_at = models.DateTimeField(_("volver a llamar"), null=True, blank=True)

    FINAL_STATUSES = frozenset({Status.COMPLETED, Status.REJECTED_OPT_OUT})
    OPEN_STATUSES = frozenset({Status.PENDING, Status.INITIATED, Status.IN_PROGRESS})
    # The state machine: which statuses each status may be reached from. A save never moves a
    # survey back and never reopens a closed one; only a retry goes back, from RETRY_FROM.
    RETRY_FROM = frozenset({Status.PENDING, Status.FAILED, Status.INCOMPLETE})
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.PENDING: frozenset({Status.PENDING}),
        Status.INITIATED: frozenset({Status.INITIATED}) | RETRY_FROM,
        Status.IN_PROGRESS: frozenset({Status.PENDING, Status.INITIATED, Status.IN_PROGRESS}),
        Status.INCOMPLETE: frozenset(
            {Status.PENDING, Status.INITIATED, Status.IN_PROGRESS, Status.INCOMPLETE, Status.FAILED}
        ),
        Status.FAILED: frozenset(
            {Status.PENDING, Status.INITIATED, Status.IN_PROGRESS, Status.INCOMPLETE, Status.FAILED}
        ),
        Status.COMPLETED: frozenset(
            {Status.PENDING, Status.INITIATED, Status.IN_PROGRESS, Status.INCOMPLETE, Status.FAILED}
            | {Status.COMPLETED}
        ),
        Status.REJECTED_OPT_OUT: frozenset(
            {Status.PENDING, Status.INITIATED, Status.IN_PROGRESS, Status.INCOMPLETE, Status.FAILED}
            | {Status.REJECTED_OPT_OUT}
        ),
    }

    class Meta:
        db_table = "encuestas"
        ordering = ["-fecha", "-id"]
        verbose_name = _("encuesta")
        verbose_name_plural = _("encuestas")
        permissions = [
            ("view_transcript", _("Puede ver la transcripción de las encuestas")),
            ("export_encuesta", _("Puede exportar encuestas")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0, f"{field}__lte": 10}),
                name=f"encuesta_{field}_0_10",
            )
            for field in SCORE_FIELDS
        ]
        # The staff dashboard's aggregates read date ranges (calls.staff_dashboard_selectors).
        indexes = [
            models.Index(fields=["fecha", "status"], name="encuesta_fecha_status_idx"),
            models.Index(fields=["voice_agent", "fecha"], name="encuesta_agent_fecha_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.telefono}"


class Call(models.Model):
    """One dial attempt of an Encuesta."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En cola")
        DIALING = "dialing", _("Marcando")
        RINGING = "ringing", _("Sonando")
        IN_PROGRESS = "in_progress", _("En curso")
        COMPLETED = "completed", _("Completada")
        NO_ANSWER = "no_answer", _("Sin respuesta")
        BUSY = "busy", _("Ocupado")
        REJECTED = "rejected", _("Rechazada")
        VOICEMAIL = "voicemail", _("Buzón de voz")
        FAILED = "failed", _("Fallida")
        CANCELED = "canceled", _("Cancelada")

    LIVE_STATUSES = frozenset({Status.QUEUED, Status.DIALING, Status.RINGING, Status.IN_PROGRESS})
    ACTIVE_STATUSES = frozenset({Status.DIALING, Status.RINGING, Status.IN_PROGRESS})
    TERMINAL_STATUSES = frozenset(Status.values) - LIVE_STATUSES
    UNANSWERED_STATUSES = TERMINAL_STATUSES - {Status.COMPLETED}
    # The state machine: which statuses each status may be reached from. Anything else is a late
    # or repeated event and changes nothing.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.DIALING: frozenset({Status.QUEUED}),
        Status.RINGING: frozenset({Status.DIALING}),
        Status.IN_PROGRESS: frozenset({Status.DIALING, Status.RINGING}),
        Status.COMPLETED: frozenset({Status.IN_PROGRESS}),
        Status.VOICEMAIL: frozenset({Status.DIALING, Status.RINGING, Status.IN_PROGRESS}),
        Status.NO_ANSWER: frozenset({Status.DIALING, Status.RINGING}),
        Status.BUSY: frozenset({Status.DIALING, Status.RINGING}),
        Status.REJECTED: frozenset({Status.DIALING, Status.RINGING}),
        Status.FAILED: frozenset({Status.QUEUED, Status.DIALING, Status.RINGING, Status.IN_PROGRESS}),
        Status.CANCELED: frozenset({Status.QUEUED, Status.DIALING, Status.RINGING}),
    }

    encuesta = models.ForeignKey(
        Encuesta, on_delete=models.CASCADE, related_name="calls", verbose_name=_("encuesta")
    )
    attempt = models.PositiveSmallIntegerField(_("intento"), default=1)
    room_name = models.CharField(_("sala LiveKit"), max_length=128, unique=True)
    telephony_config = models.ForeignKey(
        "telephony.TelephonyConfig",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("configuración de telefonía"),
    )
    to_number = models.CharField(_("número destino"), max_length=32)
    from_number = models.CharField(_("número origen"), max_length=32, blank=True)
    sip_trunk_id = models.CharField(_("trunk SIP"), max_length=64, blank=True)
    dispatch_id = models.CharField(_("id de despacho"), max_length=64, blank=True)
    sip_participant_id = models.CharField(_("participante SIP"), max_length=64, blank=True)
    sip_call_id = models.CharField(_("id de llamada SIP"), max_length=128, blank=True)
    sip_status_code = models.PositiveSmallIntegerField(_("código SIP"), null=True, blank=True)
    sip_status = models.CharField(_("estado SIP"), max_length=200, blank=True)
    status = models.CharField(
        _("estado"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    dial_attempts = models.PositiveSmallIntegerField(_("intentos de marcado"), default=0)
    failure_reason = models.TextField(_("motivo del fallo"), blank=True)
    queued_at = models.DateTimeField(_("en cola desde"), default=timezone.now)
    enqueued_at = models.DateTimeField(
        _("último encolado"),
        default=timezone.now,
        help_text=_("Cuándo se encoló o reintentó el marcado; el reconciliador usa este dato."),
    )
    dialing_at = models.DateTimeField(_("marcando desde"), null=True, blank=True)
    answered_at = models.DateTimeField(_("contestada"), null=True, blank=True)
    ended_at = models.DateTimeField(_("finalizada"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duración (s)"), null=True, blank=True)
    hangup_requested_at = models.DateTimeField(_("colgado solicitado"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("solicitada por"),
    )
    idempotency_key = models.CharField(_("clave de idempotencia"), max_length=128, null=True, blank=True)
    # sha256 of what the key was first used for: the same key with another request is refused.
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-queued_at", "-id"]
        verbose_name = _("llamada")
        verbose_name_plural = _("llamadas")
        permissions = [
            ("place_call", _("Puede realizar llamadas")),
            ("hangup_call", _("Puede colgar llamadas")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by", "idempotency_key"], name="call_idempotency_key_per_user"
            ),
            models.UniqueConstraint(fields=["encuesta", "attempt"], name="call_attempt_unique"),
        ]
        indexes = [
            models.Index(fields=["telephony_config", "status"]),
            # Covers the dashboard's per-day and this-week counts: no row lookups.
            models.Index(fields=["queued_at", "answered_at", "ended_at"], name="call_queued_at_idx"),
            models.Index(fields=["ended_at"], name="call_ended_at_idx"),
        ]

    def __str__(self) -> str:
        return self.room_name

    @property
    def sip_identity(self) -> str:
        return f"sip_{self.pk}"


class DoNotCallEntry(models.Model):
    """A number that asked not to be called again. The dialer refuses it."""

    phone = models.CharField(_("teléfono"), max_length=32, unique=True)
    reason = models.CharField(_("motivo"), max_length=200, blank=True)
    encuesta = models.ForeignKey(Encuesta, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("añadido"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("número en lista de no llamar")
        verbose_name_plural = _("lista de no llamar")

    def __str__(self) -> str:
        return self.phone


class Alert(models.Model):
    """Something that needs staff attention, raised by the system and resolved by staff.

    `open_key` holds the dedupe key while the alert is open and NULL once resolved: a unique
    column that MariaDB can enforce (it has no partial unique indexes), so a condition raised
    again while open bumps the open alert instead of adding another.
    """

    class Kind(models.TextChoices):
        API_LIMIT = "api_limit", _("Límite de la API de un proveedor")
        PROVIDER_KEY_REJECTED = "provider_key_rejected", _("Clave de proveedor rechazada")
        TRUNK_FAILING = "trunk_failing", _("El trunk SIP falla llamadas")
        WORKER_NOT_REGISTERED = "worker_not_registered", _("Voice worker no registrado")
        CAMPAIGN_STALLED = "campaign_stalled", _("Campaña o cola de llamadas detenida")

    kind = models.CharField(_("tipo"), max_length=32, choices=Kind.choices, db_index=True)
    message = models.TextField(_("mensaje"))
    dedupe_key = models.CharField(_("clave"), max_length=200)
    open_key = models.CharField(max_length=200, null=True, blank=True, unique=True, editable=False)
    occurrences = models.PositiveIntegerField(_("veces"), default=1)
    created_at = models.DateTimeField(_("creada"), default=timezone.now, db_index=True)
    last_seen_at = models.DateTimeField(_("última vez"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resuelta"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resuelta por"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alerta")
        verbose_name_plural = _("alertas")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message[:80]}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


# Models in their own modules, imported here so Django registers them.
from calls.dashboard_models import AnswerDailyCount  # noqa: E402
from calls.models_campaigns import Campaign, EncuestaAnswer, Lead  # noqa: E402
from calls.webhook_models import WebhookDelivery, WebhookEndpoint, WebhookEvent  # noqa: E402

__all__ = [
    "Alert",
    "AnswerDailyCount",
    "Call",
    "Campaign",
    "DoNotCallEntry",
    "Encuesta",
    "EncuestaAnswer",
    "Lead",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
