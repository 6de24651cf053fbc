from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from telephony.models import TelephonyConfig


@extend_schema_field(OpenApiTypes.STR)
class FromNumbersField(serializers.Field):
    """Accepts "+34…,+34…" (what the frontend sends) or a list; answers the same string."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            return data
        if isinstance(data, list) and all(isinstance(item, str) for item in data):
            return data
        raise serializers.ValidationError("Debe ser una cadena separada por comas o una lista.")

    def to_representation(self, value):
        return ",".join(value)


class TelephonyConfigInputSerializer(serializers.Serializer):
    provider = serializers.CharField(max_length=100)
    fromNumbers = FromNumbersField()
    name = serializers.CharField(max_length=100, required=False)
    sipTrunkId = serializers.CharField(max_length=64, required=False, allow_blank=True)
    maxConcurrentCalls = serializers.IntegerField(min_value=1, max_value=1000, required=False)


class TelephonyConfigOutputSerializer(serializers.ModelSerializer):
    fromNumbers = FromNumbersField(source="from_numbers")
    fromNumbersList = serializers.ListField(source="from_numbers", child=serializers.CharField())
    sipTrunkId = serializers.CharField(source="sip_trunk_id")
    maxConcurrentCalls = serializers.IntegerField(source="max_concurrent_calls")
    isDefault = serializers.BooleanField(source="is_default")
    updatedAt = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = TelephonyConfig
        fields = [
            "id",
            "name",
            "provider",
            "fromNumbers",
            "fromNumbersList",
            "sipTrunkId",
            "maxConcurrentCalls",
            "isDefault",
            "updatedAt",
        ]
