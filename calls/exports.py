import csv
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone

from calls.models import Encuesta

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


def encuestas_csv_response(encuestas: Iterable[Encuesta]) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="encuestas-{stamp}.csv"'
    # A BOM lets Excel open accented Spanish text correctly.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([*CSV_COLUMNS, "agente", "respuestas"])
    for encuesta in encuestas:
        row = [getattr(encuesta, column) for column in CSV_COLUMNS]
        row[CSV_COLUMNS.index("fecha")] = timezone.localtime(encuesta.fecha).isoformat()
        writer.writerow(
            [*row, encuesta.voice_agent.name if encuesta.voice_agent else "", encuesta.respuestas]
        )
    return response
