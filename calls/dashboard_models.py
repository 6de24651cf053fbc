"""Pre-aggregated answers for the staff dashboard: how many surveys gave each answer, per day.

Answers live inside each survey's JSON; reading a month of them on every dashboard render is too
slow with a million surveys, so a periodic task folds them into these rows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AnswerDailyCount(models.Model):
    day = models.DateField(_("día"))
    voice_agent = models.ForeignKey(
        "agents_app.VoiceAgent", on_delete=models.CASCADE, related_name="+", verbose_name=_("agente")
    )
    key = models.CharField(_("pregunta"), max_length=50)
    value = models.CharField(_("respuesta"), max_length=20)
    count = models.PositiveIntegerField(_("encuestas"))

    class Meta:
        verbose_name = _("recuento diario de respuestas")
        verbose_name_plural = _("recuentos diarios de respuestas")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "voice_agent", "key", "value"], name="answer_daily_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.key}={self.value}: {self.count}"
