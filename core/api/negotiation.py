"""Content negotiation where an explicit `?format=` wins over the request's `Accept` header (API.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class FormatWinsNegotiation(DefaultContentNegotiation):
    """DRF narrows the renderers to `?format=` but still checks them against `Accept`, so a browser or a script
    sending `Accept: application/json` with `format=csv` got a 406. Here the format asked for by name is served."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str] | Any:
        wanted = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE or "format")
        if wanted:
            for renderer in renderers:
                if renderer.format == wanted:
                    return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)
