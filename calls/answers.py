"""The questionnaire an Encuesta is answered against, and validation of single answers."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from agents_app.models import SurveyQuestion

QuestionType = SurveyQuestion.Type

# Answers to these keys also fill the old system's columns, so its reports keep working.
LEGACY_COLUMNS = {
    "comercial": "puntuacion_comercial",
    "instalador": "puntuacion_instalador",
    "rapidez": "puntuacion_rapidez",
    "comentarios": "comentarios",
}
TRUE_WORDS = {"si", "sí", "yes", "true", "1", "s", "y"}
FALSE_WORDS = {"no", "false", "0", "n"}
# ASCII digits only: str.isdigit() also accepts "²" and "①", which int() refuses.
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,3}")


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    type: str
    required: bool = True


DEFAULT_QUESTIONNAIRE = (
    Question("comercial", "Del 0 al 10, ¿cómo valora la atención del comercial?", QuestionType.SCORE),
    Question("instalador", "Del 0 al 10, ¿cómo valora el trabajo del instalador?", QuestionType.SCORE),
    Question("rapidez", "Del 0 al 10, ¿cómo valora la rapidez del servicio?", QuestionType.SCORE),
    Question("comentarios", "¿Quiere añadir algún comentario?", QuestionType.TEXT, required=False),
)


# The stored form of one answer: a score, yes/no, or text.
Answer = int | bool | str


def questionnaire_for(questions: Iterable[SurveyQuestion]) -> tuple[Question, ...]:
    """The agent's own questions, or the classic quality survey when it defines none."""
    own = tuple(Question(q.key, q.text, q.type, q.required) for q in questions)
    return own or DEFAULT_QUESTIONNAIRE


def parse_answer(question: Question, value: object) -> Answer:
    """Return the stored form of one answer, or raise a ValidationError saying what is wrong."""
    if question.type == QuestionType.SCORE:
        return parse_score(question.key, value)
    if question.type == QuestionType.YES_NO:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValidationError(
            _("«%(value)s» no es una respuesta sí/no válida para «%(key)s»."),
            params={"value": value, "key": question.key},
        )
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise ValidationError(_("La respuesta a «%(key)s» debe ser texto."), params={"key": question.key})
    return str(value).strip()


def parse_score(key: str, value: object) -> int:
    """Scores arrive as 8 or "8"; anything that is not a whole number from 0 to 10 is refused."""
    if isinstance(value, bool):
        score = None
    elif isinstance(value, int):
        score = value
    elif isinstance(value, float) and value.is_integer():
        score = int(value)
    elif isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        score = int(value.strip())
    else:
        score = None
    if score is None or not 0 <= score <= 10:
        raise ValidationError(
            _("La puntuación de «%(key)s» debe ser un número entero del 0 al 10 (recibido: %(value)s)."),
            code="invalid_score",
            params={"key": key, "value": value},
        )
    return score
