"""The admin's "Llamar…" page: queue calls with one agent to a pasted list of numbers.

A POST that queued calls redirects back to the empty form with the outcome as messages, so
refreshing the page or pressing back never dials the numbers again.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from agents_app.models import VoiceAgent
from calls.models import Call
from calls.services import CallRequestResult, calls_request_many
from calls.services.dialing import OpenContactError


class PlaceCallsForm(forms.Form):
    numbers = forms.CharField(
        label=gettext_lazy("Números"),
        widget=forms.Textarea(attrs={"rows": 10, "cols": 60}),
        help_text=gettext_lazy(
            "Un número por línea. Opcionalmente, el nombre del cliente tras una coma: +34600111222, Ana"
        ),
    )
    allow_open = forms.BooleanField(
        label=gettext_lazy("Llamar igualmente"),
        required=False,
        help_text=gettext_lazy(
            "Llamar también a los números que ya tienen una encuesta o una llamada abierta."
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


class SeeOtherRedirect(HttpResponseRedirect):
    status_code = 303


def _report(request: HttpRequest, results: list[CallRequestResult]) -> None:
    queued = [r.phone for r in results if r.call]
    if queued:
        messages.success(
            request,
            ngettext(
                "%(count)d llamada en cola: %(numbers)s.",
                "%(count)d llamadas en cola: %(numbers)s.",
                len(queued),
            )
            % {"count": len(queued), "numbers": ", ".join(queued)},
        )
    for r in results:
        if r.error:
            messages.error(request, _("%(number)s: %(error)s") % {"number": r.phone, "error": r.error})
    duplicates = [r.phone for r in results if r.duplicate]
    if duplicates:
        messages.warning(
            request,
            _("Números repetidos en la lista, marcados una sola vez: %(numbers)s.")
            % {"numbers": ", ".join(duplicates)},
        )


def place_calls_view(request: HttpRequest, *, admin_site: AdminSite) -> HttpResponse:
    if not request.user.has_perm("calls.place_call"):
        raise PermissionDenied
    try:
        agent = VoiceAgent.objects.get(pk=int(request.GET.get("agent", "")))
    except (ValueError, VoiceAgent.DoesNotExist) as exc:
        raise Http404(_("Agente no encontrado.")) from exc
    form = PlaceCallsForm(request.POST if request.method == "POST" else None)
    ask_confirmation = False
    if form.is_valid():
        try:
            results = calls_request_many(
                agent=agent,
                rows=form.rows(),
                requested_by=request.user,
                allow_open=form.cleaned_data["allow_open"],
            )
        except OpenContactError as exc:
            form.add_error(None, exc)
            ask_confirmation = True
        else:
            _report(request, results)
            return SeeOtherRedirect(request.get_full_path())
    context = {
        **admin_site.each_context(request),
        "title": _("Llamar con «%(name)s»") % {"name": agent.name},
        "agent": agent,
        "form": form,
        "ask_confirmation": ask_confirmation,
        "opts": Call._meta,
        "agent_opts": VoiceAgent._meta,
    }
    return render(request, "admin/calls/call/place_calls.html", context)
