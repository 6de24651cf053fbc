"""The surveys' CSV export: formulas neutralised, JSON answers, Spanish labels."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Group

from calls.models import Encuesta
from calls.roles import SUPERVISOR
from tests.factories import EncuestaFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_export_neutralises_formulas_and_writes_json_and_spanish_labels(client):
    user = UserFactory(username="supervisora", is_staff=True)
    user.groups.add(Group.objects.get(name=SUPERVISOR))
    client.force_login(user)
    encuesta = EncuestaFactory(
        nombre_cliente='=HYPERLINK("http://x","y")',
        comentarios="+cmd",
        completada=True,
        status=Encuesta.Status.COMPLETED,
        respuestas={"valoración": "Muy buena", "nota": 9, "recomendaría": True},
        voice_agent__name="@agente",
    )
    plain = EncuestaFactory(nombre_cliente="Begoña", comentarios="-5", status=Encuesta.Status.PENDING)

    response = client.post(
        "/admin/calls/encuesta/",
        {"action": "export_csv", "_selected_action": [encuesta.pk, plain.pk]},
    )

    assert response.status_code == 200
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    first, second = (dict(zip(header, row, strict=True)) for row in rows)
    assert first["nombre_cliente"] == '\'=HYPERLINK("http://x","y")'
    assert first["comentarios"] == "'+cmd"
    assert first["agente"] == "'@agente"
    assert first["telefono"] == "+34621151394"
    assert first["respuestas"] == '{"valoración": "Muy buena", "nota": 9, "recomendaría": true}'
    assert json.loads(first["respuestas"])["nota"] == 9
    assert first["completada"] == "Sí"
    assert first["status"] == "Completada"
    assert second["comentarios"] == "-5"
    assert second["completada"] == "No"
    assert second["status"] == "Pendiente"
    assert second["respuestas"] == "{}"
