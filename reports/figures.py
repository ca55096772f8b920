"""The monthly figures of API.md, computed by aggregation in the database within the requesting user's scope.

Only verified records count. Each section reads the record types' own declarations (month field, the five
people counts); rounding, ordering and counting rules are API.md's:
- change_pct and share_pct rounded to one decimal half away from zero (Decimal), change_pct null when the
  previous month is 0;
- lists hold rows above zero, largest first, ties by code; assistance and sessions in reference-list order;
- a collective violation counts once per incident; its people are "persons affected", beside it; a GBV
  survivor counts in one people group by sex and age (both rules in `reports.counting`, shared with the tallies).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from core import access
from core.choices import Status
from core.filtersets import month_bounds
from core.models import AdminArea, AssistanceKind, Organisation, SessionKind
from core.records import PEOPLE_FIELDS, RecordType, Tally, get_record_type, people_sums, people_total_expression
from incidents.models import GbvReferral, Incident, ServiceReferral, Violation
from reports import breakdowns, counting, reference_lists
from reports.labels import add_labels
from reports.models import IncidentCell, ViolationCategoryCell, ViolationTypeCell

ZERO_GROUPS = dict.fromkeys(PEOPLE_FIELDS, 0)


def rounded_pct(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def change_pct(count: int, previous: int) -> float | None:
    if not previous:
        return None
    return rounded_pct(Decimal(100) * (Decimal(count) - Decimal(previous)) / Decimal(previous))


def share_pct(count: int, total: int) -> float | None:
    if not total:
        return None
    return rounded_pct(Decimal(100) * Decimal(count) / Decimal(total))


def largest_first(rows: list[dict[str, Any]], key: str = "code") -> list[dict[str, Any]]:
    """Rows above zero, largest count first, ties by code."""
    return sorted((row for row in rows if row["count"] > 0), key=lambda row: (-row["count"], row[key]))


def add_months(first_day: datetime.date, months: int) -> datetime.date:
    index = first_day.year * 12 + first_day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """The asked month, the one before it, its year to date and the 12-month trend window."""

    month: datetime.date  # first day

    @property
    def end(self) -> datetime.date:
        return month_bounds(self.month)[1]

    @property
    def previous(self) -> datetime.date:
        return add_months(self.month, -1)

    @property
    def year_start(self) -> datetime.date:
        return self.month.replace(month=1)

    @property
    def trend_start(self) -> datetime.date:
        return add_months(self.month, -11)

    def within(self, field: str, start: datetime.date, end: datetime.date | None = None) -> Q:
        return Q(**{f"{field}__gte": start, f"{field}__lt": end or self.end})


@dataclass(frozen=True)
class Scope:
    """Whose figures: the user's regions (every organisation), narrowed to a region or an organisation."""

    user: access.RegionScoped
    region: AdminArea | None = None
    organisation: Organisation | None = None

    def verified(self, queryset: QuerySet, prefix: str = "") -> QuerySet:
        """Verified records in scope; `prefix` reaches the record from a child row ("incident__")."""
        queryset = access.aggregate_scope(
            queryset.filter(**{f"{prefix}status": Status.VERIFIED}), self.user, region_field=f"{prefix}region"
        )
        if self.region is not None:
            queryset = queryset.filter(**{f"{prefix}region": self.region})
        if self.organisation is not None:
            queryset = queryset.filter(**{f"{prefix}organisation": self.organisation})
        return queryset

    def cells(self, queryset: QuerySet) -> QuerySet:
        """Monthly cells (reports.models: IncidentCell …) in scope: the same regions and organisation."""
        queryset = access.aggregate_scope(queryset, self.user)
        if self.region is not None:
            queryset = queryset.filter(region=self.region)
        if self.organisation is not None:
            queryset = queryset.filter(organisation=self.organisation)
        return queryset

    def in_status(self, queryset: QuerySet, status: str) -> QuerySet:
        queryset = access.aggregate_scope(queryset.filter(status=status), self.user)
        if self.region is not None:
            queryset = queryset.filter(region=self.region)
        if self.organisation is not None:
            queryset = queryset.filter(organisation=self.organisation)
        return queryset


