"""Phone number parsing and the toll-fraud rules, on top of Google's libphonenumber data."""

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from phonenumbers import PhoneNumberType

DIALABLE_TYPES = {
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
TYPE_NAMES = {
    PhoneNumberType.PREMIUM_RATE: "tarificación adicional",
    PhoneNumberType.SHARED_COST: "coste compartido",
    PhoneNumberType.TOLL_FREE: "gratuito",
    PhoneNumberType.VOIP: "VoIP",
    PhoneNumberType.PERSONAL_NUMBER: "número personal",
    PhoneNumberType.PAGER: "buscapersonas",
    PhoneNumberType.UAN: "número corporativo",
    PhoneNumberType.VOICEMAIL: "buzón de voz",
    PhoneNumberType.UNKNOWN: "desconocido",
}


# Digits, the separators people type, and a leading "+"; anything else would be reinterpreted.
_PLAIN_NUMBER = re.compile(r"\(?\+?[0-9 ().\-/]+")


def _check_characters(raw: str) -> None:
    if not _PLAIN_NUMBER.fullmatch(raw) or not any(ch.isdigit() for ch in raw):
        # libphonenumber turns letters into keypad digits and "x123" into an extension.
        raise ValidationError(
            _(
                "«%(number)s» no es un número de teléfono válido: solo se admiten dígitos, espacios, "
                "guiones, puntos, paréntesis y un «+» inicial (sin letras ni extensiones)."
            ),
            code="invalid_phone_characters",
            params={"number": raw},
        )


def _parse(raw: str) -> phonenumbers.PhoneNumber:
    _check_characters(raw)
    try:
        number = phonenumbers.parse(raw, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("«%(number)s» no es un número de teléfono válido."),
            code="invalid_phone",
            params={"number": raw},
        )
    return number


def normalize_phone(raw: str) -> str:
    """Return the number in E.164, or raise a ValidationError naming it."""
    return phonenumbers.format_number(_parse(raw.strip()), phonenumbers.PhoneNumberFormat.E164)


def normalize_phones(values: list[str]) -> list[str]:
    """Normalise every number; one ValidationError lists all the invalid ones."""
    errors, numbers = [], []
    for raw in values:
        try:
            numbers.append(normalize_phone(str(raw)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return numbers


def dialable_phone(raw: str) -> str:
    """The number in E.164, refused outside the allowed countries or if premium or unknown type."""
    raw = raw.strip()
    _check_characters(raw)
    try:
        number = phonenumbers.parse(raw, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    # number_type is UNKNOWN exactly when is_valid_number is False; computing it once halves the
    # cost of a bulk import's validation.
    number_type = phonenumbers.number_type(number) if number is not None else PhoneNumberType.UNKNOWN
    if number is None or number_type == PhoneNumberType.UNKNOWN:
        raise ValidationError(
            _("«%(number)s» no es un número de teléfono válido."),
            code="invalid_phone",
            params={"number": raw},
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    region = phonenumbers.region_code_for_number(number)
    if region not in settings.ALLOWED_CALL_COUNTRIES:
        raise ValidationError(
            _("No se permiten llamadas a %(number)s: el país %(region)s no está autorizado."),
            code="country_not_allowed",
            params={"number": e164, "region": region},
        )
    if number_type not in DIALABLE_TYPES:
        raise ValidationError(
            _("No se permiten llamadas a %(number)s: es un número de tipo %(type)s."),
            code="number_type_not_allowed",
            params={"number": e164, "type": TYPE_NAMES.get(number_type, str(number_type))},
        )
    return e164
