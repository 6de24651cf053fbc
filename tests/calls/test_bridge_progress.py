import pytest

from calls.models import Encuesta
from tests.factories import EncuestaFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("late", ["in_progress", "initiated", "pending"])
def test_a_late_save_never_moves_a_finished_call_back(bridge_client, late):
    encuesta = EncuestaFactory(status=Encuesta.Status.INCOMPLETE)
    response = bridge_client.post(
        "/guardar-encuesta", {"id_encuesta": encuesta.pk, "status": late, "nota_comercial": 7}, format="json"
    )
    assert response.status_code == 200
    encuesta.refresh_from_db()
    assert encuesta.status == Encuesta.Status.INCOMPLETE
    assert encuesta.puntuacion_comercial == 7


def test_an_incomplete_survey_can_still_be_completed(bridge_client):
    encuesta = EncuestaFactory(voice_agent=None, status=Encuesta.Status.INCOMPLETE)
    bridge_client.post(
        "/guardar-encuesta",
        {
            "id_encuesta": encuesta.pk,
            "status": "completed",
            "nota_comercial": 8,
            "nota_instalador": 9,
            "nota_rapidez": 7,
        },
        format="json",
    )
    encuesta.refresh_from_db()
    assert (encuesta.status, encuesta.completada) == (Encuesta.Status.COMPLETED, True)


def test_the_schema_needs_authentication(anon_client):
    assert anon_client.get("/api/schema/").status_code == 401
    # The docs are a browser page: anonymous visitors are sent to the login.
    assert anon_client.get("/api/docs/").status_code == 302
