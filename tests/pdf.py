"""Reading the PDFs Vigie writes, in tests, with Python packages only (no poppler binaries).

pdfplumber gives the text as laid out on the page; pypdfium2 renders the pages as images, so a test can
check a page is drawn (not blank) the way a person would look at it with `pdftoppm`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
import pypdfium2
from PIL import Image


def pdf_text(data: bytes) -> str:
    """The text of every page, in reading order, one page after another.

    The charts' SVG text is placed letter by letter; a tight tolerance keeps the spaces between its words.
    """
    with pdfplumber.open(io.BytesIO(data)) as document:
        return "\n".join(page.extract_text(x_tolerance=1.5) or "" for page in document.pages)


def pdf_page_images(data: bytes, *, dpi: int = 60) -> list[Image.Image]:
    """Each page drawn as an RGB image at `dpi` dots per inch (60, like `pdftoppm -r 60`)."""
    document = pypdfium2.PdfDocument(data)
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def ink_share(image: Image.Image) -> float:
    """The share of the page's pixels that are not white: 0.0 for a blank page."""
    greyscale = image.convert("L")
    histogram = greyscale.histogram()
    return 1 - histogram[255] / sum(histogram)


# Reading the tables back. WeasyPrint draws each cell's bottom border as its own line segment, so a row of segments
# end to end is one rule of a table, and its segments are the row's cells; a header row is the band right above a
# rule where every cell is shaded. Tables are told apart by where they stand (their left and right edges), so two
# tables side by side are two tables, and a table continued on the next page is joined to its first part.
_SAME = 1.0  # points: two edges this close are the same edge
_ROW_AT_MOST = 120.0  # points: a band taller than this between two rules is not a row of one table
_LINE_GAP = 5.0  # points: lines of one cell or caption are closer than this
_TITLE_GAP = 9.0  # points: a caption sits this close above its table; a heading further up is not the caption


@dataclass
class PdfTable:
    """A table as drawn: the text right above it (caption or heading), its header row and rows of cell texts.

    `continued_on` lists the pages it continues on and whether the header row was repeated there.
    """

    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    title: str
    header: list[str] | None
    rows: list[list[str]] = field(default_factory=list)
    continued_on: list[tuple[int, bool]] = field(default_factory=list)
    opens_page: bool = False  # nothing is written above it on its page, in its width


@dataclass
class _Rule:
    y: float
    cells: list[tuple[float, float]]

    @property
    def x0(self) -> float:
        return self.cells[0][0]

    @property
    def x1(self) -> float:
        return self.cells[-1][1]


def pdf_tables(data: bytes) -> list[PdfTable]:
    """Every table of the PDF, in reading order, each once (its continuations on later pages joined to it)."""
    with pdfplumber.open(io.BytesIO(data)) as document:
        fragments = [table for number, page in enumerate(document.pages) for table in _page_tables(number, page)]
    return _join_continuations(fragments)


def normalise(text: str) -> str:
    """Spaces as a reader sees them: French thousands and "%" use narrow no-break spaces, the PDF plain gaps; and
    none after a "/", where a line may break with or without one ("violence/conflit/ insécurité")."""
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split()).replace("/ ", "/")


def _page_tables(number: int, page: Any) -> list[PdfTable]:
    words = page.extract_words(x_tolerance=1.5)
    shades = [rect for rect in page.rects if rect["fill"] and not _white(rect) and rect["height"] > 3]
    tables: list[PdfTable] = []
    for rules in _rules_by_edges(page):
        current: PdfTable | None = None
        above: float | None = None
        for rule in rules:
            shaded_from = _header_top(rule, shades)
            starts = current is None or above is None or rule.y - above > _ROW_AT_MOST
            if shaded_from is not None and above is not None and shaded_from > above + _SAME:
                starts = True  # a shaded header after a gap: the caption of another table lies in between
            if starts:
                top = shaded_from if shaded_from is not None else _first_row_top(rule, words)
                current = PdfTable(
                    page=number,
                    x0=rule.x0,
                    x1=rule.x1,
                    top=top,
                    bottom=rule.y,
                    title=_title_above(top, rule, words),
                    header=_cells(rule, top, words) if shaded_from is not None else None,
                    opens_page=not any(word["bottom"] <= top and rule.x0 <= _middle(word) <= rule.x1 for word in words),
                )
                if current.header is None:
                    current.rows.append(_cells(rule, top, words))
                tables.append(current)
            elif current is not None and above is not None:
                current.rows.append(_cells(rule, above, words))
                current.bottom = rule.y
            above = rule.y
    return sorted(tables, key=lambda table: (table.page, round(table.top), table.x0))


