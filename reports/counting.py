"""The counting rules of API.md that more than one report reads, each written once.

The monthly figures (`reports.figures`), the tallies (`reports.tallies`) and what a closing publishes (both of
them, through `reports.publishing`) count through these, so that a tally row always equals its figure:

- a violation counts the people it touched, except a collective one (a village displaced, a school attacked),
  which counts once per incident: its people are "persons affected", not victims, and adding them would let one
  event outweigh every individual one;
- a GBV survivor counts in one people group by sex and age, as every other count of people does (women and men
  are `ADULT_AGE` and over); a survivor whose sex or age is not known counts as "unknown".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When

from core.records import ADULT_AGE, PEOPLE_FIELDS, people_sums
from incidents.choices import Sex

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
