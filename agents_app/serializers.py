import copy
from typing import Any

from rest_framework import serializers

from agents_app.frontend_selectors import agent_defaults_llm_model
from agents_app.models import SurveyQuestion, VoiceAgent
from config.camelcase import CamelCaseFieldsMixin, camelize

AGENT_FIELDS = [
    "name",
    "call_type",
    "use_case",
    "description",
    "instructions",
    "greeting",
    "language",
    "stt_model",
    "llm_model",
    "tts_model",
    "voice_id",
    "dispatch_name",
    "is_active",
]


class QuestionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyQuestion
        fields = ["key", "text", "type", "required", "position"]


class VoiceAgentOutputSerializer(CamelCaseFieldsMixin, serializers.ModelSerializer):
    questions = QuestionOutputSerializer(many=True, read_only=True)

    class Meta:
        model = VoiceAgent
        fields = ["id", *AGENT_FIELDS, "questions", "created_at", "updated_at"]


class VoiceAgentInputSerializer(CamelCaseFieldsMixin, serializers.Serializer):
    name = serializers.CharField(max_length=120)
    call_type = serializers.ChoiceField(choices=VoiceAgent.CallType.choices, required=False)
    use_case = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    instructions = serializers.CharField(required=False, allow_blank=True)
    greeting = serializers.CharField(required=False, allow_blank=True)
    language = serializers.CharField(max_length=8, required=False)
    stt_model = serializers.CharField(max_length=100, required=False)
    llm_model = serializers.CharField(max_length=100, required=False)
    tts_model = serializers.CharField(max_length=100, required=False)
    voice_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    dispatch_name = serializers.CharField(max_length=100, required=False)
    is_active = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The agent as it would be saved (the instance given, or a new one) must be able to run."""
        if isinstance(self.instance, VoiceAgent):
            agent = copy.copy(self.instance)
        else:
            agent = VoiceAgent(llm_model=agent_defaults_llm_model())  # as voice_agent_create does
        for field, value in attrs.items():
            setattr(agent, field, value)
        if problems := agent.configuration_problems():
            raise serializers.ValidationError({camelize(field): msgs for field, msgs in problems.items()})
        return attrs
