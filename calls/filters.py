from datetime import UTC, datetime, time, timedelta

import django_filters
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from calls.models import Call, Encuesta


def _bounds(name: str, value: str) -> tuple[datetime, datetime | None]:
    """A plain date means that whole local day; a datetime means that instant."""
    try:
        day = parse_date(value) if len(value) == 10 else None
        if day:
            start = timezone.make_aware(datetime.combine(day, time.min))
            return _in_range(start), _in_range(start + timedelta(days=1))
        moment = parse_datetime(value)
        if moment is not None:
            return _in_range(moment if timezone.is_aware(moment) else timezone.make_aware(moment)), None
    except (ValueError, OverflowError):
        # 2024-02-30 and 2024-13-01 are well formed but no date; 0000 and 9999 overflow in UTC.
        pass
    raise ValidationError({name: _("«%(value)s» no es una fecha válida (AAAA-MM-DD).") % {"value": value}})


def _in_range(moment: datetime) -> datetime:
    """The database stores UTC: the instant must exist there, a day either side."""
    (moment - timedelta(days=1)).astimezone(UTC)
    (moment + timedelta(days=1)).astimezone(UTC)
    return moment


class EncuestaFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Encuesta.Status.choices)
    agent = django_filters.NumberFilter(field_name="voice_agent_id")
    date_from = django_filters.CharFilter(method="filter_date_from")
    date_to = django_filters.CharFilter(method="filter_date_to")
    date = django_filters.DateFilter(method="filter_date")
    telefono = django_filters.CharFilter(field_name="telefono", lookup_expr="contains")
    completada = django_filters.BooleanFilter()

    def filter_date_from(self, queryset, name, value):
        start, _end = _bounds(name, value)
        return queryset.filter(fecha__gte=start)

    def filter_date_to(self, queryset, name, value):
        start, end = _bounds(name, value)
        return queryset.filter(fecha__lt=end) if end else queryset.filter(fecha__lte=start)

    def filter_date(self, queryset, name, value):
        start, end = _bounds(name, value.isoformat())
        return queryset.filter(fecha__gte=start, fecha__lt=end)

    class Meta:
        model = Encuesta
        fields = ["status", "agent", "date_from", "date_to", "date", "telefono", "completada"]


class CallFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Call.Status.choices)
    encuesta = django_filters.NumberFilter(field_name="encuesta_id")

    class Meta:
        model = Call
        fields = ["status", "encuesta"]
