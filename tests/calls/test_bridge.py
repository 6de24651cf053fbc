"""The voice agents' bridge: /iniciar-encuesta and /guardar-encuesta, as the old agent calls them."""

import pytest
from rest_framework.authtoken.models import Token

from agents_app.services import voice_agent_create_from_template
from calls.models import Encuesta
from tests.factories import EncuestaFactory, VoiceAgentFactory

pytestmark = pytest.mark.django_db

INICIAR, GUARDAR = "/iniciar-encuesta", "/guardar-encuesta"


@pytest.fixture
def encuesta(db) -> Encuesta:
    return EncuestaFactory(voice_agent=None, status=Encuesta.Status.IN_PROGRESS)


def save(client, encuesta: Encuesta, **data):
    return client.post(GUARDAR, {"id_encuesta": encuesta.pk, **data}, format="json")


def scores(encuesta: Encuesta) -> tuple:
    encuesta.refresh_from_db()
    return encuesta.puntuacion_comercial, encuesta.puntuacion_instalador, encuesta.puntuacion_rapidez


# --- /iniciar-encuesta ------------------------------------------------------------------------


def test_iniciar_creates_a_pending_encuesta_with_an_e164_phone(bridge_client):
    response = bridge_client.post(INICIAR, {"telefono": "621 15 13 94"}, format="json")

    assert response.status_code == 201
    encuesta = Encuesta.objects.get()
    assert response.json() == {"id": encuesta.pk}
    assert encuesta.telefono == "+34621151394"
    assert encuesta.status == Encuesta.Status.PENDING
    assert encuesta.completada is False


def test_iniciar_links_the_agent_and_customer_name(bridge_client):
    agent = VoiceAgentFactory()

    response = bridge_client.post(
        INICIAR,
        {"telefono": "+34621151394", "nombre_cliente": "José Núñez", "voice_agent_id": agent.pk},
        format="json",
    )

    encuesta = Encuesta.objects.get(pk=response.json()["id"])
    assert (encuesta.voice_agent, encuesta.nombre_cliente) == (agent, "José Núñez")
    assert encuesta.llm_model == agent.llm_model


@pytest.mark.parametrize("telefono", ["12345", "no es un número", ""])
def test_iniciar_with_an_invalid_phone_is_400_and_creates_nothing(bridge_client, telefono):
    response = bridge_client.post(INICIAR, {"telefono": telefono}, format="json")

    assert response.status_code == 400
    assert response.json()
    assert not Encuesta.objects.exists()


def test_iniciar_with_an_unknown_agent_is_404_and_creates_nothing(bridge_client):
    response = bridge_client.post(
        INICIAR, {"telefono": "+34621151394", "voice_agent_id": 999_999}, format="json"
    )

    assert response.status_code == 404
    assert "999999" in response.json()["detail"]
    assert not Encuesta.objects.exists()


# --- /guardar-encuesta: incremental writes ----------------------------------------------------


def test_only_the_fields_sent_are_written(bridge_client, encuesta):
    first = save(bridge_client, encuesta, nota_comercial=8)
    after_first = scores(encuesta)
    second = save(bridge_client, encuesta, nota_instalador="7")

    assert (first.status_code, second.status_code) == (200, 200)
    assert after_first == (8, None, None)
    assert scores(encuesta) == (8, 7, None)
    assert encuesta.respuestas == {"comercial": 8, "instalador": 7}
    assert encuesta.status == Encuesta.Status.IN_PROGRESS


def test_success_answer_keeps_the_old_contract(bridge_client, encuesta):
    response = save(bridge_client, encuesta, nota_rapidez=9)

    assert response.json()["status"] == "success"
    assert response.json()["id"] == encuesta.pk


@pytest.mark.parametrize("value", [8, "8", " 8 ", 8.0, 0, 10])
def test_scores_arrive_as_numbers_or_numeric_text(bridge_client, encuesta, value):
    response = save(bridge_client, encuesta, nota_comercial=value)

    assert response.status_code == 200
    assert scores(encuesta)[0] == int(value)


