import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler


class ServiceError(Exception):
    """Base of the errors apps raise that the API answers with their own status and message."""

    http_status = 500


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


logger = logging.getLogger(__name__)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Services raise Django's ValidationError (400) or a ServiceError that names its status."""
    if isinstance(exc, OperationalError | InterfaceError):
        # The database is down or restarting: a client that retries later loses nothing.
        logger.error("Database unavailable: %s", exc)
        return Response(
            {"detail": _("La base de datos no está disponible. Vuelva a intentarlo en unos segundos.")},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)},
        )
    if isinstance(exc, OverflowError):
        # An id or filter beyond the database's integers (SQLite refuses to even send it).
        return Response(
            {"detail": _("Un número de la petición está fuera de rango.")}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, ServiceError):
        return Response({"detail": str(exc)}, status=exc.http_status)
    response = exception_handler(exc, context)
    if response is not None:
        # Every error body carries a top-level `detail` string (what the old client shows).
        if isinstance(response.data, list):
            response.data = {"detail": _first_message(response.data), "errors": response.data}
        elif isinstance(response.data, dict) and "detail" not in response.data:
            response.data = {"detail": _first_message(response.data), **response.data}
    return response
