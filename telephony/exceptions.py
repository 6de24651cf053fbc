class TelephonyError(Exception):
    """LiveKit answered with an error we cannot recover from here."""


class TelephonyNotConfigured(TelephonyError):
    """LiveKit credentials or the outbound trunk are missing; no call can be placed."""
