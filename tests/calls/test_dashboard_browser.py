"""A real browser (Playwright + Debian's Chromium) on the staff dashboard and the admin's layout."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from calls.models import Call, Encuesta
from tests.browser import launch_chromium
from tests.factories import (
    CallFactory,
    EncuestaFactory,
    SurveyQuestionFactory,
    UserFactory,
    VoiceAgentFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "s3cret-pass"
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp"))


@pytest.fixture
def page(live_server, settings, monkeypatch) -> Iterator:
    from playwright.sync_api import sync_playwright

    settings.DASHBOARD_POLL_SECONDS = 0.5
    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="es-ES")
        page = context.new_page()
        page.set_default_timeout(20_000)
        yield page
        browser.close()


def log_in(page, live_server) -> None:
    UserFactory(username="jefa", is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "jefa")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#staff-dashboard")


def test_a_call_in_progress_appears_without_reloading(page, live_server) -> None:
    log_in(page, live_server)
    assert page.locator("#dash-live-count").inner_text() == "0"
    page.evaluate("window.__sameDocument = true")

    call = CallFactory(status=Call.Status.IN_PROGRESS, to_number="+34600123456", answered_at=timezone.now())

    row = page.wait_for_selector(f'#dash-live-rows tr[data-call="{call.pk}"]')
    assert "+34600123456" in row.inner_text()
    assert page.locator("#dash-live-count").inner_text() == "1"
    assert page.evaluate("window.__sameDocument") is True


FITS = """() => {
  const root = document.documentElement;
  const boxes = [...document.querySelectorAll('.results, .inline-group, #staff-dashboard .module')];
  const wide = boxes.filter((box) => box.scrollWidth > box.clientWidth + 1);
  const page = root.scrollWidth > root.clientWidth ? ['page'] : [];
  return [...page, ...wide.map((box) => box.id || box.className)];
}"""


def overflowing(page) -> list[str]:
    """What scrolls sideways: the page itself, or a change list, inline or dashboard panel."""
    return page.evaluate(FITS)


def test_admin_pages_fit_1366_by_768(page, live_server, tmp_path) -> None:
    agent = VoiceAgentFactory(name="Encuesta Calidad Ausarta con un nombre bastante largo")
    for position in range(4):
        SurveyQuestionFactory(agent=agent, position=position, text="Del 0 al 10, ¿qué le ha parecido? " * 6)
    for _ in range(3):
        EncuestaFactory(
            voice_agent=agent,
            nombre_cliente="Doña María de los Ángeles Fernández-Villaverde",
            status=Encuesta.Status.REJECTED_OPT_OUT,
        )
    CallFactory(status=Call.Status.BUSY, ended_at=timezone.now(), sip_status="Busy Here " * 10)
    log_in(page, live_server)

    for path in [
        "/admin/",
        "/admin/calls/encuesta/",
        "/admin/calls/call/",
        f"/admin/agents_app/voiceagent/{agent.pk}/change/",
    ]:
        page.goto(f"{live_server.url}{path}")
        page.screenshot(
            path=str(SHOTS / f"{path.strip('/').replace('/', '_') or 'index'}.png"), full_page=True
        )
        assert overflowing(page) == [], path
