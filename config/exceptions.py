import logging

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
    return exception_handler(exc, context)
