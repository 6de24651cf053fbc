from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No request of the API or the bridge nests deeper; deeper bodies only exhaust the stack.
MAX_JSON_DEPTH = 32


class SafeJSONParser(JSONParser):
    """JSON that the database and the serializers can take: bounded nesting, valid Unicode text."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(self._too_deep()) from None
        check_json_value(data)
        return data

    @staticmethod
    def _too_deep() -> str:
        return _("El JSON está anidado a más de %(depth)s niveles.") % {"depth": MAX_JSON_DEPTH}


def check_json_value(data: Any) -> None:
    """Raise ParseError for nesting beyond MAX_JSON_DEPTH or a lone UTF-16 surrogate in any string."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ParseError(SafeJSONParser._too_deep())
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                stack.append((key, depth))
                stack.append((item, depth + 1))
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                # "\ud800" is valid JSON but no valid text: MariaDB and every encoder refuse it.
                raise ParseError(
                    _("El JSON contiene un carácter no válido (un sustituto UTF-16 suelto).")
                ) from None
