from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

DEFAULT_LIST_LIMIT = 200
MAX_LIST_LIMIT = 1000


def list_limit(request: Request) -> int:
    """`?limit=` of the bare-array lists the old client reads: latest 200 by default, up to 1000."""
    raw = request.query_params.get("limit")
    if raw is None or raw == "":
        return DEFAULT_LIST_LIMIT
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_LIST_LIMIT:
        raise ValidationError(
            {"detail": _("limit debe ser un entero entre 1 y %(max)s.") % {"max": MAX_LIST_LIMIT}}
        )
    return value