def _rules_by_edges(page: Any) -> list[list[_Rule]]:
    """The horizontal rules of the page, grouped by their left and right edges, each group from top to bottom."""
    charts = chart_boxes(page)
    segments = [
        line
        for line in page.lines
        if abs(line["top"] - line["bottom"]) < _SAME and not any(_inside(line, chart) for chart in charts)
    ]
    by_height: dict[float, list[tuple[float, float]]] = {}
    for line in segments:
        by_height.setdefault(round(line["top"], 1), []).append((line["x0"], line["x1"]))
    rules: list[_Rule] = []
    for y, pieces in by_height.items():
        run: list[tuple[float, float]] = []
        for x0, x1 in sorted(pieces):
            if run and x0 - run[-1][1] > _SAME:
                rules.append(_Rule(y, run))
                run = []
            run.append((x0, x1))
        rules.append(_Rule(y, run))
    groups: dict[tuple[int, int], list[_Rule]] = {}
    for rule in sorted(rules, key=lambda rule: rule.y):
        groups.setdefault((round(rule.x0), round(rule.x1)), []).append(rule)
    return list(groups.values())


def chart_boxes(page: Any) -> list[dict[str, Any]]:
    """Where the charts are drawn: each chart paints its own white background (reports/charts.py), and nothing
    else of the PDF does (static/css/print.css); a plot's own background inside a chart is not another chart."""
    white = [
        rect for rect in page.rects if rect["fill"] and _white(rect) and rect["width"] > 100 and rect["height"] > 50
    ]  # noqa: PLR2004
    return [rect for rect in white if not any(_inside(rect, other) and _larger(other, rect) for other in white)]


def _larger(one: dict[str, Any], other: dict[str, Any]) -> bool:
    return bool(one["width"] > other["width"] + _SAME or one["height"] > other["height"] + _SAME)


def _inside(item: dict[str, Any], box: dict[str, Any]) -> bool:
    return bool(
        box["x0"] - _SAME <= item["x0"]
        and item["x1"] <= box["x1"] + _SAME
        and box["top"] - _SAME <= item["top"]
        and item["bottom"] <= box["bottom"] + _SAME
    )


def _white(rect: dict[str, Any]) -> bool:
    colour = rect.get("non_stroking_color")
    values = colour if isinstance(colour, list | tuple) else [colour]
    return all(isinstance(value, int | float) and value >= 0.99 for value in values)  # noqa: PLR2004


def _header_top(rule: _Rule, shades: list[dict[str, Any]]) -> float | None:
    """Where the row above `rule` starts when every one of its cells is shaded (a header row), else None."""
    tops = []
    for x0, x1 in rule.cells:
        shade = next(
            (
                rect
                for rect in shades
                if abs(rect["bottom"] - rule.y) <= _SAME + 1 and rect["x0"] <= x0 + _SAME and rect["x1"] >= x1 - _SAME
            ),
            None,
        )
        if shade is None:
            return None
        tops.append(float(shade["top"]))
    return min(tops)


def _first_row_top(rule: _Rule, words: list[dict[str, Any]]) -> float:
    """The top of a first row that has no shaded header: its lines of text right above the rule."""
    inside = [word for word in words if rule.x0 <= _middle(word) <= rule.x1 and word["bottom"] <= rule.y + _SAME]
    top = rule.y
    for line_top, line_bottom in _lines_upwards(inside, rule.y):
        if top - line_bottom > (2 * _LINE_GAP if top == rule.y else _LINE_GAP):
            break
        top = line_top
    return top - _SAME


