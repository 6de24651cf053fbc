"""Issue 9 items 8, 9, 11 and the bridge's query budget: closed surveys, consent, idempotency."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calls.models import Call, DoNotCallEntry, Encuesta
from calls.services import OptOutSource, call_dial, opt_out_record
from tests.factories import CallFactory, EncuestaFactory, VoiceAgentFactory

pytestmark = pytest.mark.django_db

GUARDAR, OUTBOUND = "/guardar-encuesta", "/api/calls/outbound"
ALL_SCORES = {"nota_comercial": 8, "nota_instalador": 9, "nota_rapidez": 7}


def save(client, encuesta: Encuesta, **data):
    return client.post(GUARDAR, {"id_encuesta": encuesta.pk, **data}, format="json")


@pytest.fixture
def encuesta(db) -> Encuesta:
    return EncuestaFactory(voice_agent=None, status=Encuesta.Status.IN_PROGRESS)


# --- item 8: a closed survey is final ---------------------------------------------------------


def test_a_completed_surveys_answers_are_never_overwritten(bridge_client, encuesta):
    assert (
        save(bridge_client, encuesta, status="completed", comentarios="Todo bien", **ALL_SCORES).status_code
        == 200
    )

    response = save(bridge_client, encuesta, nota_comercial=1, comentarios="Fatal")

    assert response.status_code == 409
    assert str(encuesta.pk) in response.json()["detail"]
    encuesta.refresh_from_db()
    assert (encuesta.puntuacion_comercial, encuesta.comentarios) == (8, "Todo bien")
    assert encuesta.respuestas["comercial"] == 8
    assert encuesta.answer_rows.get(question_key="comercial").value_number == 8


def test_repeating_the_final_save_is_harmless(bridge_client, encuesta):
    body = {"status": "completed", **ALL_SCORES}
    save(bridge_client, encuesta, **body)
    encuesta.refresh_from_db()
    updated_at = encuesta.updated_at

    response = save(bridge_client, encuesta, **body)

    assert response.status_code == 200
    encuesta.refresh_from_db()
    assert (encuesta.status, encuesta.updated_at) == (Encuesta.Status.COMPLETED, updated_at)


def test_an_empty_transcription_never_wipes_the_transcript(bridge_client, encuesta):
    Encuesta.objects.filter(pk=encuesta.pk).update(transcription="Agente: Hola\nCliente: Diga\n")

    response = save(bridge_client, encuesta, transcription="", nota_comercial=9)

    assert response.status_code == 200
    encuesta.refresh_from_db()
    assert encuesta.transcription == "Agente: Hola\nCliente: Diga\n"
    assert encuesta.puntuacion_comercial == 9


def test_completed_needs_every_required_answer_and_writes_nothing_otherwise(bridge_client, encuesta):
    response = save(bridge_client, encuesta, status="completed", nota_comercial=8)

    assert response.status_code == 400
    body = response.json()
    assert "instalador" in body["detail"] and "rapidez" in body["detail"]
    encuesta.refresh_from_db()
    assert (encuesta.status, encuesta.completada, encuesta.puntuacion_comercial) == (
        Encuesta.Status.IN_PROGRESS,
        False,
        None,
    )
    assert not encuesta.answer_rows.exists()


def test_answers_saved_earlier_count_towards_completion(bridge_client, encuesta):
    save(bridge_client, encuesta, nota_comercial=8, nota_instalador=9)

    response = save(bridge_client, encuesta, nota_rapidez=7, status="completed")

    assert response.status_code == 200
    assert response.json()["estado"] == "completed"


def test_an_agents_optional_questions_may_stay_unanswered(bridge_client):
    from agents_app.services import voice_agent_create_from_template

    agent = voice_agent_create_from_template(template_key="nps")
    required = [q.key for q in agent.questions.all() if q.required]
    optional = [q.key for q in agent.questions.all() if not q.required]
    assert required and optional
    encuesta = EncuestaFactory(voice_agent=agent, status=Encuesta.Status.IN_PROGRESS)
    answers = {key: "9" for key in required}

    response = save(bridge_client, encuesta, respuestas=answers, status="completed")

    assert response.status_code == 200, response.json()


# --- item 9: one opt-out service, whoever reports it -------------------------------------------


def test_an_opt_out_saved_through_the_bridge_lists_the_number_and_the_next_call_is_refused(
    bridge_client, api_client, encuesta, voice_agent, telephony_config
):
    response = save(bridge_client, encuesta, status="rejected_opt_out")

    assert response.status_code == 200
    entry = DoNotCallEntry.objects.get(phone=encuesta.telefono)
    assert entry.encuesta_id == encuesta.pk
    refused = api_client.post(
        OUTBOUND, {"agentId": voice_agent.pk, "phoneNumber": encuesta.telefono}, format="json"
    )
    assert refused.status_code == 400
    assert "no llamar" in refused.json()["detail"]
    assert not Call.objects.exists()


def test_a_call_queued_before_the_opt_out_is_cancelled_instead_of_dialed(livekit, telephony_config):
    call = CallFactory(status=Call.Status.QUEUED, to_number="+34621151394")
    opt_out_record(phone="+34621151394", source=OptOutSource.STAFF)

    outcome = call_dial(call_id=call.pk, attempt=0)

    assert outcome.status == Call.Status.CANCELED
    assert livekit.calls("CreateSIPParticipant") == []


def test_the_admin_records_an_opt_out_by_hand(admin_client_logged, encuesta):
    completed = EncuestaFactory(voice_agent=None, status=Encuesta.Status.COMPLETED, completada=True)

    response = admin_client_logged.post(
        "/admin/calls/encuesta/",
        {"action": "record_opt_out", "_selected_action": [encuesta.pk, completed.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert set(DoNotCallEntry.objects.values_list("phone", flat=True)) == {
        encuesta.telefono,
        completed.telefono,
    }
    encuesta.refresh_from_db()
    completed.refresh_from_db()
    assert encuesta.status == Encuesta.Status.REJECTED_OPT_OUT
    assert completed.status == Encuesta.Status.COMPLETED  # its answers stand; the number is listed
    assert "admin" in DoNotCallEntry.objects.get(phone=encuesta.telefono).reason


def test_the_opt_out_action_needs_the_do_not_call_permission(client, encuesta):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_encuesta", "change_encuesta"]))
    client.force_login(user)

    client.post("/admin/calls/encuesta/", {"action": "record_opt_out", "_selected_action": [encuesta.pk]})

    assert not DoNotCallEntry.objects.exists()


def test_adding_a_number_in_the_do_not_call_admin_closes_its_open_survey(admin_client_logged, encuesta):
    response = admin_client_logged.post(
        "/admin/calls/donotcallentry/add/", {"phone": encuesta.telefono, "reason": "Llamó para quejarse"}
    )

    assert response.status_code == 302
    assert DoNotCallEntry.objects.get().reason == "Llamó para quejarse"
    encuesta.refresh_from_db()
    assert encuesta.status == Encuesta.Status.REJECTED_OPT_OUT


# --- item 11: an idempotency key names one request ---------------------------------------------


def test_a_reused_idempotency_key_with_another_body_is_422(
    api_client, livekit, voice_agent, telephony_config, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        first = api_client.post(
            OUTBOUND,
            {"agentId": voice_agent.pk, "phoneNumber": "+34621151394"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="k-1",
        )
        replay = api_client.post(
            OUTBOUND,
            {"agentId": voice_agent.pk, "phoneNumber": "621 15 13 94"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="k-1",
        )
        others = [
            api_client.post(
                OUTBOUND,
                {"agentId": voice_agent.pk, "phoneNumber": f"+3462115{n:04d}"},
                format="json",
                HTTP_IDEMPOTENCY_KEY="k-1",
            )
            for n in range(5)
        ]

    assert first.status_code == 200
    assert replay.status_code == 200 and replay.json() == first.json()
    assert {r.status_code for r in others} == {422}
    assert "idempotencia" in others[0].json()["detail"]
    assert Call.objects.count() == 1


# --- performance: what one save costs the database ---------------------------------------------


def _statements(ctx: CaptureQueriesContext) -> list[str]:
    # The test's own transaction turns the service's atomic block into savepoints; in production
    # it is the outermost transaction and sends none.
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


@pytest.mark.parametrize(
    "body",
    [
        {"nota_comercial": 8},
        {"respuestas": {"comercial": 8, "instalador": 9}},
        {"nota_rapidez": 7, "comentarios": "Bien", "status": "completed", "transcription": "Agente: Adiós"},
        {"status": "rejected_opt_out"},
    ],
    ids=["one-score", "respuestas", "final-save", "status-only"],
)
def test_a_bridge_save_costs_at_most_four_queries(bridge_client, body):
    agent = VoiceAgentFactory()
    encuesta = EncuestaFactory(voice_agent=agent, status=Encuesta.Status.IN_PROGRESS)
    save(bridge_client, encuesta, nota_comercial=6, nota_instalador=9)

    with CaptureQueriesContext(connection) as ctx:
        response = save(bridge_client, encuesta, **body)

    assert response.status_code == 200, response.json()
    statements = _statements(ctx)
    assert len(statements) <= 4, "\n".join(statements)
