"""The tallies of API.md: one row per month × region × indicator, computed with GROUP BY in the database.

Each row's `total` equals the matching figure of the monthly report for that month and region; rows whose
indicator counts no people (incidents, households, quantities, sessions, identifications) leave the five
group columns empty. The counting rules the figures share are `reports.counting`'s: a collective violation counts
once per incident, a survivor's people group, and what each record type declares it counts (movements,
assistance, sessions, flash alerts: `core.records.Tally`), computed once for the tallies and the figures.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth

from core.db import reading_alias
from core.models import ViolationCategory, ViolationType
from core.records import PEOPLE_FIELDS, record_types
from incidents.models import GbvReferral, Incident, Violation
from reports import counting
from reports.figures import Scope

COLUMNS = ["month", "admin1_pcode", "admin1_name", "indicator", *PEOPLE_FIELDS, "total"]
HXL_TAGS = [
    "#date +reported",
    "#adm1 +code",
    "#adm1 +name",
    "#indicator +code",
    "#affected +f +adults",
    "#affected +f +children",
    "#affected +m +adults",
    "#affected +m +children",
    "#affected +unknown",
    "#indicator +value +num",
]

Key = tuple[datetime.date, str, str]  # month, region P-code, indicator


class _Rows:
    """Collects tally cells by (month, region, indicator)."""

    def __init__(self) -> None:
        self.totals: dict[Key, int] = defaultdict(int)
        self.groups: dict[Key, dict[str, int]] = {}
        self.names: dict[str, str] = {}

    def add(
        self,
        month: datetime.date,
        pcode: str,
        name: str,
        indicator: str,
        total: int,
        *,
        groups: dict[str, int] | None = None,
    ) -> None:
        key = (month, pcode, indicator)
        self.names[pcode] = name
        self.totals[key] += int(total or 0)
        if groups is not None:
            existing = self.groups.setdefault(key, dict.fromkeys(PEOPLE_FIELDS, 0))
            for group in PEOPLE_FIELDS:
                existing[group] += int(groups.get(group) or 0)

    def rows(self) -> list[dict[str, Any]]:
        found = []
        for key in sorted(self.totals, key=lambda key: (key[0], key[1], key[2])):
            if self.totals[key] <= 0:
                continue
            month, pcode, indicator = key
            groups = self.groups.get(key)
            found.append(
                {
                    "month": month.strftime("%Y-%m"),
                    "admin1_pcode": pcode,
                    "admin1_name": self.names[pcode],
                    "indicator": indicator,
                    **{group: (groups[group] if groups is not None else None) for group in PEOPLE_FIELDS},
                    "total": self.totals[key],
                }
            )
        return found


def _by_month_region(queryset: QuerySet, month_field: str, prefix: str = "") -> QuerySet:
    return queryset.annotate(tally_month=TruncMonth(month_field)).values(
        "tally_month", f"{prefix}region__pcode", f"{prefix}region__name"
    )


def tallies(*, user, start: datetime.date, end: datetime.date, region=None, organisation=None) -> list[dict[str, Any]]:
    """Tally rows for the months from `start` (first day) up to `end` (exclusive), within the user's scope."""
    scope = Scope(user, region, organisation)
    collected = _Rows()
    for add in (_incident_rows, _violation_rows, _gbv_rows, _declared_rows):
        add(collected, scope, start, end)
    return collected.rows()


def _in_period(queryset: QuerySet, field: str, start: datetime.date, end: datetime.date) -> QuerySet:
    return queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})


def _incident_rows(rows: _Rows, scope: Scope, start: datetime.date, end: datetime.date) -> None:
    incidents = _in_period(scope.verified(Incident.objects.using(reading_alias())), "reported_on", start, end)
    for row in _by_month_region(incidents, "reported_on").annotate(n=Count("id")):
        rows.add(row["tally_month"], row["region__pcode"], row["region__name"], "incidents", row["n"])
    violations = _in_period(
        scope.verified(Violation.objects.using(reading_alias()), prefix="incident__"),
        "incident__reported_on",
        start,
        end,
    )
    categories = {item.pk: item.code for item in ViolationCategory.objects.using(reading_alias())}
    by_category = (
        _by_month_region(violations, "incident__reported_on", "incident__")
        .values("tally_month", "incident__region__pcode", "incident__region__name", "type__category")
        .annotate(n=Count("incident", distinct=True))
    )
    for row in by_category:
        rows.add(
            row["tally_month"],
            row["incident__region__pcode"],
            row["incident__region__name"],
            f"incidents.{categories[row['type__category']]}",
            row["n"],
        )


def _violation_rows(rows: _Rows, scope: Scope, start: datetime.date, end: datetime.date) -> None:
    violations = _in_period(
        scope.verified(Violation.objects.using(reading_alias()), prefix="incident__"),
        "incident__reported_on",
        start,
        end,
    )
    types = {item.pk: item for item in ViolationType.objects.using(reading_alias()).select_related("category")}
    grouped = counting.violations_by_type(
        violations.annotate(tally_month=TruncMonth("incident__reported_on")),
        ["tally_month", "incident__region__pcode", "incident__region__name"],
    )
    for row in grouped:
        violation_type = types[row["type"]]
        # The shared rule: a collective violation counts once per incident, its people are not added (API.md).
        total, groups = counting.violation_count(row), counting.violation_groups(row)
        place = (row["tally_month"], row["incident__region__pcode"], row["incident__region__name"])
        for indicator in (
            "violations",
            f"violations.{violation_type.category.code}",
            f"violations.{violation_type.code}",
        ):
            rows.add(*place, indicator, total, groups=groups)


def _gbv_rows(rows: _Rows, scope: Scope, start: datetime.date, end: datetime.date) -> None:
    referrals = _in_period(
        scope.verified(GbvReferral.objects.using(reading_alias())), "reported_on", start, end
    ).filter(consent_to_reporting=True)
    grouped = (
        _by_month_region(referrals, "reported_on")
        .annotate(group=counting.survivor_group())
        .values("tally_month", "region__pcode", "region__name", "group")
        .annotate(n=Count("id"))
    )
    for row in grouped:
        rows.add(
            row["tally_month"],
            row["region__pcode"],
            row["region__name"],
            "gbv_referrals",
            row["n"],
            groups={row["group"]: row["n"]},
        )


def _declared_rows(rows: _Rows, scope: Scope, start: datetime.date, end: datetime.date) -> None:
    """What every record type declares it counts (`core.records.Tally`), one row per month, region and indicator;
    the monthly figures read the same `counting.declared_counts`."""
    for record_type in record_types():
        if not record_type.tallies:
            continue
        records = _in_period(
            scope.verified(record_type.model._default_manager.using(reading_alias())),
            record_type.month_field,
            start,
            end,
        )
        for counted in counting.declared_counts(record_type, records):
            rows.add(
                counted.month,
                counted.pcode,
                counted.region_name,
                counted.indicator,
                counted.total,
                groups=counted.groups,
            )


def table(rows: list[dict[str, Any]]) -> Iterator[list[Any]]:
    """Header, the HXL hashtag row, then the rows: what the CSV and Excel files hold."""
    yield COLUMNS
    yield HXL_TAGS
    for row in rows:
        yield [row[column] if row[column] is not None else "" for column in COLUMNS]
