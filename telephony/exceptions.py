from config.exceptions import ServiceError


class TelephonyError(ServiceError):
    """LiveKit answered with an error we cannot recover from here."""

    http_status = 502


class TelephonyNotConfigured(TelephonyError):
    """LiveKit credentials or the outbound trunk are missing; no call can be placed."""

    http_status = 503


class TelephonyUnavailable(TelephonyError):
    """LiveKit could not be reached or failed on its side; trying again may work."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class SipCallFailed(TelephonyError):
    """The SIP call was answered with a final error (busy, no answer, rejected...)."""

    def __init__(self, code: int, status: str, message: str = "") -> None:
        super().__init__(message or f"SIP {code}: {status}")
        self.code, self.status = code, status


class WebhookRejected(TelephonyError):
    """The webhook's signature or body is not valid."""

    http_status = 401


class WebhookInvalid(TelephonyError):
    """A correctly signed webhook whose content cannot be true (e.g. its time)."""

    http_status = 400
