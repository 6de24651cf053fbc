"""Writes on surveys: creation, answers, transcript and closing."""

from collections.abc import Mapping
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from agents_app.models import SurveyQuestion, VoiceAgent
from calls.answers import LEGACY_COLUMNS, Answer, Question, parse_answer, questionnaire_for
from calls.models import Encuesta
from calls.services.answer_rows import answer_rows_store
from calls.services.encuesta_sql import encuesta_locked, encuesta_update
from calls.services.lead_outcomes import lead_follow_encuesta
from calls.services.opt_outs import OptOutSource, opt_out_record
from calls.services.webhooks import ENCUESTA_STATUS_EVENTS, encuesta_payload, webhook_emit
from config.exceptions import ServiceError
from telephony.phones import normalize_phone

Status = Encuesta.Status


class EncuestaClosed(ServiceError):
    """A completed or opted-out survey is final: a save that would change it is refused."""

    http_status = 409


def questionnaire_of(agent_id: int | None) -> dict[str, Question]:
    """The questions a survey is answered against, read without touching the agent's row."""
    rows = (
        SurveyQuestion.objects.filter(agent_id=agent_id).order_by("position", "id").only(*_QUESTION_FIELDS)
        if agent_id
        else ()
    )
    return {q.key: q for q in questionnaire_for(rows)}


_QUESTION_FIELDS = ("agent_id", "key", "text", "type", "required")


def _answered(encuesta: Encuesta, key: str) -> bool:
    if encuesta.respuestas.get(key) not in (None, ""):
        return True
    # Rows written by the old system hold their answers in its columns only.
    return key in LEGACY_COLUMNS and getattr(encuesta, LEGACY_COLUMNS[key]) not in (None, "")


def missing_required(encuesta: Encuesta, questionnaire: Mapping[str, Question]) -> list[str]:
    return [q.key for q in questionnaire.values() if q.required and not _answered(encuesta, q.key)]


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


def _allowed_from(to: str, only_from: frozenset[str] | None) -> frozenset[str]:
    return Encuesta.TRANSITIONS[to] if only_from is None else Encuesta.TRANSITIONS[to] & only_from


def _status_fields(to: str) -> dict[str, object]:
    return {"status": to, "completada": to == Status.COMPLETED, "updated_at": timezone.now()}


def encuesta_transition(*, encuesta_id: int, to: str, only_from: frozenset[str] | None = None) -> bool:
    """Conditional status change through Encuesta.TRANSITIONS, narrowed to `only_from` if given.

    False when the survey was no longer in a status that may precede `to`.
    """
    moved = bool(
        Encuesta.objects.filter(pk=encuesta_id, status__in=_allowed_from(to, only_from)).update(
            **_status_fields(to)
        )
    )
    if moved and to in ENCUESTA_STATUS_EVENTS:
        webhook_emit(ENCUESTA_STATUS_EVENTS[to], encuesta_payload(Encuesta.objects.get(pk=encuesta_id)))
    return moved


def _locked_for_save(encuesta_id: int) -> Encuesta:
    encuesta = encuesta_locked(encuesta_id)
    if encuesta is None:
        raise Encuesta.DoesNotExist(f"Encuesta {encuesta_id} does not exist.")
    return encuesta


def _parse_answers(
    answers: Mapping[str, object], questionnaire: Mapping[str, Question], errors: dict[str, list[str]]
) -> dict[str, Answer]:
    parsed: dict[str, Answer] = {}
    for key, value in answers.items():
        question = questionnaire.get(key)
        if question is None:
            errors[key] = [_("«%(key)s» no es una pregunta de esta encuesta.") % {"key": key}]
            continue
        try:
            parsed[key] = parse_answer(question, value)
        except ValidationError as exc:
            errors[key] = exc.messages
    return parsed


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
    """Write only what was sent and changes something. Everything is validated before anything is written.

    A completed or opted-out survey is final: a save that would change it raises EncuestaClosed
    (repeating what it already holds is harmless). An empty transcription never wipes the stored
    one, and `completed` needs every required question answered. The status moves only as
    Encuesta.TRANSITIONS allows. Four queries at most: the locked row, the questions, one UPDATE
    and the answer rows.
    """
    return _save_locked(
        _locked_for_save(encuesta_id),
        answers=answers,
        status=status,
        transcription=transcription,
        seconds_used=seconds_used,
        tokens_used=tokens_used,
        llm_model=llm_model,
    )


