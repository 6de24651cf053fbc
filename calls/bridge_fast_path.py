"""POST /guardar-encuesta answered before Django's request stack, when it can be answered at all.

The voice agents send this request after every answer, tens of times per call. Django's handler,
its middleware and DRF's dispatch cost more CPU than the save itself (docs/benchmarks.md), so this
WSGI wrapper answers the request itself when everything about it is in order: a configured host,
TLS (or no redirect to it), the bridge token, a JSON body that the view's own serializer accepts,
and a save that succeeds. The validation, the service and the output serializer are the view's.
Anything else (an error of any kind, another path or method) goes to Django unchanged, so every
refusal is the full stack's: same status, same `detail`, same logging. A refused save wrote
nothing (the service is one transaction), so the full stack simply runs it again and refuses it.
"""

import io
import json
from collections.abc import Callable, Iterable
from typing import Any, cast

from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.core.handlers.wsgi import WSGIRequest
from django.db import DEFAULT_DB_ALIAS, connections
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer

from calls.apis import guardar_encuesta
from calls.serializers import GuardarEncuestaInputSerializer, GuardarEncuestaOutputSerializer
from config.authentication import bridge_token_matches
from config.parsers import check_json_value

PATH = "/guardar-encuesta"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
HEADERS = [
    ("Content-Type", "application/json"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
]


class NotHandled(Exception):
    """The request is not one the fast path answers: Django's full stack does."""


def _check_request(environ: dict[str, Any]) -> bytes:
    """The body of a request the fast path may answer; NotHandled otherwise.

    Host, TLS and size are judged by Django's own request object, as the full stack would.
    """
    if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != PATH:
        raise NotHandled
    if not environ.get("CONTENT_LENGTH"):
        raise NotHandled  # a chunked body stays unread for Django
    request = WSGIRequest(environ)
    if request.content_type != "application/json":
        raise NotHandled
    try:
        request.get_host()
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            raise NotHandled  # SecurityMiddleware redirects it
        if not bridge_token_matches(request.headers.get("Authorization", "").encode("latin-1")):
            raise NotHandled
        return request.body
    except (DisallowedHost, RequestDataTooBig, OSError):
        raise NotHandled from None


def _answer(body: bytes) -> bytes:
    try:
        data = json.loads(body)
        check_json_value(data)
    except (ValueError, RecursionError, APIException):
        raise NotHandled from None
    serializer = GuardarEncuestaInputSerializer(data=data)
    if not serializer.is_valid():
        raise NotHandled
    try:
        encuesta = guardar_encuesta(serializer)
    except Exception:
        # Refused or failed: nothing was written; the full stack answers (and logs) it.
        raise NotHandled from None
    return JSONRenderer().render(GuardarEncuestaOutputSerializer(encuesta).data)


class BridgeSaveFastPath:
    """WSGI wrapper around Django's application; see the module's docstring."""

    def __init__(self, django_app: WSGIApp) -> None:
        self.django_app = django_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            body = _check_request(environ)
        except NotHandled:
            return self.django_app(environ, start_response)
        # What Django's handler does around a request: database connections opened and recycled.
        signals.request_started.send(sender=self.__class__, environ=environ)
        # No ping before the first query (CONN_HEALTH_CHECKS): on a dead connection the save fails
        # before writing anything, request_finished closes that connection, and the full stack
        # answers on a fresh one. One round trip less per save.
        cast(Any, connections[DEFAULT_DB_ALIAS]).health_check_done = True
        try:
            content = _answer(body)
        except NotHandled:
            content = None
        finally:
            signals.request_finished.send(sender=self.__class__)
        if content is None:
            environ["wsgi.input"] = io.BytesIO(body)
            return self.django_app(environ, start_response)
        start_response("200 OK", [*HEADERS, ("Content-Length", str(len(content)))])
        return [content]
