from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.camelcase import CamelCaseFieldsMixin
from telephony.models import TelephonyConfig


@extend_schema_field(OpenApiTypes.STR)
class FromNumbersField(serializers.Field):
    """Accepts "+34…,+34…" (what the frontend sends) or a list; answers the same string."""

    def to_internal_value(self, data: Any) -> str | list[str]:
        if isinstance(data, str):
            return data
        if isinstance(data, list) and all(isinstance(item, str) for item in data):
            return data
        raise serializers.ValidationError("Debe ser una cadena separada por comas o una lista.")

    def to_representation(self, value: list[str]) -> str:
        return ",".join(value)


class TelephonyConfigInputSerializer(CamelCaseFieldsMixin, serializers.Serializer):
    provider = serializers.CharField(max_length=100)
    from_numbers = FromNumbersField()
    name = serializers.CharField(max_length=100, required=False)
    sip_trunk_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    max_concurrent_calls = serializers.IntegerField(min_value=1, max_value=1000, required=False)


class TelephonyConfigOutputSerializer(CamelCaseFieldsMixin, serializers.ModelSerializer):
    from_numbers = FromNumbersField()
    from_numbers_list = serializers.ListField(source="from_numbers", child=serializers.CharField())

    class Meta:
        model = TelephonyConfig
        fields = [
            "id",
            "name",
            "provider",
            "from_numbers",
            "from_numbers_list",
            "sip_trunk_id",
            "max_concurrent_calls",
            "is_default",
            "updated_at",
        ]
