"""Charts of the monthly report, drawn server-side as SVG by pygal — the same SVG on the page and in the PDF.

They are shown as `<img src="data:image/svg+xml;base64,…">`: an image runs no script (pygal's tooltips script
is not linked: `js=[]`), needs nothing from elsewhere, and passes the page's Content-Security-Policy.
"""

from __future__ import annotations

import base64
from typing import Any

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from core.records import PEOPLE_FIELDS

VIGIE_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1d2731",
    foreground_strong="#1d2731",
    foreground_subtle="#5b6770",
    colors=("#0b4f6c", "#c8553d", "#1e7b43", "#9a6700", "#6c4f8b", "#2a9d8f", "#8d99ae"),
    font_family="DejaVu Sans, Liberation Sans, Arial, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=11,
    legend_font_size=12,
    title_font_size=14,
)
_COMMON = {
    "js": [],
    "style": VIGIE_STYLE,
    "width": 720,
    "height": 320,
    "explicit_size": True,
    "print_values": True,
    "margin": 16,
}


def group_labels() -> dict[str, str]:
    return {"women": _("Women"), "girls": _("Girls"), "men": _("Men"), "boys": _("Boys"), "unknown": _("Unknown")}


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def trend_chart(trend: list[dict[str, Any]]) -> str:
    chart = pygal.Line(
        title=_("Incidents and violations, last 12 months"),
        x_label_rotation=30,
        show_legend=True,
        legend_at_bottom=True,
        **{**_COMMON, "print_values": False},
    )
    chart.x_labels = [row["month"] for row in trend]
    chart.add(_("Incidents"), [row["incidents"] for row in trend])
    chart.add(_("Violations"), [row["violations"] for row in trend])
    return chart.render(is_unicode=True)


def breakdown_chart(title: str, rows: list[dict[str, Any]], label_key: str = "label") -> str:
    chart = pygal.HorizontalBar(title=title, show_legend=False, **_COMMON)
    shown = [row for row in rows if row.get("count") is not None][:10]
    chart.x_labels = [str(row[label_key])[:45] for row in reversed(shown)]
    chart.add(title, [row["count"] for row in reversed(shown)])
    return chart.render(is_unicode=True)


def groups_chart(title: str, groups: dict[str, int | None]) -> str:
    chart = pygal.Bar(title=title, show_legend=False, **_COMMON)
    labels = group_labels()
    chart.x_labels = [labels[name] for name in PEOPLE_FIELDS]
    chart.add(title, [groups[name] for name in PEOPLE_FIELDS])
    return chart.render(is_unicode=True)


def report_charts(figures: dict[str, Any]) -> dict[str, str]:
    """The report's charts as data URIs, by name."""
    violations = figures["violations"]
    return {
        "trend": data_uri(trend_chart(figures["trend"])),
        "by_category": data_uri(breakdown_chart(_("Violations by category"), violations["by_category"])),
        "by_region": data_uri(breakdown_chart(_("Violations by region"), violations["by_region"], "name")),
        "by_group": data_uri(groups_chart(_("Violations by sex and age"), violations["by_group"])),
    }
