import pytest
from django.core.exceptions import ValidationError

from telephony.models import TelephonyConfig
from telephony.phones import normalize_phone
from telephony.services import telephony_config_create, telephony_config_set_default

pytestmark = pytest.mark.django_db


# --- Phone numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("621 15 13 94", "+34621151394"),
        ("+34 621 15 13 94", "+34621151394"),
        ("0034621151394", "+34621151394"),
        (" 944771453 ", "+34944771453"),
    ],
)
def test_normalize_phone_returns_e164(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["12345", "no es un número", "", "+34 999"])
def test_normalize_phone_refuses_invalid_numbers_naming_them(raw):
    with pytest.raises(ValidationError) as exc_info:
        normalize_phone(raw)

    assert f"«{raw.strip()}»" in exc_info.value.messages[0]


# --- TelephonyConfig.clean --------------------------------------------------------------------


def test_clean_normalises_from_numbers_to_e164():
    config = TelephonyConfig(from_numbers=["944 77 14 53", "+34 911 22 23 33"])

    config.full_clean()

    assert config.from_numbers == ["+34944771453", "+34911222333"]


def test_clean_rejects_an_invalid_number_naming_it():
    config = TelephonyConfig(from_numbers=["+34944771453", "12345"])

    with pytest.raises(ValidationError) as exc_info:
        config.full_clean()

    assert "«12345»" in " ".join(exc_info.value.message_dict["from_numbers"])


def test_from_number_is_the_first_one():
    assert TelephonyConfig(from_numbers=["+34944771453", "+34911222333"]).from_number == "+34944771453"
    assert TelephonyConfig().from_number == ""


# --- Exactly one default ----------------------------------------------------------------------


def defaults() -> list[str]:
    return list(TelephonyConfig.objects.filter(is_default=True).values_list("name", flat=True))


def test_the_first_config_becomes_the_default():
    first = telephony_config_create(name="Primera", from_numbers=["+34944771453"])
    telephony_config_create(name="Segunda")

    assert first.is_default is True
    assert defaults() == ["Primera"]


def test_create_with_make_default_takes_the_default_over():
    telephony_config_create(name="Primera")
    telephony_config_create(name="Segunda", make_default=True)

    assert defaults() == ["Segunda"]


def test_set_default_leaves_exactly_one_default():
    telephony_config_create(name="Primera")
    second = telephony_config_create(name="Segunda")
    telephony_config_create(name="Tercera")

    telephony_config_set_default(config=second)

    assert defaults() == ["Segunda"]


def test_create_normalises_and_validates_numbers():
    config = telephony_config_create(name="Principal", from_numbers=["621 15 13 94"])

    assert TelephonyConfig.objects.get(pk=config.pk).from_numbers == ["+34621151394"]
    with pytest.raises(ValidationError, match="«123»"):
        telephony_config_create(name="Mala", from_numbers=["123"])
    assert TelephonyConfig.objects.count() == 1


def test_create_refuses_fields_that_are_not_editable():
    with pytest.raises(ValidationError, match="is_default"):
        telephony_config_create(name="Trampa", is_default=True)  # type: ignore[call-arg]

    assert not TelephonyConfig.objects.exists()
