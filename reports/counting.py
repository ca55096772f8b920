"""The counting rules of API.md that more than one report reads, each written once.

The monthly figures (`reports.figures`), the tallies (`reports.tallies`) and what a closing publishes (both of
them, through `reports.publishing`) count through these, so that a tally row always equals its figure:

- a violation counts the people it touched, except a collective one (a village displaced, a school attacked),
  which counts once per incident: its people are "persons affected", not victims, and adding them would let one
  event outweigh every individual one;
- a GBV survivor counts in one people group by sex and age, as every other count of people does (women and men
  are `ADULT_AGE` and over); a survivor whose sex or age is not known counts as "unknown";
- what a record type declares it counts (`core.records.Tally`: movements, assistance, sessions, flash alerts) is
  computed by `declared_counts`, per month and region, for the tallies and the figures alike; assistance and
  sessions also by sector and population group within each kind (`Tally.then_by`, read by `reports.breakdowns`).

Incidents, violations and GBV referrals are not declared: their rules (above) are not a sum over records, so
they keep their own code here, read by the figures and the tallies.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Case, CharField, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth

from core.models import ReferenceItem
from core.records import (
    ADULT_AGE,
    PEOPLE_FIELDS,
    RecordType,
    Tally,
    get_record_type,
    people_sums,
    people_total_expression,
    record_types,
)
from incidents.choices import Sex
from reports import reference_lists

# The key `violations_by_type` rows carry to say whether their violation type is collective.
COLLECTIVE = "type__collective"


def violations_by_type(violations: QuerySet[Any], group_by: Sequence[str] = ()) -> QuerySet[Any]:
    """One row per group and violation type (one GROUP BY query): the five people sums, the number of distinct
    incidents and whether the type is collective, ready for `violation_count` and `violation_groups`."""
    rows: QuerySet[Any] = violations.values(*group_by, "type", COLLECTIVE).annotate(
        **people_sums(), incidents=Count("incident", distinct=True)
    )
    return rows


def people_in(row: Mapping[str, Any]) -> dict[str, int]:
    """The five people counts of a `violations_by_type` row, as they were recorded."""
    return {group: int(row[group] or 0) for group in PEOPLE_FIELDS}


def violation_count(row: Mapping[str, Any]) -> int:
    """What a `violations_by_type` row adds to a count of violations: a collective type counts once per incident
    (its people are persons affected, not victims); any other counts the people it touched."""
    if row[COLLECTIVE]:
        return int(row["incidents"])
    return sum(people_in(row).values())


def violation_count_expression(collective: str = "collective") -> Case:
    """`violation_count` as SQL, on rows holding the five people sums, `incidents` and the `collective` flag (the
    monthly cells): summed over cells, it is the count of violations they hold."""
    return Case(
        When(**{collective: True}, then=F("incidents")),
        default=people_total_expression(),
        output_field=IntegerField(),
    )


def violation_groups(row: Mapping[str, Any]) -> dict[str, int]:
    """What a `violations_by_type` row adds to the people groups of the violations: nothing for a collective
    type (its count is incidents, not people), the people it touched for any other."""
    if row[COLLECTIVE]:
        return dict.fromkeys(PEOPLE_FIELDS, 0)
    return people_in(row)


def survivor_group() -> Case:
    """The people group a GBV survivor counts in, as an annotation on GBV referrals: unknown sex or age is
    "unknown"; otherwise women or girls, men or boys, with adults from `ADULT_AGE`."""
    return Case(
        When(Q(age__isnull=True) | Q(sex=Sex.UNKNOWN), then=Value("unknown")),
        When(sex=Sex.FEMALE, age__gte=ADULT_AGE, then=Value("women")),
        When(sex=Sex.FEMALE, then=Value("girls")),
        When(sex=Sex.MALE, age__gte=ADULT_AGE, then=Value("men")),
        default=Value("boys"),
        output_field=CharField(),
    )


# --- what a record type declares it counts (core.records.Tally): tallies and figures alike

# The record types whose monthly figures keep API.md's own shapes (reports.figures), in API.md's order. Their
# special rules (a collective violation, a survivor's group, a referral without consent) are the functions above;
# movements, assistance and sessions also declare their tallies. Every other type that declares tallies (flash
# alerts) gets a figures section of its own, made from its declaration by `declared_counts`.
OWN_SHAPES = ("incidents", "gbv-referrals", "movements", "assistance", "sessions")


def section_key(record_type: RecordType) -> str:
    """The key of a record type in the figures' answers (`pending_review`, its section): "gbv-referrals" is
    API.md's "gbv_referrals"."""
    return record_type.slug.replace("-", "_")


def counted_types() -> list[RecordType]:
    """The record types the monthly figures count: API.md's five, in its order, then every other type that
    declares tallies, in the order they were registered."""
    return [get_record_type(slug) for slug in OWN_SHAPES] + declared_section_types()


