"""Each survey answer also stored as a row, written in the caller's transaction (the survey save)."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from calls.answers import Question, QuestionType
from calls.models import Encuesta, EncuestaAnswer
from calls.services.encuesta_sql import answer_rows_upsert


def answer_row_values(question_type: str | None, value: Any) -> tuple[Decimal | None, str]:
    """(numeric value, text value) of one parsed answer: scores are numbers, yes/no is 1/0 and sí/no."""
    if isinstance(value, bool):
        return Decimal(int(value)), _("sí") if value else _("no")
    if question_type != QuestionType.TEXT and isinstance(value, int | float):
        return Decimal(str(value)), ""
    return None, "" if value is None else str(value)


def answer_rows_store(
    *, encuesta: Encuesta, answers: Mapping[str, Any], questionnaire: Mapping[str, Question]
) -> None:
    """Insert or replace the rows of the given answers; blank answers remove their row."""
    if not answers:
        return
    keep = {key: value for key, value in answers.items() if value not in (None, "")}
    blank = set(answers) - set(keep)
    if blank:
        EncuestaAnswer.objects.filter(encuesta=encuesta, question_key__in=blank).delete()
    rows = []
    for key, value in keep.items():
        question = questionnaire.get(key)
        rows.append((key, *answer_row_values(question.type if question else None, value)))
    if rows:
        answer_rows_upsert(encuesta_id=encuesta.pk, rows=rows)
