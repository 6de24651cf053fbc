"""Debian's Chromium under Playwright, as the browser tests and scripts/drive_old_client.py launch it."""

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch_chromium(playwright: Any) -> Any:
    """The browser; without Chromium the test is skipped, except in CI where it must run."""
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (make test installs it)"
        if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
