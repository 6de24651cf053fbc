"""Writes on surveys and calls: answers, transcript, call lifecycle, dialing and hang-up."""

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from livekit import api

from agents_app.models import VoiceAgent
from calls.answers import LEGACY_COLUMNS, Question, parse_answer, questionnaire_for
from calls.models import Call, DoNotCallEntry, Encuesta, WebhookEvent
from calls.services.webhooks import (
    ENCUESTA_STATUS_EVENTS,
    call_ended_payload,
    encuesta_payload,
    webhook_emit,
)
from telephony import livekit
from telephony.exceptions import TelephonyNotConfigured
from telephony.models import TelephonyConfig
from telephony.phones import dialable_phone, normalize_phone
from telephony.selectors import telephony_config_get_default

logger = logging.getLogger(__name__)

Status = Encuesta.Status


# How far along a survey is. A save never moves it back (a retry does, explicitly).
ENCUESTA_PROGRESS = {
    Status.PENDING: 0,
    Status.INITIATED: 1,
    Status.IN_PROGRESS: 2,
    Status.INCOMPLETE: 3,
    Status.FAILED: 3,
    Status.COMPLETED: 4,
    Status.REJECTED_OPT_OUT: 4,
}


def _questionnaire(encuesta: Encuesta) -> dict[str, Question]:
    questions = encuesta.voice_agent.questions.all() if encuesta.voice_agent_id else ()
    return {q.key: q for q in questionnaire_for(questions)}


def encuesta_create(
    *,
    telefono: str,
    voice_agent: VoiceAgent | None = None,
    nombre_cliente: str = "",
    status: str = Status.PENDING,
) -> Encuesta:
    return Encuesta.objects.create(
        telefono=normalize_phone(telefono),
        voice_agent=voice_agent,
        nombre_cliente=nombre_cliente,
        status=status,
        llm_model=voice_agent.llm_model if voice_agent else "",
    )


@transaction.atomic
def encuesta_save(
    *,
    encuesta_id: int,
    answers: Mapping[str, Any] | None = None,
    status: str | None = None,
    transcription: str | None = None,
    seconds_used: int | None = None,
    tokens_used: int | None = None,
    llm_model: str | None = None,
) -> Encuesta:
    """Write only what was sent. Everything is validated before anything is written.

    A completed or opted-out survey keeps its status whatever a later save says.
    """
    encuesta = Encuesta.objects.select_for_update().select_related("voice_agent").get(pk=encuesta_id)
    questionnaire = _questionnaire(encuesta)
    errors: dict[str, list[str]] = {}
    parsed: dict[str, Any] = {}
    for key, value in (answers or {}).items():
        question = questionnaire.get(key)
        if question is None:
            errors[key] = [_("«%(key)s» no es una pregunta de esta encuesta.") % {"key": key}]
            continue
        try:
            parsed[key] = parse_answer(question, value)
        except ValidationError as exc:
            errors[key] = exc.messages
    if status is not None and status not in Status.values:
        errors["status"] = [
            _("«%(status)s» no es un estado válido. Valores posibles: %(values)s.")
            % {"status": status, "values": ", ".join(Status.values)}
        ]
    if errors:
        raise ValidationError(errors)

    update_fields = {"updated_at"}
    if parsed:
        encuesta.respuestas = {**encuesta.respuestas, **parsed}
        update_fields.add("respuestas")
        for key, value in parsed.items():
            if key in LEGACY_COLUMNS:
                setattr(encuesta, LEGACY_COLUMNS[key], value)
                update_fields.add(LEGACY_COLUMNS[key])
    for field, value in (
        ("transcription", transcription),
        ("seconds_used", seconds_used),
        ("tokens_used", tokens_used),
        ("llm_model", llm_model),
    ):
        if value is not None:
            setattr(encuesta, field, value)
            update_fields.add(field)
    if (
        status is not None
        and ENCUESTA_PROGRESS[status] >= ENCUESTA_PROGRESS[encuesta.status]
        and (encuesta.status not in Encuesta.FINAL_STATUSES)
    ):
        encuesta.status = status
        encuesta.completada = status == Status.COMPLETED
        update_fields |= {"status", "completada"}
    encuesta.full_clean(exclude=["voice_agent", "telefono"])
    encuesta.save(update_fields=update_fields)
    if "status" in update_fields and encuesta.status in ENCUESTA_STATUS_EVENTS:
        webhook_emit(ENCUESTA_STATUS_EVENTS[encuesta.status], encuesta_payload(encuesta))
    return encuesta


