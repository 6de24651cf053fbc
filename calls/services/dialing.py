"""Placing calls: validate and queue (one or many), retry, and dial through telephony."""

import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agents_app.models import VoiceAgent
from calls.models import Call, DoNotCallEntry, Encuesta
from calls.services.encuestas import encuesta_create, encuesta_transition
from calls.services.idempotency import replay_or_refuse, request_fingerprint
from calls.services.lifecycle import call_transition
from telephony import backends
from telephony.exceptions import SipCallFailed, TelephonyError, TelephonyNotConfigured, TelephonyUnavailable
from telephony.models import TelephonyConfig
from telephony.phones import dialable_phone, normalize_phone
from telephony.selectors import TelephonyRoute, telephony_route

logger = logging.getLogger(__name__)

CallStatus = Call.Status
Requester = AbstractBaseUser | AnonymousUser

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


def phone_check_dialable(*, phone: str) -> str:
    """Normalise the number and apply every rule that can refuse it. Returns it in E.164."""
    e164 = dialable_phone(phone)
    if DoNotCallEntry.objects.filter(phone=e164).exists():
        raise ValidationError(
            _("%(number)s está en la lista de no llamar."), code="do_not_call", params={"number": e164}
        )
    return e164


def _user_or_none(user: Requester | None) -> User | None:
    return user if isinstance(user, User) and user.pk else None


def call_enqueue_dial(*, call: Call) -> None:
    """Queue the next dial attempt once the transaction commits."""
    from calls.tasks import call_dial_task

    transaction.on_commit(lambda: call_dial_task.delay(call.pk, call.dial_attempts), robust=True)


def _new_call(
    *,
    encuesta: Encuesta,
    route: TelephonyRoute,
    attempt: int,
    requested_by: User | None,
    idempotency_key: str | None = None,
    idempotency_fingerprint: str = "",
) -> Call:
    room = f"encuesta_{encuesta.pk}" if attempt == 1 else f"encuesta_{encuesta.pk}_intento_{attempt}"
    call = Call.objects.create(
        encuesta=encuesta,
        attempt=attempt,
        room_name=room,
        telephony_config=route.config,
        to_number=encuesta.telefono,
        from_number=route.from_number,
        sip_trunk_id=route.trunk_id,
        requested_by=requested_by,
        idempotency_key=idempotency_key,
        idempotency_fingerprint=idempotency_fingerprint,
    )
    call_enqueue_dial(call=call)
    return call


def call_request(
    *,
    agent: VoiceAgent,
    phone: str,
    customer_name: str = "",
    requested_by: Requester | None = None,
    idempotency_key: str | None = None,
) -> Call:
    """Validate, create the Encuesta and its first Call together, and queue the dial on commit.

    The same idempotency key from the same user with the same request returns the first call
    instead of a new one; with a different request it raises IdempotencyKeyReused.
    """
    user = _user_or_none(requested_by)
    fingerprint = ""
    if idempotency_key:
        fingerprint = request_fingerprint(
            agent=agent, phone=dialable_phone(phone), customer_name=customer_name
        )
        previous = Call.objects.filter(requested_by=user, idempotency_key=idempotency_key).first()
        if previous:
            return replay_or_refuse(previous, fingerprint)
    if not agent.is_active:
        raise ValidationError(_("El agente «%(name)s» está desactivado.") % {"name": agent.name})
    if problems := agent.configuration_problems():
        # saved before these checks existed (or past them): the worker could never take the call
        raise ValidationError(
            _("El agente «%(name)s» no puede llamar: %(problems)s")
            % {"name": agent.name, "problems": " ".join(m for msgs in problems.values() for m in msgs)}
        )
    phone = phone_check_dialable(phone=phone)
    route = telephony_route()
    try:
        with transaction.atomic():
            encuesta = encuesta_create(
                phone=phone,
                phone_is_e164=True,
                voice_agent=agent,
                customer_name=customer_name,
                status=Encuesta.Status.INITIATED,
            )
            return _new_call(
                encuesta=encuesta,
                route=route,
                attempt=1,
                requested_by=user,
                idempotency_key=idempotency_key or None,
                idempotency_fingerprint=fingerprint,
            )
    except IntegrityError:
        if idempotency_key:
            return replay_or_refuse(
                Call.objects.get(requested_by=user, idempotency_key=idempotency_key), fingerprint
            )
        raise


