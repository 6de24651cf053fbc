"""Calling hours: weekly ranges in the campaign's time zone, minus Spanish national and regional holidays.

Everything is computed on local wall-clock time (zoneinfo), so DST changes move no opening.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

END_OF_DAY = time.max
# How far ahead an opening is looked for before giving up (a window with no day, a year of holidays).
SEARCH_DAYS = 370


def _parse_time(value: str) -> time:
    if value == "24:00":
        return END_OF_DAY
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("«%(value)s» no es una hora HH:MM."), params={"value": value}) from exc


def parse_window(
    raw: Mapping[str, Iterable[Iterable[str]]] | None,
) -> dict[int, tuple[tuple[time, time], ...]]:
    """{"0": [["09:00", "14:00"], ["16:00", "21:00"]], ...} -> {0: ((09:00, 14:00), (16:00, 21:00))}.

    Raises ValidationError on a bad day, a bad time, an empty or reversed range or overlapping ranges.
    """
    if not isinstance(raw, Mapping):
        raise ValidationError(_("El horario debe ser un objeto por día de la semana."))
    window: dict[int, tuple[tuple[time, time], ...]] = {}
    for day, ranges in raw.items():
        if str(day) not in {str(n) for n in range(7)}:
            raise ValidationError(
                _("«%(day)s» no es un día de la semana (0 = lunes … 6 = domingo)."), params={"day": day}
            )
        parsed = []
        for item in ranges or ():
            pair = list(item) if isinstance(item, list | tuple) else []
            if len(pair) != 2:
                raise ValidationError(_("Cada tramo debe ser [inicio, fin]."))
            start, end = _parse_time(pair[0]), _parse_time(pair[1])
            if start >= end:
                raise ValidationError(
                    _("El tramo %(start)s–%(end)s termina antes de empezar."),
                    params={"start": pair[0], "end": pair[1]},
                )
            parsed.append((start, end))
        parsed.sort()
        for (_s1, end1), (start2, _e2) in pairwise(parsed):
            if start2 < end1:
                raise ValidationError(_("Los tramos del día %(day)s se solapan."), params={"day": day})
        window[int(day)] = tuple(parsed)
    return window


def parse_time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("«%(name)s» no es una zona horaria válida."), params={"name": name}) from exc


@lru_cache(maxsize=256)
def _holidays(subdiv: str, year: int) -> frozenset[date]:
    calendar = holidays.country_holidays("ES", subdiv=subdiv or None, years=year)
    return frozenset(calendar.keys())


def is_holiday(day: date, regions: Iterable[str]) -> bool:
    """National holidays always; each region adds its own (the campaign's and the lead's)."""
    return any(day in _holidays(region, day.year) for region in {"", *regions})


@dataclass(frozen=True)
class CallingHours:
    window: Mapping[int, tuple[tuple[time, time], ...]]
    tz: ZoneInfo
    regions: tuple[str, ...] = ()
    skip_holidays: bool = True
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def with_region(self, region: str) -> "CallingHours":
        if not region or region in self.regions:
            return self
        return CallingHours(
            self.window, self.tz, (*self.regions, region), self.skip_holidays, self.starts_at, self.ends_at
        )

    def _day_closed(self, day: date) -> bool:
        return self.skip_holidays and is_holiday(day, self.regions)

    def is_open(self, at: datetime) -> bool:
        if (self.starts_at and at < self.starts_at) or (self.ends_at and at >= self.ends_at):
            return False
        local = at.astimezone(self.tz)
        if self._day_closed(local.date()):
            return False
        now = local.time().replace(tzinfo=None)
        return any(start <= now < end for start, end in self.window.get(local.weekday(), ()))

    def open_until(self, at: datetime) -> datetime | None:
        """When the range open at `at` closes (or the campaign ends); None if closed at `at`."""
        if not self.is_open(at):
            return None
        local = at.astimezone(self.tz)
        now = local.time().replace(tzinfo=None)
        end = next(end for start, end in self.window.get(local.weekday(), ()) if start <= now < end)
        closes = (
            datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=self.tz)
            if end == END_OF_DAY
            else datetime.combine(local.date(), end, tzinfo=self.tz)
        )
        return min(closes, self.ends_at) if self.ends_at else closes

    def next_opening(self, at: datetime) -> datetime | None:
        """`at` itself when open, else the next instant the window opens; None if it never does."""
        at = max(at, self.starts_at) if self.starts_at else at
        if self.ends_at and at >= self.ends_at:
            return None
        if self.is_open(at):
            return at
        local = at.astimezone(self.tz)
        for offset in range(SEARCH_DAYS):
            day = local.date() + timedelta(days=offset)
            if self._day_closed(day):
                continue
            for start, _end in self.window.get(day.weekday(), ()):
                opening = datetime.combine(day, start, tzinfo=self.tz)
                if opening > at:
                    if self.ends_at and opening >= self.ends_at:
                        return None
                    return opening
        return None


def campaign_hours(campaign) -> CallingHours:
    """The campaign's calling hours (window, time zone, holidays, start and end)."""
    return CallingHours(
        window=parse_window(campaign.calling_window),
        tz=parse_time_zone(campaign.time_zone),
        regions=(campaign.holiday_region,) if campaign.holiday_region else (),
        skip_holidays=campaign.skip_holidays,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
    )
