"""Campaign results as CSV or XLSX: one row per lead, one column per question, Spanish labels.

Rows are read in chunks (leads, then their answer rows), so a 100k-lead export keeps little in memory.
Every text cell goes through `neutralize`, so a customer's "=HYPERLINK(…)" stays text.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.campaign_results import campaign_questionnaire
from calls.models import Campaign, EncuestaAnswer, Lead
from calls.spreadsheets import neutralize

CHUNK = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _base_headers() -> list[str]:
    return [
        _("ID contacto"),
        _("Teléfono"),
        _("Nombre"),
        _("Comunidad autónoma"),
        _("Estado"),
        _("Intentos"),
        _("Último resultado"),
        _("Encuesta"),
        _("Fecha de la encuesta"),
    ]


def export_headers(campaign: Campaign) -> tuple[list[str], list[str]]:
    """(header labels, question keys in column order)."""
    questions = campaign_questionnaire(campaign)
    extra_keys = sorted(
        set(
            EncuestaAnswer.objects.filter(encuesta__lead__campaign=campaign)
            .values_list("question_key", flat=True)
            .distinct()
        )
        - {q.key for q in questions}
    )
    keys = [q.key for q in questions] + extra_keys
    labels = [q.text for q in questions] + extra_keys
    return _base_headers() + labels, keys


def _answer(number: Any, text: str) -> Any:
    if text:
        return text
    if number is None:
        return ""
    return int(number) if number == number.to_integral_value() else float(number)


def export_rows(campaign: Campaign, keys: list[str]) -> Iterator[list[Any]]:
    leads = Lead.objects.filter(campaign=campaign).select_related("encuesta").order_by("id")
    last_id = 0
    while True:
        chunk = list(leads.filter(id__gt=last_id)[:CHUNK])
        if not chunk:
            return
        last_id = chunk[-1].pk
        answers: dict[int, dict[str, Any]] = {}
        for encuesta_id, key, number, text in EncuestaAnswer.objects.filter(
            encuesta_id__in=[lead.encuesta_id for lead in chunk if lead.encuesta_id]
        ).values_list("encuesta_id", "question_key", "value_number", "value_text"):
            answers.setdefault(encuesta_id, {})[key] = _answer(number, text)
        for lead in chunk:
            encuesta = lead.encuesta
            own = answers.get(lead.encuesta_id or 0, {})
            row = [
                lead.pk,
                lead.phone,
                lead.customer_name,
                lead.get_region_display() if lead.region else "",
                lead.get_status_display(),
                lead.attempts,
                lead.get_last_outcome_display() if lead.last_outcome else "",
                encuesta.get_status_display() if encuesta else "",
                timezone.localtime(encuesta.fecha).strftime("%Y-%m-%d %H:%M") if encuesta else "",
                *(own.get(key, "") for key in keys),
            ]
            yield [neutralize(value) for value in row]


def _filename(campaign: Campaign, extension: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"campana-{campaign.pk}-resultados-{stamp}.{extension}"


class _Echo:
    def write(self, value: str) -> str:
        return value


def campaign_csv_response(campaign: Campaign) -> StreamingHttpResponse:
    headers, keys = export_headers(campaign)
    writer = csv.writer(_Echo(), delimiter=";")

    def lines() -> Iterable[str]:
        yield "\ufeff"  # Excel reads the accents right with a BOM
        yield writer.writerow(headers)
        for row in export_rows(campaign, keys):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(campaign, "csv")}"'
    return response


def campaign_xlsx_response(campaign: Campaign) -> FileResponse:
    from openpyxl import Workbook

    headers, keys = export_headers(campaign)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Resultados"))
    sheet.append(headers)
    for row in export_rows(campaign, keys):
        sheet.append(row)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=_filename(campaign, "xlsx"), content_type=XLSX_TYPE)
