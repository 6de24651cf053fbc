"""What the voice worker writes, named by what happened on the call.

The worker never names statuses nor drives transitions itself: each function here is one event of
a call ("the callee answered", "an answering machine picked up", "the call is over") and decides
the statuses it implies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import Call, Encuesta
from calls.services.encuestas import encuesta_finish
from calls.services.lifecycle import call_transition
from calls.services.opt_outs import OptOutSource, opt_out_record


class CallOutcome(StrEnum):
    """How the agent ended a call."""

    FINISHED = "finished"  # the questionnaire ran to its end (completed or incomplete by answers)
    OPT_OUT = "opt_out"  # "no me llamen más": do-not-call list
    CALLBACK = "callback"  # "llámeme más tarde": incomplete, with a callback time
    VOICEMAIL = "voicemail"  # a machine answered: the call is retryable
    NO_RESPONSE = "no_response"  # the line went silent: incomplete
    DROPPED = "dropped"  # the callee hung up or the session failed


@dataclass(frozen=True)
class CallUsage:
    """What one call consumed, stored on its survey."""

    seconds: int = 0
    llm_tokens: int = 0
    llm_model: str = ""
    stt_seconds: float = 0.0
    tts_characters: int = 0
    close_reason: str = ""


def call_mark_answered(*, call_id: int) -> bool:
    """The callee picked up: the call (and its survey) are in progress."""
    return call_transition(call_id=call_id, to=Call.Status.IN_PROGRESS)


def survey_call_failed(*, call_id: int, reason: str) -> bool:
    """The agent could not take the call (no room, no voice): the call failed, and its survey
    follows the call's rule: failed, so retryable, when nobody had answered; incomplete when the
    callee had. Either way a campaign redials it per its retry policy, like a dropped call."""
    return call_transition(call_id=call_id, to=Call.Status.FAILED, failure_reason=reason)


def survey_record_amd(*, encuesta_id: int, category: str) -> None:
    Encuesta.objects.filter(pk=encuesta_id).update(amd_category=category[:32], updated_at=timezone.now())


def survey_opt_out_now(*, encuesta_id: int) -> None:
    """Recorded before the goodbye is spoken: a call dropped now must not lose the refusal."""
    _opt_out(encuesta_id)


def _opt_out(encuesta_id: int) -> None:
    encuesta = Encuesta.objects.select_for_update().get(pk=encuesta_id)
    opt_out_record(phone=encuesta.telefono, source=OptOutSource.VOICE_AGENT, encuesta=encuesta)


@transaction.atomic
def survey_request_callback(*, survey_id: int, when: dt.datetime) -> Encuesta:
    """The customer asked to be called later: store when (aware), for the campaign's dialer."""
    if timezone.is_naive(when):
        raise ValidationError({"callback_at": _("La hora de la rellamada necesita zona horaria.")})
    if when <= timezone.now():
        raise ValidationError({"callback_at": _("La hora de la rellamada ya ha pasado.")})
    encuesta = Encuesta.objects.select_for_update().get(pk=survey_id)
    encuesta.callback_at = when
    encuesta.flags = {**encuesta.flags, "callback_requested": True}
    encuesta.save(update_fields=["callback_at", "flags", "updated_at"])
    return encuesta


def _store_usage(encuesta_id: int, usage: CallUsage) -> None:
    Encuesta.objects.filter(pk=encuesta_id).update(
        seconds_used=max(0, usage.seconds),
        tokens_used=max(0, usage.llm_tokens),
        stt_seconds=round(max(0.0, usage.stt_seconds), 2),
        tts_characters=max(0, usage.tts_characters),
        close_reason=usage.close_reason[:64],
        updated_at=timezone.now(),
        **({"llm_model": usage.llm_model} if usage.llm_model else {}),
    )


@transaction.atomic
def survey_call_close(
    *, encuesta_id: int, call_id: int | None, outcome: CallOutcome, usage: CallUsage
) -> str:
    """Close a survey and its call in one transaction; returns the survey's status.

    Repeating it is harmless: every status change is conditional on the current status.
    """
    _store_usage(encuesta_id, usage)
    if outcome == CallOutcome.VOICEMAIL:
        if call_id is not None:
            # the call's own rule moves the survey to failed, so the dialer may retry it
            call_transition(call_id=call_id, to=Call.Status.VOICEMAIL)
    else:
        if outcome == CallOutcome.OPT_OUT:
            _opt_out(encuesta_id)
        else:
            encuesta_finish(encuesta_id=encuesta_id)
        if call_id is not None:
            call_transition(call_id=call_id, to=Call.Status.COMPLETED)
    return Encuesta.objects.values_list("status", flat=True).get(pk=encuesta_id)


def survey_record_summary(
    *, encuesta_id: int, summary: str, flags: dict[str, object], tokens: int = 0
) -> None:
    """The after-call summary: a short text and flags, merged into what the call already set.

    ``tokens`` is what the summary request itself cost; it is added to the call's tokens.
    """
    with transaction.atomic():
        encuesta = Encuesta.objects.select_for_update().get(pk=encuesta_id)
        encuesta.summary = summary.strip()[:2000]
        encuesta.flags = {**encuesta.flags, **flags}
        encuesta.tokens_used = (encuesta.tokens_used or 0) + max(0, tokens)
        encuesta.save(update_fields=["summary", "flags", "tokens_used", "updated_at"])
