from rest_framework import serializers

from agents_app.models import PromptTemplate

PROVIDER_REGEX = r"^[a-z0-9][a-z0-9_.-]*$"


class PromptTemplateOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = PromptTemplate
        fields = ["id", "name", "description", "content"]


class PromptTemplateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    content = serializers.CharField()


class AiConfigSerializer(serializers.Serializer):
    """The old client's AI settings of its agent; every field optional on input."""

    llm_provider = serializers.RegexField(PROVIDER_REGEX, max_length=40, required=False)
    llm_model = serializers.CharField(max_length=100, required=False)
    tts_provider = serializers.RegexField(PROVIDER_REGEX, max_length=40, required=False)
    tts_model = serializers.CharField(max_length=100, required=False)
    tts_voice = serializers.CharField(max_length=100, required=False, allow_blank=True)
    stt_provider = serializers.RegexField(PROVIDER_REGEX, max_length=40, required=False)
    stt_model = serializers.CharField(max_length=100, required=False)
    language = serializers.CharField(max_length=8, required=False)


class LlmSettingsSerializer(serializers.Serializer):
    llm_provider = serializers.RegexField(PROVIDER_REGEX, max_length=40)
    llm_model = serializers.CharField(max_length=100)
