import hmac

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    TokenAuthentication,
    get_authorization_header,
)
from rest_framework.permissions import BasePermission


class BearerTokenAuthentication(TokenAuthentication):
    """DRF tokens sent as `Authorization: Bearer <token>`, the header most frontends send."""

    keyword = "Bearer"


class BridgeAgent:
    """The identity of a voice agent calling the bridge with the shared BRIDGE_TOKEN."""

    is_authenticated = True
    is_bridge = True
    pk = None

    def __str__(self) -> str:
        return "bridge"


class BridgeTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        expected = settings.BRIDGE_TOKEN.encode()
        if len(parts) != 2 or not expected or not hmac.compare_digest(parts[1], expected):
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
