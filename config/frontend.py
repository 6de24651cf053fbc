"""The old React client served by Django itself: a built `dist/` named by FRONTEND_DIST_DIR.

Its files (JS, CSS, images) are served by WhiteNoise at the site root; its `index.html` only by
`frontend_index`, to logged-in staff. The API it calls accepts the session cookie from the same
origin (config.authentication.SameOriginSessionAuthentication).
"""

import re
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import MiddlewareNotUsed
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from whitenoise.middleware import WhiteNoiseMiddleware

INDEX = "index.html"
# Vite writes content-hashed file names under assets/: safe to cache forever.
HASHED_ASSET = re.compile(r"^/assets/.+[.-][0-9A-Za-z_-]{8,}\.\w+$")


def frontend_dist_dir() -> Path | None:
    value = getattr(settings, "FRONTEND_DIST_DIR", "")
    return Path(value) if value else None


def _is_hashed_asset(path: str, url: str) -> bool:
    return bool(HASHED_ASSET.match(url))


class FrontendAssetsMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise for the client's dist/ only (the admin's static files are not its business)."""

    def __init__(self, get_response=None) -> None:
        root = frontend_dist_dir()
        if root is None:
            raise MiddlewareNotUsed
        own = SimpleNamespace(
            DEBUG=settings.DEBUG,
            WHITENOISE_AUTOREFRESH=False,
            WHITENOISE_USE_FINDERS=False,
            WHITENOISE_IMMUTABLE_FILE_TEST=_is_hashed_asset,
            STATIC_URL=None,
            STATIC_ROOT=None,
            FORCE_SCRIPT_NAME=None,
            WHITENOISE_ROOT=str(root),
        )
        super().__init__(get_response, settings=own)

    def add_file_to_dictionary(self, url: str, path: str, stat_cache=None) -> None:
        if url.lstrip("/") == INDEX:
            return  # served by frontend_index, behind the login
        super().add_file_to_dictionary(url, path, stat_cache=stat_cache)


@staff_member_required
def frontend_index(request: HttpRequest) -> HttpResponseBase:
    root = frontend_dist_dir()
    if root is None:
        return redirect("admin:index")
    index = root / INDEX
    if not index.is_file():
        raise Http404(_("El frontend no está instalado: define FRONTEND_DIST_DIR con su dist/ compilado."))
    response = FileResponse(index.open("rb"), content_type="text/html; charset=utf-8")
    add_never_cache_headers(response)
    return response