def declared_section_types() -> list[RecordType]:
    """The record types whose figures section is made from their declared tallies (`declared_counts`)."""
    found = [item for item in record_types() if item.tallies and item.slug not in OWN_SHAPES]
    for record_type in found:
        if any(tally.then_by for tally in record_type.tallies):
            # their rows are flat (`by` one reference field at most): a nested breakdown has nowhere to go
            raise ImproperlyConfigured(f"{record_type.slug}: `then_by` is for the types of API.md's own shapes.")
    return found


@dataclass(frozen=True)
class Counted:
    """One declared figure of one month and region: a tally row, and a part of the month's figure."""

    tally: Tally
    indicator: str  # the tally's code, each "{field}" filled with the reference item's code
    month: datetime.date  # first day
    pcode: str
    region_name: str
    total: int
    groups: dict[str, int] | None  # the five people groups, for a people tally
    # the reference items of a tally `by` reference fields, in the order of `Tally.fields` (kind, then sector …)
    items: tuple[ReferenceItem, ...] = ()


def declared_counts(
    record_type: RecordType,
    records: QuerySet[Any],
    tallies: Sequence[Tally] | None = None,
    *,
    by_region: bool = True,
) -> list[Counted]:
    """What `record_type` declares it counts (its `tallies`, or only `tallies` of them), per month, region and (for
    a tally `by` references) reference items, over `records`: the verified records in the caller's scope and
    period. With `by_region=False`, the regions are added up in the query (`pcode` and `region_name` are empty):
    for a caller that needs no region, a row per region would only be added up again in Python.

    One GROUP BY query per group shape: the tallies without `by` together, then those by each set of reference
    fields (by kind; by kind and sector; …)."""
    counted: list[Counted] = []
    shapes: dict[tuple[str, ...], list[Tally]] = {}
    for tally in record_type.tallies if tallies is None else tallies:
        shapes.setdefault(tally.fields, []).append(tally)
    by_month = records.annotate(counted_month=TruncMonth(record_type.month_field))
    items: dict[str, dict[Any, ReferenceItem]] = {}  # each reference list read once, whatever the shapes using it
    for fields, declared in shapes.items():
        for field in fields:
            if field not in items:
                items[field] = _reference_items(record_type, field)
        aggregates: dict[str, Any] = {f"tally_{index}": tally.aggregate() for index, tally in enumerate(declared)}
        counts_people = any(tally.people for tally in declared)
        if counts_people:
            aggregates.update(people_sums())
        group_by = ["counted_month", *(["region__pcode", "region__name"] if by_region else []), *fields]
        for row in by_month.values(*group_by).annotate(**aggregates).order_by(*group_by):
            if any(row[field] is None for field in fields):
                continue  # a record without the reference (an optional field) is in no row of the breakdown
            found = tuple(items[field][row[field]] for field in fields)
            codes = {field: item.code for field, item in zip(fields, found, strict=True)}
            groups = people_in(row) if counts_people else None
            for index, tally in enumerate(declared):
                counted.append(
                    Counted(
                        tally=tally,
                        indicator=tally.code.format(**codes) if codes else tally.code,
                        month=row["counted_month"],
                        pcode=row.get("region__pcode", ""),
                        region_name=row.get("region__name", ""),
                        total=int(row[f"tally_{index}"] or 0),
                        groups=dict(groups) if tally.people and groups is not None else None,
                        items=found,
                    )
                )
    return counted


def _reference_items(record_type: RecordType, by: str) -> dict[Any, ReferenceItem]:
    """The items of the reference list a tally is `by` (a foreign key of the record to a reference list)."""
    return {item.pk: item for item in reference_lists.items(reference_model(record_type, by))}


def tally_of(record_type: RecordType, indicator: str, by: str | None) -> tuple[Tally, str | None]:
    """The tally of a declared figure named `indicator` (a `Counted.indicator`, a figures row's), and for a tally
    `by` a reference field, the code of the reference item it counts ("alerts.{event_type}" and "alerts.flood":
    the tally, "flood")."""
    for tally in record_type.tallies:
        if not by and not tally.by and tally.code == indicator:
            return tally, None
        if by and tally.by == by:
            before, after = tally.code.split("{" + by + "}", 1)
            if indicator.startswith(before) and indicator.endswith(after) and len(indicator) > len(before + after):
                return tally, indicator[len(before) : len(indicator) - len(after)]
    raise LookupError(f"{record_type.slug}: no tally counts {indicator!r}.")


def reference_model(record_type: RecordType, by: str) -> type[ReferenceItem]:
    """The reference list a tally is `by` (a foreign key of the record to a reference list)."""
    reference = record_type.model._meta.get_field(by).related_model
    if not (isinstance(reference, type) and issubclass(reference, ReferenceItem)):
        raise ImproperlyConfigured(f"{record_type.slug}: a tally is by {by!r}, which is not a reference list.")
    return reference
