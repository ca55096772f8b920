"""Small-count suppression for viewers and shared exports (SPEC.md, API.md).

Every count from 1 to 4 becomes None (with the share or change of its row); where a breakdown would then
have exactly one suppressed cell, its next-smallest cell is suppressed too, so that no suppressed value can
be worked out by subtracting the others from the total.
"""

from __future__ import annotations

import copy
from collections.abc import MutableMapping, MutableSequence
from typing import Any

from core.records import PEOPLE_FIELDS

SMALL = range(1, 5)
# Numbers that are not counts of people or records, and so are never suppressed.
NOT_COUNTS = {"share_pct", "change_pct", "amounts", "year_to_date_amounts"}


def is_small(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in SMALL


def suppress_figures(figures: dict[str, Any]) -> dict[str, Any]:
    """A suppressed copy of the monthly figures."""
    suppressed = copy.deepcopy(figures)
    _walk(suppressed)
    return suppressed


def _walk(node: Any) -> None:
    if isinstance(node, MutableMapping):
        _suppress_row(node)
        for key, value in node.items():
            if key in NOT_COUNTS:
                continue
            if _is_group_breakdown(value):
                suppress_breakdown(value, list(PEOPLE_FIELDS))
            elif _is_row_breakdown(key, value):
                _suppress_rows(value)
            _walk(value)
    elif isinstance(node, MutableSequence):
        for item in node:
            _walk(item)


def _suppress_row(row: MutableMapping) -> None:
    """Blank the small counts of one row, and the percentages computed from a blanked count."""
    for key, value in list(row.items()):
        if key not in NOT_COUNTS and is_small(value):
            row[key] = None
    if "count" in row and row["count"] is None:
        for key in ("share_pct", "change_pct"):
            if key in row:
                row[key] = None
    if row.get("previous_month", 0) is None and "change_pct" in row:
        row["change_pct"] = None


def _is_group_breakdown(value: Any) -> bool:
    return isinstance(value, MutableMapping) and set(value) == set(PEOPLE_FIELDS)


def _is_row_breakdown(key: str, value: Any) -> bool:
    return (
        ("by_" in key)
        and isinstance(value, MutableSequence)
        and all(isinstance(row, MutableMapping) and "count" in row for row in value)
    )


def suppress_breakdown(cells: MutableMapping[str, Any], keys: list[str]) -> None:
    """Blank small cells; if exactly one is blank, blank the next-smallest too (a zero gives nothing away)."""
    for key in keys:
        if is_small(cells[key]):
            cells[key] = None
    blanked = [key for key in keys if cells[key] is None]
    if len(blanked) == 1:
        others = [key for key in keys if isinstance(cells[key], int) and cells[key] > 0]
        if others:
            cells[min(others, key=lambda key: (cells[key], key))] = None


def _suppress_rows(rows: MutableSequence[MutableMapping[str, Any]]) -> None:
    for row in rows:
        _suppress_row(row)
    blanked = [row for row in rows if row["count"] is None]
    if len(blanked) == 1:
        others = [row for row in rows if isinstance(row["count"], int) and row["count"] > 0]
        if others:
            smallest = min(others, key=lambda row: (row["count"], row.get("code", row.get("pcode", ""))))
            smallest["count"] = None
            for key in ("share_pct", "change_pct"):
                if key in smallest:
                    smallest[key] = None