def encuesta_append_transcript(*, encuesta_id: int, speaker: str, text: str) -> None:
    """Append one final turn in a single UPDATE, so a dropped call keeps every turn so far."""
    line = f"{speaker}: {text.strip()}\n"
    Encuesta.objects.filter(pk=encuesta_id).update(
        transcription=Concat(F("transcription"), Value(line)), updated_at=timezone.now()
    )


def encuesta_transition(*, encuesta_id: int, to: str, from_statuses: frozenset[str] | set[str]) -> bool:
    """Conditional status change; False when the survey was no longer in an expected status."""
    return bool(
        Encuesta.objects.filter(pk=encuesta_id, status__in=from_statuses).update(
            status=to, completada=to == Status.COMPLETED, updated_at=timezone.now()
        )
    )


@transaction.atomic
def encuesta_finish(
    *,
    encuesta_id: int,
    seconds_used: int | None = None,
    tokens_used: int | None = None,
    llm_model: str | None = None,
) -> Encuesta:
    """Close the survey: completed when every required question has an answer, else incomplete."""
    encuesta = Encuesta.objects.select_for_update().select_related("voice_agent").get(pk=encuesta_id)
    required = [q.key for q in _questionnaire(encuesta).values() if q.required]
    answered = all(encuesta.respuestas.get(key) not in (None, "") for key in required)
    status = Status.COMPLETED if answered else Status.INCOMPLETE
    return encuesta_save(
        encuesta_id=encuesta_id,
        status=status,
        seconds_used=seconds_used,
        tokens_used=tokens_used,
        llm_model=llm_model,
    )


@transaction.atomic
def encuesta_opt_out(*, encuesta_id: int, reason: str = "") -> Encuesta:
    """The customer does not want to take part: close the survey and never call the number again."""
    encuesta = encuesta_save(encuesta_id=encuesta_id, status=Status.REJECTED_OPT_OUT)
    do_not_call_add(phone=encuesta.telefono, reason=reason or _("No desea participar"), encuesta=encuesta)
    return encuesta


def do_not_call_add(*, phone: str, reason: str = "", encuesta: Encuesta | None = None) -> DoNotCallEntry:
    entry, _created = DoNotCallEntry.objects.get_or_create(
        phone=normalize_phone(phone), defaults={"reason": reason, "encuesta": encuesta}
    )
    return entry


# --- Call lifecycle ---------------------------------------------------------------------------

CallStatus = Call.Status
# Which statuses each status may be reached from. Anything else is a late or repeated event.
CALL_TRANSITIONS: dict[str, frozenset[str]] = {
    CallStatus.DIALING: frozenset({CallStatus.QUEUED}),
    CallStatus.RINGING: frozenset({CallStatus.DIALING}),
    CallStatus.IN_PROGRESS: frozenset({CallStatus.DIALING, CallStatus.RINGING}),
    CallStatus.COMPLETED: frozenset({CallStatus.IN_PROGRESS}),
    CallStatus.VOICEMAIL: frozenset({CallStatus.DIALING, CallStatus.RINGING, CallStatus.IN_PROGRESS}),
    CallStatus.NO_ANSWER: frozenset({CallStatus.DIALING, CallStatus.RINGING}),
    CallStatus.BUSY: frozenset({CallStatus.DIALING, CallStatus.RINGING}),
    CallStatus.REJECTED: frozenset({CallStatus.DIALING, CallStatus.RINGING}),
    CallStatus.FAILED: frozenset(
        {CallStatus.QUEUED, CallStatus.DIALING, CallStatus.RINGING, CallStatus.IN_PROGRESS}
    ),
    CallStatus.CANCELED: frozenset({CallStatus.QUEUED, CallStatus.DIALING, CallStatus.RINGING}),
}
CALL_TERMINAL = frozenset(Call.Status.values) - Call.LIVE_STATUSES
CALL_UNANSWERED = CALL_TERMINAL - {CallStatus.COMPLETED}


