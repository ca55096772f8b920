"""The monthly report in a real browser at a phone's width (issue 15): the page is no wider than the screen, and
its charts' text is whole, inside the chart, and large enough to read, in English and in French."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from conftest import PASSWORD
from reports.charts import SMALLEST_TEXT
from reports.tests.report_month import build_report_month
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LEGIBLE_PX = 10  # CSS pixels: the chart's smallest text, as drawn on the phone's screen

# What sticks out past the phone's width (outside the tables' own scrolling boxes), to say what widened the page.
WIDER_THAN_PHONE = """() => [...document.querySelectorAll("main *")]
  .filter(node => node.getBoundingClientRect().right > 390 && !node.closest(".table-wrap"))
  .map(node => node.tagName + "." + node.className).slice(0, 5)"""
# For each chart of the page: how wide it is drawn against the width it was drawn for.
CHART_SCALES = """() => [...document.querySelectorAll("img.chart")].map(img => ({
  alt: img.alt, scale: img.getBoundingClientRect().width / img.naturalWidth, src: img.src,
}))"""
# For an SVG shown on its own: every text with something in it, its font size and whether it lies inside the SVG.
TEXTS = """() => {
  const svg = document.querySelector("svg").getBoundingClientRect();
  return [...document.querySelectorAll("text")].filter(text => text.textContent.trim()).map(text => {
    const box = text.getBoundingClientRect();
    const style = getComputedStyle(text);
    return {
      text: text.textContent, size: parseFloat(style.fontSize), shown: style.display !== "none",
      inside: box.left >= svg.left - 0.5 && box.right <= svg.right + 0.5 && box.top >= svg.top - 0.5
        && box.bottom <= svg.bottom + 0.5,
    };
  });
}"""


def _open_report(people: Any, page: Any, live_server: Any, language: str) -> None:
    build_report_month(people)
    page.set_viewport_size(PHONE)
    log_in(page, "admin", PASSWORD)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto("/reports/monthly/?month=2021-12")
    assert page.locator("html").get_attribute("lang") == language


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_report_at_a_phones_width_is_no_wider_than_the_screen(
    people: Any, page: Any, live_server: Any, language: str
) -> None:
    _open_report(people, page, live_server, language)
    assert page.locator("table").count() >= 20
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.evaluate(WIDER_THAN_PHONE)
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_chart_text_is_whole_inside_the_chart_and_legible_at_a_phones_width(
    people: Any, page: Any, live_server: Any, language: str
) -> None:
    _open_report(people, page, live_server, language)
    charts = page.evaluate(CHART_SCALES)
    assert len(charts) == 4
    for chart in charts:
        assert chart["scale"] * SMALLEST_TEXT >= LEGIBLE_PX, chart["alt"]

    # Each chart on a blank page of its own, where the chart's stylesheet applies as it does inside the <img> (the
    # report page's Content-Security-Policy would block it).
    blank = page.context.new_page()
    for chart in charts:
        svg = base64.b64decode(chart["src"].split(",", 1)[1]).decode("utf-8")
        blank.set_content(f"<!DOCTYPE html><html><body style='margin:0'>{svg}</body></html>")
        texts = [text for text in blank.evaluate(TEXTS) if text["shown"]]
        assert texts, chart["alt"]
        assert [text["text"] for text in texts if not text["inside"]] == [], chart["alt"]
        assert min(text["size"] for text in texts) >= SMALLEST_TEXT, chart["alt"]
        assert not any("…" in text["text"] for text in texts), chart["alt"]