def _save_locked(
    encuesta: Encuesta,
    *,
    answers: Mapping[str, object] | None = None,
    status: str | None = None,
    transcription: str | None = None,
    seconds_used: int | None = None,
    tokens_used: int | None = None,
    llm_model: str | None = None,
    questionnaire: Mapping[str, Question] | None = None,
) -> Encuesta:
    """encuesta_save on a row already locked by _locked_for_save (and its questions, if read)."""
    if status is not None and status not in Status.values:
        raise ValidationError(
            {
                "status": _("«%(status)s» no es un estado válido. Valores posibles: %(values)s.")
                % {"status": status, "values": ", ".join(Status.values)}
            }
        )
    if questionnaire is None:
        needs_questions = bool(answers) or (status == Status.COMPLETED and encuesta.status != status)
        questionnaire = questionnaire_of(encuesta.voice_agent_id) if needs_questions else {}
    errors: dict[str, list[str]] = {}
    parsed = _parse_answers(answers or {}, questionnaire, errors)
    if errors:
        raise ValidationError(errors)

    changed: dict[str, object] = {}
    if parsed and {**encuesta.respuestas, **parsed} != encuesta.respuestas:
        changed["respuestas"] = {**encuesta.respuestas, **parsed}
    for key, answer in parsed.items():
        if key in LEGACY_COLUMNS and getattr(encuesta, LEGACY_COLUMNS[key]) != answer:
            changed[LEGACY_COLUMNS[key]] = answer
    sent: dict[str, object] = {
        "transcription": transcription if transcription and transcription.strip() else None,
        "seconds_used": seconds_used,
        "tokens_used": tokens_used,
        "llm_model": llm_model,
    }
    for field, new in sent.items():
        if new is not None and getattr(encuesta, field) != new:
            changed[field] = new
    moves = status is not None and status != encuesta.status
    if encuesta.status in Encuesta.FINAL_STATUSES and (changed or moves):
        raise EncuestaClosed(
            _("La encuesta %(id)s ya está cerrada (%(status)s); no se ha cambiado nada.")
            % {"id": encuesta.pk, "status": encuesta.get_status_display()}
        )
    # A save moves forward only: reopening a failed or incomplete survey is a retry's job.
    allowed = frozenset[str]()
    if status is not None:
        allowed = _allowed_from(status, Encuesta.OPEN_STATUSES if status == Status.INITIATED else None)
    moves = moves and encuesta.status in allowed
    for field, new in changed.items():
        setattr(encuesta, field, new)
    if status == Status.COMPLETED and moves and (missing := missing_required(encuesta, questionnaire)):
        raise ValidationError(
            {
                "status": _("No se puede dar por completada: faltan respuestas obligatorias (%(keys)s).")
                % {"keys": ", ".join(missing)}
            }
        )
    encuesta.clean_fields(exclude=[f.name for f in Encuesta._meta.fields if f.name not in changed])
    if not changed and not moves:
        return encuesta

    fields: dict[str, object] = {**changed, "updated_at": timezone.now()}
    if moves:
        assert status is not None
        fields.update(_status_fields(status))
    # Conditional on the status read under the lock, as every status write is.
    encuesta_update(encuesta_id=encuesta.pk, only_from=frozenset({encuesta.status}), fields=fields)
    for field, new in fields.items():
        setattr(encuesta, field, new)
    answer_rows_store(encuesta=encuesta, answers=parsed, questionnaire=questionnaire)
    if moves:
        _follow_status(encuesta)
    return encuesta


def _follow_status(encuesta: Encuesta) -> None:
    """What a status reached through a save sets off: webhooks, the campaign's lead, the do-not-call list."""
    extra = cast(Any, encuesta)
    if extra.webhooks_active and encuesta.status in ENCUESTA_STATUS_EVENTS:
        webhook_emit(ENCUESTA_STATUS_EVENTS[encuesta.status], encuesta_payload(encuesta))
    if extra.idle_lead_id is not None:
        lead_follow_encuesta(encuesta=encuesta, lead_id=extra.idle_lead_id)
    if encuesta.status == Status.REJECTED_OPT_OUT:
        opt_out_record(phone=encuesta.telefono, source=OptOutSource.BRIDGE, encuesta=encuesta)


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
    """Close the survey: completed when every required question has an answer, else incomplete.

    A survey already closed (completed or opted out) is left as it is.
    """
    encuesta = _locked_for_save(encuesta_id)
    if encuesta.status in Encuesta.FINAL_STATUSES:
        return encuesta
    questionnaire = questionnaire_of(encuesta.voice_agent_id)
    return _save_locked(
        encuesta,
        status=Status.COMPLETED if not missing_required(encuesta, questionnaire) else Status.INCOMPLETE,
        seconds_used=seconds_used,
        tokens_used=tokens_used,
        llm_model=llm_model,
        questionnaire=questionnaire,
    )