def call_transition(*, call_id: int, to: str, at=None, **fields: Any) -> bool:
    """Move a call to `to` only from a status that may precede it; False if it was not there.

    Timestamps and the duration follow from the target status.
    """
    at = at or timezone.now()
    changes: dict[str, Any] = {"status": to, **fields}
    if to == CallStatus.DIALING:
        changes.setdefault("dialing_at", at)
    elif to == CallStatus.IN_PROGRESS:
        changes.setdefault("answered_at", at)
    elif to in CALL_TERMINAL:
        changes.setdefault("ended_at", at)
    with transaction.atomic():
        moved = Call.objects.filter(pk=call_id, status__in=CALL_TRANSITIONS[to]).update(**changes)
        if moved and to in CALL_TERMINAL:
            call = Call.objects.select_related("encuesta").get(pk=call_id)
            if call.answered_at:
                seconds = max(0, int((call.ended_at - call.answered_at).total_seconds()))
                Call.objects.filter(pk=call_id).update(duration_seconds=seconds)
                call.duration_seconds = seconds
            _encuesta_follow_call(call, to)
            webhook_emit(WebhookEvent.CALL_ENDED, call_ended_payload(call))
        elif moved and to == CallStatus.IN_PROGRESS:
            call = Call.objects.only("encuesta_id").get(pk=call_id)
            encuesta_transition(
                encuesta_id=call.encuesta_id,
                to=Status.IN_PROGRESS,
                from_statuses={Status.PENDING, Status.INITIATED},
            )
    return bool(moved)


def _encuesta_follow_call(call: Call, to: str) -> None:
    """A call that ended leaves its survey failed (never reached) or incomplete (reached, unfinished)."""
    if to == CallStatus.VOICEMAIL or (to in CALL_UNANSWERED and not call.answered_at):
        encuesta_transition(
            encuesta_id=call.encuesta_id,
            to=Status.FAILED,
            from_statuses={Status.PENDING, Status.INITIATED, Status.IN_PROGRESS},
        )
    else:
        encuesta_transition(
            encuesta_id=call.encuesta_id,
            to=Status.INCOMPLETE,
            from_statuses={Status.PENDING, Status.INITIATED, Status.IN_PROGRESS},
        )


# --- Placing calls ----------------------------------------------------------------------------

SIP_STATUS_OUTCOMES: dict[int, tuple[str, str]] = {
    486: (CallStatus.BUSY, "ocupado"),
    600: (CallStatus.BUSY, "ocupado"),
    480: (CallStatus.NO_ANSWER, "sin respuesta"),
    408: (CallStatus.NO_ANSWER, "sin respuesta"),
    487: (CallStatus.NO_ANSWER, "sin respuesta"),
    603: (CallStatus.REJECTED, "rechazada por el destinatario"),
    404: (CallStatus.FAILED, "número inválido"),
    484: (CallStatus.FAILED, "número inválido"),
    410: (CallStatus.FAILED, "número inválido"),
    604: (CallStatus.FAILED, "número inválido"),
}


@dataclass(frozen=True)
class TelephonyRoute:
    config: TelephonyConfig
    trunk_id: str
    from_number: str


def telephony_route() -> TelephonyRoute:
    """Where calls go out: the default config, its trunk (or SIP_OUTBOUND_TRUNK_ID), LiveKit."""
    livekit.ensure_configured()
    config = telephony_config_get_default()
    if config is None:
        raise TelephonyNotConfigured(
            _("No hay configuración de telefonía por defecto: créela en el admin o en /api/telephony/config.")
        )
    trunk_id = config.sip_trunk_id or settings.SIP_OUTBOUND_TRUNK_ID
    if not trunk_id:
        raise TelephonyNotConfigured(
            _("La configuración «%(name)s» no tiene trunk SIP saliente y SIP_OUTBOUND_TRUNK_ID está vacío.")
            % {"name": config.name}
        )
    return TelephonyRoute(config=config, trunk_id=trunk_id, from_number=config.from_number)


def phone_check_dialable(*, phone: str) -> str:
    """Normalise the number and apply every rule that can refuse it. Returns it in E.164."""
    e164 = dialable_phone(phone)
    if DoNotCallEntry.objects.filter(phone=e164).exists():
        raise ValidationError(
            _("%(number)s está en la lista de no llamar."), code="do_not_call", params={"number": e164}
        )
    return e164


def _enqueue_dial(call: Call) -> None:
    """Queue the next dial attempt once the transaction commits."""
    from calls.tasks import place_call

    transaction.on_commit(lambda: place_call.delay(call.pk, call.dial_attempts), robust=True)


def _new_call(*, encuesta: Encuesta, route: TelephonyRoute, attempt: int, **fields: Any) -> Call:
    room = f"encuesta_{encuesta.pk}" if attempt == 1 else f"encuesta_{encuesta.pk}_intento_{attempt}"
    call = Call.objects.create(
        encuesta=encuesta,
        attempt=attempt,
        room_name=room,
        telephony_config=route.config,
        to_number=encuesta.telefono,
        from_number=route.from_number,
        sip_trunk_id=route.trunk_id,
        **fields,
    )
    _enqueue_dial(call)
    return call