def _title_above(top: float, rule: _Rule, words: list[dict[str, Any]]) -> str:
    inside = [word for word in words if rule.x0 - _SAME <= _middle(word) <= rule.x1 + _SAME]
    lines: list[tuple[float, float]] = []
    limit = top + _SAME
    for line_top, line_bottom in _lines_upwards(inside, limit):
        if limit - line_bottom > (_TITLE_GAP if not lines else _LINE_GAP):
            break
        lines.append((line_top, line_bottom))
        limit = line_top
    if not lines:
        return ""
    chosen = [word for word in inside if lines[-1][0] - _SAME <= word["top"] and word["bottom"] <= top + _SAME]
    return _text(chosen)


def _lines_upwards(words: list[dict[str, Any]], below: float) -> list[tuple[float, float]]:
    """(top, bottom) of each line of text ending above `below`, the nearest first."""
    lines: list[list[float]] = []
    for word in sorted((word for word in words if word["bottom"] <= below), key=lambda word: -word["bottom"]):
        if lines and word["bottom"] > lines[-1][0]:  # overlaps the line being built
            lines[-1][0] = min(lines[-1][0], word["top"])
        else:
            lines.append([word["top"], word["bottom"]])
    return [(line_top, line_bottom) for line_top, line_bottom in lines]


def _cells(rule: _Rule, top: float, words: list[dict[str, Any]]) -> list[str]:
    band = [word for word in words if top <= (word["top"] + word["bottom"]) / 2 <= rule.y]
    return [_text([word for word in band if x0 <= _middle(word) <= x1]) for x0, x1 in rule.cells]


def _left(word: dict[str, Any]) -> float:
    return float(word["x0"])


def _middle(word: dict[str, Any]) -> float:
    return float(word["x0"] + word["x1"]) / 2


def _text(words: list[dict[str, Any]]) -> str:
    """The words of a cell line by line; a line that ends on "-" was broken inside a word, not between."""
    text = ""
    for top, bottom in sorted(_lines_upwards(words, float("inf")), key=lambda line: line[1]):
        line = sorted((word for word in words if top <= (word["top"] + word["bottom"]) / 2 <= bottom), key=_left)
        joined = " ".join(word["text"] for word in line)
        text += joined if not text or text.endswith("-") else " " + joined
    return normalise(text)


def _join_continuations(fragments: list[PdfTable]) -> list[PdfTable]:
    """A table that opens a page (nothing above it in its width), at the edges of a table of the page before,
    continues that table (with its header repeated, or without)."""
    tables: list[PdfTable] = []
    for fragment in fragments:
        earlier = next(
            (
                table
                for table in reversed(tables)
                if fragment.opens_page
                and table.page + len(table.continued_on) == fragment.page - 1
                and abs(table.x0 - fragment.x0) <= _SAME
                and abs(table.x1 - fragment.x1) <= _SAME
            ),
            None,
        )
        if earlier is None:
            tables.append(fragment)
            continue
        repeated = fragment.header is not None and fragment.header == earlier.header
        earlier.rows.extend(fragment.rows if repeated or fragment.header is None else [fragment.header, *fragment.rows])
        earlier.continued_on.append((fragment.page, repeated))
    return tables


def ink_past_margins(data: bytes, *, left: float, right: float) -> list[str]:
    """What is drawn left of the left margin or right of the right margin (in points), page by page: characters,
    lines, rectangles, curves and images, each as "page N: kind 'text' x0–x1"."""
    found = []
    with pdfplumber.open(io.BytesIO(data)) as document:
        for number, page in enumerate(document.pages, start=1):
            limit = page.width - right
            for kind in ("chars", "lines", "rects", "curves", "images"):
                for item in getattr(page, kind):
                    if item["x1"] > limit + 0.5 or item["x0"] < left - 0.5:  # noqa: PLR2004
                        label = item.get("text", "")
                        found.append(f"page {number}: {kind[:-1]} {label!r} {item['x0']:.1f}–{item['x1']:.1f}")
    return found