def monthly_figures(
    *,
    user: access.RegionScoped,
    month: datetime.date,
    region: AdminArea | None = None,
    organisation: Organisation | None = None,
) -> dict[str, Any]:
    """Every figure of API.md's monthly answer (without `closed`/`suppressed`, which the caller adds), labelled in
    the active language as published figures are when read."""
    return add_labels(figure_numbers(user=user, month=month, region=region, organisation=organisation))


def figure_numbers(
    *,
    user: access.RegionScoped,
    month: datetime.date,
    region: AdminArea | None = None,
    organisation: Organisation | None = None,
) -> dict[str, Any]:
    """The monthly answer as numbers and codes: what a closed month stores, the same in every language
    (`reports.labels.add_labels` puts the labels back)."""
    scope, period = Scope(user, region, organisation), Period(month)
    figures = {
        "month": month.strftime("%Y-%m"),
        "region": region.pcode if region else None,
        "pending_review": pending_review(scope, period),
        **counted_from_cells(scope, period),
        "gbv_referrals": gbv_figures(scope, period),
        "movements": movement_figures(scope, period),
        "assistance": assistance_figures(scope, period),
        "sessions": session_figures(scope, period),
    }
    for record_type in counting.declared_section_types():
        figures[counting.section_key(record_type)] = declared_figures(record_type, scope, period)
    return figures


def raw_figure_numbers(
    *,
    user: access.RegionScoped,
    month: datetime.date,
    region: AdminArea | None = None,
    organisation: Organisation | None = None,
) -> dict[str, Any]:
    """`figure_numbers` with the incidents, violations and trend counted from the records themselves, not from the
    monthly cells: what the cells are proved against (tests, `manage.py check_figures --figures`)."""
    scope, period = Scope(user, region, organisation), Period(month)
    return {
        **figure_numbers(user=user, month=month, region=region, organisation=organisation),
        "incidents": incident_figures(scope, period),
        "violations": violation_figures(scope, period),
        "trend": trend(scope, period),
    }


def pending_review(scope: Scope, period: Period) -> dict[str, int]:
    """The month's records still `submitted`, per record type the figures count: one query (a UNION ALL of one
    count per type)."""
    per_type = []
    for record_type in counting.counted_types():
        in_month = scope.in_status(record_type.model._default_manager.all(), Status.SUBMITTED).filter(
            period.within(record_type.month_field, period.month)
        )
        key = counting.section_key(record_type)
        per_type.append(in_month.order_by().values(section=Value(key)).annotate(n=Count("pk")).values("section", "n"))
    counts = dict.fromkeys((counting.section_key(record_type) for record_type in counting.counted_types()), 0)
    counts.update((row["section"], row["n"]) for row in per_type[0].union(*per_type[1:], all=True))
    return counts


# --- incidents and violations


def _incidents(scope: Scope) -> QuerySet:
    return scope.verified(Incident.objects.all())


def incident_figures(scope: Scope, period: Period) -> dict[str, Any]:
    incidents = _incidents(scope)
    totals = incidents.aggregate(
        count=Count("id", filter=period.within("reported_on", period.month)),
        previous_month=Count("id", filter=period.within("reported_on", period.previous, period.month)),
        year_to_date=Count("id", filter=period.within("reported_on", period.year_start)),
        occurred_earlier=Count(
            "id", filter=period.within("reported_on", period.month) & Q(occurred_on__lt=period.month)
        ),
    )
    by_region = list(
        incidents.filter(period.within("reported_on", period.month))
        .values("region__pcode", "region__name")
        .annotate(count=Count("id"))
    )
    return {
        "count": totals["count"],
        "previous_month": totals["previous_month"],
        "change_pct": change_pct(totals["count"], totals["previous_month"]),
        "year_to_date": totals["year_to_date"],
        "occurred_earlier": totals["occurred_earlier"],
        "by_region": _region_rows(by_region, totals["count"]),
    }


def _region_rows(rows: list[dict[str, Any]], total: int) -> list[dict[str, Any]]:
    shaped = [
        {
            "pcode": row["region__pcode"],
            "name": row["region__name"],
            "count": row["count"],
            "share_pct": share_pct(row["count"], total),
        }
        for row in rows
    ]
    return largest_first(shaped, key="pcode")