def call_request(
    *,
    agent: VoiceAgent,
    phone: str,
    customer_name: str = "",
    requested_by: Any = None,
    idempotency_key: str | None = None,
) -> Call:
    """Validate, create the Encuesta and its first Call together, and queue the dial on commit.

    The same idempotency key from the same user returns the first call instead of a new one.
    """
    user = requested_by if getattr(requested_by, "pk", None) else None
    if idempotency_key:
        previous = Call.objects.filter(requested_by=user, idempotency_key=idempotency_key).first()
        if previous:
            return previous
    if not agent.is_active:
        raise ValidationError(_("El agente «%(name)s» está desactivado.") % {"name": agent.name})
    e164 = phone_check_dialable(phone=phone)
    route = telephony_route()
    try:
        with transaction.atomic():
            encuesta = encuesta_create(
                telefono=e164, voice_agent=agent, nombre_cliente=customer_name, status=Status.INITIATED
            )
            return _new_call(
                encuesta=encuesta,
                route=route,
                attempt=1,
                requested_by=user,
                idempotency_key=idempotency_key or None,
            )
    except IntegrityError:
        if idempotency_key:
            return Call.objects.get(requested_by=user, idempotency_key=idempotency_key)
        raise


@transaction.atomic
def call_retry(*, encuesta: Encuesta, requested_by: Any = None) -> Call:
    """Dial the survey again as a new attempt, unless it is finished or already on the phone."""
    encuesta = Encuesta.objects.select_for_update().get(pk=encuesta.pk)
    if encuesta.status in Encuesta.FINAL_STATUSES:
        raise ValidationError(
            _("La encuesta %(id)s ya está cerrada (%(status)s).")
            % {"id": encuesta.pk, "status": encuesta.get_status_display()}
        )
    if encuesta.voice_agent is None or not encuesta.voice_agent.is_active:
        raise ValidationError(
            _("La encuesta %(id)s no tiene un agente activo que pueda llamar.") % {"id": encuesta.pk}
        )
    if encuesta.calls.filter(status__in=Call.LIVE_STATUSES).exists():
        raise ValidationError(_("La encuesta %(id)s ya tiene una llamada en curso.") % {"id": encuesta.pk})
    phone_check_dialable(phone=encuesta.telefono)
    route = telephony_route()
    attempt = (encuesta.calls.aggregate(last=Max("attempt"))["last"] or 0) + 1
    encuesta_transition(
        encuesta_id=encuesta.pk,
        to=Status.INITIATED,
        from_statuses={Status.PENDING, Status.FAILED, Status.INCOMPLETE},
    )
    user = requested_by if getattr(requested_by, "pk", None) else None
    return _new_call(encuesta=encuesta, route=route, attempt=attempt, requested_by=user)


@dataclass(frozen=True)
class DialOutcome:
    status: str
    retry_in: float | None = None
    next_attempt: int = 0


def _dispatch_metadata(call: Call) -> str:
    return json.dumps(
        {
            "encuesta_id": call.encuesta_id,
            "call_id": call.pk,
            "voice_agent_id": call.encuesta.voice_agent_id,
            "nombre_cliente": call.encuesta.nombre_cliente,
            "telefono": call.to_number,
        }
    )


def _claim_for_dialing(call_id: int, attempt: int) -> Call | DialOutcome:
    """Take the call for this dial attempt, honouring the trunk's concurrency limit."""
    with transaction.atomic():
        call = Call.objects.select_for_update().select_related("encuesta__voice_agent").get(pk=call_id)
        if call.status not in (CallStatus.QUEUED, CallStatus.DIALING) or call.dial_attempts != attempt:
            return DialOutcome(status=call.status)
        if call.hangup_requested_at:
            call_transition(
                call_id=call.pk, to=CallStatus.CANCELED, failure_reason=_("Colgada antes de marcar")
            )
            return DialOutcome(status=CallStatus.CANCELED)
        if call.status == CallStatus.QUEUED and call.telephony_config_id:
            config = TelephonyConfig.objects.select_for_update().get(pk=call.telephony_config_id)
            active = Call.objects.filter(telephony_config=config, status__in=Call.ACTIVE_STATUSES).count()
            if active >= config.max_concurrent_calls:
                Call.objects.filter(pk=call.pk).update(enqueued_at=timezone.now())
                return DialOutcome(
                    status=call.status, retry_in=settings.CALL_CONCURRENCY_RETRY_SECONDS, next_attempt=attempt
                )
        now = timezone.now()
        Call.objects.filter(pk=call.pk).update(
            status=CallStatus.DIALING, dial_attempts=attempt + 1, dialing_at=call.dialing_at or now
        )
        call.status, call.dial_attempts = CallStatus.DIALING, attempt + 1
    return call


