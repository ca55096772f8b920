"""Small-count suppression that holds across every answer a viewer can get of a published month (SPEC.md, API.md).

Every figure a viewer can read is a *quantity*, named ``"YYYY-MM|scope|measure"``: the month it counts, the
scope (``all``, a region's P-code, or a set of regions ``ML05,ML07``) and what it counts (``incidents``,
``violations.type.rape``, ``movements.persons.g.women`` …). The same quantity shows in several answers (the
region's answer, the national answer's `by_region`, the tallies, next month's `previous_month`, the 12-month
trend), and quantities are tied by linear relations: a total is the sum of its parts (across regions, across a
breakdown, across sex and age), and the year to date is last month's year to date plus the month.

When a month is closed, `decide` works out once which quantities viewers never see (the *hidden set*):
1. every count from 1 to 4;
2. then, for every relation with exactly one hidden cell, its cheapest, then smallest, visible non-zero cell;
3. then an exact check: a hidden quantity is *determined* by the visible ones when its unit vector lies in the row
   space of the relations restricted to the hidden (and unknown) quantities; for each determined one, the
   cheapest, then smallest, visible non-zero cell of the relations nearest to it is hidden too (its own relations
   first, then those of the hidden cells it shares them with …), or, where none is left, the nearest zero an
   answer writes as a cell (written `x`); 2-3 repeat until none is determined.
   A cell's *cost* (`cost`) is what hiding it takes from readers: the headline figures the monthly update leads
   with cost most (the operation's, then a region's), rows of breakdowns and sex and age cells least. When the
   nearest cell is a headline figure, a cheaper one further away is taken if it protects the determined cell;
   and once decided, the decision is run again with the headline partners visible, and kept if it protects as
   well and costs less (a headline figure taken for a cell protected otherwise in the end is shown again).
Quantities published with an earlier closed month keep their status (hidden stays hidden, a visible one is
public knowledge). Every viewer answer (monthly API, report page and PDF, tallies files) reads the stored set
through `hide_in_figures` and `hide_in_tallies`; nothing is worked out per answer.
"""

from __future__ import annotations

import copy
import datetime
import heapq
import logging
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, MutableSequence, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.choices import AdminLevel
from core.models import AdminArea, AssistanceKind, GbvIncidentType, SessionKind, ViolationType
from core.records import PEOPLE_FIELDS
from reports import counting

logger = logging.getLogger(__name__)

SMALL = range(1, 5)
# Numbers that are not counts of people or records, and so are never suppressed.
NOT_COUNTS = {"share_pct", "change_pct", "amounts", "year_to_date_amounts"}
SMALL_MARK = "<5"  # a hidden count from 1 to 4
OTHER_MARK = "x"  # a larger count hidden so that another cannot be worked out
ALL = "all"
# A large prime: the exact check runs modulo it (the relations' coefficients are small integers).
PRIME = (1 << 61) - 1
# A cell worked out through the ranges takes at most this many partners before it is reported as unprotected.
BOUNDS_ATTEMPTS = 4
# A cell worked out exactly takes this many of the nearest smallest cells, one a round, unchecked (they protect it
# at once nearly always); after that, only a cell checked to protect it, or none (`_Decider.protecting_partner`).
# A closing at a million incidents took 200 rounds, 300 partners and two minutes on a cell tied to a row of zeros
# nobody can hide, and left it worked out; the check says so at once.
EXACT_ATTEMPTS = 16
# The figures the monthly update leads with: the month's count and year to date of incidents and violations, the
# persons on the move, the GBV referrals. Hiding one costs readers most (the operation's), then a region's.
HEADLINES = frozenset({"incidents", "incidents.ytd", "violations", "violations.ytd", "movements.persons", "gbv"})
# A partner cheaper than the nearest one is looked for among at most this many cells, each checked to protect.
CHEAPER_TRIES = 24

# The figures of a kind's rows by sector and population group (`reports.breakdowns`), the people figure last.
BREAKDOWN_FIGURES = {"assistance": ("households", "persons"), "sessions": ("sessions", "participants")}
# How a breakdown row of records that name no sector (or population group) is named in a quantity: no code is "~".
NOT_GIVEN = "~"

Slot = tuple[MutableMapping[str, Any], str, str]  # the dict holding a cell, the cell's field, its quantity
Relation = dict[str, int]  # quantity → coefficient; the weighted sum is zero


