"""The frontend API speaks camelCase; models and services speak snake_case.

Serializers declare snake_case fields and mix in ``CamelCaseFieldsMixin``: each field is exposed
(input, output, errors and the OpenAPI schema) under its camelCase name, while ``source`` keeps
the snake_case attribute, so ``validated_data`` and model reads stay snake_case. ``wire_names``
overrides the exposed name where the clients already use another one (``phone`` -> ``phoneNumber``).
"""

from typing import Any

from rest_framework import serializers


def camelize(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


class CamelCaseFieldsMixin(serializers.Serializer):
    wire_names: dict[str, str] = {}

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, Any] = super().get_fields()
        renamed: dict[str, serializers.Field] = {}
        for name, field in fields.items():
            camel = self.wire_names.get(name) or camelize(name)
            if camel != name and field.source is None:
                field.source = name
            renamed[camel] = field
        return renamed
