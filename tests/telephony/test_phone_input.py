import pytest
from django.core.exceptions import ValidationError

from telephony.phones import dialable_phone, normalize_phone


@pytest.mark.parametrize(
    "raw",
    [
        "+34 6 CALL NOW X",
        "+34 621 HOLA 94",
        "+34621151394 ext. 12",
        "+34621151394x12",
        "+34621151394;ext=12",
        "+34621151394#12",
        "+３４６２１１５１３９４",
    ],
)
@pytest.mark.parametrize("parse", [normalize_phone, dialable_phone])
def test_letters_and_extensions_are_refused_with_a_message(parse, raw):
    with pytest.raises(ValidationError) as exc_info:
        parse(raw)

    assert exc_info.value.code == "invalid_phone_characters"
    assert "sin letras ni extensiones" in exc_info.value.messages[0]


@pytest.mark.parametrize("raw", ["(+34) 621-15-13-94", "621.15.13.94", "+34 621/151394"])
def test_usual_separators_still_normalise(raw):
    assert dialable_phone(raw) == "+34621151394"
