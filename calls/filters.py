import django_filters

from calls.models import Call, Encuesta


class EncuestaFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Encuesta.Status.choices)
    agent = django_filters.NumberFilter(field_name="voice_agent_id")
    date_from = django_filters.IsoDateTimeFilter(field_name="fecha", lookup_expr="gte")
    date_to = django_filters.IsoDateTimeFilter(field_name="fecha", lookup_expr="lte")
    date = django_filters.DateFilter(field_name="fecha", lookup_expr="date")
    telefono = django_filters.CharFilter(field_name="telefono", lookup_expr="contains")
    completada = django_filters.BooleanFilter()

    class Meta:
        model = Encuesta
        fields = ["status", "agent", "date_from", "date_to", "date", "telefono", "completada"]


class CallFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Call.Status.choices)
    encuesta = django_filters.NumberFilter(field_name="encuesta_id")

    class Meta:
        model = Call
        fields = ["status", "encuesta"]
