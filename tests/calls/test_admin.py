import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from calls.exports import CSV_COLUMNS
from calls.models import Call, DoNotCallEntry, Encuesta
from calls.services import phone_check_dialable
from tests.factories import CallFactory, EncuestaFactory

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"admin:calls_{name}", args=args)


@pytest.mark.parametrize("model", ["encuesta", "call"])
def test_changelists_with_rows_render(admin_client_logged, model):
    call = CallFactory(encuesta__nombre_cliente="Begoña Ibáñez")

    response = admin_client_logged.get(url(f"{model}_changelist"))

    assert response.status_code == 200
    assert (call.room_name if model == "call" else "Begoña Ibáñez") in response.content.decode()


@pytest.mark.parametrize("model", [Encuesta, Call, DoNotCallEntry])
def test_empty_changelists_render(admin_client_logged, model):
    response = admin_client_logged.get(url(f"{model._meta.model_name}_changelist"))

    assert response.status_code == 200
    assert f"0 {model._meta.verbose_name_plural}" in response.content.decode()


def test_do_not_call_changelist_renders_its_rows(admin_client_logged):
    admin_client_logged.post(url("donotcallentry_add"), {"phone": "+34621151394", "reason": "No molestar"})

    response = admin_client_logged.get(url("donotcallentry_changelist"))

    assert response.status_code == 200
    assert "+34621151394" in response.content.decode()


@pytest.mark.parametrize("model", ["encuesta", "donotcallentry"])
def test_add_forms_render(admin_client_logged, model):
    assert admin_client_logged.get(url(f"{model}_add")).status_code == 200


def test_calls_are_not_added_by_hand(admin_client_logged):
    assert admin_client_logged.get(url("call_add")).status_code == 403


def test_call_change_form_renders(admin_client_logged):
    call = CallFactory(sip_status="Busy Here")

    response = admin_client_logged.get(url("call_change", call.pk))

    assert response.status_code == 200
    assert "Busy Here" in response.content.decode()


def test_do_not_call_change_form_renders(admin_client_logged):
    admin_client_logged.post(
        url("donotcallentry_add"), {"phone": "+34621151394", "reason": "Pidió no llamar"}
    )

    response = admin_client_logged.get(url("donotcallentry_change", DoNotCallEntry.objects.get().pk))

    assert response.status_code == 200
    assert "Pidió no llamar" in response.content.decode()


def test_encuesta_change_form_shows_results_read_only(admin_client_logged):
    encuesta = EncuestaFactory(
        status=Encuesta.Status.COMPLETED,
        puntuacion_comercial=9,
        comentarios="Muy amable, gracias",
        transcription="Agente: ¿Del 0 al 10?\nCliente: Un nueve.",
    )
    CallFactory(encuesta=encuesta)

    response = admin_client_logged.get(url("encuesta_change", encuesta.pk))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="puntuacion_comercial"' not in content
    assert 'name="status"' not in content
    assert 'name="telefono"' not in content
    assert "Muy amable, gracias" in content
    assert "Cliente: Un nueve." in content
    assert 'name="calls-TOTAL_FORMS"' in content


def test_export_csv_action(admin_client_logged):
    selected = [
        EncuestaFactory(nombre_cliente="José Muñoz", comentarios="Atención excelente, ¡volvería!"),
        EncuestaFactory(nombre_cliente="Begoña", puntuacion_comercial=7),
    ]
    EncuestaFactory(nombre_cliente="No seleccionada")

    response = admin_client_logged.post(
        url("encuesta_changelist"),
        {"action": "export_csv", "_selected_action": [e.pk for e in selected]},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == [*CSV_COLUMNS, "agente", "respuestas"]
    by_column = [dict(zip(header, row, strict=True)) for row in rows]
    assert [row["id"] for row in by_column] == [str(e.pk) for e in selected]
    assert by_column[0]["nombre_cliente"] == "José Muñoz"
    assert by_column[0]["comentarios"] == "Atención excelente, ¡volvería!"
    assert by_column[1]["puntuacion_comercial"] == "7"
    assert selected[1].voice_agent is not None
    assert by_column[1]["agente"] == selected[1].voice_agent.name


def test_do_not_call_entry_added_in_the_admin_blocks_the_number(admin_client_logged):
    admin_client_logged.post(url("donotcallentry_add"), {"phone": "621 15 13 94", "reason": "No molestar"})

    with pytest.raises(ValidationError, match="no llamar"):
        phone_check_dialable(phone="+34621151394")


def test_encuesta_added_in_the_admin_has_an_e164_phone(admin_client_logged):
    admin_client_logged.post(
        url("encuesta_add"),
        {
            "telefono": "621 15 13 94",
            "nombre_cliente": "Ana",
            "fecha_0": "2026-01-02",
            "fecha_1": "10:00:00",
            "calls-TOTAL_FORMS": "0",
            "calls-INITIAL_FORMS": "0",
        },
    )

    assert list(Encuesta.objects.values_list("telefono", flat=True)) == ["+34621151394"]
