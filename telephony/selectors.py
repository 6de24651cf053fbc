from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from telephony import backends
from telephony.exceptions import TelephonyNotConfigured
from telephony.models import TelephonyConfig


@dataclass(frozen=True)
class TelephonyRoute:
    config: TelephonyConfig
    trunk_id: str
    from_number: str


def telephony_config_get_default() -> TelephonyConfig | None:
    return TelephonyConfig.objects.filter(is_default=True).first()


def telephony_route() -> TelephonyRoute:
    """Where calls go out: the default config, its trunk (or SIP_OUTBOUND_TRUNK_ID), LiveKit."""
    backends.ensure_configured()
    config = telephony_config_get_default()
    if config is None:
        raise TelephonyNotConfigured(
            _("No hay configuración de telefonía por defecto: créela en el admin o en /api/telephony/config.")
        )
    trunk_id = config.sip_trunk_id or settings.SIP_OUTBOUND_TRUNK_ID
    if not trunk_id:
        raise TelephonyNotConfigured(
            _("La configuración «%(name)s» no tiene trunk SIP saliente y SIP_OUTBOUND_TRUNK_ID está vacío.")
            % {"name": config.name}
        )
    return TelephonyRoute(config=config, trunk_id=trunk_id, from_number=config.from_number)
