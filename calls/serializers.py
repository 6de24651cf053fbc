from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calls.models import Call, Encuesta
from config.camelcase import CamelCaseFieldsMixin
from config.serializer_fields import ShallowCopiedFieldsMixin


class CallOutputSerializer(CamelCaseFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Call
        fields = [
            "id",
            "encuesta_id",
            "attempt",
            "status",
            "room_name",
            "to_number",
            "from_number",
            "sip_trunk_id",
            "dispatch_id",
            "sip_participant_id",
            "sip_call_id",
            "sip_status_code",
            "sip_status",
            "failure_reason",
            "queued_at",
            "dialing_at",
            "answered_at",
            "ended_at",
            "duration_seconds",
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
    # null for users without calls.view_transcript (EncuestaDetailApi).
    transcription = serializers.CharField(
        read_only=True, allow_null=True, help_text="null sin el permiso calls.view_transcript."
    )

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
    telefono = serializers.CharField(source="phone", max_length=32)
    nombre_cliente = serializers.CharField(
        source="customer_name", max_length=200, required=False, allow_blank=True
    )
    voice_agent_id = serializers.IntegerField(required=False, allow_null=True)


@extend_schema_field(OpenApiTypes.ANY)
class RawAnswerField(serializers.Field):
    """Scores arrive as 8 or "8"; the service validates them against the questionnaire."""

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class GuardarEncuestaInputSerializer(ShallowCopiedFieldsMixin, serializers.Serializer):
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

    def answers(self) -> dict[str, Any]:
        data = self.validated_data
        answers = {
            key.removeprefix("nota_"): data[key]
            for key in ("nota_comercial", "nota_instalador", "nota_rapidez", "comentarios")
            if data.get(key) is not None
        }
        return {**answers, **data.get("respuestas", {})}


class ColgarInputSerializer(serializers.Serializer):
    nombre_sala = serializers.CharField(max_length=128)


class OutboundCallInputSerializer(CamelCaseFieldsMixin, serializers.Serializer):
    wire_names = {"phone": "phoneNumber"}

    agent_id = serializers.IntegerField()
    phone = serializers.CharField(max_length=32)
    customer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SuccessStatusMixin(serializers.Serializer):
    """The legacy clients check ``status == "success"``."""

    status = serializers.SerializerMethodField()

    def get_status(self, instance: Any) -> str:
        return "success"


class OutboundCallOutputSerializer(CamelCaseFieldsMixin, SuccessStatusMixin):
    """The placed call's ids: ``callId`` is kept for the old React client, which polls the survey."""

    call_id = serializers.IntegerField(
        source="encuesta_id",
        help_text="Legacy name: the id of the survey (Encuesta), as `surveyId`; not a call id.",
    )
    survey_id = serializers.IntegerField(
        source="encuesta_id", help_text="The survey (Encuesta) id, for /api/encuestas/{id}."
    )
    call_record_id = serializers.IntegerField(
        source="pk", help_text="This dial attempt's Call id, for /api/calls/{id} and its hang-up."
    )
    room_name = serializers.CharField()


class IniciarEncuestaOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()


class GuardarEncuestaOutputSerializer(ShallowCopiedFieldsMixin, SuccessStatusMixin):
    id = serializers.IntegerField()
    estado = serializers.ChoiceField(source="status", choices=Encuesta.Status.choices)


class ColgarOutputSerializer(SuccessStatusMixin):
    pass


class LiveKitWebhookOutputSerializer(serializers.Serializer):
    status = serializers.CharField()
    changed = serializers.BooleanField()
