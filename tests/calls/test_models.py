import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from calls.models import SCORE_FIELDS, Call, Encuesta
from calls.services import EncuestaClosed, encuesta_save
from tests.factories import EncuestaFactory

pytestmark = pytest.mark.django_db


def test_a_row_written_by_the_old_system_reads_as_an_encuesta():
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO encuestas (telefono, fecha, completada, puntuacion_comercial, puntuacion_instalador,"
            " puntuacion_rapidez, comentarios, status, llm_model, created_at, updated_at, nombre_cliente,"
            " respuestas, transcription)"
            " VALUES (%s, %s, %s, %s, NULL, NULL, %s, %s, '', %s, %s, '', '{}', '')",
            [
                "+34621151394",
                timezone.now(),
                True,
                9,
                "Muy bien",
                "completed",
                timezone.now(),
                timezone.now(),
            ],
        )

    encuesta = Encuesta.objects.get(telefono="+34621151394")
    assert (encuesta.completada, encuesta.puntuacion_comercial, encuesta.comentarios) == (True, 9, "Muy bien")
    assert encuesta.status == Encuesta.Status.COMPLETED


def test_encuesta_defaults():
    encuesta = Encuesta.objects.create(telefono="+34621151394")

    assert encuesta.status == Encuesta.Status.PENDING
    assert encuesta.completada is False
    assert encuesta.fecha is not None
    assert [getattr(encuesta, field) for field in SCORE_FIELDS] == [None, None, None]
    assert encuesta.respuestas == {}


@pytest.mark.parametrize("closed", sorted(Encuesta.FINAL_STATUSES))
@pytest.mark.parametrize("later", sorted(Encuesta.Status.values))
def test_a_later_save_never_reopens_a_closed_survey(closed, later):
    encuesta = EncuestaFactory(voice_agent=None, status=Encuesta.Status.IN_PROGRESS)
    encuesta_save(
        encuesta_id=encuesta.pk, status=closed, answers={"comercial": 8, "instalador": 7, "rapidez": 9}
    )

    with pytest.raises(EncuestaClosed):
        encuesta_save(encuesta_id=encuesta.pk, status=later, answers={"comentarios": "después"})

    encuesta.refresh_from_db()
    assert encuesta.status == closed
    assert encuesta.completada is (closed == Encuesta.Status.COMPLETED)
    assert encuesta.comentarios == ""


def test_the_state_machines_name_every_status_and_never_leave_a_closed_one():
    assert set(Encuesta.TRANSITIONS) == set(Encuesta.Status.values)
    assert set(Call.TRANSITIONS) | {Call.Status.QUEUED} == set(Call.Status.values)
    for to, allowed in Encuesta.TRANSITIONS.items():
        assert to in Encuesta.FINAL_STATUSES or not allowed & Encuesta.FINAL_STATUSES, to
    for allowed in Call.TRANSITIONS.values():
        assert not allowed & Call.TERMINAL_STATUSES


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
