from datetime import datetime, time, timedelta

import django_filters
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from calls.models import Call, Encuesta


def _bounds(name: str, value: str) -> tuple[datetime, datetime | None]:
    """A plain date means that whole local day; a datetime means that instant."""
    day = parse_date(value) if len(value) == 10 else None
    if day:
        start = timezone.make_aware(datetime.combine(day, time.min))
        return start, start + timedelta(days=1)
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError(
            {name: _("«%(value)s» no es una fecha válida (AAAA-MM-DD).") % {"value": value}}
        )
    return (moment if timezone.is_aware(moment) else timezone.make_aware(moment)), None


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
        start = timezone.make_aware(datetime.combine(value, time.min))
        return queryset.filter(fecha__gte=start, fecha__lt=start + timedelta(days=1))

    class Meta:
        model = Encuesta
        fields = ["status", "agent", "date_from", "date_to", "date", "telefono", "completada"]


class CallFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Call.Status.choices)
    encuesta = django_filters.NumberFilter(field_name="encuesta_id")

    class Meta:
        model = Call
        fields = ["status", "encuesta"]
