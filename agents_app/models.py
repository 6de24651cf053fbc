from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from agents_app.validation import Problems, voice_agent_problems


def default_dispatch_name() -> str:
    return settings.LIVEKIT_AGENT_NAME


def default_voice_id() -> str:
    return settings.VOICE_DEFAULT_VOICE_IDS.get("es", "")


class VoiceAgent(models.Model):
    class CallType(models.TextChoices):
        OUTBOUND = "Outbound", _("Saliente")
        INBOUND = "Inbound", _("Entrante")

    name = models.CharField(_("nombre"), max_length=120, unique=True)
    call_type = models.CharField(
        _("tipo de llamada"), max_length=16, choices=CallType.choices, default=CallType.OUTBOUND
    )
    use_case = models.CharField(_("caso de uso"), max_length=200, blank=True)
    description = models.TextField(_("descripción"), blank=True)
    instructions = models.TextField(
        _("instrucciones"), blank=True, help_text=_("Prompt de sistema del agente.")
    )
    greeting = models.TextField(
        _("saludo"),
        blank=True,
        help_text=_(
            "Primera frase del agente. {nombre} se sustituye por « Nombre» (con espacio "
            "delante) si se conoce el nombre del cliente, o se elimina si no."
        ),
    )
    goodbye = models.TextField(
        _("despedida"),
        blank=True,
        help_text=_("Lo último que dice el agente antes de colgar. {nombre} como en el saludo."),
    )
    voicemail_message = models.TextField(
        _("mensaje para el buzón de voz"),
        blank=True,
        help_text=_("Si contesta un buzón de voz, se deja este mensaje; vacío: se cuelga sin decir nada."),
    )
    language = models.CharField(_("idioma"), max_length=8, default="es")
    stt_model = models.CharField(_("modelo STT"), max_length=100, default="deepgram/nova-3")
    llm_model = models.CharField(_("modelo LLM"), max_length=100, default="llama-3.3-70b-versatile")
    tts_model = models.CharField(_("modelo TTS"), max_length=100, default="cartesia/sonic-3")
    voice_id = models.CharField(
        _("voz"),
        max_length=100,
        blank=True,
        default=default_voice_id,
        help_text=_("Id (UUID) de una voz de Cartesia que hable el idioma del agente."),
    )
    dispatch_name = models.CharField(
        _("nombre de despacho LiveKit"),
        max_length=100,
        default=default_dispatch_name,
        help_text=_("agent_name con el que se registra el voice worker."),
    )
    is_active = models.BooleanField(_("activo"), default=True)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)
    # When /api/ai/config last changed the models: a PUT built on an older read must not undo it.
    pipeline_updated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agente de voz")
        verbose_name_plural = _("agentes de voz")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if problems := self.configuration_problems():
            raise ValidationError(problems)

    def configuration_problems(self) -> Problems:
        """Field -> why this agent could not hold a call (what runvoiceworker --check refuses)."""
        return voice_agent_problems(
            language=self.language,
            stt_model=self.stt_model,
            llm_model=self.llm_model,
            tts_model=self.tts_model,
            voice_id=self.voice_id,
            dispatch_name=self.dispatch_name,
        )


class SurveyQuestion(models.Model):
    class Type(models.TextChoices):
        SCORE = "score", _("Puntuación 0–10")
        YES_NO = "yes_no", _("Sí / No")
        TEXT = "text", _("Texto libre")

    agent = models.ForeignKey(
        VoiceAgent, on_delete=models.CASCADE, related_name="questions", verbose_name=_("agente")
    )
    position = models.PositiveSmallIntegerField(_("orden"), default=0)
    key = models.SlugField(
        _("clave"),
        max_length=50,
        help_text=_(
            "Identificador de la respuesta. comercial, instalador, rapidez y comentarios "
            "rellenan las columnas clásicas de la encuesta."
        ),
    )
    text = models.TextField(_("pregunta"))
    type = models.CharField(_("tipo"), max_length=10, choices=Type.choices, default=Type.SCORE)
    required = models.BooleanField(_("obligatoria"), default=True)

    class Meta:
        ordering = ["agent", "position", "id"]
        verbose_name = _("pregunta")
        verbose_name_plural = _("preguntas")
        constraints = [
            models.UniqueConstraint(fields=["agent", "key"], name="question_key_unique_per_agent"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.text[:60]}"

    def clean(self) -> None:
        if self.key in {"status", "transcription"}:
            raise ValidationError({"key": _("«%(key)s» es una clave reservada.") % {"key": self.key}})


class PromptTemplate(models.Model):
    """Reusable instructions staff load into an agent (the old client's «Cargar plantilla»)."""

    name = models.CharField(_("nombre"), max_length=120, unique=True)
    description = models.CharField(_("descripción"), max_length=300, blank=True)
    content = models.TextField(_("contenido"))
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("plantilla de instrucciones")
        verbose_name_plural = _("plantillas de instrucciones")

    def __str__(self) -> str:
        return self.name


class AgentDefaults(models.Model):
    """Platform-wide defaults for new agents: a single row (pk 1)."""

    SINGLETON_PK = 1

    llm_model = models.CharField(
        _("modelo LLM por defecto"),
        max_length=100,
        blank=True,
        help_text=_("Vacío: el valor por defecto del agente."),
    )
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        verbose_name = _("valores por defecto de los agentes")
        verbose_name_plural = _("valores por defecto de los agentes")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
