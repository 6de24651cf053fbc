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
from django.db import DEFAULT_DB_ALIAS, connections
from django.http.request import split_domain_port, validate_host
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
    """The body of a request the fast path may answer; NotHandled otherwise."""
    if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != PATH:
        raise NotHandled
    if not environ.get("CONTENT_TYPE", "").startswith("application/json"):
        raise NotHandled
    if settings.USE_X_FORWARDED_HOST:
        raise NotHandled
    # As HttpRequest.get_host(): the Host header, else the server's name.
    host, _port = split_domain_port(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))
    if not host or not validate_host(host, settings.ALLOWED_HOSTS):
        raise NotHandled
    if settings.SECURE_SSL_REDIRECT and not _is_secure(environ):
        raise NotHandled
    if not bridge_token_matches(environ.get("HTTP_AUTHORIZATION", "").encode("latin-1")):
        raise NotHandled
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise NotHandled from None
    if not 0 < length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise NotHandled
    return environ["wsgi.input"].read(length)


def _is_secure(environ: dict[str, Any]) -> bool:
    header, value = settings.SECURE_PROXY_SSL_HEADER or (None, None)
    if header and environ.get(header) is not None:
        return environ[header].split(",")[0].strip() == value
    return environ.get("wsgi.url_scheme") == "https"


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