@pytest.mark.parametrize("value", [11, -1, "ocho", 7.5, "7.5", True, [8]])
def test_invalid_scores_are_400_with_a_message_and_nothing_is_written(bridge_client, encuesta, value):
    response = save(bridge_client, encuesta, nota_comercial=value, transcription="Agente: hola")

    assert response.status_code == 400
    assert response.json()["comercial"]
    assert scores(encuesta) == (None, None, None)
    assert encuesta.transcription == ""


def test_one_invalid_score_blocks_the_valid_ones_sent_with_it(bridge_client, encuesta):
    response = save(bridge_client, encuesta, nota_comercial=9, nota_instalador=11, status="completed")

    assert response.status_code == 400
    assert "instalador" in response.json()
    assert scores(encuesta) == (None, None, None)
    assert encuesta.status == Encuesta.Status.IN_PROGRESS


def test_comentarios_keep_accents(bridge_client, encuesta):
    save(bridge_client, encuesta, comentarios="  Todo perfecto, ¡gracias! Muy rápido.  ")

    encuesta.refresh_from_db()
    assert encuesta.comentarios == "Todo perfecto, ¡gracias! Muy rápido."


# --- /guardar-encuesta: status ----------------------------------------------------------------


def test_status_completed_marks_it_completada(bridge_client, encuesta):
    response = save(
        bridge_client, encuesta, status="completed", nota_comercial=8, nota_instalador=9, nota_rapidez=7
    )

    encuesta.refresh_from_db()
    assert response.status_code == 200
    assert (encuesta.status, encuesta.completada) == (Encuesta.Status.COMPLETED, True)
    assert response.json()["estado"] == "completed"


@pytest.mark.parametrize("final", [Encuesta.Status.COMPLETED, Encuesta.Status.REJECTED_OPT_OUT])
def test_a_closed_survey_is_never_reopened(bridge_client, final):
    encuesta = EncuestaFactory(voice_agent=None, status=final, completada=final == Encuesta.Status.COMPLETED)

    response = save(bridge_client, encuesta, status="in_progress", nota_rapidez=6, transcription="Fin")

    assert response.status_code == 409
    assert "cerrada" in response.json()["detail"]
    encuesta.refresh_from_db()
    assert encuesta.status == final
    assert encuesta.completada is (final == Encuesta.Status.COMPLETED)
    assert (encuesta.puntuacion_rapidez, encuesta.transcription) == (None, "")


def test_unknown_status_is_400(bridge_client, encuesta):
    response = save(bridge_client, encuesta, status="terminada")

    assert response.status_code == 400
    assert response.json()["status"]
    encuesta.refresh_from_db()
    assert encuesta.status == Encuesta.Status.IN_PROGRESS


# --- /guardar-encuesta: which survey ----------------------------------------------------------


def test_missing_id_encuesta_is_400_and_writes_nothing(bridge_client, encuesta):
    response = bridge_client.post(GUARDAR, {"nota_comercial": 8}, format="json")

    assert response.status_code == 400
    assert response.json()["id_encuesta"]
    assert scores(encuesta) == (None, None, None)


def test_unknown_id_is_404_and_never_touches_the_latest_row(bridge_client, encuesta):
    response = bridge_client.post(
        GUARDAR, {"id_encuesta": encuesta.pk + 1000, "nota_comercial": 8}, format="json"
    )

    assert response.status_code == 404
    assert str(encuesta.pk + 1000) in response.json()["detail"]
    assert scores(encuesta) == (None, None, None)


# --- /guardar-encuesta: call data -------------------------------------------------------------


def test_transcription_usage_and_model_are_written(bridge_client, encuesta):
    response = save(
        bridge_client,
        encuesta,
        transcription="Agente: ¿Tiene un minuto?\nCliente: Sí.",
        seconds_used=95,
        tokens_used=1234,
        llm_model="llama-3.3-70b-versatile",
    )

    assert response.status_code == 200
    encuesta.refresh_from_db()
    assert encuesta.transcription == "Agente: ¿Tiene un minuto?\nCliente: Sí."
    assert (encuesta.seconds_used, encuesta.tokens_used) == (95, 1234)
    assert encuesta.llm_model == "llama-3.3-70b-versatile"


