from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler


class ServiceError(Exception):
    """Base of the errors apps raise that the API answers with their own status and message."""

    http_status = 500


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Services raise Django's ValidationError (400) or a ServiceError that names its status."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, ServiceError):
        return Response({"detail": str(exc)}, status=exc.http_status)
    return exception_handler(exc, context)
