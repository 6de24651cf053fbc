import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from calls.models import SCORE_FIELDS, Encuesta
from tests.factories import EncuestaFactory

pytestmark = pytest.mark.django_db


def test_encuesta_uses_the_legacy_table():
    assert Encuesta._meta.db_table == "encuestas"


def test_encuesta_defaults():
    encuesta = Encuesta.objects.create(telefono="+34621151394")

    assert encuesta.status == Encuesta.Status.PENDING
    assert encuesta.completada is False
    assert encuesta.fecha is not None
    assert [getattr(encuesta, field) for field in SCORE_FIELDS] == [None, None, None]
    assert encuesta.respuestas == {}


def test_status_choices_cover_the_survey_lifecycle():
    assert set(Encuesta.Status.values) >= {
        "pending",
        "initiated",
        "in_progress",
        "incomplete",
        "completed",
        "rejected_opt_out",
        "failed",
    }


@pytest.mark.parametrize("field", SCORE_FIELDS)
@pytest.mark.parametrize("value", [11, -1])
def test_the_database_refuses_scores_outside_0_to_10(field, value):
    encuesta = EncuestaFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Encuesta.objects.filter(pk=encuesta.pk).update(**{field: value})

    encuesta.refresh_from_db()
    assert getattr(encuesta, field) is None


@pytest.mark.parametrize("value", [0, 10, None])
def test_the_database_accepts_scores_0_to_10_and_null(value):
    encuesta = EncuestaFactory()

    Encuesta.objects.filter(pk=encuesta.pk).update(puntuacion_comercial=value)

    encuesta.refresh_from_db()
    assert encuesta.puntuacion_comercial == value


def test_model_validation_refuses_out_of_range_scores():
    encuesta = EncuestaFactory.build(voice_agent=None, puntuacion_rapidez=11)

    with pytest.raises(ValidationError) as exc_info:
        encuesta.full_clean()

    assert "puntuacion_rapidez" in exc_info.value.message_dict
