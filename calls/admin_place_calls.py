"""The admin's "Llamar…" page: queue calls with one agent to a pasted list of numbers."""

from django import forms
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from agents_app.models import VoiceAgent
from calls.models import Call
from calls.services import calls_request_many


class PlaceCallsForm(forms.Form):
    numbers = forms.CharField(
        label=_("Números"),
        widget=forms.Textarea(attrs={"rows": 10, "cols": 60}),
        help_text=_(
            "Un número por línea. Opcionalmente, el nombre del cliente tras una coma: +34600111222, Ana"
        ),
    )

    def rows(self) -> list[tuple[str, str]]:
        """(phone, customer_name) per non-empty line."""
        rows = []
        for line in self.cleaned_data["numbers"].splitlines():
            phone, _sep, customer_name = line.partition(",")
            if phone.strip():
                rows.append((phone.strip(), customer_name.strip()))
        return rows


def place_calls_view(request: HttpRequest, *, admin_site: AdminSite) -> HttpResponse:
    if not request.user.has_perm("calls.place_call"):
        raise PermissionDenied
    try:
        agent = VoiceAgent.objects.get(pk=int(request.GET.get("agent", "")))
    except (ValueError, VoiceAgent.DoesNotExist) as exc:
        raise Http404(_("Agente no encontrado.")) from exc
    form = PlaceCallsForm(request.POST if request.method == "POST" else None)
    results = []
    if form.is_valid():
        results = calls_request_many(agent=agent, rows=form.rows(), requested_by=request.user)
    context = {
        **admin_site.each_context(request),
        "title": _("Llamar con «%(name)s»") % {"name": agent.name},
        "agent": agent,
        "form": form,
        "results": results,
        "opts": Call._meta,
        "agent_opts": VoiceAgent._meta,
    }
    return render(request, "admin/calls/call/place_calls.html", context)
