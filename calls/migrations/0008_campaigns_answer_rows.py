"""Copy every existing survey's answers into answer rows (one per question)."""

from decimal import Decimal
from typing import Any

from django.db import migrations

LEGACY_COLUMNS = {
    "comercial": "puntuacion_comercial",
    "instalador": "puntuacion_instalador",
    "rapidez": "puntuacion_rapidez",
    "comentarios": "comentarios",
}


def _row_values(value: Any) -> tuple[Decimal | None, str]:
    if isinstance(value, bool):
        return Decimal(int(value)), "sí" if value else "no"
    if isinstance(value, int | float):
        return Decimal(str(value)), ""
    return None, "" if value is None else str(value)


def forwards(apps, schema_editor) -> None:
    Encuesta = apps.get_model("calls", "Encuesta")
    EncuestaAnswer = apps.get_model("calls", "EncuestaAnswer")
    batch = []
    for encuesta in Encuesta.objects.order_by("pk").iterator(chunk_size=2000):
        answers = dict(encuesta.respuestas or {})
        for key, column in LEGACY_COLUMNS.items():
            legacy = getattr(encuesta, column)
            if key not in answers and legacy not in (None, ""):
                answers[key] = legacy
        for key, value in answers.items():
            if value in (None, ""):
                continue
            number, text = _row_values(value)
            batch.append(
                EncuestaAnswer(
                    encuesta_id=encuesta.pk, question_key=key[:64], value_number=number, value_text=text
                )
            )
        if len(batch) >= 2000:
            EncuestaAnswer.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    EncuestaAnswer.objects.bulk_create(batch, ignore_conflicts=True)


def backwards(apps, schema_editor) -> None:
    apps.get_model("calls", "EncuestaAnswer").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("calls", "0008_campaigns")]

    operations = [migrations.RunPython(forwards, backwards)]
