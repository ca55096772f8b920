"""Charts of the monthly report, drawn server-side as SVG — the same SVG on the page and in the PDF.

They are shown as `<img src="data:image/svg+xml;base64,…">`: an image runs no script (pygal's tooltips script
is not linked: `js=[]`), needs nothing from elsewhere, and passes the page's Content-Security-Policy.

Every chart is drawn on a canvas `CANVAS_WIDTH` units wide with text of at least `SMALLEST_TEXT` units, so that
its text stays legible wherever the chart is shown: about 10 CSS px on a 390 px phone (where the chart is about
340 px wide) and 8 pt on A4 (where it is about 90 mm wide). Value axes start at zero, so that a bar's length or a
line's height compares with the others'; no label is shortened.
"""

from __future__ import annotations

import base64
import datetime
import math
from typing import Any
from xml.etree import ElementTree

import pygal
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from pygal.style import Style

from core.records import PEOPLE_FIELDS
from reports.labels import group_labels
from reports.templatetags.figures import figure

CANVAS_WIDTH = 480
SMALLEST_TEXT = 15
FONT_FAMILY = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
INK = "#1d2731"
BAR = "#0b4f6c"
# DejaVu Sans, the widest of the fonts asked for, averages about this many ems per character of a label:
# enough to wrap a label before the canvas edge (tests/test_browser_report.py measures the real widths).
_EM_PER_CHARACTER = 0.6
_MARGIN, _LINE, _BAR = 12, round(SMALLEST_TEXT * 1.3), 16  # the bar charts' margin, line height and bar height

VIGIE_STYLE = Style(
    background="white",
    plot_background="white",
    foreground=INK,
    foreground_strong=INK,
    foreground_subtle="#8d99a3",
    colors=(BAR, "#c8553d", "#1e7b43", "#9a6700", "#6c4f8b", "#2a9d8f", "#8d99ae"),
    font_family=FONT_FAMILY,
    label_font_size=SMALLEST_TEXT,
    major_label_font_size=SMALLEST_TEXT,
    value_font_size=SMALLEST_TEXT,
    legend_font_size=SMALLEST_TEXT,
    title_font_size=SMALLEST_TEXT + 2,
    no_data_font_size=SMALLEST_TEXT,
)
_COMMON = {
    "js": [],
    "style": VIGIE_STYLE,
    "width": CANVAS_WIDTH,
    "explicit_size": True,
    "margin": 12,
    "truncate_label": -1,  # never cut a label ("Atteinte à la liberté et à la sécurité de …")
    "truncate_legend": -1,
    "max_scale": 6,  # a few round values on the value axis, not a guide every 20
}


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def month_label(month: str) -> str:
    """ "2021-12" as the report's reader writes a month in a chart: "Dec. 2021", "déc. 2021"."""
    return date_format(datetime.date.fromisoformat(f"{month}-01"), "N Y")


def trend_chart(trend: list[dict[str, Any]]) -> str:
    months = [month_label(row["month"]) for row in trend]
    chart = pygal.Line(
        title=_("Incidents and violations, last 12 months"),
        height=320,
        include_x_axis=True,  # the value axis starts at zero: December's drop is not magnified
        show_legend=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        print_values=False,
        margin_right=40,  # half of the last month's label, centred on the last point
        # every third month named, counting back from the report's: four labels fit across, level and whole
        x_labels_major=months[::-3],
        show_minor_x_labels=False,
        **_COMMON,
    )
    chart.x_labels = months
    chart.add(_("Incidents"), [row["incidents"] for row in trend])
    chart.add(_("Violations"), [row["violations"] for row in trend])
    return str(chart.render(is_unicode=True))


def groups_chart(title: str, groups: dict[str, int | None]) -> str:
    chart = pygal.Bar(title=title, height=280, show_legend=False, print_values=True, **_COMMON)
    labels = group_labels()
    chart.x_labels = [labels[name] for name in PEOPLE_FIELDS]
    chart.add(title, [groups[name] for name in PEOPLE_FIELDS])
    return str(chart.render(is_unicode=True))


