"""An APIClient whose requests go through `config.wsgi.application`, the app gunicorn serves."""

from typing import Any

from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.http import HttpResponse
from rest_framework.test import APIClient


class DeployedAppHandler:
    """Calls the deployed WSGI application and turns its answer into an HttpResponse.

    Inside a test's transaction, as Django's own test handler does, it keeps
    `close_old_connections` off the request signals: closing the connection would end the
    transaction. In `transaction=True` tests the signals run as in production.
    """

    def __call__(self, environ: dict[str, Any]) -> HttpResponse:
        from config.wsgi import application

        started: list[tuple[str, list[tuple[str, str]]]] = []
        in_test_transaction = connection.in_atomic_block
        if in_test_transaction:
            request_started.disconnect(close_old_connections)
            request_finished.disconnect(close_old_connections)
        try:
            chunks = application(
                environ, lambda status, headers, exc_info=None: started.append((status, headers))
            )
            try:
                content = b"".join(chunks)
            finally:
                if hasattr(chunks, "close"):
                    chunks.close()
        finally:
            if in_test_transaction:
                request_started.connect(close_old_connections)
                request_finished.connect(close_old_connections)
        status, headers = started[0]
        response = HttpResponse(content, status=int(status.split()[0]))
        for name, value in headers:
            if name.lower() != "set-cookie":
                response[name] = value
        response.wsgi_request = WSGIRequest(environ)  # type: ignore[attr-defined]
        return response


class DeployedAppClient(APIClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.handler = DeployedAppHandler()  # type: ignore[assignment]
