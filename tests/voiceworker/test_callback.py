"""Reading "llámeme más tarde": Spanish dates and times in the campaign's time zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from voiceworker.callback import CallbackTimeError, parse_callback

MADRID = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=MADRID)  # a Wednesday morning


@pytest.mark.parametrize(
    ("fecha", "hora", "expected"),
    [
        ("2026-11-27", "17:30", datetime(2026, 11, 27, 17, 30, tzinfo=MADRID)),
        ("mañana", "a las cinco de la tarde", datetime(2026, 11, 26, 17, 0, tzinfo=MADRID)),
        ("pasado mañana", "10", datetime(2026, 11, 27, 10, 0, tzinfo=MADRID)),
        ("el lunes", "9:15", datetime(2026, 11, 30, 9, 15, tzinfo=MADRID)),
        ("el miércoles", "12h", datetime(2026, 12, 2, 12, 0, tzinfo=MADRID)),  # today is Wednesday
        ("esta tarde", "a las seis y media de la tarde", datetime(2026, 11, 25, 18, 30, tzinfo=MADRID)),
        ("1/12", "16:00", datetime(2026, 12, 1, 16, 0, tzinfo=MADRID)),
    ],
)
def test_spanish_dates_and_times_are_read_in_the_campaign_zone(fecha, hora, expected):
    assert parse_callback(fecha, hora, now=NOW, time_zone="Europe/Madrid") == expected


def test_the_zone_decides_the_instant():
    when = parse_callback("2026-11-26", "17:00", now=NOW, time_zone="America/Mexico_City")
    assert when.astimezone(UTC) == datetime(2026, 11, 26, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fecha", "hora", "problem"),
    [
        ("hoy", "9:00", "ya ha pasado"),
        ("algún día", "10:00", "No entiendo la fecha"),
        ("mañana", "cuando pueda", "No entiendo la hora"),
        ("2026-02-30", "10:00", "no existe"),
        ("mañana", "25:00", "no existe"),
        ("2027-06-01", "10:00", "demasiado lejos"),
    ],
)
def test_what_cannot_be_a_callback_time_says_why(fecha, hora, problem):
    with pytest.raises(CallbackTimeError, match=problem):
        parse_callback(fecha, hora, now=NOW, time_zone="Europe/Madrid")