@dataclass(frozen=True)
class CallRequestResult:
    phone: str
    customer_name: str
    call: Call | None = None
    error: str = ""
    duplicate: bool = False


class OpenContactError(ValidationError):
    """Some numbers of the batch already have an open survey or call; nothing was queued."""

    def __init__(self, phones: list[str]) -> None:
        self.phones = phones
        super().__init__(
            _("Estos números ya tienen una encuesta o una llamada abierta: %(numbers)s.")
            % {"numbers": ", ".join(phones)},
            code="open_contact",
        )


def _batch_key(phone: str) -> str:
    # An invalid number keeps its text, so call_request still reports why it is refused.
    try:
        return normalize_phone(phone)
    except ValidationError:
        return phone.strip()


def phones_with_open_contact(*, phones: list[str]) -> list[str]:
    """The numbers (E.164) that have a survey still open or a call not yet finished."""
    open_numbers = set(
        Encuesta.objects.filter(telefono__in=phones, status__in=Encuesta.OPEN_STATUSES).values_list(
            "telefono", flat=True
        )
    ) | set(
        Call.objects.filter(to_number__in=phones, status__in=Call.LIVE_STATUSES).values_list(
            "to_number", flat=True
        )
    )
    return [phone for phone in phones if phone in open_numbers]


def calls_request_many(
    *,
    agent: VoiceAgent,
    rows: list[tuple[str, str]],
    requested_by: Requester | None = None,
    allow_open: bool = False,
) -> list[CallRequestResult]:
    """Queue one call per distinct (phone, customer_name) row; a refused row does not stop the others.

    A number repeated in the batch (after normalising) is dialled once. Unless `allow_open`, a batch
    with a number that already has an open survey or call raises OpenContactError and queues nothing.
    """
    unique: dict[str, tuple[str, str]] = {}
    results = []
    for phone, customer_name in rows:
        key = _batch_key(phone)
        if key in unique:
            results.append(CallRequestResult(phone, customer_name, duplicate=True))
        else:
            unique[key] = (phone, customer_name)
    if not allow_open:
        open_phones = phones_with_open_contact(phones=list(unique))
        if open_phones:
            raise OpenContactError(open_phones)
    placed = []
    for phone, customer_name in unique.values():
        try:
            call = call_request(
                agent=agent, phone=phone, customer_name=customer_name, requested_by=requested_by
            )
        except ValidationError as exc:
            placed.append(CallRequestResult(phone, customer_name, error=" ".join(exc.messages)))
        except TelephonyError as exc:
            placed.append(CallRequestResult(phone, customer_name, error=str(exc)))
        else:
            placed.append(CallRequestResult(phone, customer_name, call=call))
    return placed + results


@transaction.atomic
def call_retry(*, encuesta: Encuesta, requested_by: Requester | None = None) -> Call:
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
    encuesta_transition(encuesta_id=encuesta.pk, to=Encuesta.Status.INITIATED, only_from=Encuesta.RETRY_FROM)
    return _new_call(
        encuesta=encuesta, route=route, attempt=attempt, requested_by=_user_or_none(requested_by)
    )


@dataclass(frozen=True)
class DialOutcome:
    status: str
    retry_in: float | None = None
    next_attempt: int = 0


def _dispatch_metadata(call: Call) -> str:
    # Keys are the voice worker's wire format (voiceworker/metadata.py). No phone number: LiveKit
    # logs metadata and nothing downstream reads it.
    return json.dumps(
        {
            "encuesta_id": call.encuesta_id,
            "call_id": call.pk,
            "voice_agent_id": call.encuesta.voice_agent_id,
            "nombre_cliente": call.encuesta.nombre_cliente,
        }
    )


