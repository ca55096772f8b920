"""The report's charts (issue 15): value axes from zero, every label whole, hidden counts said so.

How large their text is on a phone and in the PDF, and that it stays inside the chart, is measured where it is
drawn: tests/test_browser_report.py (a browser) and reports/tests/test_pdf_layout.py (the PDF).
"""

from __future__ import annotations

from xml.etree import ElementTree

from django.utils import translation

from reports.charts import breakdown_chart, groups_chart, trend_chart

SVG = "{http://www.w3.org/2000/svg}"
FRENCH_CATEGORIES = [
    ("Atteinte au droit à la propriété", 165),
    ("Atteintes à l'intégrité physique ou psychique", 133),
    ("Atteinte à la liberté et à la sécurité de la personne", 77),
    ("Atteintes au droit à la vie", 65),
]
TREND = [
    {"month": f"2021-{number:02d}", "incidents": incidents, "violations": incidents + 60}
    for number, incidents in enumerate([402, 428, 463, 508, 489, 455, 431, 476, 494, 502, 531, 373], start=1)
]


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 -- an SVG Vigie has just drawn, not input from anyone


def _texts(svg: str) -> list[str]:
    """The text of every <text> of the chart, in drawing order."""
    return [text.text or "" for text in _parse(svg).iter(f"{SVG}text")]


def _y_axis(svg: str) -> list[str]:
    root = _parse(svg)
    axis = next(group for group in root.iter(f"{SVG}g") if group.get("class", "").startswith("axis y"))
    return [text.text or "" for text in axis.iter(f"{SVG}text")]


def test_the_trend_axis_starts_at_zero_not_near_the_lowest_month() -> None:
    labels = _y_axis(trend_chart(TREND))
    assert "0" in labels, labels  # it started at 380: December's drop looked like a fall to nothing


def test_the_sex_and_age_axis_starts_at_zero() -> None:
    labels = _y_axis(groups_chart("Violations", {"women": 1152, "girls": 376, "men": 4537, "boys": 339, "unknown": 8}))
    assert "0" in labels, labels


def test_bars_are_as_long_as_their_count_from_zero() -> None:
    svg = breakdown_chart(
        "Violations by region", [{"name": "Mopti", "count": 209}, {"name": "Gao", "count": 73}], "name"
    )
    bars = [rect for rect in _parse(svg).iter(f"{SVG}rect") if rect.get("x")]
    starts = {float(rect.get("x", "")) for rect in bars}
    widths = [float(rect.get("width", "")) for rect in bars]
    assert len(starts) == 1  # every bar from the same zero
    assert abs(widths[0] / 209 - widths[1] / 73) < 0.01


def test_no_french_label_is_cut() -> None:
    with translation.override("fr"):
        categories = breakdown_chart(
            "Violations par catégorie", [{"label": a, "count": b} for a, b in FRENCH_CATEGORIES]
        )
        trend = trend_chart(TREND)
    written = " ".join(_texts(categories))
    for label, _count in FRENCH_CATEGORIES:
        assert label in written  # a long label goes on two lines, whole
    assert "…" not in written
    assert "déc. 2021" in _texts(trend)  # the report's month is named on the trend
    assert not any("…" in text for text in _texts(trend))


def test_hidden_counts_are_not_drawn_and_the_chart_says_so() -> None:
    some = breakdown_chart("Regions", [{"name": "Gao", "count": 1213}, {"name": "Mopti", "count": None}], "name")
    assert "Mopti" not in _texts(some)
    assert "Hidden counts are not drawn." in _texts(some)
    every = breakdown_chart("Regions", [{"name": "Mopti", "count": None}], "name")
    assert "Every count is hidden." in _texts(every)
    assert "None this month." in _texts(breakdown_chart("Regions", [], "name"))
