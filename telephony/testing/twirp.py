"""Twirp wire details LiveKit's server uses: error codes, HTTP statuses, SIP status mapping."""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from typing import Any, TypeVar

from aiohttp import web
from google.protobuf.message import Message

TWIRP_HTTP_STATUS: dict[str, int] = {
    "canceled": 408,
    "unknown": 500,
    "invalid_argument": 400,
    "malformed": 400,
    "deadline_exceeded": 408,
    "not_found": 404,
    "bad_route": 404,
    "already_exists": 409,
    "permission_denied": 403,
    "unauthenticated": 401,
    "resource_exhausted": 429,
    "failed_precondition": 412,
    "aborted": 409,
    "out_of_range": 400,
    "unimplemented": 501,
    "internal": 500,
    "unavailable": 503,
    "dataloss": 500,
}

_SIP_TWIRP_CODES: dict[int, str] = {
    401: "permission_denied",
    402: "permission_denied",
    403: "permission_denied",
    404: "not_found",
    407: "unauthenticated",
    408: "deadline_exceeded",
    410: "not_found",
    480: "resource_exhausted",
    481: "not_found",
    486: "resource_exhausted",
    487: "aborted",
    491: "aborted",
    504: "deadline_exceeded",
    600: "resource_exhausted",
    603: "permission_denied",
    604: "not_found",
    607: "permission_denied",
    608: "permission_denied",
}


_ID_ALPHABET = string.ascii_letters + string.digits
_M = TypeVar("_M", bound=Message)


def new_id(prefix: str) -> str:
    return f"{prefix}_" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))


def sip_twirp_code(sip_status_code: int) -> str:
    """The Twirp code LiveKit answers with for a SIP status (mirrors livekit/protocol)."""
    if sip_status_code in _SIP_TWIRP_CODES:
        return _SIP_TWIRP_CODES[sip_status_code]
    if 500 <= sip_status_code < 600:
        return "failed_precondition"
    return "invalid_argument"


class TwirpFault(Exception):
    def __init__(
        self,
        code: str,
        msg: str,
        *,
        status: int | None = None,
        meta: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.status = status if status is not None else TWIRP_HTTP_STATUS.get(code, 500)
        self.meta = dict(meta or {})

    def to_response(self) -> web.Response:
        body: dict[str, Any] = {"code": self.code, "msg": self.msg}
        if self.meta:
            body["meta"] = self.meta
        return web.json_response(body, status=self.status)


def copy_message(message: _M) -> _M:
    clone = type(message)()
    clone.CopyFrom(message)
    return clone