def call_dial(*, call_id: int, attempt: int = 0) -> DialOutcome:
    """Place the call through LiveKit: room, agent dispatch and SIP participant.

    `attempt` is how many dial attempts the caller believes were made; a redelivered task whose
    attempt was already taken does nothing, so a number is never dialed twice for one Call.
    """
    claimed = _claim_for_dialing(call_id, attempt)
    if isinstance(claimed, DialOutcome):
        return claimed
    call = claimed
    agent = call.encuesta.voice_agent
    metadata = _dispatch_metadata(call)
    request = livekit.DialRequest(
        room_name=call.room_name,
        room_metadata=metadata,
        agent_name=agent.dispatch_name if agent else settings.LIVEKIT_AGENT_NAME,
        dispatch_metadata=metadata,
        trunk_id=call.sip_trunk_id,
        call_to=call.to_number,
        from_number=call.from_number,
        participant_identity=call.sip_identity,
        participant_name=call.encuesta.nombre_cliente or _("Cliente"),
        participant_metadata=json.dumps({"encuesta_id": call.encuesta_id, "call_id": call.pk}),
        ringing_timeout=settings.CALL_RINGING_TIMEOUT,
        max_call_duration=settings.CALL_MAX_DURATION,
        empty_timeout=settings.CALL_ROOM_EMPTY_TIMEOUT,
        resume=attempt > 0,
    )
    try:
        result = livekit.run(livekit.get_backend().dial(request))
    except api.SipCallError as exc:
        code = exc.sip_status_code or 0
        to, reason = SIP_STATUS_OUTCOMES.get(code, (CallStatus.FAILED, exc.sip_status or exc.message))
        call_transition(
            call_id=call.pk,
            to=to,
            sip_status_code=code or None,
            sip_status=(exc.sip_status or "")[:200],
            failure_reason=f"SIP {code}: {reason}",
        )
        return DialOutcome(status=to)
    except TelephonyNotConfigured as exc:
        call_transition(call_id=call.pk, to=CallStatus.FAILED, failure_reason=str(exc))
        return DialOutcome(status=CallStatus.FAILED)
    except Exception as exc:
        if not livekit.is_retryable(exc) and not isinstance(exc, api.ServerError):
            raise
        reason = f"LiveKit: {exc.__class__.__name__}: {exc}"
        if livekit.is_retryable(exc) and attempt + 1 < settings.CALL_DIAL_MAX_RETRIES:
            logger.warning("Dial of call %s failed (%s); retrying", call.pk, reason)
            Call.objects.filter(pk=call.pk).update(failure_reason=reason)
            return DialOutcome(
                status=CallStatus.DIALING,
                retry_in=settings.CALL_DIAL_RETRY_BACKOFF * 2**attempt,
                next_attempt=attempt + 1,
            )
        logger.error("Dial of call %s failed for good: %s", call.pk, reason)
        call_transition(call_id=call.pk, to=CallStatus.FAILED, failure_reason=reason)
        # The callee may have answered before the failure (e.g. no agent could be dispatched).
        _delete_room_quietly(call.room_name)
        return DialOutcome(status=CallStatus.FAILED)
    Call.objects.filter(pk=call.pk).update(
        dispatch_id=result.dispatch_id,
        sip_participant_id=result.sip_participant_id,
        sip_call_id=result.sip_call_id,
        failure_reason="",
    )
    call_transition(call_id=call.pk, to=CallStatus.IN_PROGRESS)
    status = Call.objects.values_list("status", flat=True).get(pk=call.pk)
    if status == CallStatus.CANCELED:
        # Hung up while the phone was ringing: make sure nobody is left on the line.
        _delete_room_quietly(call.room_name)
    return DialOutcome(status=status)


def _delete_room_quietly(room_name: str) -> None:
    try:
        livekit.run(livekit.get_backend().delete_room(room_name))
    except Exception:
        logger.exception("Could not delete room %s; LiveKit's empty timeout will close it", room_name)


# --- Ending calls -----------------------------------------------------------------------------