def _violations(scope: Scope) -> QuerySet:
    return scope.verified(Violation.objects.all(), prefix="incident__")


def _violation_count(rows: QuerySet, group_by: list[str]) -> list[dict[str, Any]]:
    """Per group: the violations counted by `counting.violation_count` (people, or once per incident for a
    collective type), the people of collective types as persons affected, whether a collective type is in the
    group, and the distinct incidents."""
    merged: dict[tuple, dict[str, Any]] = {}
    for row in counting.violations_by_type(rows, group_by):
        key = tuple(row[name] for name in group_by)
        entry = merged.setdefault(
            key, {**{name: row[name] for name in group_by}, "count": 0, "persons_affected": 0, "collective": False}
        )
        entry["count"] += counting.violation_count(row)
        if row[counting.COLLECTIVE]:
            entry["persons_affected"] += sum(counting.people_in(row).values())
            entry["collective"] = True
    incidents = {
        tuple(row[name] for name in group_by): row["incidents"]
        for row in rows.values(*group_by).annotate(incidents=Count("incident", distinct=True))
    }
    for key, entry in merged.items():
        entry["incidents"] = incidents.get(key, 0)
    return list(merged.values())


def _violation_totals(rows: QuerySet) -> tuple[int, dict[str, int]]:
    """The violations counted by `counting.violation_count` and their people groups (one GROUP BY type query)."""
    count, groups = 0, dict(ZERO_GROUPS)
    for row in counting.violations_by_type(rows):
        count += counting.violation_count(row)
        for name, value in counting.violation_groups(row).items():
            groups[name] += value
    return count, groups


def violation_figures(scope: Scope, period: Period) -> dict[str, Any]:
    violations = _violations(scope)
    month = violations.filter(period.within("incident__reported_on", period.month))
    previous = violations.filter(period.within("incident__reported_on", period.previous, period.month))
    year = violations.filter(period.within("incident__reported_on", period.year_start))
    (count, by_group), (year_count, year_by_group) = _violation_totals(month), _violation_totals(year)
    previous_count, _previous_groups = _violation_totals(previous)
    return {
        "count": count,
        "previous_month": previous_count,
        "change_pct": change_pct(count, previous_count),
        "year_to_date": year_count,
        "by_group": by_group,
        "year_to_date_by_group": year_by_group,
        "by_category": _coded(_violation_count(month, ["type__category__code"]), "type__category__code"),
        "by_type": _coded(_violation_count(month, ["type__code"]), "type__code", with_affected=True),
        "by_region": _violation_regions(month, count),
        "year_to_date_by_region": _violation_regions(year, year_count),
    }


def _coded(rows: list[dict[str, Any]], key: str, *, with_affected: bool = False) -> list[dict[str, Any]]:
    """Rows by reference code; a collective violation type's row also gives the persons affected."""
    shaped = []
    for row in rows:
        entry = {"code": row[key], "count": row["count"], "incidents": row["incidents"]}
        if with_affected and row["collective"]:
            entry["persons_affected"] = row["persons_affected"]
        shaped.append(entry)
    return largest_first(shaped)


def _violation_regions(rows: QuerySet, total: int) -> list[dict[str, Any]]:
    counted = _violation_count(rows, ["incident__region__pcode", "incident__region__name"])
    renamed = [
        {
            "region__pcode": row["incident__region__pcode"],
            "region__name": row["incident__region__name"],
            "count": row["count"],
        }
        for row in counted
    ]
    return _region_rows(renamed, total)


def trend(scope: Scope, period: Period) -> list[dict[str, Any]]:
    """The 12 months ending with the asked one, oldest first: incidents and violations."""
    incidents = dict(
        _incidents(scope)
        .filter(period.within("reported_on", period.trend_start))
        .annotate(month=TruncMonth("reported_on"))
        .values("month")
        .annotate(count=Count("id"))
        .values_list("month", "count")
    )
    by_month = (
        _violations(scope)
        .filter(period.within("incident__reported_on", period.trend_start))
        .annotate(month=TruncMonth("incident__reported_on"))
    )
    violations: defaultdict[datetime.date, int] = defaultdict(int)
    for row in _violation_count(by_month, ["month"]):
        violations[row["month"]] += row["count"]
    months = [add_months(period.trend_start, offset) for offset in range(12)]
    return [
        {"month": month.strftime("%Y-%m"), "incidents": incidents.get(month, 0), "violations": violations.get(month, 0)}
        for month in months
    ]


