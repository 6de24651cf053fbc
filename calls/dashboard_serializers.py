"""Output shapes of the old React client's requests, exactly as its views read them."""

from datetime import UTC

from rest_framework import serializers

from calls.models import Alert, Encuesta


class UtcDateTimeField(serializers.DateTimeField):
    """ISO 8601 in UTC ending in "Z": the client appends a "Z" to any string lacking one."""

    def to_representation(self, value):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class AlertOutputSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="kind")
    created_at = UtcDateTimeField()

    class Meta:
        model = Alert
        fields = ["id", "type", "message", "created_at"]


class ScoresSerializer(serializers.Serializer):
    comercial = serializers.IntegerField(source="puntuacion_comercial", allow_null=True)
    instalador = serializers.IntegerField(source="puntuacion_instalador", allow_null=True)
    rapidez = serializers.IntegerField(source="puntuacion_rapidez", allow_null=True)


class RecentCallOutputSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(source="telefono")
    # Campaigns come with their own issue; until then no survey belongs to one.
    campaign = serializers.SerializerMethodField()
    date = serializers.DateTimeField(source="fecha")
    scores = ScoresSerializer(source="*")

    class Meta:
        model = Encuesta
        fields = ["id", "phone", "campaign", "date", "status", "scores"]

    def get_campaign(self, encuesta: Encuesta) -> str | None:
        return getattr(encuesta, "campaign_name", None)


class ResultOutputSerializer(serializers.ModelSerializer):
    campaign_name = serializers.SerializerMethodField()

    class Meta:
        model = Encuesta
        fields = [
            "id",
            "telefono",
            "campaign_name",
            "fecha",
            "completada",
            "status",
            "puntuacion_comercial",
            "puntuacion_instalador",
            "puntuacion_rapidez",
            "comentarios",
            "transcription",
            "llm_model",
        ]

    def get_campaign_name(self, encuesta: Encuesta) -> str | None:
        return getattr(encuesta, "campaign_name", None)


class ModelUsageSerializer(serializers.Serializer):
    llm_model = serializers.CharField()
    calls = serializers.IntegerField()
    tokens = serializers.IntegerField()
    seconds = serializers.IntegerField()


class UsageStatsSerializer(serializers.Serializer):
    total_tokens = serializers.IntegerField()
    total_minutes = serializers.FloatField()
    per_model_stats = ModelUsageSerializer(many=True)


class CleanupOutputSerializer(serializers.Serializer):
    status = serializers.CharField()
    total = serializers.IntegerField()
    canceled = serializers.IntegerField()
    hanging_up = serializers.IntegerField()
    already_ended = serializers.IntegerField()
    call_ids = serializers.ListField(child=serializers.IntegerField())
