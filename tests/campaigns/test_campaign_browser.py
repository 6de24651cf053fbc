"""In a real browser: a supervisor uploads a CSV, starts the campaign, watches progress move, opens results.

Playwright drives Debian's Chromium (`make test` installs it). Without it the test is skipped, except
under CI or REQUIRE_BROWSER, where a missing browser is a failure.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from calls.models import Call, Lead
from calls.services import call_transition, encuesta_finish, encuesta_save
from calls.services.campaign_dispatch import campaigns_dispatch
from tests.browser import launch_chromium
from tests.factories import UserFactory

CSV = "telefono;nombre;pedido\n621150001;Ane;A-1\n621150002;Jon;A-2\n621150003;Luis;A-3\n12345;Mal;A-4\n"


@pytest.fixture
def browser_page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls below are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.set_default_timeout(20_000)
        yield page
        browser.close()


def off_the_browser_loop(work) -> None:
    """Run services in a thread of their own: Playwright's event loop owns the test's thread and the
    dialer starts its own loop."""

    def run() -> None:
        try:
            work()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()


def complete_every_call() -> None:
    """What the voice agent and LiveKit do for each answered call: save, finish, hang up."""
    for lead in Lead.objects.filter(status=Lead.Status.CALLING):
        assert lead.encuesta_id is not None and lead.current_call_id is not None
        encuesta_save(encuesta_id=lead.encuesta_id, answers={"comercial": 9, "instalador": 8, "rapidez": 10})
        encuesta_finish(encuesta_id=lead.encuesta_id)
        call_transition(call_id=lead.current_call_id, to=Call.Status.COMPLETED)


def test_supervisor_imports_starts_watches_and_reads_results(
    live_server, browser_page, phones, make_campaign, tmp_path, settings
):
    from playwright.sync_api import expect

    settings.LEAD_IMPORT_DIR = tmp_path
    campaign = make_campaign(start=False)
    UserFactory(username="supervisora", is_staff=True, is_superuser=True)
    csv_file = tmp_path / "clientes.csv"
    csv_file.write_bytes(CSV.encode("cp1252"))
    page = browser_page

    page.goto(f"{live_server.url}/admin/login/?next=/admin/calls/campaign/{campaign.pk}/change/")
    page.fill("#id_username", "supervisora")
    page.fill("#id_password", "s3cret-pass")
    page.click("input[type=submit]")
    progress = page.locator("#campaign-progress-label")
    expect(progress).to_have_text("0 / 0 (0%)")

    page.click("#campaign-import")
    page.set_input_files("#id_file", str(csv_file))
    page.click("input[type=submit]")
    expect(page.locator("#preview-table tbody tr")).to_have_count(4)
    page.click("#confirm-import")
    expect(page.locator("#import-summary")).to_contain_text("3 contactos añadidos de 4 filas")
    expect(page.locator("#rejection-report")).to_be_visible()
    page.click("text=Volver a la campaña")

    expect(progress).to_have_text("0 / 3 (0%)")
    page.click("button[value=start]")
    expect(page.locator("ul.messagelist")).to_contain_text("1 campañas iniciadas.")
    expect(page.locator("#campaign-status")).to_have_text("En curso")

    off_the_browser_loop(campaigns_dispatch)
    expect(page.locator("#campaign-calls")).to_have_text("3")
    off_the_browser_loop(complete_every_call)
    expect(progress).to_have_text("3 / 3 (100%)")
    expect(page.locator("#campaign-calls")).to_have_text("0")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366

    page.click("#campaign-results")
    expect(page.locator("#completion-rate")).to_have_text("100,0 %")
    expect(page.locator('[data-question="comercial"] .question-average')).to_have_text("9,0")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