# --- incidents, violations and the trend from the monthly cells (reports.rollup keeps them counted)


def counted_from_cells(scope: Scope, period: Period) -> dict[str, Any]:
    """The incidents, violations and trend sections, summed from the monthly cells over the 12 months of the trend
    (which hold the previous month and the year to date), in four GROUP BY queries whose rows are bounded by
    months x regions or types, not by records: the same answer as `incident_figures`, `violation_figures` and
    `trend` on the records (tests and `check_figures` prove it). The counting rule is applied as there, by
    `counting.violation_count` and `counting.violation_groups` on one row per violation type of each period, and
    by `counting.violation_count_expression` on the cells for the regions and the trend (a cell's count adds up:
    an incident lies in one cell)."""
    window = period.within("month", period.trend_start)
    incidents = list(
        scope.cells(IncidentCell.objects.filter(window))
        .values("month", "region__pcode", "region__name")
        .annotate(count=Sum("incidents"), occurred_earlier=Sum("occurred_earlier"))
        .order_by()
    )
    type_cells = scope.cells(ViolationTypeCell.objects.filter(window))
    violations = list(
        type_cells.values("month", "region__pcode", "region__name")
        .annotate(count=Sum(counting.violation_count_expression()))
        .order_by()
    )
    months = [add_months(period.trend_start, offset) for offset in range(12)]
    return {
        "incidents": _incidents_from_cells(incidents, period),
        "violations": _violations_from_cells(_types_by_period(type_cells, period), violations, scope, period),
        "trend": [
            {
                "month": month.strftime("%Y-%m"),
                "incidents": _total(incidents, month, add_months(month, 1)),
                "violations": _total(violations, month, add_months(month, 1)),
            }
            for month in months
        ],
    }


def _total(rows: list[dict[str, Any]], start: datetime.date, end: datetime.date, key: str = "count") -> int:
    return sum(int(row[key] or 0) for row in rows if start <= row["month"] < end)


def _region_shares(counts: dict[tuple[Any, ...], int], total: int) -> list[dict[str, Any]]:
    shaped = [{"region__pcode": pcode, "region__name": name, "count": n} for (pcode, name), n in counts.items()]
    return _region_rows(shaped, total)


def _by_region(rows: list[dict[str, Any]], start: datetime.date, end: datetime.date) -> dict[tuple[Any, ...], int]:
    counts: defaultdict[tuple[Any, ...], int] = defaultdict(int)
    for row in rows:
        if start <= row["month"] < end:
            counts[(row["region__pcode"], row["region__name"])] += int(row["count"] or 0)
    return counts


def _incidents_from_cells(rows: list[dict[str, Any]], period: Period) -> dict[str, Any]:
    count, previous = _total(rows, period.month, period.end), _total(rows, period.previous, period.month)
    return {
        "count": count,
        "previous_month": previous,
        "change_pct": change_pct(count, previous),
        "year_to_date": _total(rows, period.year_start, period.end),
        "occurred_earlier": _total(rows, period.month, period.end, key="occurred_earlier"),
        "by_region": _region_shares(_by_region(rows, period.month, period.end), count),
    }


_TYPE_PERIODS = ("month", "previous", "year")


