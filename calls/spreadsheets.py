"""Writing user data into CSV and XLSX files that are safe to open in a spreadsheet."""

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?")


def neutralize(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (=, +, -, @ …) gets a leading apostrophe.

    Plain numbers, even signed ones (a phone in E.164, a negative score), are left as they are.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS) or NUMBER.fullmatch(value):
        return value
    return "'" + value
