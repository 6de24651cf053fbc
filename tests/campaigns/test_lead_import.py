import csv
import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from calls.lead_files import read_lead_file, table_from_records
from calls.models import DoNotCallEntry, Lead
from calls.services.lead_import import Rejection, leads_import, leads_preview
from calls.spreadsheets import neutralize

pytestmark = pytest.mark.django_db


def csv_bytes(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def xlsx_bytes(rows: list[list]) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def run_import(campaign, stream):
    report = io.StringIO()
    result = leads_import(campaign_id=campaign.pk, table=read_lead_file(stream), report=report)
    return result, report.getvalue()


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("telefono;nombre;region;pedido\n612345678;Begoña Ibáñez;Madrid;A-1\n", "utf-8"),
        ("\ufefftelefono;nombre;region;pedido\n612345678;Begoña Ibáñez;Madrid;A-1\n", "utf-8"),
        ("Teléfono,Nombre,Región,Pedido\r\n612345678,Begoña Ibáñez,MD,A-1\r\n", "cp1252"),
        ('phone_number,customer_name,region,pedido\n"+34 612 345 678","Begoña Ibáñez",es-md,A-1\n', "utf-8"),
    ],
)
def test_csv_separators_encodings_and_headers(make_campaign, text, encoding):
    campaign = make_campaign(start=False)

    result, _report = run_import(campaign, csv_bytes(text, encoding))

    lead = Lead.objects.get(campaign=campaign)
    assert (result.rows, result.created, result.rejected_total) == (1, 1, 0)
    assert (lead.phone, lead.customer_name, lead.region) == ("+34612345678", "Begoña Ibáñez", "MD")
    assert lead.extra == {"pedido": "A-1"}
    assert lead.greeting_context()["pedido"] == "A-1"


def test_xlsx_with_numeric_phones_and_extra_columns(make_campaign):
    campaign = make_campaign(start=False)
    stream = xlsx_bytes(
        [["Nombre", "Móvil", "Fecha instalación"], ["Ane", 612345678, "2026-01-03"], [None, None, None]]
    )

    result, _report = run_import(campaign, stream)

    lead = Lead.objects.get(campaign=campaign)
    assert (result.rows, result.created) == (1, 1)
    assert (lead.phone, lead.customer_name, lead.extra) == (
        "+34612345678",
        "Ane",
        {"fecha_instalacion": "2026-01-03"},
    )


def test_headerless_file_is_phone_then_name(make_campaign):
    campaign = make_campaign(start=False)

    result, _report = run_import(campaign, csv_bytes("612345678,Ane\n699111222,Jon\n"))

    assert result.created == 2
    assert set(Lead.objects.values_list("customer_name", flat=True)) == {"Ane", "Jon"}


def test_every_rejection_reason_is_reported_per_row(make_campaign):
    campaign = make_campaign(["+34699000111"], start=False)
    DoNotCallEntry.objects.create(phone="+34611222333")
    text = (
        "telefono;nombre\n"
        "612345678;Válido\n"
        "12;Corto\n"  # line 3: invalid
        "+33612345678;Francia\n"  # foreign
        "803123456;Tarificación\n"  # premium rate
        "612345678;Repetido\n"  # duplicate in the file
        "699000111;Ya estaba\n"  # duplicate of the campaign
        "611222333;No llamar\n"  # do-not-call
        ";Sin número\n"
    )

    result, report = run_import(campaign, csv_bytes(text))

    assert result.created == 1
    assert dict(result.rejected) == {
        Rejection.INVALID: 2,
        Rejection.FOREIGN: 1,
        Rejection.PREMIUM: 1,
        Rejection.DUPLICATE: 2,
        Rejection.DO_NOT_CALL: 1,
    }
    rows = list(csv.reader(io.StringIO(report.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["fila", "telefono", "motivo", "detalle", "telefono", "nombre"]
    by_line = {row[0]: row for row in rows[1:]}
    assert set(by_line) == {"3", "4", "5", "6", "7", "8", "9"}
    assert by_line["4"][2] == "País no autorizado"
    assert by_line["6"][1] == "+34612345678"
    assert by_line["8"][2] == "En la lista de no llamar"
    assert [r.line for r in result.sample] == [3, 4, 5, 6, 7, 8, 9]


def test_duplicates_across_batches_are_found(make_campaign):
    campaign = make_campaign(start=False)
    text = "telefono\n" + "".join(f"6123456{i:02d}\n" for i in range(10)) * 2

    result = leads_import(campaign_id=campaign.pk, table=read_lead_file(csv_bytes(text)), batch_size=3)

    assert (result.created, result.rejected[Rejection.DUPLICATE]) == (10, 10)


def test_unknown_region_is_rejected(make_campaign):
    campaign = make_campaign(start=False)

    result, _report = run_import(campaign, csv_bytes("telefono,region\n612345678,Atlántida\n"))

    assert result.created == 0
    assert "Atlántida" in result.sample[0].detail


def test_report_neutralises_formulas(make_campaign):
    campaign = make_campaign(start=False)

    _result, report = run_import(campaign, csv_bytes('telefono,nombre\n=HYPERLINK("x"),@SUM(A1)\n'))

    row = list(csv.reader(io.StringIO(report.lstrip("\ufeff")), delimiter=";"))[1]
    assert row[1] == '\'=HYPERLINK("x")'
    assert row[-1] == "'@SUM(A1)"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"", "empty_file"),
        (b"  \n\n", "empty_file"),
        (b"\x00\x01\x02garbage\xff", "not_a_table"),
        (b"\xd0\xcf\x11\xe0old excel", "xls_not_supported"),
        (b"PK\x03\x04not really a zip", "bad_xlsx"),
        (b"name,city\nAne,Bilbao\n", "no_phone_column"),
    ],
)
def test_unusable_files_are_refused_before_anything_is_written(payload, code):
    with pytest.raises(ValidationError) as excinfo:
        read_lead_file(io.BytesIO(payload))

    assert excinfo.value.code == code