@pytest.mark.parametrize(
    "data", [{"seconds_used": -1}, {"tokens_used": "muchos"}, {"llm_model": "x" * 101}], ids=str
)
def test_bad_call_data_is_400(bridge_client, encuesta, data):
    response = save(bridge_client, encuesta, **data)

    assert response.status_code == 400
    assert response.json()[next(iter(data))]


# --- Agents with their own questionnaire ------------------------------------------------------


@pytest.fixture
def nps_encuesta(db) -> Encuesta:
    agent = voice_agent_create_from_template(template_key="nps")
    return EncuestaFactory(voice_agent=agent, status=Encuesta.Status.IN_PROGRESS)


def test_respuestas_follow_the_agents_questionnaire(bridge_client, nps_encuesta):
    response = save(bridge_client, nps_encuesta, respuestas={"recomendacion": "9", "motivo": "Muy atentos"})

    assert response.status_code == 200
    nps_encuesta.refresh_from_db()
    assert nps_encuesta.respuestas == {"recomendacion": 9, "motivo": "Muy atentos"}
    assert scores(nps_encuesta) == (None, None, None)


def test_respuestas_are_merged_incrementally(bridge_client, nps_encuesta):
    save(bridge_client, nps_encuesta, respuestas={"recomendacion": 3})
    save(bridge_client, nps_encuesta, respuestas={"motivo": "Tardaron mucho"})

    nps_encuesta.refresh_from_db()
    assert nps_encuesta.respuestas == {"recomendacion": 3, "motivo": "Tardaron mucho"}


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"respuestas": {"recomendacion": 12}}, "recomendacion"),
        ({"respuestas": {"desconocida": "x"}}, "desconocida"),
        ({"nota_comercial": 8}, "comercial"),
    ],
    ids=["score-out-of-range", "unknown-question", "legacy-score-not-in-questionnaire"],
)
def test_answers_outside_the_agents_questionnaire_are_400(bridge_client, nps_encuesta, data, key):
    response = save(bridge_client, nps_encuesta, **data)

    assert response.status_code == 400
    assert response.json()[key]
    nps_encuesta.refresh_from_db()
    assert nps_encuesta.respuestas == {}


# --- Authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", [INICIAR, GUARDAR])
@pytest.mark.parametrize("header", [None, "Bearer otro-token", "Bearer", "Token test-bridge-token"], ids=str)
def test_bridge_refuses_requests_without_the_bridge_token(anon_client, encuesta, path, header):
    if header:
        anon_client.credentials(HTTP_AUTHORIZATION=header)

    response = anon_client.post(path, {"telefono": "+34621151394", "id_encuesta": encuesta.pk}, format="json")

    assert response.status_code == 401
    assert response.json()["detail"]
    assert Encuesta.objects.count() == 1


@pytest.mark.parametrize("path", [INICIAR, GUARDAR])
@pytest.mark.parametrize("keyword", ["Token", "Bearer"])
def test_bridge_refuses_a_users_drf_token(anon_client, user, encuesta, path, keyword):
    anon_client.credentials(HTTP_AUTHORIZATION=f"{keyword} {Token.objects.create(user=user).key}")

    response = anon_client.post(
        path, {"telefono": "+34621151394", "id_encuesta": encuesta.pk, "status": "failed"}, format="json"
    )

    assert response.status_code in (401, 403)
    assert Encuesta.objects.count() == 1
    encuesta.refresh_from_db()
    assert encuesta.status == Encuesta.Status.IN_PROGRESS


def test_bridge_refuses_a_logged_in_staff_session(anon_client, staff_user):
    anon_client.force_login(staff_user)

    response = anon_client.post(INICIAR, {"telefono": "+34621151394"}, format="json")

    assert response.status_code in (401, 403)
    assert not Encuesta.objects.exists()


def test_an_empty_bridge_token_setting_locks_the_bridge(anon_client, settings):
    settings.BRIDGE_TOKEN = ""
    anon_client.credentials(HTTP_AUTHORIZATION="Bearer cualquiera")

    response = anon_client.post(INICIAR, {"telefono": "+34621151394"}, format="json")

    assert response.status_code == 401
    assert not Encuesta.objects.exists()
