"""Writes on surveys: creation, answers, transcript, closing and opting out."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from agents_app.models import VoiceAgent
from calls.answers import LEGACY_COLUMNS, Answer, Question, parse_answer, questionnaire_for
from calls.models import DoNotCallEntry, Encuesta
from calls.services.answer_rows import answer_rows_store
from calls.services.lead_outcomes import lead_follow_encuesta
from calls.services.webhooks import ENCUESTA_STATUS_EVENTS, encuesta_payload, webhook_emit
from telephony.phones import normalize_phone

Status = Encuesta.Status


def _questionnaire(encuesta: Encuesta) -> dict[str, Question]:
    questions = encuesta.voice_agent.questions.all() if encuesta.voice_agent else ()
    return {q.key: q for q in questionnaire_for(questions)}


def encuesta_create(
    *,
    phone: str,
    voice_agent: VoiceAgent | None = None,
    customer_name: str = "",
    status: str = Status.PENDING,
    phone_is_e164: bool = False,
) -> Encuesta:
    """`phone_is_e164` when the caller already parsed it (the dialer), so it is parsed once."""
    return Encuesta.objects.create(
        telefono=phone if phone_is_e164 else normalize_phone(phone),
        voice_agent=voice_agent,
        nombre_cliente=customer_name,
        status=status,
        llm_model=voice_agent.llm_model if voice_agent else "",
    )


def encuesta_transition(*, encuesta_id: int, to: str, only_from: frozenset[str] | None = None) -> bool:
    """Conditional status change through Encuesta.TRANSITIONS, narrowed to `only_from` if given.

    False when the survey was no longer in a status that may precede `to`.
    """
    allowed = Encuesta.TRANSITIONS[to] if only_from is None else Encuesta.TRANSITIONS[to] & only_from
    moved = bool(
        Encuesta.objects.filter(pk=encuesta_id, status__in=allowed).update(
            status=to, completada=to == Status.COMPLETED, updated_at=timezone.now()
        )
    )
    if moved and to in ENCUESTA_STATUS_EVENTS:
        webhook_emit(ENCUESTA_STATUS_EVENTS[to], encuesta_payload(Encuesta.objects.get(pk=encuesta_id)))
    return moved


@transaction.atomic
def encuesta_save(
    *,
    encuesta_id: int,
    answers: Mapping[str, object] | None = None,
    status: str | None = None,
    transcription: str | None = None,
    seconds_used: int | None = None,
    tokens_used: int | None = None,
    llm_model: str | None = None,
) -> Encuesta:
    """Write only what was sent. Everything is validated before anything is written.

    The status moves only as Encuesta.TRANSITIONS allows: a completed or opted-out survey keeps
    its status whatever a later save says.
    """
    # Only the survey row is locked: FOR UPDATE over a join would also lock the agent every survey shares.
    encuesta = Encuesta.objects.select_for_update().get(pk=encuesta_id)
    questionnaire = _questionnaire(encuesta)
    errors: dict[str, list[str]] = {}
    parsed: dict[str, Answer] = {}
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
    for field, field_value in (
        ("transcription", transcription),
        ("seconds_used", seconds_used),
        ("tokens_used", tokens_used),
        ("llm_model", llm_model),
    ):
        if field_value is not None:
            setattr(encuesta, field, field_value)
            update_fields.add(field)
    encuesta.full_clean(exclude=["voice_agent", "telefono"])
    encuesta.save(update_fields=update_fields)
    # A save moves forward only: reopening a failed or incomplete survey is a retry's job.
    only_from = Encuesta.OPEN_STATUSES if status == Status.INITIATED else None
    answer_rows_store(encuesta=encuesta, answers=parsed, questionnaire=questionnaire)
    if status is not None and encuesta_transition(encuesta_id=encuesta.pk, to=status, only_from=only_from):
        encuesta.status, encuesta.completada = status, status == Status.COMPLETED
        lead_follow_encuesta(encuesta=encuesta)
    return encuesta


def encuesta_append_transcript(*, encuesta_id: int, speaker: str, text: str) -> None:
    """Append one final turn in a single UPDATE, so a dropped call keeps every turn so far."""
    line = f"{speaker}: {text.strip()}\n"
    Encuesta.objects.filter(pk=encuesta_id).update(
        transcription=Concat(F("transcription"), Value(line)), updated_at=timezone.now()
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
    encuesta = Encuesta.objects.select_for_update().get(pk=encuesta_id)
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
