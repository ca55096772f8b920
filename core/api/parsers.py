"""The API's JSON parser: a body must be a JSON object (API.md, Errors), and no body is a 500."""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class JSONObjectParser(JSONParser):
    """DRF's JSONParser, but an array, a string, a number or null is a 400 (every endpoint takes named values),
    and so is JSON nested deeper than Python's reader goes (a RecursionError otherwise)."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("JSON parse error - the body is nested too deeply.")) from error
        if not isinstance(data, dict):
            raise ParseError(_('Send a JSON object, e.g. {"version": 3}.'))
        return data