def _types_by_period(cells: QuerySet[ViolationTypeCell], period: Period) -> dict[str, list[dict[str, Any]]]:
    """One row per violation type for the month, the previous month and the year to date (shaped as
    `counting.violations_by_type` rows, for the counting rule), from one GROUP BY query with a filtered sum per
    period: a type is in a period's rows when a cell of that period holds it."""
    periods = {
        "month": period.within("month", period.month),
        "previous": period.within("month", period.previous, period.month),
        "year": period.within("month", period.year_start),
    }
    summed = (*PEOPLE_FIELDS, "incidents")
    rows: Any = (  # values() rows, with the sums named per period
        cells.values("type_code", "category_code", "collective")
        .annotate(
            **{f"{name}__{field}": Sum(field, filter=within) for name, within in periods.items() for field in summed}
        )
        .order_by()
    )
    by_period: dict[str, list[dict[str, Any]]] = {name: [] for name in _TYPE_PERIODS}
    for row in rows:
        for name in _TYPE_PERIODS:
            if row[f"{name}__incidents"] is None:  # no cell of this type in the period
                continue
            by_period[name].append(
                {
                    "type_code": row["type_code"],
                    "category_code": row["category_code"],
                    counting.COLLECTIVE: row["collective"],
                    **{field: int(row[f"{name}__{field}"] or 0) for field in summed},
                }
            )
    return by_period


def _count(per_type: list[dict[str, Any]]) -> int:
    return sum(counting.violation_count(row) for row in per_type)


def _people(per_type: list[dict[str, Any]]) -> dict[str, int]:
    groups = dict(ZERO_GROUPS)
    for row in per_type:
        for name, value in counting.violation_groups(row).items():
            groups[name] += value
    return groups


def _violations_from_cells(
    types: dict[str, list[dict[str, Any]]], counts: list[dict[str, Any]], scope: Scope, period: Period
) -> dict[str, Any]:
    count, previous, year = (_count(types[name]) for name in _TYPE_PERIODS)
    by_category, by_type = _violation_codes(types["month"], scope, period)
    return {
        "count": count,
        "previous_month": previous,
        "change_pct": change_pct(count, previous),
        "year_to_date": year,
        "by_group": _people(types["month"]),
        "year_to_date_by_group": _people(types["year"]),
        "by_category": by_category,
        "by_type": by_type,
        "by_region": _region_shares(_by_region(counts, period.month, period.end), count),
        "year_to_date_by_region": _region_shares(_by_region(counts, period.year_start, period.end), year),
    }