def call_hangup(*, call: Call, delay: float = 0.0) -> Call:
    """End a call. Queued calls are canceled at once; live ones get their room deleted.

    The deletion is scheduled (never slept for in a request), `delay` seconds from now.
    """
    with transaction.atomic():
        # The row lock orders this against the dial claim: a hang-up either cancels the call
        # before it is dialed, or is seen by the dialer.
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.status == CallStatus.QUEUED and call_transition(
            call_id=call.pk, to=CallStatus.CANCELED, failure_reason=_("Colgada antes de marcar")
        ):
            call.refresh_from_db()
            return call
    if call.status not in Call.LIVE_STATUSES:
        raise ValidationError(
            _("La llamada %(room)s ya ha terminado (%(status)s).")
            % {"room": call.room_name, "status": call.get_status_display()}
        )
    from calls.tasks import end_call

    Call.objects.filter(pk=call.pk, hangup_requested_at__isnull=True).update(
        hangup_requested_at=timezone.now()
    )
    transaction.on_commit(lambda: end_call.apply_async((call.pk,), countdown=delay or None), robust=True)
    call.refresh_from_db()
    return call


def call_end_room(*, call_id: int) -> bool:
    """Delete the call's room in LiveKit (hanging up) and record how the call ended."""
    call = Call.objects.get(pk=call_id)
    livekit.run(livekit.get_backend().delete_room(call.room_name))
    if call_transition(call_id=call_id, to=CallStatus.COMPLETED):
        return True
    return call_transition(
        call_id=call_id, to=CallStatus.CANCELED, failure_reason=_("Colgada antes de contestar")
    )


# --- Knowing what happened: webhooks and reconciliation ---------------------------------------


def _event_time(event: api.WebhookEvent):
    if event.created_at:
        return datetime.fromtimestamp(event.created_at, tz=UTC)
    return timezone.now()


def call_handle_webhook(*, event: api.WebhookEvent) -> bool:
    """Move the call of the event's room through its lifecycle. False if nothing changed."""
    room_name = event.room.name
    call = Call.objects.filter(room_name=room_name).only("pk", "status", "hangup_requested_at").first()
    if call is None or not room_name:
        return False
    at = _event_time(event)
    participant = event.participant
    is_sip = participant.kind == api.ParticipantInfo.Kind.SIP or participant.identity == call.sip_identity
    if event.event in ("participant_joined", "participant_attributes_changed") and is_sip:
        sip_status = participant.attributes.get("sip.callStatus", "")
        fields = {}
        if participant.attributes.get("sip.callID"):
            fields["sip_call_id"] = participant.attributes["sip.callID"]
        if participant.sid:
            fields["sip_participant_id"] = participant.sid
        if sip_status == "active":
            return call_transition(call_id=call.pk, to=CallStatus.IN_PROGRESS, at=at, **fields)
        if sip_status in ("dialing", "ringing"):
            return call_transition(call_id=call.pk, to=CallStatus.RINGING, at=at, **fields)
        return False
    if event.event == "participant_left" and is_sip:
        return call_transition(call_id=call.pk, to=CallStatus.COMPLETED, at=at)
    if event.event == "room_finished":
        if call_transition(call_id=call.pk, to=CallStatus.COMPLETED, at=at):
            return True
        if call.hangup_requested_at:
            return call_transition(
                call_id=call.pk, to=CallStatus.CANCELED, at=at, failure_reason=_("Colgada antes de contestar")
            )
    return False


def calls_reconcile() -> dict[str, int]:
    """End calls LiveKit no longer knows about, and requeue dials whose task was lost."""
    cutoff = timezone.now() - settings.CALL_RECONCILE_GRACE
    stuck = list(
        Call.objects.filter(status__in=Call.ACTIVE_STATUSES, dialing_at__lt=cutoff).values_list(
            "pk", "room_name"
        )
    )
    ended = 0
    if stuck:
        rooms = livekit.run(livekit.get_backend().list_rooms())
        for call_id, room_name in stuck:
            if room_name in rooms:
                continue
            reason = _("La sala ya no existe en LiveKit (reconciliación)")
            ended += call_transition(call_id=call_id, to=CallStatus.COMPLETED) or call_transition(
                call_id=call_id, to=CallStatus.FAILED, failure_reason=reason
            )
    requeued = 0
    for call in Call.objects.filter(status=CallStatus.QUEUED, enqueued_at__lt=cutoff):
        if Call.objects.filter(pk=call.pk, enqueued_at=call.enqueued_at).update(enqueued_at=timezone.now()):
            _enqueue_dial(call)
            requeued += 1
    return {"ended": ended, "requeued": requeued}
