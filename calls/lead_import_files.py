"""Where uploaded lead files wait for confirmation and rejection reports wait for download.

Files live in LEAD_IMPORT_DIR (default `var/lead-imports` in the project), named by campaign and a
random token, so a report can only be fetched through the campaign it belongs to.
"""

import re
import secrets
import time
from pathlib import Path
from typing import IO

from django.conf import settings

TOKEN = re.compile(r"[0-9a-f]{32}")
KINDS = ("upload", "report")
KEEP_SECONDS = 7 * 24 * 3600


def import_dir() -> Path:
    directory = Path(str(settings.LEAD_IMPORT_DIR))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def import_path(*, campaign_id: int, token: str, kind: str) -> Path | None:
    """The file's path, or None when the token is malformed or the file is gone."""
    if kind not in KINDS or not TOKEN.fullmatch(token or ""):
        return None
    path = import_dir() / f"{kind}-{campaign_id}-{token}"
    return path if path.exists() else None


def new_token() -> str:
    return secrets.token_hex(16)


def prune_old_files(now: float | None = None) -> int:
    """Forget uploads never confirmed and reports older than a week."""
    limit = (now or time.time()) - KEEP_SECONDS
    removed = 0
    for path in import_dir().iterdir():
        if path.name.startswith(KINDS) and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def save_upload(*, campaign_id: int, upload: IO[bytes]) -> str:
    """Keep an uploaded file until the import is confirmed; returns its token."""
    prune_old_files()
    token = new_token()
    with open(import_dir() / f"upload-{campaign_id}-{token}", "wb") as out:
        for chunk in iter(lambda: upload.read(1024 * 1024), b""):
            out.write(chunk)
    return token


def open_report(*, campaign_id: int, token: str) -> IO[str]:
    return open(import_dir() / f"report-{campaign_id}-{token}", "w", encoding="utf-8", newline="")