def _violation_codes(
    month_types: list[dict[str, Any]], scope: Scope, period: Period
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The month's rows by category and by type: the category's incidents from its own cells (one query)."""
    by_type: list[dict[str, Any]] = []
    category_counts: defaultdict[str, int] = defaultdict(int)
    for row in month_types:
        entry = {"code": row["type_code"], "count": counting.violation_count(row), "incidents": row["incidents"]}
        if row[counting.COLLECTIVE]:
            entry["persons_affected"] = sum(counting.people_in(row).values())
        by_type.append(entry)
        category_counts[row["category_code"]] += entry["count"]
    category_incidents = dict(
        scope.cells(ViolationCategoryCell.objects.filter(period.within("month", period.month)))
        .values("category_code")
        .annotate(incidents=Sum("incidents"))
        .order_by()
        .values_list("category_code", "incidents")
    )
    by_category = [
        {"code": code, "count": category_counts.get(code, 0), "incidents": int(category_incidents.get(code) or 0)}
        for code in category_counts.keys() | category_incidents.keys()
    ]
    return largest_first(by_category), largest_first(by_type)


# --- GBV referrals: aggregates only, and only referrals with consent to reporting


def gbv_figures(scope: Scope, period: Period) -> dict[str, Any]:
    month = scope.verified(GbvReferral.objects.all()).filter(period.within("reported_on", period.month))
    counted = month.filter(consent_to_reporting=True)
    by_survivor_group = counted.annotate(group=counting.survivor_group()).values("group").annotate(n=Count("id"))
    groups = dict(by_survivor_group.values_list("group", "n"))
    by_type = counted.values("incident_type__code").annotate(count=Count("id"))
    by_service = (
        ServiceReferral.objects.filter(referral__in=counted).values("service__code").annotate(count=Count("id"))
    )
    totals = month.aggregate(
        count=Count("pk", filter=Q(consent_to_reporting=True)),
        excluded=Count("pk", filter=Q(consent_to_reporting=False)),
    )
    return {
        "count": totals["count"],
        "excluded_without_consent": totals["excluded"],
        "by_incident_type": largest_first(
            [{"code": row["incident_type__code"], "count": row["count"]} for row in by_type]
        ),
        "by_service": largest_first([{"code": row["service__code"], "count": row["count"]} for row in by_service]),
        "by_group": {**ZERO_GROUPS, **groups},
    }


# --- mixed movements, assistance, sessions


@dataclass
class DeclaredSum:
    """A declared figure of one month, added up over the regions (the sum of its tally rows)."""

    total: int = 0
    groups: dict[str, int] = dataclasses.field(default_factory=lambda: dict(ZERO_GROUPS))


def declared_sums(
    record_type: RecordType,
    scope: Scope,
    start: datetime.date,
    end: datetime.date,
    tallies: Sequence[Tally] | None = None,
) -> defaultdict[tuple[datetime.date, str], DeclaredSum]:
    """What a record type declares it counts (`counting.declared_counts`, as the tallies; or only `tallies` of it),
    per month and indicator, from `start` to `end` (exclusive); a figure nothing counted is zero."""
    records = scope.verified(record_type.model._default_manager.all()).filter(
        period_filter(record_type.month_field, start, end)
    )
    sums: defaultdict[tuple[datetime.date, str], DeclaredSum] = defaultdict(DeclaredSum)
    for counted in counting.declared_counts(record_type, records, tallies):
        found = sums[(counted.month, counted.indicator)]
        found.total += counted.total
        for group, value in (counted.groups or {}).items():
            found.groups[group] += value
    return sums


def period_filter(field_name: str, start: datetime.date, end: datetime.date) -> Q:
    return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})


def movement_figures(scope: Scope, period: Period) -> dict[str, Any]:
    """Identifications and persons are what movements declare (as the tallies); nationalities are the figures'."""
    record_type = get_record_type("movements")
    month = scope.verified(record_type.model._default_manager.all()).filter(
        period.within(record_type.month_field, period.month)
    )
    sums = declared_sums(record_type, scope, period.previous, period.end)
    by_group = dict(sums[(period.month, "movements.persons")].groups)
    persons, previous_persons = sum(by_group.values()), sums[(period.previous, "movements.persons")].total
    by_nationality = month.values("nationality").annotate(count=Coalesce(Sum(people_total_expression()), Value(0)))
    return {
        "identifications": sums[(period.month, "movements.identifications")].total,
        "persons": {
            "count": persons,
            "previous_month": previous_persons,
            "change_pct": change_pct(persons, previous_persons),
            "by_group": by_group,
        },
        "by_nationality": largest_first(
            [{"code": str(row["nationality"]), "count": row["count"]} for row in by_nationality]
        ),
    }


def _totals_by_kind(queryset: QuerySet, **extra: Any) -> dict[int, dict[str, Any]]:
    """One GROUP BY kind: the five people counts and the `extra` sums, keyed by kind id."""
    rows = queryset.values("kind").annotate(**people_sums(), **extra)
    return {row.pop("kind"): row for row in rows}


def _amounts_by_kind(queryset: QuerySet) -> dict[int, dict[str, float]]:
    amounts: dict[int, dict[str, float]] = defaultdict(dict)
    rows = (
        queryset.exclude(amount__isnull=True)
        .exclude(currency="")
        .values("kind", "currency")
        .annotate(total=Sum("amount"))
        .order_by("kind", "currency")
    )
    for row in rows:
        amounts[row["kind"]][row["currency"]] = float(row["total"])
    return amounts


def _number(value: Any) -> int | float:
    value = value or 0
    return int(value) if value == int(value) else float(value)


def _assistance_side(totals: dict[str, Any] | None) -> dict[str, Any]:
    totals = totals or {}
    groups = {name: int(totals.get(name) or 0) for name in PEOPLE_FIELDS}
    return {
        "households": int(totals.get("households") or 0),
        "persons": sum(groups.values()),
        "quantity": _number(totals.get("quantity")),
        "by_group": groups,
    }


def assistance_figures(scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Per kind of the reference list, in its order: the month and the year to date (four GROUP BY queries), and
    each kind by sector and population group (`reports.breakdowns`, two more)."""
    model = get_record_type("assistance").model
    field = model.month_field
    records = scope.verified(model._default_manager.all())
    month_records = records.filter(period.within(field, period.month))
    year_records = records.filter(period.within(field, period.year_start))
    sums = {"households": Sum("households"), "quantity": Sum("quantity")}
    month, year = _totals_by_kind(month_records, **sums), _totals_by_kind(year_records, **sums)
    month_amounts, year_amounts = _amounts_by_kind(month_records), _amounts_by_kind(year_records)
    rows = []
    for kind in reference_lists.items(AssistanceKind):
        this, ytd = _assistance_side(month.get(kind.pk)), _assistance_side(year.get(kind.pk))
        row = {
            "kind": kind.code,
            "households": this["households"],
            "persons": this["persons"],
            "quantity": this["quantity"],
            "amounts": month_amounts.get(kind.pk, {}),
            "by_group": this["by_group"],
            "year_to_date_households": ytd["households"],
            "year_to_date_persons": ytd["persons"],
            "year_to_date_quantity": ytd["quantity"],
            "year_to_date_amounts": year_amounts.get(kind.pk, {}),
        }
        if kind.pk in month or kind.pk in year:
            rows.append(row)
    shown = [row for row in rows if _has_figure(row)]
    return breakdowns.with_breakdowns(get_record_type("assistance"), shown, scope, period)


def _has_figure(row: dict[str, Any]) -> bool:
    return any(value for key, value in row.items() if key not in {"kind", "by_group"})


def session_figures(scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Per kind of the reference list, in its order: what sessions declare (as the tallies), one GROUP BY query, and
    each kind by sector and population group (`reports.breakdowns`, two more)."""
    record_type = get_record_type("sessions")
    sums = declared_sums(record_type, scope, period.month, period.end, breakdowns.kind_tallies(record_type))
    rows = []
    for kind in reference_lists.items(SessionKind):
        sessions = sums[(period.month, f"sessions.{kind.code}.sessions")].total
        groups = dict(sums[(period.month, f"sessions.{kind.code}.participants")].groups)
        if sessions or any(groups.values()):
            rows.append(
                {
                    "kind": kind.code,
                    "sessions": sessions,
                    "participants": sum(groups.values()),
                    "by_group": groups,
                }
            )
    return breakdowns.with_breakdowns(record_type, rows, scope, period)


# --- the record types whose figures are what they declare (core.records.Tally): flash alerts


def declared_figures(record_type: RecordType, scope: Scope, period: Period) -> list[dict[str, Any]]:
    """The month's figures a record type declares (its `tallies`), from the same `counting.declared_counts` as the
    tallies, so that each figure is the sum of its tally rows. One row per indicator: `indicator` (as in the
    tallies), `by` (the reference field of a breakdown row, else None), `count`, `by_group` (the five
    people groups for a people tally, else None) and `by_region`. Rows in the order of the declaration; the rows
    of one breakdown largest first, ties by indicator; rows above zero only."""
    records = scope.verified(record_type.model._default_manager.all()).filter(
        period.within(record_type.month_field, period.month)
    )
    merged: dict[str, dict[str, Any]] = {}
    tally_of: dict[str, Tally] = {}
    regions: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for counted in counting.declared_counts(record_type, records):
        entry = merged.setdefault(
            counted.indicator,
            {
                "indicator": counted.indicator,
                "by": counted.tally.by or None,
                "count": 0,
                "by_group": dict(ZERO_GROUPS) if counted.groups is not None else None,
            },
        )
        tally_of[counted.indicator] = counted.tally
        entry["count"] += counted.total
        for group, value in (counted.groups or {}).items():
            entry["by_group"][group] += value
        regions[counted.indicator][(counted.pcode, counted.region_name)] += counted.total
    rows: list[dict[str, Any]] = []
    for tally in record_type.tallies:
        declared = [entry for indicator, entry in merged.items() if tally_of[indicator] is tally]
        for entry in declared:
            by_region = [
                {"region__pcode": pcode, "region__name": name, "count": count}
                for (pcode, name), count in regions[entry["indicator"]].items()
            ]
            entry["by_region"] = _region_rows(by_region, entry["count"])
        rows.extend(largest_first(declared, key="indicator"))
    return rows
