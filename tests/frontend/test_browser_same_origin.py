"""A real browser: the client's token-less requests work from its own origin, a CSRF page fails.

The attack page is a classic auto-submitting form on another origin. Its session cookie is made
SameSite=None so that the browser does send it (as it would for a same-site attacker, a
subdomain, or a deployment with SameSite=None): only the Fetch Metadata check stops the page.
"""

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client

from agents_app.models import PromptTemplate
from tests.browser import launch_chromium

pytestmark = pytest.mark.django_db(transaction=True)


# What the old client does: window.location.origin + '/api/...', JSON, no credentials option.
CLIENT = """<!doctype html><html><body><p id="out">…</p><script>
const API_URL = window.location.origin + '/api';
(async () => {
  const saved = await fetch(`${API_URL}/prompts`, {
    method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({name: 'Desde el navegador', description: 'Del editor', content: 'Hola'}),
  });
  const listed = await fetch(`${API_URL}/prompts`);
  const rows = await listed.json();
  document.getElementById('out').textContent = `${saved.status} ${rows.map(r => r.name).join('|')}`;
})();
</script></body></html>"""

ATTACK = """<!doctype html><html><body>
<form id="f" method="POST" action="{target}/api/prompts">
<input name="name" value="Atacante"><input name="content" value="pwned"></form>
<script>document.getElementById('f').submit();</script></body></html>"""


@pytest.fixture
def attacker_site(tmp_path: Path, live_server) -> Iterator[str]:
    (tmp_path / "attack.html").write_text(ATTACK.format(target=live_server.url))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://a.localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser_context(live_server, tmp_path, settings, monkeypatch):
    from playwright.sync_api import sync_playwright

    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text(CLIENT)
    settings.FRONTEND_DIST_DIR = str(dist)
    staff = get_user_model().objects.create_user("jefa", password="x", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        context = chromium.new_context()
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": session,
                    "url": live_server.url,
                    "sameSite": "Lax",
                }
            ]
        )
        yield context
        chromium.close()


def test_the_client_saves_from_its_own_origin_with_only_the_session_cookie(browser_context, live_server):
    page = browser_context.new_page()
    page.goto(live_server.url + "/")

    page.wait_for_function("document.getElementById('out').textContent !== '…'")
    assert page.text_content("#out") == "201 Desde el navegador"
    assert PromptTemplate.objects.get().name == "Desde el navegador"


def test_a_forged_cross_site_form_post_carrying_the_session_is_refused(
    browser_context, attacker_site, live_server
):
    session = next(c for c in browser_context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME)
    browser_context.add_cookies([{**session, "sameSite": "None", "secure": True}])
    page = browser_context.new_page()
    with page.expect_response(lambda r: r.url.endswith("/api/prompts")) as posted:
        page.goto(attacker_site + "/attack.html")

    sent = posted.value.request.all_headers()
    assert django_settings.SESSION_COOKIE_NAME in sent.get("cookie", "")  # the session went along
    assert sent.get("sec-fetch-site") in ("cross-site", "same-site")
    assert posted.value.status == 403
    assert "mismo origen" in posted.value.text()
    assert not PromptTemplate.objects.exists()


def test_anonymous_browser_is_sent_to_the_login(live_server, settings, tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    (tmp_path / "index.html").write_text(CLIENT)
    settings.FRONTEND_DIST_DIR = str(tmp_path)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        page = chromium.new_page()
        page.goto(live_server.url + "/")
        assert page.url.startswith(live_server.url + "/admin/login/")
        assert page.locator("html").get_attribute("lang") == "es"
        chromium.close()