def breakdown_chart(title: str, rows: list[dict[str, Any]], label_key: str = "label") -> str:
    """The ten largest rows as horizontal bars from zero, each under its whole label (wrapped, never cut).

    Drawn here rather than by pygal, which writes labels on one line left of the bars: a French category
    ("Atteinte à la liberté et à la sécurité de la personne") left no room for its bar at a phone's width.
    A count hidden from viewers (None) is not drawn, and the chart says so.
    """
    shown = [row for row in rows if isinstance(row.get("count"), int)][:10]
    svg = ElementTree.Element("svg", xmlns="http://www.w3.org/2000/svg", width=str(CANVAS_WIDTH))
    ElementTree.SubElement(svg, "rect", width="100%", height="100%", fill="white")
    y: float = _MARGIN + _LINE
    _text(svg, title, CANVAS_WIDTH / 2, y, size=SMALLEST_TEXT + 2, anchor="middle")
    y = _bars(svg, shown, label_key, y + _LINE // 2)
    if not shown:
        y = _paragraph(svg, _("Every count is hidden.") if rows else _("None this month."), y)
    elif len(shown) < min(len(rows), 10):
        y = _paragraph(svg, _("Hidden counts are not drawn."), y)
    height = math.ceil(y + _MARGIN)
    svg.set("height", str(height))
    svg.set("viewBox", f"0 0 {CANVAS_WIDTH} {height}")
    return ElementTree.tostring(svg, encoding="unicode")


def _bars(svg: ElementTree.Element, rows: list[dict[str, Any]], label_key: str, y: float) -> float:
    """Each row's label, then its bar from the left edge, as long against the largest as its count; the count at
    its end. Returns where the next line goes."""
    largest = max((row["count"] for row in rows), default=0)
    digits = max((len(_count(row["count"])) for row in rows), default=1)
    room = CANVAS_WIDTH - 2 * _MARGIN - (digits + 1) * SMALLEST_TEXT * _EM_PER_CHARACTER
    for row in rows:
        y = _paragraph(svg, str(row[label_key]), y)
        length = room * row["count"] / largest if largest else 0
        top = y + 5
        attributes = {"x": str(_MARGIN), "y": f"{top:.1f}", "width": f"{length:.1f}", "height": str(_BAR), "fill": BAR}
        ElementTree.SubElement(svg, "rect", attributes)
        _text(svg, _count(row["count"]), _MARGIN + length + 6, top + _BAR - 3)
        y = top + _BAR + 6
    return y


def _paragraph(svg: ElementTree.Element, text: str, y: float) -> float:
    """`text` from the left margin, on as many lines as it needs; returns the last line's baseline."""
    for piece in _wrap(text, CANVAS_WIDTH - 2 * _MARGIN):
        y += _LINE
        _text(svg, piece, _MARGIN, y)
    return y


def _text(parent: ElementTree.Element, text: str, x: float, y: float, **style: Any) -> None:
    node = ElementTree.SubElement(
        parent,
        "text",
        x=f"{x:.1f}",
        y=f"{y:.1f}",
        fill=INK,
        attrib={"font-family": FONT_FAMILY, "font-size": str(style.get("size", SMALLEST_TEXT))},
    )
    if "anchor" in style:
        node.set("text-anchor", style["anchor"])
    node.text = text


def _wrap(text: str, width: float) -> list[str]:
    """The label's words on lines that fit `width` canvas units, estimated at `_EM_PER_CHARACTER`."""
    fits = max(int(width / (SMALLEST_TEXT * _EM_PER_CHARACTER)), 1)
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= fits:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _count(value: int) -> str:
    return figure(value)  # as the tables beside the chart write it: "1,090", "1 090"


def report_charts(figures: dict[str, Any]) -> dict[str, str]:
    """The report's charts as data URIs, by name."""
    violations = figures["violations"]
    return {
        "trend": data_uri(trend_chart(figures["trend"])),
        "by_category": data_uri(breakdown_chart(_("Violations by category"), violations["by_category"])),
        "by_region": data_uri(breakdown_chart(_("Violations by region, this month"), violations["by_region"], "name")),
        "by_group": data_uri(groups_chart(_("Violations by sex and age"), violations["by_group"])),
    }
