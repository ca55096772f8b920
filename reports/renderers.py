"""CSV and Excel renderers for the tallies (API.md: `?format=csv|xlsx`, DRF's own format parameter)."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from rest_framework.renderers import BaseRenderer

from reports.tallies import table


class TalliesCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None) -> bytes:
        if not isinstance(data, list):  # an error answer
            return str(data).encode()
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows(table(data))
        # A byte-order mark so Excel opens the accents right; csv readers using utf-8-sig skip it.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")


class TalliesXLSXRenderer(BaseRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None) -> bytes:
        if not isinstance(data, list):
            return str(data).encode()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("tallies")
        for row in table(data):
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
