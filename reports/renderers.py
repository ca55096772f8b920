"""CSV and Excel renderers for the tallies (API.md: `?format=csv|xlsx`, DRF's own format parameter), written
through core.spreadsheets so that no label is read as a formula."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer

from core.spreadsheets import CsvTable, XlsxTable
from reports.tallies import table


class TalliesCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        if not isinstance(data, list):  # an error answer
            return str(data).encode()
        buffer = io.StringIO()
        CsvTable(buffer, lineterminator="\n").writerows(table(data))
        # A byte-order mark so Excel opens the accents right; csv readers using utf-8-sig skip it.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")


class TalliesXLSXRenderer(BaseRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        if not isinstance(data, list):
            return str(data).encode()
        sheet = XlsxTable("tallies")
        sheet.writerows(table(data))
        buffer = io.BytesIO()
        sheet.save(buffer)
        return buffer.getvalue()
