import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from modern_csrf.middleware import ModernCsrfViewMiddleware
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    TokenAuthentication,
    get_authorization_header,
)
from rest_framework.permissions import BasePermission


class BearerTokenAuthentication(TokenAuthentication):
    """DRF tokens sent as `Authorization: Bearer <token>`, the header most frontends send."""

    keyword = "Bearer"


def _no_response(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    raise AssertionError("the CSRF check only runs process_view")


class SameOriginSessionAuthentication(SessionAuthentication):
    """Session cookies without a CSRF token, for a client served at the API's own origin.

    Unsafe requests are checked with Fetch Metadata, as Go's CrossOriginProtection does (via
    django-modern-csrf): `Sec-Fetch-Site: same-origin` passes; cross-site and same-site are
    refused unless their Origin is in CSRF_TRUSTED_ORIGINS; without that header, an Origin must
    match the host. A request with neither header does not come from a browser that could be
    tricked into sending it, so Django's classic token check decides.
    """

    def enforce_csrf(self, request) -> None:
        meta = request.META
        if "HTTP_SEC_FETCH_SITE" not in meta and "HTTP_ORIGIN" not in meta:
            return super().enforce_csrf(request)
        check = ModernCsrfViewMiddleware(_no_response)
        refusal = check.process_view(request._request, None, (), {})
        if refusal is not None:
            raise exceptions.PermissionDenied(
                _("Petición entre sitios rechazada: la sesión solo vale desde el mismo origen.")
            )
        return None


class BridgeAgent:
    """The identity of a voice agent calling the bridge with the shared BRIDGE_TOKEN."""

    is_authenticated = True
    is_bridge = True
    pk = None

    def __str__(self) -> str:
        return "bridge"


def bridge_token_matches(authorization: bytes) -> bool:
    """Whether an Authorization header carries the BRIDGE_TOKEN (an empty setting matches nothing)."""
    parts = authorization.split()
    expected = settings.BRIDGE_TOKEN.encode()
    return (
        len(parts) == 2
        and parts[0].lower() == BridgeTokenAuthentication.keyword
        and bool(expected)
        and hmac.compare_digest(parts[1], expected)
    )


class BridgeTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request)
        parts = header.split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if not bridge_token_matches(header):
            raise exceptions.AuthenticationFailed(_("Token del puente no válido."))
        return BridgeAgent(), None

    def authenticate_header(self, request) -> str:
        return "Bearer"


class IsBridge(BasePermission):
    message = _("Solo los agentes de voz con el token del puente pueden usar este endpoint.")

    def has_permission(self, request, view) -> bool:
        return getattr(request.user, "is_bridge", False)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "config.authentication.BearerTokenAuthentication"
    name = "bearerAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "DRF token: `Bearer <token>`."}


class BridgeTokenScheme(OpenApiAuthenticationExtension):
    target_class = "config.authentication.BridgeTokenAuthentication"
    name = "bridgeToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "BRIDGE_TOKEN of the voice agents."}


class SameOriginSessionScheme(OpenApiAuthenticationExtension):
    target_class = "config.authentication.SameOriginSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "Sesión del admin; sin token CSRF solo desde el mismo origen (Fetch Metadata).",
        }
