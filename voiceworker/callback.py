"""When to call back: the date and time a customer asked for, read in Spanish, in a time zone.

The model is told today's date and passes ``fecha`` and ``hora``; it usually sends ISO values
but may echo the customer's words ("mañana", "el lunes", "a las cinco de la tarde"). Both are
read here, so a bad value comes back to the model as a question instead of a wrong callback.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from voiceworker.prompts import WEEKDAYS

NUMBERS = {
    "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12,
}  # fmt: skip
AFTERNOON = ("tarde", "noche")
MAX_DAYS_AHEAD = 60


class CallbackTimeError(ValueError):
    pass


def _strip_accents(text: str) -> str:
    return text.translate(str.maketrans("áéíóúüñ", "aeiouun"))


def parse_day(text: str, *, today: date) -> date:
    value = _strip_accents(text.strip().lower())
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date.fromisoformat(value)
    if match := re.fullmatch(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}))?", value):
        day, month, year = int(match[1]), int(match[2]), int(match[3] or today.year)
        return date(year, month, day)
    if "pasado manana" in value:
        return today + timedelta(days=2)
    if "manana" in value:
        return today + timedelta(days=1)
    if "hoy" in value or "esta tarde" in value or "esta noche" in value:
        return today
    for index, name in enumerate(WEEKDAYS):
        if _strip_accents(name) in value:
            ahead = (index - today.weekday()) % 7 or 7
            return today + timedelta(days=ahead)
    raise CallbackTimeError(_("No entiendo la fecha «%(text)s»; usa AAAA-MM-DD.") % {"text": text})


def parse_hour(text: str) -> time:
    value = _strip_accents(text.strip().lower())
    if match := re.search(r"(\d{1,2})(?:[:h.](\d{2}))?", value):
        hour, minute = int(match[1]), int(match[2] or 0)
    else:
        words = [NUMBERS[w] for w in re.findall(r"[a-z]+", value) if w in NUMBERS]
        if not words:
            raise CallbackTimeError(_("No entiendo la hora «%(text)s»; usa HH:MM.") % {"text": text})
        hour, minute = words[0], 30 if "media" in value else 0
    if hour < 12 and any(word in value for word in AFTERNOON):
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise CallbackTimeError(_("La hora «%(text)s» no existe.") % {"text": text})
    return time(hour, minute)


def parse_callback(fecha: str, hora: str, *, now: datetime, time_zone: str) -> datetime:
    """An aware datetime in ``time_zone``; CallbackTimeError saying what to ask again."""
    zone = ZoneInfo(time_zone)
    local_now = now.astimezone(zone)
    try:
        when = datetime.combine(parse_day(fecha, today=local_now.date()), parse_hour(hora), tzinfo=zone)
    except ValueError as exc:
        if isinstance(exc, CallbackTimeError):
            raise
        raise CallbackTimeError(_("La fecha «%(text)s» no existe.") % {"text": fecha}) from exc
    if when <= local_now:
        raise CallbackTimeError(_("Esa hora ya ha pasado; pregunta otra."))
    if when - local_now > timedelta(days=MAX_DAYS_AHEAD):
        raise CallbackTimeError(_("Es demasiado lejos; pregunta una fecha en los próximos dos meses."))
    return when
