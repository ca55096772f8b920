"""The labels of the monthly figures, added when they are read, in the reader's language.

Figures are computed and published as numbers and codes (`reports.figures.figure_numbers`), so that a closed month
stores one copy that every language reads; live answers go through the same labelling. A label comes from the
reference list by code (violation categories and types, GBV incident types and services, assistance and session
kinds, a declared tally's items), from django-countries for a nationality, or from the declared tally itself. A
label stored by an earlier version is replaced.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext
from django_countries import countries

from core.models import (
    AssistanceKind,
    GbvIncidentType,
    GbvService,
    PopulationGroup,
    ReferenceItem,
    Sector,
    SessionKind,
    ViolationCategory,
    ViolationType,
)
from core.records import RecordType
from reports import breakdowns, counting, reference_lists


def group_labels() -> dict[str, str]:
    """The five people groups of every count, in the reader's language."""
    return {
        "women": gettext("Women"),
        "girls": gettext("Girls"),
        "men": gettext("Men"),
        "boys": gettext("Boys"),
        "unknown": gettext("Unknown"),
    }


def add_labels(figures: dict[str, Any]) -> dict[str, Any]:
    """A copy of `figures` with a `label` after the code of every row that names a reference item or a tally."""
    labelled = dict(figures)
    if figures.get("violations") is not None:
        violations = labelled["violations"] = dict(figures["violations"])
        violations["by_category"] = _by_code(violations["by_category"], "code", ViolationCategory)
        violations["by_type"] = _by_code(violations["by_type"], "code", ViolationType)
    if figures.get("gbv_referrals") is not None:  # None in an answer that does not give them (viewers, by region)
        gbv = labelled["gbv_referrals"] = dict(figures["gbv_referrals"])
        gbv["by_incident_type"] = _by_code(gbv["by_incident_type"], "code", GbvIncidentType)
        gbv["by_service"] = _by_code(gbv["by_service"], "code", GbvService)
    if figures.get("movements") is not None:
        movements = labelled["movements"] = dict(figures["movements"])
        names = dict(countries)
        movements["by_nationality"] = [
            _labelled(row, "code", str(names.get(row["code"], row["code"]))) for row in movements["by_nationality"]
        ]
    if figures.get("assistance") is not None:
        labelled["assistance"] = _by_code(figures["assistance"], "kind", AssistanceKind)
    if figures.get("sessions") is not None:
        labelled["sessions"] = _by_code(figures["sessions"], "kind", SessionKind)
    _label_breakdowns([*(labelled.get("assistance") or []), *(labelled.get("sessions") or [])])
    for record_type in counting.declared_section_types():
        key = counting.section_key(record_type)
        if figures.get(key) is not None:
            labelled[key] = _declared(record_type, figures[key])
    return labelled


def _label_breakdowns(kind_rows: list[dict[str, Any]]) -> None:
    """Each kind's rows by sector and population group (`reports.breakdowns`) labelled, in place (the kinds' rows are
    copies already): two queries for every kind of both sections, none without a breakdown."""
    found = [row for row in kind_rows if row.get(breakdowns.SECTORS)]
    sector_rows = [sector for row in found for sector in row[breakdowns.SECTORS]]
    group_rows = [group for sector in sector_rows for group in sector[breakdowns.GROUPS]]
    sectors = _items(Sector, (row["code"] for row in sector_rows if row["code"] is not None))
    groups = _items(PopulationGroup, (row["code"] for row in group_rows if row["code"] is not None))
    for row in found:
        row[breakdowns.SECTORS] = [
            {
                **_labelled(sector, "code", _label_or_not_given(sectors, sector["code"])),
                breakdowns.GROUPS: [
                    _labelled(group, "code", _label_or_not_given(groups, group["code"]))
                    for group in sector[breakdowns.GROUPS]
                ],
            }
            for sector in row[breakdowns.SECTORS]
        ]


def _label_or_not_given(items: dict[str, ReferenceItem], code: str | None) -> str:
    # The row of the records that name no sector (or no population group): both are optional on a record.
    return _label(items, code) if code is not None else gettext("Not given")


def _labelled(row: dict[str, Any], after: str, label: str) -> dict[str, Any]:
    """The row with `label` right after its `after` key, where the answer has always had it."""
    shaped: dict[str, Any] = {}
    for key, value in row.items():
        if key == "label":
            continue
        shaped[key] = value
        if key == after:
            shaped["label"] = label
    return shaped


def _items(model: type[ReferenceItem], codes: Iterable[str]) -> dict[str, ReferenceItem]:
    """The reference items of these codes (no query when there is none)."""
    return reference_lists.by_code(model, codes)


def _by_code(rows: list[dict[str, Any]], key: str, model: type[ReferenceItem]) -> list[dict[str, Any]]:
    items = _items(model, (row[key] for row in rows))
    return [_labelled(row, key, _label(items, row[key])) for row in rows]


def _label(items: dict[str, ReferenceItem], code: str) -> str:
    # A code no longer in its reference list (reference items are protected, so only by hand) reads as itself.
    item = items.get(code)
    return item.label if item is not None else code


def _declared(record_type: RecordType, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A declared tally's rows: the label of the reference item it counts, or the tally's own."""
    found = [(row, *counting.tally_of(record_type, row["indicator"], row["by"])) for row in rows]
    items: dict[str, dict[str, ReferenceItem]] = {}
    for by in {row["by"] for row in rows if row["by"]}:
        codes = (code for row, _tally, code in found if row["by"] == by and code is not None)
        items[by] = _items(counting.reference_model(record_type, by), codes)
    return [
        _labelled(row, "indicator", _label(items[row["by"]], code) if code is not None else str(tally.label))
        for row, tally, code in found
    ]
