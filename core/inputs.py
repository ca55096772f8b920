"""How Vigie reads numbers a client typed or sent: record numbers and versions (API.md, Errors).

Python's own readers accept more than a person means: `"²".isdigit()` is true, `int("٣")` is 3, JSON's `1e309`
is infinity. These read ASCII digits only and answer None (or a 400) for anything else, never an exception.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Record numbers and versions are stored in 64-bit integers; 18 digits always fit.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")
_LARGEST = 2**63 - 1


def whole_number(value: object) -> int | None:
    """A JSON integer or a string of ASCII digits (a form field) as an int; None for anything else:
    booleans, fractions, infinity, Unicode digits such as "²" or "٣", lists, numbers too large to store."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= _LARGEST else None
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        return int(value.strip())
    return None


def version_number(value: object) -> int | None:
    """The `version` an edit or a step says it is based on: None when not sent, else a whole number (400)."""
    if value is None or value == "":
        return None
    number = whole_number(value)
    if number is None:
        raise ValidationError({"version": [_("Send the version as a whole number, e.g. 3.")]})
    return number
