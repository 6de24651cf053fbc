"""Drive the old React client, built and served by this project, as staff would, in Chromium.

Logs in through the admin's login page, opens every view, saves the agent, its AI models and a
prompt template, tries a test call, resets the rooms, and prints every /api request with its
status and every alert() the client shows. Exits 1 if a request outside /api/campaigns failed
without a `detail` the client can show.

    FRONTEND_DIST_DIR=/path/to/dist .venv/bin/python manage.py runserver 127.0.0.1:8210
    .venv/bin/python scripts/drive_old_client.py http://127.0.0.1:8210 admin password
"""

import sys
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Dialog, Page, Response, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser import ARGS, CHROMIUM


def main(base: str, username: str, password: str) -> int:
    seen: list[tuple[str, str, int, str]] = []
    dialogs: list[str] = []

    def on_response(response: Response) -> None:
        path = urlsplit(response.url).path
        if path.startswith("/api/"):
            detail = ""
            if response.status >= 400:
                try:
                    detail = str(response.json().get("detail", ""))
                except Exception:
                    detail = "(no JSON)"
            seen.append((response.request.method, path, response.status, detail))

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.accept("Plantilla de prueba" if dialog.type == "prompt" else None)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page: Page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.on("response", on_response)
        page.on("dialog", on_dialog)
        page.goto(base + "/")
        print("anonymous / ->", page.url)
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_load_state("networkidle")
        print("after login ->", page.url)

        def view(label: str) -> None:
            page.get_by_text(label, exact=True).first.click()
            page.wait_for_load_state("networkidle")

        view("Overview")
        view("Voice Agents")
        page.get_by_text("Guardar como Plantilla").click()
        page.wait_for_load_state("networkidle")
        page.get_by_text("Guardar Cambios").click()
        page.wait_for_load_state("networkidle")
        page.get_by_text("Probar Llamada").click()
        page.locator("input[type=tel], input[value='+34']").first.fill("+34600111222")
        page.get_by_text("Llamar Ahora").click()
        page.wait_for_load_state("networkidle")
        view("AI Models")
        page.get_by_text("Save Changes").click()
        page.wait_for_load_state("networkidle")
        view("Telephony")
        page.get_by_text("Resetear Salas").click()
        page.wait_for_load_state("networkidle")
        view("Results")
        view("Usage")
        view("Campaigns")
        browser.close()

    failed = 0
    for method, path, status, detail in sorted(set(seen)):
        bad = status == 500 or (status >= 400 and not path.startswith("/api/campaigns") and not detail)
        failed += bad
        print(f"{'FAIL' if bad else 'ok  '} {status} {method:6} {path} {detail}")
    for message in dialogs:
        print("dialog", message)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
