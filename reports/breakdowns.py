"""Assistance and sessions of each kind broken down by sector, then by population group within the sector.

The seed report's "cash to 51 GBV survivors (including 2 refugees, 30 IDPs and 19 from the host community)" and
"cash to 292 learners" are two sectors of one kind; "174 IDP women and 58 women from the host community" two
population groups of one sector. What is counted is what the record types declare with `then_by`
(`core.records.Tally`: "assistance.{kind}.{sector}.persons" …), by `reports.counting.declared_counts`, the counting
the tallies read: a row of the breakdown equals the tally row of the same indicator summed over the regions.

Each kind's row of the monthly figures gets `by_sector`: one row per sector the month's records name, in the
order of the sectors' reference list, each with the kind's figures (households and persons, or sessions and
participants) and `by_group`, and `by_population_group` in the same shape. The records that name no sector (or no
population group: both are optional) are the last row, `"code": null`, the difference between the kind's (or the
sector's) figures and its rows', so that the rows always add up to the figure above them (suppression relies on
it: `reports.suppression`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from core.models import PopulationGroup, ReferenceItem, Sector
from core.records import PEOPLE_FIELDS, RecordType, Tally
from reports import counting, reference_lists

if TYPE_CHECKING:
    from reports.figures import Period, Scope

SECTORS = "by_sector"
GROUPS = "by_population_group"
# A reference item's place in its list (`ReferenceItem.Meta.ordering`): its sort order, then its code.
Position = tuple[int, str]


def breakdown_tallies(record_type: RecordType) -> list[Tally]:
    """The tallies a kind's row is broken down by (`then_by`): by sector, by sector and population group."""
    return [tally for tally in record_type.tallies if tally.then_by]


def kind_tallies(record_type: RecordType) -> list[Tally]:
    """The tallies of a kind as a whole (the rows of the figures' `assistance` and `sessions`)."""
    return [tally for tally in record_type.tallies if not tally.then_by]


def _figure_name(tally: Tally) -> str:
    """The key of a row a tally fills: the last part of its code ("assistance.{kind}.{sector}.persons": persons)."""
    return tally.code.rsplit(".", 1)[1]


def _row(code: str | None, names: Iterable[str]) -> dict[str, Any]:
    return {"code": code, **dict.fromkeys(names, 0), "by_group": dict.fromkeys(PEOPLE_FIELDS, 0)}


def with_breakdowns(
    record_type: RecordType, rows: list[dict[str, Any]], scope: Scope, period: Period
) -> list[dict[str, Any]]:
    """The kinds' `rows` of the month, each with its `by_sector` (two GROUP BY queries, over the month's verified
    records in scope, the regions added up in them)."""
    tallies = breakdown_tallies(record_type)
    names = list(dict.fromkeys(_figure_name(tally) for tally in tallies))
    records = scope.verified(record_type.model._default_manager.all()).filter(
        period.within(record_type.month_field, period.month)
    )
    found: dict[str, dict[str, dict[str, Any]]] = {}  # kind → sector → row (its groups keyed by code)
    sector_positions: dict[str, Position] = {}
    group_positions: dict[str, Position] = {}
    for counted in counting.declared_counts(record_type, records, tallies, by_region=False):
        kind, sector, *group = counted.items
        sector_positions[sector.code] = _position(sector)
        group_positions.update({item.code: _position(item) for item in group})
        kind_sectors = found.setdefault(kind.code, {})
        if sector.code not in kind_sectors:
            kind_sectors[sector.code] = {**_row(sector.code, names), GROUPS: {}}
        row = kind_sectors[sector.code]
        if group:
            if group[0].code not in row[GROUPS]:
                row[GROUPS][group[0].code] = _row(group[0].code, names)
            row = row[GROUPS][group[0].code]
        name = _figure_name(counted.tally)
        row[name] += counted.total
        for people_group, value in (counted.groups or {}).items():
            row["by_group"][people_group] += value
    for kind_row in rows:
        # a record counting only what the breakdown leaves out (a quantity of shelters) makes a row of zeros
        sectors = [row for row in found.get(kind_row["kind"], {}).values() if _any_figure(row, names)]
        for sector_row in sectors:
            groups = [row for row in sector_row[GROUPS].values() if _any_figure(row, names)]
            sector_row[GROUPS] = _with_not_given(sector_row, groups, names)
        kind_row[SECTORS] = _with_not_given(kind_row, sectors, names, nested=True)
    return [in_order(row, sector_positions, group_positions) for row in rows]


def _position(item: ReferenceItem) -> Position:
    return (item.sort_order, item.code)


def _with_not_given(
    whole: Mapping[str, Any], rows: list[dict[str, Any]], names: list[str], *, nested: bool = False
) -> list[dict[str, Any]]:
    """`rows`, and a last row (`"code": None`) for what `whole` counts that no row does: its records name no
    sector, or no population group."""
    rest = _row(None, names)
    for name in names:
        rest[name] = whole[name] - sum(row[name] for row in rows)
    for group in PEOPLE_FIELDS:
        rest["by_group"][group] = whole["by_group"][group] - sum(row["by_group"][group] for row in rows)
    if nested:
        rest[GROUPS] = [{**rest, "code": None, "by_group": dict(rest["by_group"])}] if _any_figure(rest, names) else []
    return [*rows, rest] if _any_figure(rest, names) else rows


def _any_figure(row: Mapping[str, Any], names: list[str]) -> bool:
    return any(row[name] for name in names) or any(row["by_group"].values())


def in_order(
    kind_row: dict[str, Any], sectors: Mapping[str, Position], groups: Mapping[str, Position]
) -> dict[str, Any]:
    """A kind's row with its sectors, and each sector's population groups, in the order of their reference lists
    (`sectors`, `groups`: each code's position), the row of records naming none last."""

    def ordered(rows: list[dict[str, Any]], positions: Mapping[str, Position]) -> list[dict[str, Any]]:
        return sorted(
            rows, key=lambda row: (row["code"] is None, positions.get(row["code"], (0, "")), row["code"] or "")
        )

    if SECTORS not in kind_row:
        return kind_row
    kind_row[SECTORS] = ordered(kind_row[SECTORS], sectors)
    for sector_row in kind_row[SECTORS]:
        sector_row[GROUPS] = ordered(sector_row[GROUPS], groups)
    return kind_row


def reference_positions(rows: Iterable[Mapping[str, Any]]) -> tuple[dict[str, Position], dict[str, Position]]:
    """The positions of the sectors and population groups the kinds' `rows` name (two queries, none when no row
    has a breakdown): how a merged answer orders them (`reports.merging`)."""
    sectors: set[str] = set()
    groups: set[str] = set()
    for row in rows:
        for sector_row in row.get(SECTORS) or []:
            sectors.add(sector_row["code"])
            groups.update(group_row["code"] for group_row in sector_row[GROUPS])
    return _positions(Sector, sectors - {None}), _positions(PopulationGroup, groups - {None})


def _positions(model: type[ReferenceItem], codes: set[str]) -> dict[str, Position]:
    return {code: (item.sort_order, code) for code, item in reference_lists.by_code(model, codes).items()}
