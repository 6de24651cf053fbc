"""The surveys' CSV export (admin action): spreadsheet-safe cells, Spanish labels, JSON answers."""

import csv
import json
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import Encuesta
from calls.spreadsheets import neutralize

CSV_COLUMNS = (
    "id",
    "telefono",
    "nombre_cliente",
    "fecha",
    "status",
    "completada",
    "puntuacion_comercial",
    "puntuacion_instalador",
    "puntuacion_rapidez",
    "comentarios",
    "llm_model",
    "seconds_used",
    "tokens_used",
)


def encuesta_csv_row(encuesta: Encuesta) -> list[Any]:
    """One survey's cells, in the header's order, ready for a spreadsheet."""
    row = [getattr(encuesta, column) for column in CSV_COLUMNS]
    row[CSV_COLUMNS.index("fecha")] = timezone.localtime(encuesta.fecha).isoformat()
    row[CSV_COLUMNS.index("status")] = encuesta.get_status_display()
    row[CSV_COLUMNS.index("completada")] = _("Sí") if encuesta.completada else _("No")
    agent = encuesta.voice_agent.name if encuesta.voice_agent else ""
    answers = json.dumps(encuesta.respuestas or {}, ensure_ascii=False)
    return [neutralize(cell) for cell in (*row, agent, answers)]


def encuestas_csv_response(encuestas: Iterable[Encuesta]) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="encuestas-{stamp}.csv"'
    # A BOM lets Excel open accented Spanish text correctly.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([*CSV_COLUMNS, "agente", "respuestas"])
    for encuesta in encuestas:
        writer.writerow(encuesta_csv_row(encuesta))
    return response