def is_small(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in SMALL


def mark(value: Any) -> str:
    """How a hidden cell is written on the page, in the PDF and in the tallies."""
    return SMALL_MARK if is_small(value) else OTHER_MARK


def quantity(month: str, scope: str, measure: str) -> str:
    return f"{month}|{scope}|{measure}"


def split(key: str) -> tuple[str, str, str]:
    month, scope, measure = key.split("|", 2)
    return month, scope, measure


def month_text(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


def shift(month: str, months: int) -> str:
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + number - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def scope_regions(scope: str, regions: Iterable[str]) -> list[str]:
    return sorted(regions) if scope == ALL else scope.split(",")


def is_region(scope: str) -> bool:
    return scope != ALL and "," not in scope


def cost(key: str) -> int:
    """What hiding a cell costs its readers: 2 for a headline figure of the whole operation, 1 for a region's (or a
    set of regions'), 0 for a row of a breakdown or a sex and age cell. Partners are chosen cheapest first."""
    _month, scope, measure = split(key)
    if measure not in HEADLINES:
        return 0
    return 2 if scope == ALL else 1


# --- where each cell of an answer sits, and which quantity it is


class _Slots:
    """Collects the slots of one monthly answer."""

    def __init__(self, month: str, scope: str) -> None:
        self.month, self.scope, self.previous = month, scope, shift(month, -1)
        self.found: list[Slot] = []
        self.listed: set[str] = set()  # rows of a list: lists hold only rows above zero, so each is at least 1

    def add(
        self,
        container: Any,
        name: str,
        measure: str,
        *,
        at: str | None = None,
        of: str | None = None,
        listed: bool = False,
    ) -> None:
        if isinstance(container, MutableMapping) and name in container:
            key = quantity(of or self.month, at or self.scope, measure)
            self.found.append((container, name, key))
            if listed:
                self.listed.add(key)

    def groups(self, container: Any, measure: str) -> None:
        for group in PEOPLE_FIELDS:
            self.add(container, group, f"{measure}.g.{group}")

    def rows(self, rows: Any, measure: str, fields: dict[str, str] | None = None) -> None:
        """List rows by code: `count` is `measure.<code>`, other fields as `fields` names them."""
        for row in rows or []:
            self.add(row, "count", f"{measure}.{row['code']}", listed=True)
            for name, other in (fields or {}).items():
                # a row's incidents: at least one incident has the violations it counts
                self.add(row, name, f"{other}.{row['code']}", listed=name == "incidents")

    def regions(self, rows: Any, measure: str) -> None:
        for row in rows or []:
            self.add(row, "count", measure, at=row["pcode"], listed=True)


def figure_slots(figures: MutableMapping[str, Any], scope: str) -> list[Slot]:
    """Every count of a monthly answer (API.md), with the quantity it shows."""
    return _figure_cells(figures, scope).found


def listed_quantities(figures: MutableMapping[str, Any], scope: str) -> set[str]:
    """The quantities an answer shows as rows of a list: a viewer knows each is at least 1."""
    return _figure_cells(figures, scope).listed


def _figure_cells(figures: MutableMapping[str, Any], scope: str) -> _Slots:
    slots = _Slots(str(figures["month"]), scope)
    for kind in figures.get("pending_review") or {}:
        slots.add(figures["pending_review"], kind, f"pending.{kind}")
    for name in ("incidents", "violations"):
        section = figures.get(name) or {}
        slots.add(section, "count", name)
        slots.add(section, "previous_month", name, of=slots.previous)
        slots.add(section, "year_to_date", f"{name}.ytd")
        slots.regions(section.get("by_region"), name)
    incidents, violations = figures.get("incidents") or {}, figures.get("violations") or {}
    slots.add(incidents, "occurred_earlier", "incidents.earlier")
    slots.groups(violations.get("by_group"), "violations")
    slots.groups(violations.get("year_to_date_by_group"), "violations.ytd")
    slots.rows(violations.get("by_category"), "violations.cat", {"incidents": "incidents.cat"})
    slots.rows(
        violations.get("by_type"),
        "violations.type",
        {"incidents": "incidents.type", "persons_affected": "affected.type"},
    )
    slots.regions(violations.get("year_to_date_by_region"), "violations.ytd")
    for row in figures.get("trend") or []:
        slots.add(row, "incidents", "incidents", of=row["month"])
        slots.add(row, "violations", "violations", of=row["month"])
    gbv = figures.get("gbv_referrals") or {}
    slots.add(gbv, "count", "gbv")
    slots.add(gbv, "excluded_without_consent", "gbv.excluded")
    slots.rows(gbv.get("by_incident_type"), "gbv.type")
    slots.rows(gbv.get("by_service"), "gbv.service")
    slots.groups(gbv.get("by_group"), "gbv")
    movements = figures.get("movements") or {}
    persons = movements.get("persons") or {}
    slots.add(movements, "identifications", "movements.identifications")
    slots.add(persons, "count", "movements.persons")
    slots.add(persons, "previous_month", "movements.persons", of=slots.previous)
    slots.groups(persons.get("by_group"), "movements.persons")
    slots.rows(movements.get("by_nationality"), "movements.nationality")
    for row in figures.get("assistance") or []:
        kind = f"assistance.{row['kind']}"
        for name in ("households", "persons", "quantity"):
            slots.add(row, name, f"{kind}.{name}")
            slots.add(row, f"year_to_date_{name}", f"{kind}.{name}.ytd")
        slots.groups(row.get("by_group"), f"{kind}.persons")
        _breakdown_slots(slots, row, kind, BREAKDOWN_FIGURES["assistance"])
    for row in figures.get("sessions") or []:
        kind = f"sessions.{row['kind']}"
        slots.add(row, "sessions", f"{kind}.sessions")
        slots.add(row, "participants", f"{kind}.participants")
        slots.groups(row.get("by_group"), f"{kind}.participants")
        _breakdown_slots(slots, row, kind, BREAKDOWN_FIGURES["sessions"])
    for section in declared_sections(figures):
        for row in section:
            # a declared figure is its indicator, as in the tallies (`tally_measure` leaves it as it is)
            measure = str(row["indicator"])
            slots.add(row, "count", measure, listed=True)
            slots.groups(row.get("by_group"), measure)
            slots.regions(row.get("by_region"), measure)
    return slots


def _breakdown_slots(slots: _Slots, row: Mapping[str, Any], kind: str, names: tuple[str, str]) -> None:
    """A kind's rows by sector and by population group within a sector (`reports.breakdowns`), named as their
    tallies ("assistance.cash.gbv.persons", "assistance.cash.gbv.idp.persons"); a row of records naming none is
    `NOT_GIVEN` ("assistance.cash.~.persons"), which no tally has."""
    people = names[-1]
    for sector in row.get("by_sector") or []:
        at = f"{kind}.{_coded_as(sector['code'])}"
        for name in names:
            slots.add(sector, name, f"{at}.{name}")
        slots.groups(sector.get("by_group"), f"{at}.{people}")
        for group in sector.get("by_population_group") or []:
            inner = f"{at}.{_coded_as(group['code'])}"
            for name in names:
                slots.add(group, name, f"{inner}.{name}")
            slots.groups(group.get("by_group"), f"{inner}.{people}")


def _coded_as(code: str | None) -> str:
    return NOT_GIVEN if code is None else code


def declared_sections(figures: Mapping[str, Any]) -> list[list[MutableMapping[str, Any]]]:
    """The sections of an answer made from the record types' declared tallies (flash alerts): lists of rows with
    `indicator`, `count`, `by_group` and `by_region` (`reports.figures.declared_figures`)."""
    return [figures.get(counting.section_key(record_type)) or [] for record_type in counting.declared_section_types()]


def tally_measure(indicator: str, categories: set[str]) -> str:
    """The quantity a tally row's total counts (API.md's indicators)."""
    if indicator.startswith("incidents."):
        return f"incidents.cat.{indicator.removeprefix('incidents.')}"
    if indicator.startswith("violations."):
        code = indicator.removeprefix("violations.")
        return f"violations.cat.{code}" if code in categories else f"violations.type.{code}"
    if indicator == "gbv_referrals":
        return "gbv"
    return indicator  # movements.*, assistance.<kind>.*, sessions.<kind>.* are named as in the figures


def tally_slots(rows: Iterable[MutableMapping[str, Any]], categories: set[str]) -> list[Slot]:
    slots: list[Slot] = []
    for row in rows:
        measure = tally_measure(str(row["indicator"]), categories)
        at = quantity(str(row["month"]), str(row["admin1_pcode"]), measure)
        slots.append((row, "total", at))
        slots.extend((row, group, f"{at}.g.{group}") for group in PEOPLE_FIELDS if row.get(group) is not None)
    return slots


# --- which figures an answer holds: a missing row of a list is a zero everybody knows


def _in_figures(measure: str, scope: str) -> bool:
    if ".g." in measure and measure.startswith(("violations.cat.", "violations.type.")):
        return False  # only the tallies break categories and types down by sex and age
    return not measure.startswith("gbv") or scope == ALL


def _in_tallies(measure: str) -> bool:
    # The tallies have no row for records naming no sector or population group (`NOT_GIVEN`): a reader of the
    # tallies alone takes them to be none, so that a breakdown's rows add up to its total (and a lone small cell of
    # them is paired as any other); a published month's figures show the row, with its value.
    return not (
        measure.endswith(".ytd")
        or ".ytd." in measure
        or measure.startswith(("pending.", "incidents.earlier", "incidents.type.", "affected.", "gbv"))
        or measure.startswith("movements.nationality.")
    )


@dataclass
class Reference:
    """What the relations need of the reference lists."""

    regions: list[str]
    categories: dict[str, list[str]]  # category code → its type codes
    collective: set[str]  # collective violation types
    gbv_types: list[str] = field(default_factory=list)
    assistance_kinds: list[str] = field(default_factory=list)
    session_kinds: list[str] = field(default_factory=list)
    # What the declared figures (flash alerts) add up to: a figure and its parts (the alerts and the alerts of
    # each event type; the persons affected and their people groups).
    declared_totals: list[tuple[str, list[str]]] = field(default_factory=list)

    @classmethod
    def load(cls) -> Reference:
        categories: dict[str, list[str]] = defaultdict(list)
        collective = set()
        for code, category, is_collective in ViolationType.objects.values_list("code", "category__code", "collective"):
            categories[category].append(code)
            if is_collective:
                collective.add(code)
        return cls(
            regions=sorted(AdminArea.objects.filter(level=AdminLevel.REGION).values_list("pcode", flat=True)),
            categories=dict(categories),
            collective=collective,
            gbv_types=list(GbvIncidentType.objects.values_list("code", flat=True)),
            assistance_kinds=list(AssistanceKind.objects.values_list("code", flat=True)),
            session_kinds=list(SessionKind.objects.values_list("code", flat=True)),
            declared_totals=declared_totals(),
        )


def declared_totals() -> list[tuple[str, list[str]]]:
    """The sums the declared figures (`counting.declared_section_types`) are tied by, whatever a month holds: a
    people tally is the sum of its five groups; a tally `by` a reference list every record has (not null) is split
    among the list's items, and so adds up to the type's tally that counts the same without `by`."""
    found: list[tuple[str, list[str]]] = []
    for record_type in counting.declared_section_types():
        for tally in record_type.tallies:
            if not tally.by:
                if tally.people and tally.total is None:
                    found.append((tally.code, [f"{tally.code}.g.{group}" for group in PEOPLE_FIELDS]))
                continue
            by = record_type.model._meta.get_field(tally.by)
            whole = next(
                (
                    other.code
                    for other in record_type.tallies
                    if not other.by and (other.total, other.people) == (tally.total, tally.people)
                ),
                None,
            )
            if by.null or by.related_model is None:
                continue
            codes = list(by.related_model._default_manager.values_list("code", flat=True))
            indicators = [tally.code.format(**{tally.by: code}) for code in codes]
            if whole is not None:
                found.append((whole, indicators))
            if tally.people and tally.total is None:
                found.extend(
                    (indicator, [f"{indicator}.g.{group}" for group in PEOPLE_FIELDS]) for indicator in indicators
                )
    return found


@dataclass
class System:
    """The quantities viewers can read of some answers, their values, and the relations between them."""

    reference: Reference
    values: dict[str, float] = field(default_factory=dict)
    figure_answers: set[tuple[str, str]] = field(default_factory=set)  # (month, scope)
    tally_answers: set[tuple[str, str]] = field(default_factory=set)
    nationalities: set[str] = field(default_factory=set)
    present: set[str] = field(default_factory=set)  # quantities shown as rows of a list or tallies: at least 1

    def add_figures(self, figures: MutableMapping[str, Any], scope: str) -> list[Slot]:
        cells = _figure_cells(figures, scope)
        slots = cells.found
        self.present |= cells.listed
        self.figure_answers.add((str(figures["month"]), scope))
        for container, name, key in slots:
            self._set(key, container[name])
            if key.split("|", 2)[2].startswith("movements.nationality."):
                self.nationalities.add(key.rsplit(".", 1)[1])
        return slots

    def add_tallies(self, rows: Sequence[MutableMapping[str, Any]], month: str) -> list[Slot]:
        slots = tally_slots(rows, set(self.reference.categories))
        for region in self.reference.regions:
            self.tally_answers.add((month, region))
        for container, name, key in slots:
            self._set(key, container[name])
            if name == "total":
                self.present.add(key)  # the tallies hold only rows with a total above zero
        return slots

    def _set(self, key: str, value: Any) -> None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.values[key] = value

    def known(self, key: str) -> bool:
        """A quantity some answer shows (or would show if it were not zero)."""
        if key in self.values:
            return True
        month, scope, measure = split(key)
        return ((month, scope) in self.figure_answers and _in_figures(measure, scope)) or (
            (month, scope) in self.tally_answers and _in_tallies(measure)
        )

    def value(self, key: str) -> float:
        return self.values.get(key, 0)

    def relations(self) -> list[Relation]:
        found: list[Relation] = []
        found.extend(self._across_regions())
        breakdowns = self._breakdowns_shown()
        for month, scope in sorted(self.figure_answers | self.tally_answers):
            found.extend(self._within(month, scope))
            for (section, kind), sectors in breakdowns.get((month, scope), {}).items():
                found.extend(_breakdown_relations(month, scope, f"{section}.{kind}", sectors, section))
        found.extend(self._through_the_year())
        return [relation for relation in found if len(relation) > 1]

    def _across_regions(self) -> Iterator[Relation]:
        """A total of several regions is the sum of the regions' (GBV: national only, so not related)."""
        for key in list(self.values):
            month, scope, measure = split(key)
            if is_region(scope) or measure.startswith("gbv"):
                continue
            relation = {key: 1}
            for region in scope_regions(scope, self.reference.regions):
                _add(relation, quantity(month, region, measure), -1)
            yield relation

    def _within(self, month: str, scope: str) -> Iterator[Relation]:
        def q(measure: str) -> str:
            return quantity(month, scope, measure)

        def total(whole: str, parts: Iterable[str]) -> Relation:
            relation = {q(whole): 1}
            for part in parts:
                _add(relation, q(part), -1)
            return relation

        reference, tallied = self.reference, (month, scope) in self.tally_answers
        groups = list(PEOPLE_FIELDS)
        categories = reference.categories
        yield total("violations", [f"violations.cat.{code}" for code in categories])
        ordinary = {
            category: [code for code in types if code not in reference.collective]
            for category, types in categories.items()
        }
        collective = {
            category: [code for code in types if code in reference.collective] for category, types in categories.items()
        }
        yield total(
            "violations",
            [f"violations.g.{group}" for group in groups]
            + [f"violations.type.{code}" for types in collective.values() for code in types],
        )
        for category, types in categories.items():
            yield total(f"violations.cat.{category}", [f"violations.type.{code}" for code in types])
            if tallied:
                yield total(
                    f"violations.cat.{category}",
                    [f"violations.cat.{category}.g.{group}" for group in groups]
                    + [f"violations.type.{code}" for code in collective[category]],
                )
                for group in groups:
                    yield total(
                        f"violations.cat.{category}.g.{group}",
                        [f"violations.type.{code}.g.{group}" for code in ordinary[category]],
                    )
        if tallied:
            for group in groups:
                yield total(f"violations.g.{group}", [f"violations.cat.{code}.g.{group}" for code in categories])
            for types in ordinary.values():
                for code in types:
                    yield total(f"violations.type.{code}", [f"violations.type.{code}.g.{group}" for group in groups])
        if scope == ALL:
            yield total("gbv", [f"gbv.g.{group}" for group in groups])
            yield total("gbv", [f"gbv.type.{code}" for code in reference.gbv_types])
        yield total("movements.persons", [f"movements.persons.g.{group}" for group in groups])
        if (month, scope) in self.figure_answers:
            yield total("movements.persons", [f"movements.nationality.{code}" for code in sorted(self.nationalities)])
        for kind in reference.assistance_kinds:
            yield total(f"assistance.{kind}.persons", [f"assistance.{kind}.persons.g.{group}" for group in groups])
        for kind in reference.session_kinds:
            yield total(
                f"sessions.{kind}.participants", [f"sessions.{kind}.participants.g.{group}" for group in groups]
            )
        for whole, parts in reference.declared_totals:
            yield total(whole, parts)

    def _breakdowns_shown(self) -> dict[tuple[str, str], dict[tuple[str, str], dict[str, set[str]]]]:
        """Per answer (month, scope) and kind (section, kind code): the sectors its rows by sector show, each with
        the population groups shown within it. A sector or group no answer shows is zero everywhere (a row of
        zeros is not shown), so its relations say nothing and are left out."""
        shown: dict[tuple[str, str], dict[tuple[str, str], dict[str, set[str]]]] = {}
        for key in self.values:
            month, scope, measure = split(key)
            row = _breakdown_row(measure)
            if row is None:
                continue
            section, kind, sector, group = row
            groups = shown.setdefault((month, scope), {}).setdefault((section, kind), {}).setdefault(sector, set())
            if group is not None:
                groups.add(group)
        return shown

    def _through_the_year(self) -> Iterator[Relation]:
        """Year to date = last month's year to date + the month; and the trend's months add up to it."""
        for key in list(self.values):
            month, scope, measure = split(key)
            if not (measure.endswith(".ytd") or ".ytd." in measure):
                continue
            monthly = measure.replace(".ytd", "", 1)
            relation = {key: 1}
            _add(relation, quantity(month, scope, monthly), -1)
            if not month.endswith("-01"):
                _add(relation, quantity(shift(month, -1), scope, measure), -1)
            yield relation
            if monthly in {"incidents", "violations"}:
                relation = {key: 1}
                for offset in range(int(month[5:7])):
                    _add(relation, quantity(shift(month, -offset), scope, monthly), -1)
                yield relation


def _breakdown_row(measure: str) -> tuple[str, str, str, str | None] | None:
    """What a quantity of a kind's rows by sector and population group counts: (section, kind, sector, population
    group or None); None for any other quantity (a kind's own figure, its year to date)."""
    row = measure
    for group in PEOPLE_FIELDS:  # the people group is the quantity's last part (a code may be "g")
        row = row.removesuffix(f".g.{group}")
    match row.split("."):  # codes hold no dot (ReferenceItem.code's validator)
        case [section, kind, sector, name] if name in BREAKDOWN_FIGURES.get(section, ()):
            return section, kind, sector, None
        case [section, kind, sector, group, name] if name in BREAKDOWN_FIGURES.get(section, ()):
            return section, kind, sector, group
        case _:
            return None


def _breakdown_relations(
    month: str, scope: str, kind: str, sectors: dict[str, set[str]], section: str
) -> Iterator[Relation]:
    """A kind's figures are the sums of its rows by sector, each sector's the sums of its rows by population group,
    and each row's people figure the sum of its five groups (`reports.breakdowns`). The row of records naming no
    sector or group (`NOT_GIVEN`) is always a part (zero where an answer does not show it: `_in_tallies`)."""
    names, people = BREAKDOWN_FIGURES[section], BREAKDOWN_FIGURES[section][-1]

    def total(whole: str, parts: Iterable[str]) -> Relation:
        relation = {quantity(month, scope, whole): 1}
        for part in parts:
            _add(relation, quantity(month, scope, part), -1)
        return relation

    def split_into(whole: str, codes: Iterable[str]) -> Iterator[Relation]:
        codes = sorted({*codes, NOT_GIVEN})
        for name in names:
            yield total(f"{whole}.{name}", [f"{whole}.{code}.{name}" for code in codes])
        for group in PEOPLE_FIELDS:
            yield total(f"{whole}.{people}.g.{group}", [f"{whole}.{code}.{people}.g.{group}" for code in codes])

    def by_sex_and_age(row: str) -> Relation:
        return total(f"{row}.{people}", [f"{row}.{people}.g.{group}" for group in PEOPLE_FIELDS])

    yield from split_into(kind, sectors)
    for sector, groups in sectors.items():
        yield by_sex_and_age(f"{kind}.{sector}")
        yield from split_into(f"{kind}.{sector}", groups)
        for group in groups:
            yield by_sex_and_age(f"{kind}.{sector}.{group}")


def _add(relation: Relation, key: str, coefficient: int) -> None:
    relation[key] = relation.get(key, 0) + coefficient
    if relation[key] == 0:
        del relation[key]


# --- deciding the hidden set


def _subtract(target: dict[str, int], factor: int, row: dict[str, int], skip: str) -> list[str]:
    """target -= factor × row (modulo PRIME), leaving out `skip`; the quantities that appeared in target."""
    appeared = []
    for key, coefficient in row.items():
        if key == skip:
            continue
        value = (target.get(key, 0) - factor * coefficient) % PRIME
        if value:
            if key not in target:
                appeared.append(key)
            target[key] = value
        else:
            target.pop(key, None)
    return appeared


def determined(relations: list[Relation], unknowns: set[str]) -> set[str]:
    """The quantities of `relations` (all of them unknown to a viewer) whose value the relations fix.

    Gauss-Jordan elimination modulo a large prime: a quantity is fixed when the reduced rows hold its unit
    vector."""
    pivots: dict[str, dict[str, int]] = {}  # pivot quantity → its row (coefficient 1 at the pivot)
    holders: dict[str, set[str]] = defaultdict(set)  # quantity → pivots whose rows hold it
    for relation in relations:
        row = {key: coefficient % PRIME for key, coefficient in relation.items() if coefficient % PRIME}
        for key in [key for key in row if key in pivots]:
            factor = row.pop(key)
            _subtract(row, factor, pivots[key], key)
        if not row:
            continue
        pivot = min(row, key=lambda key: (len(holders[key]), key))
        inverse = pow(row[pivot], PRIME - 2, PRIME)
        row = {key: value * inverse % PRIME for key, value in row.items()}
        for holder in holders.pop(pivot, set()):
            target = pivots[holder]
            factor = target.pop(pivot)
            for key in _subtract(target, factor, row, pivot):
                holders[key].add(holder)
            for key in [key for key in row if key != pivot and key not in target]:
                holders[key].discard(holder)
        pivots[pivot] = row
        for key in row:
            if key != pivot:
                holders[key].add(pivot)
    return {pivot for pivot, row in pivots.items() if len(row) == 1 and pivot not in unknowns}


Interval = tuple[float, float]
UNBOUNDED: Interval = (0, math.inf)


def narrowed(
    relations: list[Relation],
    intervals: dict[str, Interval],
    *,
    passes: int = 40,
    until_fixed: str | None = None,
    points: Mapping[str, float] | None = None,
) -> dict[str, Interval]:
    """What the relations and the known ranges of each quantity say of each one: interval propagation.

    For each relation Σ c·x = 0, each quantity's range narrows to what the others' ranges leave it (with
    t = -Σ others: [max(lo, min t / c), min(hi, max t / c)], rounded inward, counts being whole), until nothing
    changes (at most `passes` sweeps over the relations touched by the last change). Deterministic; quantities
    missing from `intervals` are taken as unbounded counts, or, given `points`, as the known value read there (0
    when absent). With `until_fixed`, it stops as soon as that quantity's range is a point: a point never widens,
    nor narrows, so the answer for it is known.

    Closing a month narrows some thousand relations for every partner it checks, so this is written for speed. A
    known value never narrows (its range is a point already), so each relation keeps the sum of its known terms
    as one number and goes over its other terms only."""
    bounds = dict(intervals)
    touching: dict[str, list[int]] = defaultdict(list)
    shapes: list[tuple[float, tuple[tuple[str, int], ...]]] = []
    pending: set[int] = set()
    for index, relation in enumerate(relations):
        known: float = 0
        ranged: list[tuple[str, int]] = []
        for key, coefficient in relation.items():
            interval = bounds.get(key)
            if interval is None:
                if points is not None:
                    known += coefficient * points.get(key, 0)
                    continue
                bounds[key] = interval = UNBOUNDED
            low, high = interval
            if low == high and math.isfinite(low):
                known += coefficient * low
            else:
                ranged.append((key, coefficient))
                touching[key].append(index)
        shapes.append((known, tuple(ranged)))
        if ranged:
            pending.add(index)
    for _pass in range(passes):
        if not pending:
            break
        changed: set[str] = set()
        for index in sorted(pending):
            _narrow(*shapes[index], bounds, changed)
            if until_fixed in changed and bounds[until_fixed][0] == bounds[until_fixed][1]:
                return bounds
        pending = {index for key in changed for index in touching[key]}
    return bounds


def _narrow(  # noqa: PLR0912  closing's innermost loop (a million runs a month): inline, no call per term
    known: float, ranged: tuple[tuple[str, int], ...], bounds: dict[str, Interval], changed: set[str]
) -> None:
    """One relation's narrowing of the ranges of its terms not known (`known` is the sum of the known ones); the
    quantities it narrowed are added to `changed`."""
    inf = math.inf
    ends: list[tuple[str, int, float, float]] = []
    finite_low = finite_high = known
    infinite_low = infinite_high = 0
    for key, coefficient in ranged:
        lowest, highest = bounds[key]
        if coefficient == 1:  # most terms: a total's, or its parts' (-1)
            low, high = lowest, highest
        elif coefficient == -1:
            low, high = -highest, -lowest
        elif coefficient > 0:
            low, high = coefficient * lowest, coefficient * highest
        else:
            low, high = coefficient * highest, coefficient * lowest
        if -inf < low < inf:
            finite_low += low
        else:
            infinite_low += 1
        if -inf < high < inf:
            finite_high += high
        else:
            infinite_high += 1
        if lowest != highest:  # a range narrowed to a point narrows no more
            ends.append((key, coefficient, low, high))
    if infinite_low > 1 and infinite_high > 1:
        return  # the rest of every term is unbounded both ways: nothing narrows
    for key, coefficient, low, high in ends:
        # the rest of the relation (every term but this one) lies in [rest_low, rest_high]
        if -inf < low < inf:
            rest_low = finite_low - low if not infinite_low else -inf
        else:
            rest_low = finite_low if infinite_low == 1 else -inf
        if -inf < high < inf:
            rest_high = finite_high - high if not infinite_high else inf
        else:
            rest_high = finite_high if infinite_high == 1 else inf
        # coefficient × key = -(the rest)
        if coefficient > 0:
            least, most = -rest_high / coefficient, -rest_low / coefficient
        else:
            least, most = -rest_low / coefficient, -rest_high / coefficient
        old_low, old_high = bounds[key]
        new_low, new_high = old_low, old_high
        if least > -inf:
            rounded = math.ceil(least - 1e-9) if least < inf else least
            if rounded > old_low:
                new_low = rounded
        if most < inf:
            rounded = math.floor(most + 1e-9) if most > -inf else most
            if rounded < old_high:
                new_high = rounded
        if (new_low != old_low or new_high != old_high) and new_low <= new_high:
            bounds[key] = (new_low, new_high)
            changed.add(key)


def _known_range(system: System, key: str, hidden: set[str], unknowns: set[str], dropped: set[str]) -> Interval:
    """What a viewer knows of a quantity before any arithmetic: its value, or what its mark and its place say."""
    if key in dropped:
        return UNBOUNDED  # a row left out of a withheld breakdown says nothing
    if key in hidden:
        value = system.values.get(key)
        if is_small(value):
            return (1, 4)  # written <5
        # written x: a row of a list or of the tallies is above zero, so at least 5; elsewhere it may be a zero
        return (5, math.inf) if key in system.present else UNBOUNDED
    if key in unknowns:
        return UNBOUNDED
    value = system.value(key)
    return (value, value)


def worked_out_by_bounds(
    system: System,
    relations: list[Relation],
    hidden: set[str],
    unknowns: set[str],
    dropped: set[str] | None = None,
) -> set[str]:
    """Hidden non-zero quantities whose value the ranges fix (`<5` is 1 to 4, a listed row at least 1 …)."""
    intervals = _secret_ranges(system, relations, hidden, unknowns, dropped or set())
    bounds = narrowed(relations, intervals, points=system.values)
    return {
        key
        for key in hidden & intervals.keys()
        if bounds[key][0] == bounds[key][1] and system.value(key) and intervals[key][0] != intervals[key][1]
    }


def fixed_by_bounds(
    system: System, relations: list[Relation], hidden: set[str], unknowns: set[str], *, dropped: set[str], key: str
) -> bool:
    """Whether `key` is among `worked_out_by_bounds(…)`, found sooner: the narrowing stops once its range is a point
    (most partners a cell is checked with leave it worked out)."""
    if key not in hidden or not system.value(key):
        return False
    intervals = _secret_ranges(system, relations, hidden, unknowns, dropped)
    if key not in intervals or intervals[key][0] == intervals[key][1]:
        return False
    bounds = narrowed(relations, intervals, until_fixed=key, points=system.values)
    return bounds[key][0] == bounds[key][1]


def _secret_ranges(
    system: System, relations: list[Relation], hidden: set[str], unknowns: set[str], dropped: set[str]
) -> dict[str, Interval]:
    """`_known_range` of the quantities of `relations` a viewer does not read (every other one is its value)."""
    ranges: dict[str, Interval] = {}
    for relation in relations:
        for key in relation:
            if key not in ranges and (key in hidden or key in unknowns or key in dropped):
                ranges[key] = _known_range(system, key, hidden, unknowns, dropped)
    return ranges


def _worked_out_exactly(system: System, relations: list[Relation], secret: set[str], unknowns: set[str]) -> set[str]:
    restricted = [{key: value for key, value in relation.items() if key in secret} for relation in relations]
    # a zero hidden by the fallback gives nothing away when it is worked out: it only shields others
    return {leak for leak in determined([row for row in restricted if row], unknowns) if system.value(leak)}


Part = tuple[frozenset[str], list[int]]  # a part's secret quantities, and the indices of its relations


class IndependentParts:
    """The relations split into parts no arithmetic joins: two secret quantities are in one part when a chain of
    relations, each holding secret quantities of the chain, ties them (every other quantity is a known number, so
    it ties nothing). What a viewer can work out of a part's quantities depends on that part alone. Relations
    holding no secret quantity are in no part: they tell nothing new.

    Kept up to date as quantities become secret (`add`): a decision only hides more, so parts only merge (a
    union-find whose roots hold their part's quantities and relations)."""

    def __init__(self, relations: list[Relation], by_quantity: Mapping[str, list[int]]) -> None:
        self.relations, self.by_quantity = relations, by_quantity
        self.parent: dict[str, str] = {}
        self.members: dict[str, set[str]] = {}  # root → its part's secret quantities
        self.indices: dict[str, set[int]] = {}  # root → the relations holding them

    def add(self, secret: Iterable[str]) -> None:
        for key in secret:
            if key in self.parent:
                continue
            self.parent[key], self.members[key] = key, {key}
            self.indices[key] = set(self.by_quantity.get(key, ()))
            for index in self.by_quantity.get(key, ()):
                for other in self.relations[index]:
                    if other != key and other in self.parent:
                        self._join(key, other)

    def parts(self) -> list[Part]:
        return [
            (frozenset(self.members[top]), sorted(indices)) for top, indices in sorted(self.indices.items()) if indices
        ]

    def _root(self, key: str) -> str:
        parent = self.parent
        while (above := parent[key]) != key:
            parent[key] = parent[above]  # path halving
            key = above
        return key

    def _join(self, one: str, other: str) -> None:
        one, other = self._root(one), self._root(other)
        if one == other:
            return
        if len(self.members[one]) < len(self.members[other]):
            one, other = other, one  # the smaller part moves into the larger
        self.parent[other] = one
        self.members[one] |= self.members.pop(other)
        self.indices[one] |= self.indices.pop(other)


class _Checks:
    """The exact check and the ranges' check of a decision's rounds, part by part (`IndependentParts`), each part's
    answer kept under what it depends on: its secret quantities, which of them are hidden (the others are unknown)
    and which are withheld rows. A round hides partners in a few parts; the others are not checked again (closing a
    month at a million incidents: some 2,000 parts, the largest of 900 quantities, and two dozen rounds)."""

    def __init__(self, system: System, relations: list[Relation], by_quantity: Mapping[str, list[int]]) -> None:
        self.system, self.relations, self.by_quantity = system, relations, by_quantity
        self.parts = IndependentParts(relations, by_quantity)
        self.answers: dict[tuple[frozenset[str], ...], tuple[set[str], set[str]]] = {}

    def worked_out(self, hidden: set[str], unknowns: set[str], dropped: set[str]) -> tuple[set[str], set[str]]:
        """The hidden quantities the relations fix exactly, and those (not among them) the ranges fix."""
        secret = hidden | unknowns
        if not self.parts.parent.keys() <= secret:  # a new decision (`_Decider.restart`) hides less: parts split
            self.parts = IndependentParts(self.relations, self.by_quantity)
        self.parts.add(sorted(secret - self.parts.parent.keys()))
        exactly: set[str] = set()
        by_bounds: set[str] = set()
        for keys, indices in self.parts.parts():
            state = (keys, keys & hidden, keys & dropped)
            answer = self.answers.get(state)
            if answer is None:
                relations = [self.relations[index] for index in indices]
                leaks = _worked_out_exactly(self.system, relations, set(keys), unknowns)
                bounded = worked_out_by_bounds(self.system, relations, hidden, unknowns, dropped) - leaks
                answer = self.answers[state] = (leaks, bounded)
            exactly |= answer[0]
            by_bounds |= answer[1]
        return exactly, by_bounds


# Rows of lists (and of the tallies) that go together: when the rows' being above zero gives a cell away, the
# whole breakdown of that month and scope is left out of viewers' answers.
BREAKDOWNS = {
    "violations": ("violations.cat.", "violations.type.", "incidents.cat.", "incidents.type.", "affected.type."),
    "incidents": ("violations.cat.", "violations.type.", "incidents.cat.", "incidents.type.", "affected.type."),
    "affected": ("violations.cat.", "violations.type.", "incidents.cat.", "incidents.type.", "affected.type."),
    "gbv": ("gbv.type.", "gbv.service."),
    "movements": ("movements.nationality.",),
}
DROPPED = "dropped:"  # how a row left out of viewers' answers is stored beside the hidden set


def withheld_breakdowns(system: System, cells: Iterable[str], decidable: set[str]) -> set[str]:
    """The rows of the breakdowns, in the same month and scope, whose presence gives `cells` away."""
    found: set[str] = set()
    answers: dict[tuple[str, str], list[str]] = defaultdict(list)  # (month, scope) → its decidable quantities
    for key in system.values.keys() & decidable:
        month, scope, _measure = split(key)
        answers[month, scope].append(key)
    for cell in cells:
        month, scope, measure = split(cell)
        prefixes = BREAKDOWNS.get(measure.split(".", 1)[0], ()) or _declared_breakdown(system.reference, measure)
        found |= {key for key in answers[month, scope] if split(key)[2].startswith(prefixes)}
    return found


def _declared_breakdown(reference: Reference, measure: str) -> tuple[str, ...]:
    """The rows of a declared breakdown (the alerts of each event type) that `measure` is tied to."""
    for whole, parts in reference.declared_totals:
        if measure == whole or measure in parts:
            return tuple(part for part in parts if ".g." not in part)
    return ()


@dataclass
class Decision:
    hidden: set[str]
    undetermined: bool  # every hidden quantity is protected
    unprotected: set[str] = field(default_factory=set)  # hidden quantities that could still be worked out
    dropped: set[str] = field(default_factory=set)  # rows left out of viewers' answers (hidden too)

    def stored(self) -> set[str]:
        """The hidden set as stored and read by `hide_in_figures` and `hide_in_tallies`."""
        return self.hidden | {DROPPED + key for key in self.dropped}


def decide(
    system: System,
    decidable: set[str],
    *,
    fixed_hidden: set[str] | None = None,
    rounds: int = 200,
) -> Decision:
    """The hidden set: small counts of `decidable` quantities, then cells hidden until none can be worked out.

    Quantities outside `decidable` keep their status: hidden if in `fixed_hidden`, else visible (public).

    Headline figures hidden as partners (`cost`) are then given a second chance: the decision is run again from
    what the first one hid of the rest (and the breakdowns it withheld), with the headline figures visible. A
    headline figure taken for a cell that was protected otherwise in the end (a breakdown withheld, a cheaper
    partner found later) is no longer needed; the second decision is kept when it protects as well and costs
    less."""
    decider = _Decider(system, decidable, set(fixed_hidden or ()))
    first = decider.run(rounds)
    costly = {key for key in first.hidden - decider.forced - first.dropped if cost(key)}
    if not costly:
        return first
    decider.restart(first.hidden - costly, first.dropped)
    second = decider.run(rounds)
    protects = second.undetermined or (not first.undetermined and second.unprotected <= first.unprotected)
    if protects and _price(second) < _price(first):
        logger.info("Suppression: headline figures shown again: %s", ", ".join(sorted(costly - second.hidden)))
        return second
    return first


def _price(decision: Decision) -> tuple[int, int]:
    """What a decision costs viewers: its hidden headline figures (`cost`), then how many cells it hides."""
    return sum(cost(key) for key in decision.hidden), len(decision.hidden)


class _Decider:
    def __init__(self, system: System, decidable: set[str], fixed_hidden: set[str]) -> None:
        self.system, self.decidable = system, decidable
        self.relations = system.relations()
        self.unknowns = {key for relation in self.relations for key in relation if not system.known(key)}
        # hidden whatever else is: published hidden with another month, or a count from 1 to 4
        self.forced = set(fixed_hidden) | {key for key in decidable if is_small(system.values.get(key))}
        self.hidden = set(self.forced)
        self.by_quantity: dict[str, list[int]] = defaultdict(list)
        for index, relation in enumerate(self.relations):
            for key in relation:
                self.by_quantity[key].append(index)
        self.attempts: dict[str, int] = defaultdict(int)  # partners taken by a cell the ranges work out
        self.partnered: dict[str, int] = defaultdict(int)  # nearest partners taken by a cell worked out exactly
        self.unprotectable: set[str] = set()  # cells worked out exactly that no single cell left protects
        self.dropped: set[str] = set()
        self.checks = _Checks(system, self.relations, self.by_quantity)  # kept across a restart: answers stand
        self.paired: set[str] = set()  # the hidden cells `pair_lone_cells` has gone over the relations of

    def restart(self, hidden: set[str], dropped: set[str]) -> None:
        """A new decision from `hidden` (the forced cells are always in it) and the breakdowns `dropped`."""
        self.hidden = self.forced | hidden | dropped
        self.dropped = set(dropped)
        self.attempts = defaultdict(int)
        self.partnered = defaultdict(int)
        self.unprotectable = set()
        self.paired = set()

    def candidates(self, indices: Iterable[int]) -> list[str]:
        decidable, hidden, values, relations = self.decidable, self.hidden, self.system.values, self.relations
        return [
            key
            for index in indices
            for key in relations[index]
            if key in decidable and key not in hidden and values.get(key, 0) > 0
        ]

    def written_zeros(self, indices: Iterable[int]) -> list[str]:
        """The fallback: zeros an answer writes as a cell (a missing row is a zero everybody knows)."""
        return [
            key
            for index in indices
            for key in self.relations[index]
            if key in self.decidable
            and key not in self.hidden
            and key in self.system.values
            and self.system.value(key) == 0
        ]

    def smallest(self, keys: list[str]) -> str | None:
        """The cheapest cell (`cost`: breakdowns before headline figures), then the smallest, then by name."""
        return min(keys, key=lambda key: (cost(key), self.system.value(key), key)) if keys else None

    def partner_for(self, leak: str, secret: set[str], *, bounded: bool = False) -> str | None:
        partner = self.cheapest_partner(leak, secret, self.candidates, bounded=bounded)
        if partner is None:
            partner = self.cheapest_partner(leak, secret, self.written_zeros, bounded=bounded)
            if partner is not None:
                logger.info("Suppression: the zero %s is hidden to protect %s", partner, leak)
        return partner

    def cheapest_partner(
        self, leak: str, secret: set[str], candidates: Callable[[Iterable[int]], list[str]], *, bounded: bool
    ) -> str | None:
        """The smallest cheapest cell of the relations nearest to a worked-out one (its own relations first, then
        those of the hidden cells they share it with, and so on). When that is a headline figure, a cheaper cell
        further away is taken instead if it protects the worked-out one (cheapest, nearest, smallest first)."""
        nearest: str | None = None
        cheaper: list[tuple[int, int, float, str]] = []
        for distance, indices in enumerate(_levels(leak, self.relations, self.by_quantity, secret)):
            found = candidates(indices)
            if nearest is None:
                nearest = self.smallest(found)
                if nearest is None:
                    continue
                if cost(nearest) == 0:
                    return nearest
            ceiling = cost(nearest)
            cheaper.extend((cost(key), distance, self.system.value(key), key) for key in found if cost(key) < ceiling)
        tries = list(dict.fromkeys(key for *_order, key in sorted(cheaper)))[:CHEAPER_TRIES]
        for tried, key in enumerate(tries):
            if self.protects(leak, key, bounded=bounded):
                return key
            if tried == 0 and not self.any_may_protect(leak, tries[1:], bounded=bounded):
                return nearest
        return nearest

    def any_may_protect(self, leak: str, partners: list[str], *, bounded: bool) -> bool:
        """False when `leak` is still worked out with every one of `partners` hidden at once: hiding more cells
        never tells more, so none of them protects it alone (one check instead of one for each: most fail)."""
        return len(partners) < 2 or self.left_open(leak, set(partners), bounded=bounded)  # noqa: PLR2004  a pair

    def protects(self, leak: str, partner: str, *, bounded: bool) -> bool:
        """Whether hiding `partner` too leaves `leak` undetermined (for a cell the ranges fixed: its range open)."""
        return self.left_open(leak, {partner}, bounded=bounded)

    def left_open(self, leak: str, partners: set[str], *, bounded: bool) -> bool:
        """Whether hiding `partners` too leaves `leak` undetermined (for a cell the ranges fixed: its range open).
        Only the relations joined to `leak` through hidden cells can fix it, so only those are checked."""
        hidden = self.hidden | partners
        secret = hidden | self.unknowns
        relations = [self.relations[index] for index in sorted(_joined(leak, self.relations, self.by_quantity, secret))]
        if bounded:
            return not fixed_by_bounds(self.system, relations, hidden, self.unknowns, dropped=self.dropped, key=leak)
        restricted = [{key: value for key, value in relation.items() if key in secret} for relation in relations]
        return leak not in determined([row for row in restricted if row], self.unknowns)

    def pair_lone_cells(self) -> None:
        """2. a relation with a single hidden cell takes its next-smallest visible cell with it, in sweeps over the
        relations in order until one changes nothing.

        Only a relation holding a cell hidden since it was last gone over can take a partner (its candidates only
        shrink as more is hidden), so only those are gone over: in order, those after the one that took a partner in
        this sweep, those before it in the next one, as full sweeps would."""
        sweep = [index for key in self.hidden - self.paired for index in self.by_quantity.get(key, ())]
        heapq.heapify(sweep)
        later: set[int] = set()
        gone_over = -1
        while sweep or later:
            if not sweep:
                sweep, later, gone_over = sorted(later), set(), -1
            index = heapq.heappop(sweep)
            if index == gone_over:
                continue  # held twice in the sweep
            gone_over = index
            secret_here = [key for key in self.relations[index] if key in self.hidden or key in self.unknowns]
            if len(secret_here) != 1 or secret_here[0] in self.unknowns:
                continue
            partner = self.smallest(self.candidates([index]))
            if partner is None:
                continue
            self.hidden.add(partner)
            for other in self.by_quantity.get(partner, ()):
                if other > index:
                    heapq.heappush(sweep, other)
                else:
                    later.add(other)
        self.paired = set(self.hidden)

    def run(self, rounds: int) -> Decision:
        leaks: set[str] = set()
        bounded: set[str] = set()
        for _round in range(rounds):
            self.pair_lone_cells()
            # 3. the exact check
            secret = self.hidden | self.unknowns
            # 4. with what the marks say: `<5` is 1 to 4, a row of a list or of the tallies is above zero
            leaks, bounded = self.checks.worked_out(self.hidden, self.unknowns, self.dropped)
            hopeless = {leak for leak in bounded if self.attempts[leak] >= BOUNDS_ATTEMPTS} | (
                leaks & self.unprotectable
            )
            if leaks | bounded <= hopeless:
                if self.withhold(hopeless):
                    continue
                if hopeless:
                    logger.warning("Suppression: no cell left to hide protects %s", ", ".join(sorted(hopeless)))
                return Decision(self.hidden, undetermined=not hopeless, unprotected=hopeless, dropped=self.dropped)
            added = self.protect(sorted((leaks | bounded) - hopeless), bounded, secret)
            if not added and leaks - hopeless - self.unprotectable:
                break
        unprotected = leaks | bounded
        logger.warning(
            "Suppression: %d hidden quantities could still be worked out: %s",
            len(unprotected),
            ", ".join(sorted(unprotected)),
        )
        return Decision(self.hidden, undetermined=False, unprotected=unprotected, dropped=self.dropped)

    def protect(self, leaks: list[str], bounded: set[str], secret: set[str]) -> bool:
        """Hides a partner for each worked-out cell; whether any was found."""
        added = False
        for leak in leaks:
            if leak in bounded:
                self.attempts[leak] += 1
                partner = self.partner_for(leak, secret, bounded=True)
            elif self.partnered[leak] >= EXACT_ATTEMPTS:
                partner = self.protecting_partner(leak, secret)
                if partner is None:
                    self.unprotectable.add(leak)
                    logger.info("Suppression: no single cell left to hide protects %s", leak)
            else:
                self.partnered[leak] += 1
                partner = self.partner_for(leak, secret)
            if partner is not None:
                self.hidden.add(partner)
                added = True
            elif leak in bounded:
                self.attempts[leak] = BOUNDS_ATTEMPTS  # nothing left to hide near it
        return added

    def protecting_partner(self, leak: str, secret: set[str]) -> str | None:
        """A cell that protects `leak` once hidden, for a cell the nearest partners did not protect: the nearest
        (cells above zero, then written zeros), then the cheapest and smallest; None when no single cell does.
        Hiding more never tells more, so one check with every candidate hidden at once rules a whole level out (at
        a million incidents, a year to date tied to a row of written zeros: one check says none does)."""
        for candidates in (self.candidates, self.written_zeros):
            levels = [set(candidates(indices)) for indices in _levels(leak, self.relations, self.by_quantity, secret)]
            if not self.left_open(leak, set().union(*levels), bounded=False):
                continue
            for found in levels:
                if not found or not self.left_open(leak, found, bounded=False):
                    continue
                for key in sorted(found, key=lambda key: (cost(key), self.system.value(key), key)):
                    if self.protects(leak, key, bounded=False):
                        return key
        return None

    def withhold(self, hopeless: set[str]) -> bool:
        """5. no cell left to hide: the rows themselves say too much, so their breakdown is left out."""
        withheld = withheld_breakdowns(self.system, hopeless, self.decidable) - self.dropped
        if withheld:
            logger.info("Suppression: rows left out of viewers' answers: %s", ", ".join(sorted(withheld)))
            self.dropped |= withheld
            self.hidden |= withheld
        return bool(withheld)


def _levels(
    leak: str, relations: list[Relation], by_quantity: dict[str, list[int]], secret: set[str], depth: int = 50
) -> Iterator[set[int]]:
    """The relations around a worked-out cell, nearest first: its own, then those of the hidden cells they share
    with it, and so on (a total of several regions is worked out through the whole operation's total, one
    relation further)."""
    reached, frontier = {leak}, {leak}
    for _step in range(depth):
        indices = {index for key in frontier for index in by_quantity[key]}
        yield indices
        frontier = {key for index in indices for key in relations[index] if key in secret} - reached
        reached |= frontier
        if not frontier:
            return


def _joined(leak: str, relations: list[Relation], by_quantity: dict[str, list[int]], secret: set[str]) -> set[int]:
    """The relations joined to `leak` through `secret` quantities: the only ones that can fix its value."""
    reached, pending, indices = {leak}, [leak], set()
    while pending:
        for index in by_quantity.get(pending.pop(), ()):
            if index in indices:
                continue
            indices.add(index)
            for key in relations[index]:
                if key in secret and key not in reached:
                    reached.add(key)
                    pending.append(key)
    return indices


# --- reading the stored set into an answer


def hide_in_figures(
    figures: MutableMapping[str, Any], scope: str, hidden: set[str], marker: Callable[[Any], Any] = lambda _v: None
) -> dict[str, Any]:
    """A copy of a monthly answer with the hidden quantities written by `marker` (None for the API)."""
    shown = copy.deepcopy(dict(figures))
    left_out: set[int] = set()
    for container, name, key in figure_slots(shown, scope):
        if name == "count" and DROPPED + key in hidden:
            left_out.add(id(container))
        if key in hidden or is_small(container[name]):
            container[name] = marker(container[name])
    _leave_out(shown, left_out)
    _blank_percentages(shown)
    _hidden_rows_last(shown)
    return shown


def _leave_out(node: Any, rows: set[int]) -> None:
    """Takes the rows of withheld breakdowns out of every list of an answer."""
    if isinstance(node, MutableMapping):
        for value in node.values():
            _leave_out(value, rows)
    elif isinstance(node, MutableSequence):
        node[:] = [item for item in node if id(item) not in rows]
        for item in node:
            _leave_out(item, rows)


def _hidden_rows_last(node: Any) -> None:
    """Lists sorted by count (API.md) keep their visible rows in order, and take their hidden rows last, by code:
    left in its place, a hidden row would say it is larger than the visible row below it, or than another."""
    if isinstance(node, MutableMapping):
        for value in node.values():
            _hidden_rows_last(value)
    elif isinstance(node, MutableSequence):
        counted = [item for item in node if isinstance(item, MutableMapping) and "count" in item]
        if counted and len(counted) == len(node):
            hidden = sorted((row for row in counted if _is_hidden(row["count"])), key=lambda row: str(_row_code(row)))
            node[:] = [row for row in counted if not _is_hidden(row["count"])] + hidden
        for item in node:
            _hidden_rows_last(item)


def _row_code(row: Mapping[str, Any]) -> Any:
    return row.get("code", row.get("pcode", ""))


def _is_hidden(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _blank_percentages(figures: MutableMapping[str, Any]) -> None:
    """No percentage of a hidden count, nor a share of a hidden total (it would give the total away)."""

    def rows_of(rows: Any, total: Any) -> None:
        for row in rows or []:
            if _is_hidden(row.get("count")) or _is_hidden(total):
                row["share_pct"] = None

    def change(container: Any) -> None:
        hidden = isinstance(container, MutableMapping) and (
            _is_hidden(container.get("count")) or _is_hidden(container.get("previous_month"))
        )
        if hidden and "change_pct" in container:
            container["change_pct"] = None

    incidents, violations = figures.get("incidents") or {}, figures.get("violations") or {}
    change(incidents)
    change(violations)
    change((figures.get("movements") or {}).get("persons"))
    rows_of(incidents.get("by_region"), incidents.get("count"))
    rows_of(violations.get("by_region"), violations.get("count"))
    rows_of(violations.get("year_to_date_by_region"), violations.get("year_to_date"))
    for section in declared_sections(figures):
        for row in section:
            rows_of(row.get("by_region"), row.get("count"))
    _blank_small(figures)


def _blank_small(node: Any) -> None:
    """Whatever count the slots do not name (a figure added later) is at least blanked from 1 to 4."""
    if isinstance(node, MutableMapping):
        for key, value in list(node.items()):
            if key in NOT_COUNTS:
                continue
            if is_small(value) and key not in {"month"}:
                node[key] = None
            else:
                _blank_small(value)
    elif isinstance(node, MutableSequence):
        for item in node:
            _blank_small(item)


def hide_in_tallies(rows: list[dict[str, Any]], hidden: set[str], categories: set[str]) -> list[dict[str, Any]]:
    """Tally rows with hidden cells written "<5" (1 to 4) or "x" (a larger value hidden to protect another)."""
    shown = [dict(row) for row in rows]
    left_out: set[int] = set()
    for container, name, key in tally_slots(shown, categories):
        value = container[name]
        if name == "total" and DROPPED + key in hidden:
            left_out.add(id(container))
        if key in hidden or is_small(value):
            container[name] = mark(value)
    return [row for row in shown if id(row) not in left_out]


# --- the whole-answer rule for answers that are not published (shared exports of open months)


def suppress_alone(rows: list[dict[str, Any]], categories: set[str], reference: Reference) -> list[dict[str, Any]]:
    """Tallies suppressed on their own (an open month, or one organisation's): the same rule over this answer."""
    system = System(reference)
    months = sorted({str(row["month"]) for row in rows})
    for month in months:
        system.add_tallies([row for row in rows if row["month"] == month], month)
    decision = decide(system, set(system.values))
    return hide_in_tallies(rows, decision.stored(), categories)
