from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from config.services import ensure_editable, model_update
from telephony import backends
from telephony.exceptions import TelephonyError, TelephonyUnavailable
from telephony.models import TelephonyConfig
from telephony.phones import normalize_phones

EDITABLE_FIELDS = frozenset(
    {
        "name",
        "provider",
        "from_numbers",
        "sip_trunk_id",
        "sip_address",
        "sip_auth_username",
        "sip_auth_password",
        "max_concurrent_calls",
    }
)


class TelephonyConfigFields(TypedDict, total=False):
    name: str
    provider: str
    from_numbers: list[str]
    sip_trunk_id: str
    sip_address: str
    sip_auth_username: str
    sip_auth_password: str
    max_concurrent_calls: int


def parse_from_numbers(value: str | list[str]) -> list[str]:
    """The frontend sends "+34…,+34…"; every number must be valid and is stored in E.164."""
    raw = value.split(",") if isinstance(value, str) else list(value)
    try:
        numbers = normalize_phones([item for item in (str(v).strip() for v in raw) if item])
    except ValidationError as exc:
        raise ValidationError({"fromNumbers": exc.messages}) from exc
    return list(dict.fromkeys(numbers))


@transaction.atomic
def telephony_config_set_default(*, config: TelephonyConfig) -> TelephonyConfig:
    _lock_all_configs()
    return _make_default(config)


def _lock_all_configs() -> None:
    # Locking every row serialises concurrent switches, which keeps exactly one default on
    # MariaDB too, where the partial unique constraint does not exist.
    list(TelephonyConfig.objects.select_for_update().values_list("pk", flat=True))


def _make_default(config: TelephonyConfig) -> TelephonyConfig:
    TelephonyConfig.objects.exclude(pk=config.pk).filter(is_default=True).update(is_default=False)
    TelephonyConfig.objects.filter(pk=config.pk).update(is_default=True)
    config.is_default = True
    return config


@transaction.atomic
def telephony_config_create(
    *, make_default: bool = False, **fields: Unpack[TelephonyConfigFields]
) -> TelephonyConfig:
    ensure_editable(fields, EDITABLE_FIELDS)
    _lock_all_configs()
    config = TelephonyConfig(**fields)
    config.full_clean()
    config.save()
    if make_default or not TelephonyConfig.objects.filter(is_default=True).exists():
        _make_default(config)
    return config


@transaction.atomic
def telephony_config_update(*, config: TelephonyConfig, data: Mapping[str, Any]) -> TelephonyConfig:
    return model_update(instance=config, data=data, editable=EDITABLE_FIELDS)


@transaction.atomic
def telephony_config_save_default(**fields: Unpack[TelephonyConfigFields]) -> tuple[TelephonyConfig, bool]:
    """The frontend's single configuration: update the default one, or create it."""
    config = TelephonyConfig.objects.select_for_update().filter(is_default=True).first()
    if config is None:
        return telephony_config_create(make_default=True, **fields), True
    return telephony_config_update(config=config, data=fields), False


def telephony_config_sync_trunk(*, config: TelephonyConfig) -> TelephonyConfig:
    """Create or update the config's outbound trunk in LiveKit and keep its ST_… id."""
    errors = {}
    if not config.sip_address:
        errors["sip_address"] = _("Falta la dirección SIP del proveedor.")
    if not config.from_numbers:
        errors["from_numbers"] = _("Falta al menos un número de origen.")
    if errors:
        raise ValidationError(errors)
    spec = backends.TrunkSpec(
        trunk_id=config.sip_trunk_id,
        name=f"AgenteLocal {config.name}",
        address=config.sip_address,
        numbers=list(config.from_numbers),
        auth_username=config.sip_auth_username,
        auth_password=config.sip_auth_password,
    )
    try:
        trunk_id = backends.run(backends.get_backend().save_outbound_trunk(spec))
    except TelephonyUnavailable as exc:
        raise TelephonyError(_("LiveKit rechazó el trunk: %(error)s") % {"error": exc}) from exc
    TelephonyConfig.objects.filter(pk=config.pk).update(sip_trunk_id=trunk_id)
    config.sip_trunk_id = trunk_id
    return config
