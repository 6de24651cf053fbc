from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from telephony.exceptions import TelephonyError, TelephonyNotConfigured


def api_exception_handler(exc, context):
    """Services raise Django's ValidationError; the API answers it as a 400 with its messages."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, TelephonyNotConfigured):
        return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    if isinstance(exc, TelephonyError):
        return Response({"detail": str(exc)}, status=status.HTTP_502_BAD_GATEWAY)
    return exception_handler(exc, context)
