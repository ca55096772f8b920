"""What the monthly report shows, for one user: the page (reports.views) and its PDF (reports.pdf) both read it
here, so that the PDF never imports the views."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from core import access
from core.models import AdminArea, User
from reports import publishing
from reports.charts import report_charts
from reports.closed_months import differences
from reports.headline import headline_tables
from reports.suppression import mark


def report_context(user: User, month: datetime.date, region: AdminArea | None) -> dict[str, Any]:
    """Everything the report page and its PDF show, for this user."""
    current = None
    if access.reads_published_figures_only(user):
        # the stored hidden set: None for the charts, "<5" or "x" on the page and in the PDF
        charted = publishing.viewer_figures(user=user, month=month, region=region)
        figures = publishing.viewer_figures(user=user, month=month, region=region, marker=mark)
    else:
        figures = charted = publishing.figures_for(user=user, month=month, region=region)
        if figures["closed"] and figures["changed_since_closing"]:
            current = publishing.figures_for(user=user, month=month, region=region, current=True)
    return {
        "figures": figures,
        "current": current,
        "differences": differences(figures, current) if current else [],
        "charts": report_charts(charted),
        "headline": headline_tables(month),
        "month": month,
        "region": region,
        "generated_at": timezone.now(),
    }
