from rest_framework import serializers

from agents_app.models import SurveyQuestion, VoiceAgent

# API name -> model field. The frontend speaks camelCase.
FIELD_MAP = {
    "name": "name",
    "callType": "call_type",
    "useCase": "use_case",
    "description": "description",
    "instructions": "instructions",
    "greeting": "greeting",
    "language": "language",
    "sttModel": "stt_model",
    "llmModel": "llm_model",
    "ttsModel": "tts_model",
    "voiceId": "voice_id",
    "dispatchName": "dispatch_name",
    "isActive": "is_active",
}


class QuestionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyQuestion
        fields = ["key", "text", "type", "required", "position"]


class VoiceAgentOutputSerializer(serializers.ModelSerializer):
    callType = serializers.CharField(source="call_type")
    useCase = serializers.CharField(source="use_case")
    sttModel = serializers.CharField(source="stt_model")
    llmModel = serializers.CharField(source="llm_model")
    ttsModel = serializers.CharField(source="tts_model")
    voiceId = serializers.CharField(source="voice_id")
    dispatchName = serializers.CharField(source="dispatch_name")
    isActive = serializers.BooleanField(source="is_active")
    questions = QuestionOutputSerializer(many=True, read_only=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = VoiceAgent
        fields = ["id", "name", *list(FIELD_MAP)[1:], "questions", "createdAt", "updatedAt"]


class VoiceAgentInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    callType = serializers.ChoiceField(choices=VoiceAgent.CallType.choices, required=False)
    useCase = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    instructions = serializers.CharField(required=False, allow_blank=True)
    greeting = serializers.CharField(required=False, allow_blank=True)
    language = serializers.CharField(max_length=8, required=False)
    sttModel = serializers.CharField(max_length=100, required=False)
    llmModel = serializers.CharField(max_length=100, required=False)
    ttsModel = serializers.CharField(max_length=100, required=False)
    voiceId = serializers.CharField(max_length=100, required=False, allow_blank=True)
    dispatchName = serializers.CharField(max_length=100, required=False)
    isActive = serializers.BooleanField(required=False)

    def to_model_fields(self) -> dict:
        return {FIELD_MAP[key]: value for key, value in self.validated_data.items()}
