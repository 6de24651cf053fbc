"""Writes on surveys and calls, one module per behaviour, re-exported here."""

from calls.services.dialing import (
    SIP_STATUS_OUTCOMES,
    CallRequestResult,
    DialOutcome,
    call_dial,
    call_enqueue_dial,
    call_request,
    call_retry,
    calls_request_many,
    phone_check_dialable,
)
from calls.services.encuestas import (
    EncuestaClosed,
    encuesta_append_transcript,
    encuesta_create,
    encuesta_finish,
    encuesta_save,
    encuesta_transition,
)
from calls.services.events import call_handle_webhook
from calls.services.hangup import call_end_room, call_hangup
from calls.services.lifecycle import call_transition
from calls.services.opt_outs import OptOutSource, opt_out_record
from calls.services.reconcile import calls_reconcile
from calls.services.voice import (
    CallOutcome,
    CallUsage,
    call_mark_answered,
    survey_call_close,
    survey_call_failed,
    survey_opt_out_now,
    survey_record_amd,
    survey_record_summary,
    survey_request_callback,
)

__all__ = [
    "SIP_STATUS_OUTCOMES",
    "CallOutcome",
    "CallRequestResult",
    "CallUsage",
    "DialOutcome",
    "EncuestaClosed",
    "OptOutSource",
    "call_dial",
    "call_end_room",
    "call_enqueue_dial",
    "call_handle_webhook",
    "call_hangup",
    "call_mark_answered",
    "call_request",
    "call_retry",
    "call_transition",
    "calls_reconcile",
    "calls_request_many",
    "encuesta_append_transcript",
    "encuesta_create",
    "encuesta_finish",
    "encuesta_save",
    "encuesta_transition",
    "opt_out_record",
    "phone_check_dialable",
    "survey_call_close",
    "survey_call_failed",
    "survey_opt_out_now",
    "survey_record_amd",
    "survey_record_summary",
    "survey_request_callback",
]