def call_claim_for_dialing(call_id: int, attempt: int) -> Call | DialOutcome:
    """Take the call for this dial attempt, honouring the trunk's concurrency limit."""
    with transaction.atomic():
        # Lock the call row alone: FOR UPDATE over a join would also lock the survey's agent, which a
        # whole campaign shares, and deadlock with the campaign dispatcher inserting surveys (MariaDB).
        call = Call.objects.select_for_update().get(pk=call_id)
        if call.status not in (CallStatus.QUEUED, CallStatus.DIALING) or call.dial_attempts != attempt:
            return DialOutcome(status=call.status)
        if call.hangup_requested_at:
            call_transition(
                call_id=call.pk, to=CallStatus.CANCELED, failure_reason=_("Colgada antes de marcar")
            )
            return DialOutcome(status=CallStatus.CANCELED)
        if call.status == CallStatus.QUEUED and DoNotCallEntry.objects.filter(phone=call.to_number).exists():
            # The number opted out after this call was queued (a retry, a slow queue).
            call_transition(
                call_id=call.pk, to=CallStatus.CANCELED, failure_reason=_("En la lista de no llamar")
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
        if call.status == CallStatus.QUEUED:
            call_transition(call_id=call.pk, to=CallStatus.DIALING)
        Call.objects.filter(pk=call.pk).update(dial_attempts=attempt + 1)
        call.status, call.dial_attempts = CallStatus.DIALING, attempt + 1
    return call


def call_dial(*, call_id: int, attempt: int = 0) -> DialOutcome:
    """Place the call through telephony: room, agent dispatch and SIP participant.

    `attempt` is how many dial attempts the caller believes were made; a redelivered task whose
    attempt was already taken does nothing, so a number is never dialed twice for one Call.
    """
    claimed = call_claim_for_dialing(call_id, attempt)
    if isinstance(claimed, DialOutcome):
        return claimed
    call = claimed
    try:
        result = backends.run(backends.get_backend().dial(call_dial_request(call=call, attempt=attempt)))
    except (SipCallFailed, TelephonyNotConfigured, TelephonyUnavailable) as exc:
        return call_dial_failed(call=call, attempt=attempt, exc=exc)
    return call_dial_succeeded(call=call, result=result)


def call_dial_request(*, call: Call, attempt: int) -> backends.DialRequest:
    """What telephony is asked for to dial a claimed call (also used by the paced campaign dialer)."""
    agent = call.encuesta.voice_agent
    metadata = _dispatch_metadata(call)
    return backends.DialRequest(
        room_name=call.room_name,
        room_metadata=metadata,
        agent_name=agent.dispatch_name if agent else settings.LIVEKIT_AGENT_NAME,
        dispatch_metadata=metadata,
        trunk_id=call.sip_trunk_id,
        phone=call.to_number,
        from_number=call.from_number,
        participant_identity=call.sip_identity,
        participant_name=call.encuesta.nombre_cliente or _("Cliente"),
        participant_metadata=json.dumps({"encuesta_id": call.encuesta_id, "call_id": call.pk}),
        ringing_timeout=settings.CALL_RINGING_TIMEOUT,
        max_call_duration=settings.CALL_MAX_DURATION,
        empty_timeout=settings.CALL_ROOM_EMPTY_TIMEOUT,
        resume=attempt > 0,
    )


def call_dial_failed(
    *, call: Call, attempt: int, exc: SipCallFailed | TelephonyNotConfigured | TelephonyUnavailable
) -> DialOutcome:
    """Record how a dial failed: a SIP answer ends the call; an unavailable LiveKit may be retried."""
    if isinstance(exc, SipCallFailed):
        to, reason = SIP_STATUS_OUTCOMES.get(exc.code, (CallStatus.FAILED, exc.status or str(exc)))
        call_transition(
            call_id=call.pk,
            to=to,
            sip_status_code=exc.code or None,
            sip_status=exc.status[:200],
            failure_reason=f"SIP {exc.code}: {reason}",
        )
        return DialOutcome(status=to)
    if isinstance(exc, TelephonyNotConfigured):
        call_transition(call_id=call.pk, to=CallStatus.FAILED, failure_reason=str(exc))
        return DialOutcome(status=CallStatus.FAILED)
    reason = f"LiveKit: {exc}"
    if exc.retryable and attempt + 1 < settings.CALL_DIAL_MAX_RETRIES:
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
    room_delete_quietly(call.room_name)
    return DialOutcome(status=CallStatus.FAILED)


def call_dial_succeeded(*, call: Call, result: backends.DialResult) -> DialOutcome:
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
        room_delete_quietly(call.room_name)
    return DialOutcome(status=status)


def room_delete_quietly(room_name: str) -> None:
    try:
        backends.run(backends.get_backend().delete_room(room_name))
    except Exception:
        logger.exception("Could not delete room %s; LiveKit's empty timeout will close it", room_name)
