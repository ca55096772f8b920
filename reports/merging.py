"""The monthly figures of a union of regions, made from the figures of each region (its "cell").

Every scope a closed month publishes (the whole operation, a region, a user's set of regions) is a union of regions,
and every record counts in exactly one level-1 region (a record's region is its place's, `AdminArea.region`). So a
closing computes `reports.figures.figure_numbers` once per region and builds every other scope here: the additive
numbers are summed (counts, people groups, rows by code, region or month, amounts per currency), then what is
derived from them is worked out again with the functions of `reports.figures` (change and share percentages, the
order of rows and which rows are shown). A cell is any answer in the shape of `figure_numbers`: a later roll-up
table (month x region x organisation) could feed the same merge.

Distinct incidents add up because an incident is in one region only.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from core.models import AssistanceKind, SessionKind
from core.records import RecordType
from reports import breakdowns, counting, reference_lists
from reports.figures import Period, add_months, change_pct, largest_first, share_pct

# Worked out again after the sum, never added up.
DERIVED = frozenset({"change_pct", "share_pct"})
# The key naming a row in each list of the figures: rows of two cells with the same one are the same row.
ROW_KEYS = ("code", "pcode", "kind", "indicator", "month")


def merge_figures(
    month: datetime.date, cells: Sequence[dict[str, Any]], *, region: str | None = None
) -> dict[str, Any]:
    """The figures of the union of the cells' scopes (disjoint: one region each), as `figure_numbers` would
    compute them for it; `region` is the answer's `region` (a single region's P-code, else None)."""
    if not cells:
        raise ValueError("Figures are merged from one cell at least.")
    # Copies: the sum is reshaped in place, and a cell may be published as it is (a region's own figures).
    total: dict[str, Any] = copy.deepcopy(cells[0])
    for cell in cells[1:]:
        total = _add(total, copy.deepcopy(cell))
    return _derive(month, {**total, "month": f"{month:%Y-%m}", "region": region})


def _add(first: Any, second: Any) -> Any:
    """The sum of two cells' values of the same place in the figures."""
    if isinstance(first, dict):
        return _add_dicts(first, second)
    if isinstance(first, list):
        return _add_rows(first, second)
    if isinstance(first, bool) or not isinstance(first, int | float):
        return first  # a code, a name, a reference field, None
    if isinstance(first, int) and isinstance(second, int):
        return first + second
    # Amounts and quantities are decimals in the database; adding their floats could be off in the last digit.
    return float(Decimal(repr(first)) + Decimal(repr(second)))


def _add_dicts(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    added: dict[str, Any] = {}
    for key in [*first, *(key for key in second if key not in first)]:
        if key in DERIVED:
            added[key] = None
        elif key in first and key in second:
            added[key] = _add(first[key], second[key])
        else:  # a key only one cell has (an amount's currency) keeps its value
            added[key] = first.get(key, second.get(key))
    return added


def _add_rows(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = first or second
    if not rows:
        return []
    key = next(name for name in ROW_KEYS if name in rows[0])
    merged = {row[key]: row for row in first}
    for row in second:
        merged[row[key]] = _add(merged[row[key]], row) if row[key] in merged else row
    return list(merged.values())


def _derive(month: datetime.date, figures: dict[str, Any]) -> dict[str, Any]:
    """Percentages, order and the rows shown, as `reports.figures` works them out."""
    period = Period(month)
    incidents, violations = figures["incidents"], figures["violations"]
    _change(incidents)
    incidents["by_region"] = _regions(incidents["by_region"], incidents["count"])
    _change(violations)
    violations["by_category"] = largest_first(violations["by_category"])
    violations["by_type"] = largest_first(violations["by_type"])
    violations["by_region"] = _regions(violations["by_region"], violations["count"])
    violations["year_to_date_by_region"] = _regions(violations["year_to_date_by_region"], violations["year_to_date"])
    trend = {row["month"]: row for row in figures["trend"]}
    figures["trend"] = [trend[f"{add_months(period.trend_start, offset):%Y-%m}"] for offset in range(12)]
    gbv = figures["gbv_referrals"]
    gbv["by_incident_type"] = largest_first(gbv["by_incident_type"])
    gbv["by_service"] = largest_first(gbv["by_service"])
    movements = figures["movements"]
    _change(movements["persons"])
    movements["by_nationality"] = largest_first(movements["by_nationality"])
    figures["assistance"] = [_assistance_row(row) for row in _in_order(figures["assistance"], AssistanceKind)]
    figures["sessions"] = _in_order(figures["sessions"], SessionKind)
    # each kind's sectors and population groups: a row only some regions have was added last
    sectors, groups = breakdowns.reference_positions([*figures["assistance"], *figures["sessions"]])
    for row in [*figures["assistance"], *figures["sessions"]]:
        breakdowns.in_order(row, sectors, groups)
    for record_type in counting.declared_section_types():
        key = counting.section_key(record_type)
        figures[key] = _declared(record_type, figures[key])
    return figures


def _change(section: dict[str, Any]) -> None:
    section["change_pct"] = change_pct(section["count"], section["previous_month"])


def _regions(rows: list[dict[str, Any]], total: int) -> list[dict[str, Any]]:
    shared = [{**row, "share_pct": share_pct(row["count"], total)} for row in rows]
    return largest_first(shared, key="pcode")


def _in_order(rows: list[dict[str, Any]], model: type[AssistanceKind] | type[SessionKind]) -> list[dict[str, Any]]:
    """Rows by kind in the order of the reference list (a cell only has the rows it shows)."""
    by_kind = {row["kind"]: row for row in rows}
    if not by_kind:
        return []
    return [by_kind[item.code] for item in reference_lists.items(model) if item.code in by_kind]


def _assistance_row(row: dict[str, Any]) -> dict[str, Any]:
    # A quantity is a whole number when it is one (reports.figures._number): 1.5 + 1.5 is 3.
    for key in ("quantity", "year_to_date_quantity"):
        value = row[key]
        row[key] = int(value) if value == int(value) else value
    return row


def _declared(record_type: RecordType, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in the order of the declaration; the rows of one tally largest first, ties by indicator."""
    for row in rows:
        row["by_region"] = _regions(row["by_region"], row["count"])
    shown: list[dict[str, Any]] = []
    for tally in record_type.tallies:
        own = [row for row in rows if counting.tally_of(record_type, row["indicator"], row["by"])[0] is tally]
        shown.extend(largest_first(own, key="indicator"))
    return shown
