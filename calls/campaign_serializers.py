"""Input and output of the old system's campaign API, in its field names and status words."""

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from calls.campaign_legacy import TRANSCRIPTION_PREVIEW_CHARS
from calls.campaign_selectors import legacy_campaign_status, legacy_lead_status
from calls.models import Campaign, Lead

LEGACY_CAMPAIGN_WORDS = ("pending", "running", "paused", "completed")
LEGACY_LEAD_WORDS = (
    "pending",
    "called",
    "failed",
    "unreached",
    "incomplete",
    "completed",
    "rejected_opt_out",
)
MAX_RETRY_MINUTES = 7 * 24 * 60


class CampaignInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    agent_id = serializers.IntegerField(min_value=1)
    scheduled_time = serializers.DateTimeField(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=["pending", "draft", "running"], required=False, default="pending"
    )
    retry_interval = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_RETRY_MINUTES, help_text="Minutos entre intentos."
    )
    retries_count = serializers.IntegerField(
        required=False, min_value=1, max_value=20, help_text="Intentos máximos por contacto."
    )

    @staticmethod
    def campaign_fields(data: dict[str, Any]) -> dict[str, Any]:
        """Our Campaign fields from validated data: one retry delay for every outcome, attempts, start."""
        fields: dict[str, Any] = {"starts_at": data.get("scheduled_time")}
        if data.get("retry_interval"):
            delay = timedelta(minutes=data["retry_interval"])
            fields.update({f"retry_delay_{o}": delay for o in ("busy", "no_answer", "voicemail", "failed")})
            fields["retry_delay_dropped"] = delay
        if data.get("retries_count"):
            fields["max_attempts"] = data["retries_count"]
        return fields


class CampaignCreateInputSerializer(serializers.Serializer):
    campaign = CampaignInputSerializer()
    leads = serializers.ListField(child=serializers.DictField(), required=False, default=list)


class CampaignUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    scheduled_time = serializers.DateTimeField(required=False, allow_null=True)

    def campaign_fields(self) -> dict[str, Any]:
        data = self.validated_data
        fields = {"name": data["name"]} if "name" in data else {}
        if "scheduled_time" in data:
            fields["starts_at"] = data["scheduled_time"]
        if not fields:
            raise serializers.ValidationError(_("Indique «name» o «scheduled_time»."))
        return fields


class CampaignOutputSerializer(serializers.Serializer):
    """A campaign from `campaigns_with_totals()` (its lead counts are annotations)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.SerializerMethodField(help_text=" | ".join(LEGACY_CAMPAIGN_WORDS))
    scheduled_time = serializers.DateTimeField(source="starts_at", allow_null=True)
    created_at = serializers.DateTimeField()
    total_leads = serializers.IntegerField()
    called_leads = serializers.IntegerField()
    failed_leads = serializers.IntegerField()
    pending_leads = serializers.IntegerField()
    retries_count = serializers.IntegerField(source="max_attempts")

    @staticmethod
    def get_status(campaign: Campaign) -> str:
        return legacy_campaign_status(campaign.status)


class CampaignDetailCampaignSerializer(CampaignOutputSerializer):
    agent_id = serializers.IntegerField(source="voice_agent_id")
    retry_interval = serializers.SerializerMethodField(help_text="Minutos entre intentos (si no contesta).")

    @staticmethod
    def get_retry_interval(campaign: Campaign) -> int:
        return int(campaign.retry_delay_no_answer.total_seconds() // 60)


class LeadOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    phone_number = serializers.CharField(source="phone")
    customer_name = serializers.CharField()
    status = serializers.SerializerMethodField(help_text=" | ".join(LEGACY_LEAD_WORDS))
    updated_at = serializers.DateTimeField()
    puntuacion_comercial = serializers.SerializerMethodField()
    puntuacion_instalador = serializers.SerializerMethodField()
    puntuacion_rapidez = serializers.SerializerMethodField()
    comentarios = serializers.SerializerMethodField()
    transcription_preview = serializers.SerializerMethodField()
    retries_attempted = serializers.IntegerField(source="attempts")

    @staticmethod
    def get_status(lead: Lead) -> str:
        return legacy_lead_status(lead.status)

    @staticmethod
    def _survey(lead: Lead, field: str) -> Any:
        return getattr(lead.encuesta, field) if lead.encuesta_id else None

    def get_puntuacion_comercial(self, lead: Lead) -> int | None:
        return self._survey(lead, "puntuacion_comercial")

    def get_puntuacion_instalador(self, lead: Lead) -> int | None:
        return self._survey(lead, "puntuacion_instalador")

    def get_puntuacion_rapidez(self, lead: Lead) -> int | None:
        return self._survey(lead, "puntuacion_rapidez")

    def get_comentarios(self, lead: Lead) -> str | None:
        return self._survey(lead, "comentarios") or None

    def get_transcription_preview(self, lead: Lead) -> str | None:
        text = self._survey(lead, "transcription") or ""
        return text[:TRANSCRIPTION_PREVIEW_CHARS] or None


class CampaignDetailOutputSerializer(serializers.Serializer):
    campaign = CampaignDetailCampaignSerializer()
    leads = LeadOutputSerializer(many=True)


class RejectionOutputSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    phone_number = serializers.CharField(source="phone")
    reason = serializers.CharField()
    detail = serializers.CharField()


class LeadsAddedOutputSerializer(serializers.Serializer):
    status = serializers.CharField()
    message = serializers.CharField()
    added = serializers.IntegerField(source="created")
    rejected = serializers.IntegerField(source="rejected_total")
    rejections = RejectionOutputSerializer(source="sample", many=True)
