"""Cheaper per-request serializers for the hot bridge endpoints."""

import copy
from typing import Any

from rest_framework import serializers


class ShallowCopiedFieldsMixin(serializers.Serializer):
    """Each instance gets shallow copies of the declared fields instead of DRF's deep copies.

    DRF deep-copies every declared field (re-running each field's __init__) whenever a serializer
    is built; on POST /guardar-encuesta that was a fifth of the request's CPU (docs/benchmarks.md).
    A shallow copy is enough for fields whose state is fixed at declaration: binding sets
    attributes on the copy only. Fields holding other fields (child, nested serializers) are still
    deep-copied, so nothing bound is ever shared between requests.
    """

    def get_fields(self) -> dict[str, Any]:
        return {
            name: copy.deepcopy(field) if _holds_fields(field) else _shallow_copy(field)
            for name, field in self._declared_fields.items()
        }


def _holds_fields(field: Any) -> bool:
    return isinstance(field, serializers.BaseSerializer) or hasattr(field, "child")


def _shallow_copy(field: Any) -> Any:
    # copy.copy() goes through __reduce_ex__; building the instance directly is several times cheaper.
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone
