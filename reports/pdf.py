"""The monthly report as a PDF: the page's own template and charts, laid out for A4 by WeasyPrint."""

from __future__ import annotations

import datetime

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from core.models import AdminArea, User
from reports.context import report_context


def render_report_pdf(user: User, month: datetime.date, region: AdminArea | None = None) -> bytes:

    language = translation.get_language() or "en"
    with translation.override(language):
        context = report_context(user, month, region)
        # print.css alone: the page's stylesheet lays out for screens (grids, flex, media queries) what WeasyPrint
        # cannot place on paper.
        context["stylesheets"] = [_read(finders.find("css/print.css"))]
        html = render_to_string("reports/monthly_report_pdf.html", context)
    return HTML(string=html).write_pdf()


def _read(path: str | None) -> str:
    if not path:
        return ""
    with open(path, encoding="utf-8") as handle:
        return handle.read()
