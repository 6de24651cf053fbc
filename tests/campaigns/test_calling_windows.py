"""Calling hours in the campaign's time zone: edges, DST change days, national and regional holidays."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from calls.calling_windows import CallingHours, parse_window
from calls.models_campaigns import default_calling_window

MADRID = ZoneInfo("Europe/Madrid")


def hours(window=None, **kwargs) -> CallingHours:
    return CallingHours(window=parse_window(window or default_calling_window()), tz=MADRID, **kwargs)


def madrid(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=MADRID)


def test_default_window_is_weekdays_nine_to_nine_local():
    default = hours()
    # Wednesday 2026-11-25
    assert not default.is_open(madrid(2026, 11, 25, 8, 59, 59))
    assert default.is_open(madrid(2026, 11, 25, 9, 0))
    assert default.is_open(madrid(2026, 11, 25, 20, 59, 59))
    assert not default.is_open(madrid(2026, 11, 25, 21, 0))
    # Saturday and Sunday
    assert not default.is_open(madrid(2026, 11, 28, 12, 0))
    assert not default.is_open(madrid(2026, 11, 29, 12, 0))


def test_next_opening_after_closing_is_next_morning_and_friday_evening_waits_for_monday():
    default = hours()
    assert default.next_opening(madrid(2026, 11, 25, 21, 0)) == madrid(2026, 11, 26, 9, 0)
    assert default.next_opening(madrid(2026, 11, 27, 21, 30)) == madrid(2026, 11, 30, 9, 0)
    inside = madrid(2026, 11, 25, 10, 0)
    assert default.next_opening(inside) == inside


def test_several_ranges_a_day():
    split = hours({"0": [["16:00", "20:00"], ["09:00", "14:00"]]})
    assert split.is_open(madrid(2026, 11, 23, 13, 59))
    assert not split.is_open(madrid(2026, 11, 23, 15, 0))
    assert split.next_opening(madrid(2026, 11, 23, 14, 0)) == madrid(2026, 11, 23, 16, 0)
    assert split.next_opening(madrid(2026, 11, 23, 20, 0)) == madrid(2026, 11, 30, 9, 0)


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        ((2026, 3, 28), 8),  # Saturday before the change: CET, UTC+1
        ((2026, 3, 29), 7),  # the change day: CEST, UTC+2
        ((2026, 10, 25), 8),  # back to CET on the day itself
    ],
)
def test_opening_stays_at_nine_local_across_dst_changes(day, utc_hour):
    weekend = hours({"5": [["09:00", "21:00"]], "6": [["09:00", "21:00"]]})
    year, month, date = day
    opening = weekend.next_opening(datetime(year, month, date, 0, 30, tzinfo=UTC))
    assert opening is not None
    assert opening.astimezone(UTC) == datetime(year, month, date, utc_hour, 0, tzinfo=UTC)
    assert opening.astimezone(MADRID).hour == 9


def test_range_crossing_the_missing_hour_of_the_spring_change():
    night = hours({"6": [["01:00", "04:00"]]})
    # 01:59:59 CET and 03:00 CEST are one second apart on 2026-03-29; both are inside.
    assert night.is_open(datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC))
    assert night.is_open(datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC))
    assert not night.is_open(datetime(2026, 3, 29, 2, 0, 0, tzinfo=UTC))  # 04:00 CEST


def test_national_holiday_closes_the_day():
    default = hours()
    # Monday 2026-10-12, Fiesta Nacional de España.
    assert not default.is_open(madrid(2026, 10, 12, 10, 0))
    assert default.next_opening(madrid(2026, 10, 12, 10, 0)) == madrid(2026, 10, 13, 9, 0)
    assert hours(skip_holidays=False).is_open(madrid(2026, 10, 12, 10, 0))


def test_regional_holiday_closes_only_that_region():
    # Friday 2026-09-11, Diada Nacional de Catalunya: a holiday in Catalonia only.
    national = hours()
    assert national.is_open(madrid(2026, 9, 11, 10, 0))
    catalonia = national.with_region("CT")
    assert not catalonia.is_open(madrid(2026, 9, 11, 10, 0))
    assert catalonia.next_opening(madrid(2026, 9, 11, 10, 0)) == madrid(2026, 9, 14, 9, 0)
    # The campaign's own region applies to every lead.
    assert not hours(regions=("CT",)).is_open(madrid(2026, 9, 11, 10, 0))


def test_start_and_end_times_bound_the_window():
    bounded = hours(starts_at=madrid(2026, 11, 25, 12, 0), ends_at=madrid(2026, 11, 26, 10, 0))
    assert not bounded.is_open(madrid(2026, 11, 25, 11, 0))
    assert bounded.next_opening(madrid(2026, 11, 25, 11, 0)) == madrid(2026, 11, 25, 12, 0)
    assert bounded.is_open(madrid(2026, 11, 26, 9, 59))
    assert not bounded.is_open(madrid(2026, 11, 26, 10, 0))
    assert bounded.next_opening(madrid(2026, 11, 26, 10, 0)) is None


def test_a_window_with_no_ranges_never_opens():
    assert hours({"0": []}).next_opening(madrid(2026, 11, 25, 10, 0)) is None


@pytest.mark.parametrize(
    "window",
    [
        {"7": [["09:00", "10:00"]]},
        {"0": [["10:00", "09:00"]]},
        {"0": [["09:00"]]},
        {"0": [["9h", "10:00"]]},
        {"0": [["09:00", "12:00"], ["11:00", "13:00"]]},
        [["09:00", "10:00"]],
    ],
)
def test_bad_windows_are_refused(window):
    with pytest.raises(ValidationError):
        parse_window(window)