def test_records_use_the_same_rules(make_campaign):
    campaign = make_campaign(start=False)
    table = table_from_records([{"phone_number": "612345678", "customer_name": "Ane", "pedido": 7}])

    result = leads_import(campaign_id=campaign.pk, table=table)

    assert result.created == 1
    assert Lead.objects.get().extra == {"pedido": "7"}


def test_preview_shows_the_first_rows_with_their_verdict(make_campaign):
    DoNotCallEntry.objects.create(phone="+34611222333")
    text = "telefono;nombre\n612345678;Ane\n611222333;Jon\nxx;Mal\n699111222;Luis\n"

    preview = leads_preview(table=read_lead_file(csv_bytes(text)), limit=3)

    assert [row.line for row in preview.rows] == [2, 3, 4]
    assert [row.rejection.reason if row.rejection else "ok" for row in preview.rows] == [
        "ok",
        Rejection.DO_NOT_CALL,
        Rejection.INVALID,
    ]
    assert Lead.objects.count() == 0


def test_cancelled_campaign_refuses_imports(make_campaign):
    from calls.services.campaigns import campaign_cancel

    campaign = make_campaign(start=False)
    campaign_cancel(campaign_id=campaign.pk)

    with pytest.raises(ValidationError):
        leads_import(campaign_id=campaign.pk, table=read_lead_file(csv_bytes("telefono\n612345678\n")))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+34612345678", "+34612345678"),
        ("-3", "-3"),
        ("@x", "'@x"),
        ("hola", "hola"),
        (5, 5),
    ],
)
def test_neutralize(value, expected):
    assert neutralize(value) == expected


def test_fast_insert_skips_phones_already_in_the_campaign(make_campaign):
    from django.utils import timezone

    from calls.services.campaigns import LeadRow
    from calls.services.lead_insert import leads_insert_ignoring_duplicates

    campaign = make_campaign(["+34612345678"], start=False)
    now = timezone.now()
    rows = [
        LeadRow(phone="+34612345678"),
        LeadRow(phone="+34699111222", customer_name="Jon", extra={"a": "1"}),
    ]

    inserted = leads_insert_ignoring_duplicates(campaign_id=campaign.pk, rows=rows, now=now)

    lead = Lead.objects.get(phone="+34699111222")
    assert inserted == 1
    assert (lead.status, lead.attempts, lead.next_attempt_at, lead.extra) == (
        Lead.Status.PENDING,
        0,
        now,
        {"a": "1"},
    )
    assert Lead.objects.filter(campaign=campaign).count() == 2


@pytest.mark.django_db(transaction=True)
def test_duplicates_of_the_batch_still_being_written_are_reported_per_row(make_campaign):
    # Outside a transaction on MariaDB the previous batch is written by a thread while this one is checked.
    campaign = make_campaign(start=False)
    text = "telefono\n612345600\n612345601\n612345602\n612345602\n612345601\n612345603\n"

    result = leads_import(campaign_id=campaign.pk, table=read_lead_file(csv_bytes(text)), batch_size=3)

    assert (result.created, result.rejected[Rejection.DUPLICATE]) == (4, 2)
    assert [(r.line, r.reason) for r in result.sample] == [(5, "duplicate"), (6, "duplicate")]
    assert Lead.objects.filter(campaign=campaign).count() == 4


@pytest.mark.parametrize("preload_max", [0, 50_000])
def test_do_not_call_list_read_once_or_per_batch(make_campaign, monkeypatch, preload_max):
    from calls.services.lead_import import DoNotCallList

    monkeypatch.setattr(DoNotCallList, "PRELOAD_MAX", preload_max)
    campaign = make_campaign(start=False)
    DoNotCallEntry.objects.create(phone="+34611222333")
    text = "telefono\n612345678\n611222333\n699111222\n"

    result = leads_import(campaign_id=campaign.pk, table=read_lead_file(csv_bytes(text)), batch_size=2)

    assert (result.created, result.rejected[Rejection.DO_NOT_CALL]) == (2, 1)
