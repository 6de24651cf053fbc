from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from telephony.exceptions import TelephonyError, TelephonyNotConfigured


def _first_message(data: Any, field: str = "") -> str:
    """The first error message of a DRF error structure, prefixed by its field name."""
    if isinstance(data, dict):
        for key, value in data.items():
            name = "" if key in ("non_field_errors", "detail") else str(key)
            if message := _first_message(value, f"{field}.{name}" if field and name else name or field):
                return message
        return ""
    if isinstance(data, list):
        for item in data:
            if message := _first_message(item, field):
                return message
        return ""
    return f"{field}: {data}" if field else str(data)


def api_exception_handler(exc, context):
    """Services raise Django's ValidationError; the API answers it as a 400 with its messages.

    Every error body is an object with a top-level `detail` string (what clients show), plus the
    per-field messages when there are any.
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, TelephonyNotConfigured):
        return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    if isinstance(exc, TelephonyError):
        return Response({"detail": str(exc)}, status=status.HTTP_502_BAD_GATEWAY)
    response = exception_handler(exc, context)
    if response is not None:
        if isinstance(response.data, list):
            response.data = {"detail": _first_message(response.data), "errors": response.data}
        elif isinstance(response.data, dict) and "detail" not in response.data:
            response.data = {"detail": _first_message(response.data), **response.data}
    return response
