from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calls.models import Call, Encuesta


class CallOutputSerializer(serializers.ModelSerializer):
    encuestaId = serializers.IntegerField(source="encuesta_id")
    roomName = serializers.CharField(source="room_name")
    toNumber = serializers.CharField(source="to_number")
    fromNumber = serializers.CharField(source="from_number")
    sipTrunkId = serializers.CharField(source="sip_trunk_id")
    dispatchId = serializers.CharField(source="dispatch_id")
    sipParticipantId = serializers.CharField(source="sip_participant_id")
    sipCallId = serializers.CharField(source="sip_call_id")
    sipStatusCode = serializers.IntegerField(source="sip_status_code")
    sipStatus = serializers.CharField(source="sip_status")
    failureReason = serializers.CharField(source="failure_reason")
    queuedAt = serializers.DateTimeField(source="queued_at")
    dialingAt = serializers.DateTimeField(source="dialing_at")
    answeredAt = serializers.DateTimeField(source="answered_at")
    endedAt = serializers.DateTimeField(source="ended_at")
    durationSeconds = serializers.IntegerField(source="duration_seconds")

    class Meta:
        model = Call
        fields = [
            "id",
            "encuestaId",
            "attempt",
            "status",
            "roomName",
            "toNumber",
            "fromNumber",
            "sipTrunkId",
            "dispatchId",
            "sipParticipantId",
            "sipCallId",
            "sipStatusCode",
            "sipStatus",
            "failureReason",
            "queuedAt",
            "dialingAt",
            "answeredAt",
            "endedAt",
            "durationSeconds",
        ]


class EncuestaOutputSerializer(serializers.ModelSerializer):
    """Column names as in the `encuestas` table, which reports and the bridge already use."""

    voice_agent_name = serializers.CharField(source="voice_agent.name", default=None)

    class Meta:
        model = Encuesta
        fields = [
            "id",
            "telefono",
            "nombre_cliente",
            "fecha",
            "completada",
            "status",
            "puntuacion_comercial",
            "puntuacion_instalador",
            "puntuacion_rapidez",
            "comentarios",
            "respuestas",
            "llm_model",
            "seconds_used",
            "tokens_used",
            "voice_agent",
            "voice_agent_name",
            "created_at",
            "updated_at",
        ]


class EncuestaDetailOutputSerializer(EncuestaOutputSerializer):
    calls = CallOutputSerializer(many=True, read_only=True)

    class Meta(EncuestaOutputSerializer.Meta):
        fields = [*EncuestaOutputSerializer.Meta.fields, "transcription", "calls"]


class ScoreAvgSerializer(serializers.Serializer):
    comercial = serializers.FloatField(allow_null=True)
    instalador = serializers.FloatField(allow_null=True)
    rapidez = serializers.FloatField(allow_null=True)
    overall = serializers.FloatField(allow_null=True)


class DashboardStatsSerializer(serializers.Serializer):
    total_calls = serializers.IntegerField()
    completed_calls = serializers.IntegerField()
    pending_calls = serializers.IntegerField()
    avg_scores = ScoreAvgSerializer()


class IniciarEncuestaInputSerializer(serializers.Serializer):
    telefono = serializers.CharField(max_length=32)
    nombre_cliente = serializers.CharField(max_length=200, required=False, allow_blank=True)
    voice_agent_id = serializers.IntegerField(required=False, allow_null=True)


@extend_schema_field(OpenApiTypes.ANY)
class RawAnswerField(serializers.Field):
    """Scores arrive as 8 or "8"; the service validates them against the questionnaire."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class GuardarEncuestaInputSerializer(serializers.Serializer):
    id_encuesta = serializers.IntegerField(
        error_messages={"required": "Falta id_encuesta: no se guarda nada sin saber qué encuesta es."}
    )
    nota_comercial = RawAnswerField(required=False, allow_null=True)
    nota_instalador = RawAnswerField(required=False, allow_null=True)
    nota_rapidez = RawAnswerField(required=False, allow_null=True)
    comentarios = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    respuestas = serializers.DictField(required=False)
    status = serializers.CharField(required=False, allow_null=True)
    transcription = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    seconds_used = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    tokens_used = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    llm_model = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)

    def answers(self) -> dict:
        data = self.validated_data
        answers = {
            key.removeprefix("nota_"): data[key]
            for key in ("nota_comercial", "nota_instalador", "nota_rapidez", "comentarios")
            if data.get(key) is not None
        }
        return {**answers, **data.get("respuestas", {})}


class ColgarInputSerializer(serializers.Serializer):
    nombre_sala = serializers.CharField(max_length=128)


class OutboundCallInputSerializer(serializers.Serializer):
    agentId = serializers.IntegerField()
    phoneNumber = serializers.CharField(max_length=32)
    customerName = serializers.CharField(max_length=200, required=False, allow_blank=True)


class OutboundCallOutputSerializer(serializers.Serializer):
    status = serializers.CharField()
    callId = serializers.IntegerField()
    roomName = serializers.CharField()
