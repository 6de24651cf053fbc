"""One HTTP POST to a customer's URL, refused when the host resolves to an internal address.

Every address the name resolves to is checked, and the connection goes to the checked address
(with the original Host header and TLS server name), so a DNS answer that changes between the
check and the connect cannot reach an internal service. Redirects are not followed.
"""

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.utils.translation import gettext as _


class WebhookTargetRefused(Exception):
    """The URL may not be called: bad scheme, unresolvable, or an internal address."""


def _is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def resolve_checked(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to, after checking every address the host resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        message = _("No se puede resolver %(host)s: %(error)s") % {"host": host, "error": exc}
        raise WebhookTargetRefused(message) from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise WebhookTargetRefused(_("%(host)s no tiene direcciones.") % {"host": host})
    if not allow_private:
        internal = [str(a) for a in addresses if _is_internal(a)]
        if internal:
            raise WebhookTargetRefused(
                _("%(host)s resuelve a direcciones internas (%(addresses)s): no se envía.")
                % {"host": host, "addresses": ", ".join(internal)}
            )
    return str(addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post_pinned(
    url: str, *, body: bytes, headers: dict[str, str], timeout: float, allow_private: bool
) -> tuple[int, str]:
    """POST `body`; returns (status code, start of the response text). Network errors raise OSError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookTargetRefused(_("URL no válida para un webhook: %(url)s") % {"url": url})
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_checked(parts.hostname, port, allow_private=allow_private)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address, timeout)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(4096).decode("utf-8", "replace")
        return response.status, text
    except http.client.HTTPException as exc:
        raise OSError(f"HTTP error: {exc}") from exc
    finally:
        connection.close()
