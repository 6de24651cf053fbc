"""Opt-outs: whoever reports one (voice agent, bridge, staff), the number is never called again."""

from django.db import transaction
from django.utils.translation import gettext_lazy

from calls.models import DoNotCallEntry, Encuesta
from telephony.phones import normalize_phone


class OptOutSource:
    """Who reported the opt-out; stored in the do-not-call entry's reason."""

    VOICE_AGENT = "voice_agent"
    BRIDGE = "bridge"
    STAFF = "staff"


DEFAULT_REASONS = {
    OptOutSource.VOICE_AGENT: gettext_lazy("Pidió que no le llamen más"),
    OptOutSource.BRIDGE: gettext_lazy("No desea participar (informado por el agente)"),
    OptOutSource.STAFF: gettext_lazy("Registrado a mano en la administración"),
}


@transaction.atomic
def opt_out_record(
    *, phone: str, source: str, reason: str = "", encuesta: Encuesta | None = None
) -> DoNotCallEntry:
    """Put the number on the do-not-call list and close its survey as an opt-out.

    A survey already completed keeps its answers and status; the number is listed all the same.
    Queued calls and campaign leads check the list when they dial, so none of them rings.
    """
    from calls.services.encuestas import encuesta_transition

    entry, _created = DoNotCallEntry.objects.get_or_create(
        phone=normalize_phone(phone),
        defaults={"reason": (reason or str(DEFAULT_REASONS.get(source, "")))[:200], "encuesta": encuesta},
    )
    if encuesta is not None and encuesta.status != Encuesta.Status.REJECTED_OPT_OUT:
        encuesta_transition(encuesta_id=encuesta.pk, to=Encuesta.Status.REJECTED_OPT_OUT)
    return entry
