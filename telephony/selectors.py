from telephony.models import TelephonyConfig


def telephony_config_get_default() -> TelephonyConfig | None:
    return TelephonyConfig.objects.filter(is_default=True).first()
