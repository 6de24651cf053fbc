"""Campaign admin: pages, live progress JSON, actions with ONE message, import, results, export."""

import csv
import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from calls.models import Call, Campaign, DoNotCallEntry, Encuesta, EncuestaAnswer, Lead
from calls.services.campaigns import campaign_cancel
from tests.factories import SurveyQuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.LEAD_IMPORT_DIR = tmp_path
    return tmp_path


def url(name: str, *args) -> str:
    return reverse(f"admin:calls_campaign_{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_list_and_change_page_show_progress(admin_client_logged, make_campaign):
    campaign = make_campaign(["+34612345678", "+34699111222"])
    Lead.objects.filter(phone="+34612345678").update(status=Lead.Status.COMPLETED)

    listing = admin_client_logged.get(url("changelist")).content.decode()
    page = admin_client_logged.get(url("change", campaign.pk)).content.decode()

    assert f'data-campaign-progress="{campaign.pk}"' in listing
    assert "1 / 2 (50.0%)" in listing
    assert 'id="campaign-panel"' in page
    assert url("progress", campaign.pk) in page
    assert 'value="pause"' in page


def test_progress_json(admin_client_logged, make_campaign):
    campaign = make_campaign(["+34612345678", "+34699111222", "+34699111333", "+34699111444"])
    Lead.objects.filter(phone="+34612345678").update(status=Lead.Status.COMPLETED)
    Lead.objects.filter(phone="+34699111222").update(status=Lead.Status.CALLING)

    body = admin_client_logged.get(url("progress", campaign.pk)).json()
    listed = admin_client_logged.get(url("progress_list") + f"?ids={campaign.pk},999").json()

    assert (body["total"], body["done"], body["percent_done"], body["calls_in_progress"]) == (4, 1, 25.0, 1)
    assert body["window_open_now"] is True
    assert {c["status"]: c["n"] for c in body["counts"]}["pending"] == 2
    assert [c["id"] for c in listed["campaigns"]] == [campaign.pk]


def test_bulk_action_gives_one_summary_message(admin_client_logged, make_campaign):
    drafts = [make_campaign([f"+3461234567{i}"], start=False) for i in range(3)]
    cancelled = make_campaign(["+34699111222"], start=False)
    campaign_cancel(campaign_id=cancelled.pk)

    response = admin_client_logged.post(
        url("changelist"),
        {"action": "start", "_selected_action": [c.pk for c in [*drafts, cancelled]], "index": 0},
        follow=True,
    )

    texts = messages_of(response)
    assert len(texts) == 1
    assert texts[0].startswith("3 campañas iniciadas. 1 no:")
    assert set(Campaign.objects.filter(pk__in=[c.pk for c in drafts]).values_list("status", flat=True)) == {
        Campaign.Status.RUNNING
    }


def test_cancel_150_leads_is_one_message(admin_client_logged, make_campaign):
    campaign = make_campaign([f"+346123{i:05d}" for i in range(150)])

    response = admin_client_logged.post(
        url("changelist"), {"action": "cancel", "_selected_action": [campaign.pk], "index": 0}, follow=True
    )

    assert messages_of(response) == ["1 campañas canceladas. 150 contactos pendientes cancelados."]


def test_one_click_action_from_the_change_page(admin_client_logged, make_campaign):
    campaign = make_campaign(["+34612345678"])

    response = admin_client_logged.post(url("do", campaign.pk, "pause"), follow=True)

    assert messages_of(response) == ["1 campañas pausadas."]
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.PAUSED


def test_import_preview_confirm_and_report(admin_client_logged, make_campaign):
    campaign = make_campaign(["+34699000111"], start=False)
    DoNotCallEntry.objects.create(phone="+34611222333")
    text = "telefono;nombre;pedido\n612345678;Ane;A-1\n611222333;Jon;A-2\n699000111;Luis;A-3\n12;Mal;A-4\n"
    upload = SimpleUploadedFile("clientes.csv", text.encode("cp1252"))

    preview = admin_client_logged.post(url("import", campaign.pk), {"file": upload})
    token = preview.context["token"]
    assert Lead.objects.filter(campaign=campaign).count() == 1
    result = admin_client_logged.post(url("import_confirm", campaign.pk, token))
    report = admin_client_logged.get(url("import_report", campaign.pk, token))

    assert [row.line for row in preview.context["preview"].rows] == [2, 3, 4, 5]
    assert "Se importará" in preview.content.decode()
    assert result.status_code == 200
    assert messages_of(result) == [
        "1 contactos añadidos de 4 filas; Número no válido: 1; Duplicado: 1; En la lista de no llamar: 1."
    ]
    assert Lead.objects.get(campaign=campaign, phone="+34612345678").extra == {"pedido": "A-1"}
    rows = list(
        csv.reader(io.StringIO(b"".join(report.streaming_content).decode().lstrip("\ufeff")), delimiter=";")
    )
    assert [row[0] for row in rows[1:]] == ["3", "4", "5"]
    assert admin_client_logged.post(url("import_confirm", campaign.pk, token)).status_code == 404


@pytest.mark.parametrize(
    ("payload", "needle"),
    [(b"", "archivo enviado"), (b"\n\n", "vacío"), (b"nombre\nAne\n", "columna del teléfono")],
)
def test_import_of_an_unusable_file_shows_the_error(admin_client_logged, make_campaign, payload, needle):
    campaign = make_campaign(start=False)

    response = admin_client_logged.post(
        url("import", campaign.pk), {"file": SimpleUploadedFile("x.csv", payload)}
    )

    assert response.status_code == 200
    assert needle in response.content.decode()
    assert not Lead.objects.filter(campaign=campaign).exists()


def test_report_token_is_checked(admin_client_logged, make_campaign):
    campaign = make_campaign(start=False)

    assert admin_client_logged.get(url("import_report", campaign.pk, "..%2Fsecret")).status_code == 404
    assert admin_client_logged.get(url("import_report", campaign.pk, "0" * 32)).status_code == 404


@pytest.fixture
def surveyed(make_campaign, voice_agent):
    """A campaign of 4 leads: 3 answered surveys (NPS question and a yes/no), calls of every outcome."""
    SurveyQuestionFactory(agent=voice_agent, key="recomendacion", text="¿Nos recomendaría? (0 a 10)")
    SurveyQuestionFactory(agent=voice_agent, key="resuelto", text="¿Se resolvió?", type="yes_no")
    SurveyQuestionFactory(agent=voice_agent, key="comentarios", text="Comentarios", type="text")
    phones = ["+34612345670", "+34612345671", "+34612345672", "+34612345673"]
    campaign = make_campaign(phones)
    answers = [(10, True, '=HYPERLINK("http://x")'), (9, True, "Bien"), (3, False, "")]
    for phone, (score, solved, comment) in zip(phones, answers, strict=False):
        encuesta = Encuesta.objects.create(telefono=phone, voice_agent=voice_agent, status="completed")
        EncuestaAnswer.objects.create(encuesta=encuesta, question_key="recomendacion", value_number=score)
        EncuestaAnswer.objects.create(
            encuesta=encuesta,
            question_key="resuelto",
            value_number=int(solved),
            value_text="sí" if solved else "no",
        )
        if comment:
            EncuestaAnswer.objects.create(encuesta=encuesta, question_key="comentarios", value_text=comment)
        Lead.objects.filter(phone=phone).update(encuesta=encuesta, status=Lead.Status.COMPLETED, attempts=1)
        Call.objects.create(
            encuesta=encuesta,
            room_name=f"r{phone}",
            to_number=phone,
            status="completed",
            answered_at=encuesta.fecha,
        )
    refused = Encuesta.objects.create(telefono=phones[3], voice_agent=voice_agent)
    Lead.objects.filter(phone=phones[3]).update(encuesta=refused, status=Lead.Status.OPTED_OUT, attempts=3)
    for attempt, status in enumerate(["busy", "no_answer", "voicemail"], start=1):
        Call.objects.create(
            encuesta=refused, attempt=attempt, room_name=f"x{attempt}", to_number=phones[3], status=status
        )
    return campaign


def test_results_page_computes_per_question_stats(admin_client_logged, surveyed):
    response = admin_client_logged.get(url("results", surveyed.pk))

    results = response.context["results"]
    by_key = {q.key: q for q in results.questions}
    assert (results.completion_rate, results.refusal_rate) == (75.0, 25.0)
    assert results.outcomes == {"answered": 3, "busy": 1, "no_answer": 1, "voicemail": 1, "failed": 0}
    assert by_key["recomendacion"].average == pytest.approx(7.33)
    assert by_key["recomendacion"].nps == pytest.approx(33.3)  # 2 promoters, 1 detractor of 3
    assert by_key["recomendacion"].distribution == [("3", 1), ("9", 1), ("10", 1)]
    assert by_key["resuelto"].distribution == [("no", 1), ("sí", 2)]
    assert by_key["resuelto"].nps is None
    assert by_key["comentarios"].answers == 2
    page = response.content.decode()
    assert "NPS" in page and "chart-bar" in page


def test_export_csv_and_xlsx_one_column_per_question_formulas_neutralised(admin_client_logged, surveyed):
    csv_response = admin_client_logged.get(url("export", surveyed.pk, "csv"))
    xlsx_response = admin_client_logged.get(url("export", surveyed.pk, "xlsx"))

    text = b"".join(csv_response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:2] == ["ID contacto", "Teléfono"]
    assert rows[0][-3:] == ["¿Nos recomendaría? (0 a 10)", "¿Se resolvió?", "Comentarios"]
    first = next(row for row in rows if row[1] == "+34612345670")
    assert first[-3:] == ["10", "sí", '\'=HYPERLINK("http://x")']
    sheet = load_workbook(io.BytesIO(b"".join(xlsx_response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(rows[0])
    cell = next(row for row in values if row[1] == "+34612345670")[-1]
    assert cell == '\'=HYPERLINK("http://x")'
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_export_action_needs_exactly_one_campaign(admin_client_logged, surveyed, make_campaign):
    other = make_campaign(start=False)

    response = admin_client_logged.post(
        url("changelist"),
        {"action": "export_csv", "_selected_action": [surveyed.pk, other.pk], "index": 0},
        follow=True,
    )
    single = admin_client_logged.post(
        url("changelist"), {"action": "export_xlsx", "_selected_action": [surveyed.pk], "index": 0}
    )

    assert messages_of(response) == ["Elija una sola campaña para exportar sus resultados."]
    assert single["Content-Type"].startswith("application/vnd.openxmlformats")


def test_encuesta_list_shows_any_questionnaires_answers(admin_client_logged, surveyed):
    page = admin_client_logged.get(reverse("admin:calls_encuesta_changelist")).content.decode()

    assert "recomendacion: 10" in page
    assert "resuelto: sí" in page


def test_pages_need_permissions(client, make_campaign):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    campaign = make_campaign(start=False)
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_campaign"))
    client.force_login(viewer)

    assert client.get(url("results", campaign.pk)).status_code == 200
    assert client.get(url("import", campaign.pk)).status_code == 403
    assert client.post(url("do", campaign.pk, "start")).status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.DRAFT


def test_old_uploads_and_reports_are_pruned(import_dir):
    import os
    import time

    from calls.lead_import_files import KEEP_SECONDS, prune_old_files

    old, fresh = import_dir / f"report-1-{'a' * 32}", import_dir / f"upload-1-{'b' * 32}"
    old.write_text("x")
    fresh.write_text("y")
    week_ago = time.time() - KEEP_SECONDS - 60
    os.utime(old, (week_ago, week_ago))

    assert prune_old_files() == 1
    assert (old.exists(), fresh.exists()) == (False, True)


def test_lead_list_and_page_render(admin_client_logged, make_campaign):
    make_campaign(["+34612345678"])
    lead = Lead.objects.get()

    listing = admin_client_logged.get(reverse("admin:calls_lead_changelist"))
    page = admin_client_logged.get(reverse("admin:calls_lead_change", args=[lead.pk]))

    assert "+34612345678" in listing.content.decode()
    assert page.status_code == 200
    assert admin_client_logged.get(reverse("admin:calls_lead_add")).status_code == 403
