"""The closing checklist: what an admin reads before closing a month (issue 15), on the close page and at
`GET /api/v1/reports/months/{month}/checklist/`.

Five sections, each counted within the admin's scope (their regions, every organisation: the figures' scope):

1. `pending`: the month's records still `submitted` or `returned`, by record type, region and organisation, each
   with a link to the review queue (or, for returned records, the type's list) filtered to them;
2. `completeness`: organisations (in a region) and regions with verified records in each of the three months before
   and none this month: a partner that did not report;
3. `outliers`: a region's figure whose distance from the median of its last 12 months exceeds both 3 × 1.4826 × MAD
   (the median absolute deviation, scaled to a standard deviation) and 5: robust with small counts, where a z-score
   is not. The counts are the figures' own (the monthly cells for incidents and violations, the declared tallies
   for movements and assistance);
4. `suppression`: what viewers will not see once the month is published, decided as the closing decides it;
5. `late`: records of earlier closed months verified or changed since their month closed, per month.

Sections 1, 2, 3 and 5 are findings: closing with any of them needs the admin to say they close anyway (the page
asks; the API records what the admin sent). Suppression is said for information: it is the rule, not a problem.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Model, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _

from core import access
from core.access import Action
from core.choices import Status
from core.filtersets import month_bounds
from core.models import AdminArea, ClosedMonth, RecordEvent, User, ViolationCategory
from core.records import RecordType, get_record_type, people_sums
from reports import counting, publishing, suppression
from reports.figures import add_months
from reports.models import IncidentCell, ViolationTypeCell

PENDING_STATUSES = (Status.SUBMITTED, Status.RETURNED)
COMPLETENESS_MONTHS = 3  # an organisation that reported in each of these months before is expected this month
HISTORY_MONTHS = 12
MAD_SCALE = 1.4826  # MAD x 1.4826 estimates a standard deviation (normal data)
MAD_TIMES = 3
MIN_DISTANCE = 5  # small counts move by a few from month to month: never an outlier by less than this
MIN_HISTORY = 3  # months of history (since the first month with data) before a figure is judged
# The figures the outlier rule watches, as the tallies name them ("{kind}": each assistance kind).
WATCHED_TALLIES = frozenset(
    {"movements.persons", "assistance.{kind}.households", "assistance.{kind}.persons", "assistance.{kind}.quantity"}
)


@dataclass(frozen=True)
class Scope:
    """Whose checklist: the admin's regions (every organisation, as in the figures), or one of them."""

    user: User
    region: AdminArea | None = None

    def records(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = access.aggregate_scope(queryset, self.user)
        return queryset if self.region is None else queryset.filter(region=self.region)

    def covers(self, published_scope: str) -> bool:
        """Whether a published scope ("all", a region, "ML05,ML07") is the admin's to read about."""
        if self.region is not None:
            return published_scope == self.region.pcode
        regions = access.region_pcodes(self.user)
        if not regions:
            return True
        return published_scope != suppression.ALL and set(published_scope.split(",")) <= regions


def closing_checklist(
    *, user: User, month: datetime.date, region: AdminArea | None = None, with_suppression: bool = True
) -> dict[str, Any]:
    """The whole checklist of `month` (first day) as the API answers it. `with_suppression=False` leaves out the
    one costly section (it computes the month's figures for every scope, as a closing does)."""
    scope = Scope(user, region)
    closed = publishing.is_closed(month)
    pending = pending_records(scope, month)
    checklist: dict[str, Any] = {
        "month": f"{month:%Y-%m}",
        "region": region.pcode if region is not None else None,
        "closed": closed,
        "pending": pending,
        "completeness": missing_reports(scope, month, pending),
        "outliers": unusual_figures(scope, month),
        "suppression": suppressed_cells(scope, month, closed=closed) if with_suppression else None,
        "late": late_records(scope, month),
    }
    checklist["findings"] = findings(checklist)
    checklist["needs_acknowledgement"] = any(checklist["findings"].values())
    return checklist


def findings(checklist: dict[str, Any]) -> dict[str, int]:
    """How many findings each section has (what closing anyway acknowledges): records waiting, organisations and
    regions missing, unusual figures, late records."""
    completeness = checklist["completeness"]
    return {
        "pending": checklist["pending"]["submitted"] + checklist["pending"]["returned"],
        "missing": len(completeness["organisations"]) + len(completeness["regions"]),
        "outliers": len(checklist["outliers"]),
        "late": checklist["late"]["records"],
    }


def _month_types() -> list[RecordType]:
    """The record types the figures count (each has a month field), in the figures' order."""
    return [record_type for record_type in counting.counted_types() if record_type.month_field]


def _in_month(field: str, month: datetime.date) -> Q:
    start, end = month_bounds(month)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _region(pcode: str, name: str) -> dict[str, str]:
    return {"pcode": pcode, "name": name}


def _organisation(code: str, name: str) -> dict[str, str]:
    return {"code": code, "name": name}


# --- 1. records still waiting


def pending_records(scope: Scope, month: datetime.date) -> dict[str, Any]:
    """The month's `submitted` and `returned` records per type, status, region and organisation (one GROUP BY
    query per record type)."""
    rows: list[dict[str, Any]] = []
    types = _month_types()
    for record_type in types:
        model = record_type.model
        records = scope.records(model._default_manager.filter(_in_month(model.month_field, month)))
        grouped = (
            records.filter(status__in=PENDING_STATUSES)
            .values("status", "region__pcode", "region__name", "organisation__code", "organisation__name")
            .annotate(count=Count("id"))
            .order_by()
        )
        rows.extend(
            {
                "record_type": record_type.slug,
                "label": str(record_type.label_plural),
                "status": row["status"],
                "region": _region(row["region__pcode"], row["region__name"]),
                "organisation": _organisation(row["organisation__code"], row["organisation__name"]),
                "count": row["count"],
                "url": _pending_url(scope.user, record_type, row, month),
            }
            for row in grouped
        )
    order = {record_type.slug: index for index, record_type in enumerate(types)}
    rows.sort(
        key=lambda row: (
            row["region"]["pcode"],
            row["organisation"]["code"],
            order[row["record_type"]],
            row["status"] != Status.SUBMITTED,
        )
    )
    return {
        "submitted": sum(row["count"] for row in rows if row["status"] == Status.SUBMITTED),
        "returned": sum(row["count"] for row in rows if row["status"] == Status.RETURNED),
        "rows": rows,
    }


def _pending_url(user: User, record_type: RecordType, row: dict[str, Any], month: datetime.date) -> str | None:
    """Where the admin finds these records: submitted ones in the review queue, returned ones (waiting for their
    author) in the type's list; none where the admin does not act on them (GBV referrals, another organisation's
    records for a partner's admin)."""
    own = access.sees_every_organisation(user) or (
        user.organisation is not None and user.organisation.code == row["organisation__code"]
    )
    if not own:
        return None
    filters = {"month": f"{month:%Y-%m}", "region": row["region__pcode"], "organisation": row["organisation__code"]}
    if row["status"] == Status.SUBMITTED and access.may(user, Action.REVIEW, record_type.family):
        return f"{reverse('review-queue')}?{urlencode({**filters, 'record_type': record_type.slug})}"
    if row["status"] == Status.RETURNED and access.may(user, Action.READ, record_type.family):
        return f"{reverse(record_type.list_url_name)}?{urlencode({'status': Status.RETURNED, **filters})}"
    return None


# --- 2. reporting completeness


def missing_reports(scope: Scope, month: datetime.date, pending: dict[str, Any]) -> dict[str, Any]:
    """Organisations (in each region) and regions that had verified records in each of the three months before
    `month` and have none in it; `waiting` is what they have still submitted or returned this month."""
    months = [add_months(month, -back) for back in range(COMPLETENESS_MONTHS, 0, -1)]
    reported = _reporters(scope, months[0], month_bounds(month)[1])
    names: dict[tuple[str, str], tuple[str, str]] = {}
    seen: defaultdict[tuple[str, str], set[datetime.date]] = defaultdict(set)
    for reported_month, pcode, region_name, code, organisation_name in reported:
        names[(pcode, code)] = (region_name, organisation_name)
        seen[(pcode, code)].add(reported_month)
    waiting: defaultdict[tuple[str, str], int] = defaultdict(int)
    for row in pending["rows"]:
        waiting[(row["region"]["pcode"], row["organisation"]["code"])] += row["count"]
    regular = set(months)
    organisations = [
        {
            "organisation": _organisation(code, names[(pcode, code)][1]),
            "region": _region(pcode, names[(pcode, code)][0]),
            "waiting": waiting[(pcode, code)],
        }
        for pcode, code in sorted(seen)
        if regular <= seen[(pcode, code)] and month not in seen[(pcode, code)]
    ]
    by_region: defaultdict[str, set[datetime.date]] = defaultdict(set)
    for (pcode, _code), found in seen.items():
        by_region[pcode] |= found
    region_names = {pcode: region_name for (pcode, _code), (region_name, _name) in names.items()}
    regions = [
        {
            "region": _region(pcode, region_names[pcode]),
            "waiting": sum(count for (at, _code), count in waiting.items() if at == pcode),
        }
        for pcode in sorted(by_region)
        if regular <= by_region[pcode] and month not in by_region[pcode]
    ]
    return {"months": [f"{earlier:%Y-%m}" for earlier in months], "organisations": organisations, "regions": regions}


def _reporters(scope: Scope, start: datetime.date, end: datetime.date) -> set[tuple[Any, ...]]:
    """(month, region P-code and name, organisation code and name) of every verified record from `start` to `end`:
    incidents from their monthly cells, the other types from their records (one query each)."""
    place = ("region__pcode", "region__name", "organisation__code", "organisation__name")
    found: set[tuple[Any, ...]] = set(
        scope.records(IncidentCell.objects.filter(month__gte=start, month__lt=end, incidents__gt=0))
        .values_list("month", *place)
        .distinct()
    )
    for record_type in _month_types():
        if record_type.slug == "incidents":
            continue
        field = record_type.month_field
        verified = scope.records(
            record_type.model._default_manager.filter(
                status=Status.VERIFIED, **{f"{field}__gte": start, f"{field}__lt": end}
            )
        )
        found |= set(verified.annotate(at=TruncMonth(field)).values_list("at", *place).distinct())
    return found


# --- 3. figures out of their usual range


@dataclass
class _Series:
    """A region's monthly values of one figure over the window, and how it is called."""

    pcode: str
    region_name: str
    indicator: str
    label: str
    values: defaultdict[datetime.date, int]


def unusual_figures(scope: Scope, month: datetime.date) -> list[dict[str, Any]]:
    """The region figures of `month` out of their usual range (the rule in the module's docstring), each with its
    last 12 months, by region then in the order the figures come (incidents, violations by category, movements,
    assistance)."""
    start = add_months(month, -HISTORY_MONTHS)
    series = [
        *_incident_series(scope, start, month),
        *_violation_series(scope, start, month),
        *_declared_series(scope, start, month),
    ]
    with_data = [at for item in series for at, value in item.values.items() if value]
    if not with_data:
        return []
    first = min(with_data)
    history = [add_months(month, back) for back in range(-HISTORY_MONTHS, 0) if add_months(month, back) >= first]
    if len(history) < MIN_HISTORY:
        return []
    found = [row for item in series if (row := _judged(item, month, history)) is not None]
    return sorted(found, key=lambda row: (row["region"]["pcode"], _figure_order(row["indicator"])))


def _figure_order(indicator: str) -> tuple[int, str]:
    """Incidents, violations by category, movements, assistance: the report's order."""
    heads = ("incidents", "violations", "movements", "assistance")
    head = indicator.split(".", 1)[0]
    return (heads.index(head) if head in heads else len(heads), indicator)


def _judged(item: _Series, month: datetime.date, history: list[datetime.date]) -> dict[str, Any] | None:
    """The figure as an outlier row, or None when it is within its usual range."""
    past = [item.values.get(at, 0) for at in history]
    count = item.values.get(month, 0)
    median = statistics.median(past)
    mad = statistics.median(abs(value - median) for value in past)
    distance = abs(count - median)
    if distance <= MAD_TIMES * MAD_SCALE * mad or distance <= MIN_DISTANCE:
        return None
    return {
        "region": _region(item.pcode, item.region_name),
        "indicator": item.indicator,
        "label": item.label,
        "count": count,
        "median": float(median),
        "mad": float(mad),
        "limit": round(max(MAD_TIMES * MAD_SCALE * mad, MIN_DISTANCE), 1),
        "direction": "above" if count > median else "below",
        "history": [{"month": f"{at:%Y-%m}", "count": item.values.get(at, 0)} for at in history],
    }


def _series_of(
    rows: Iterable[tuple[datetime.date, str, str, str, str, int]],
) -> list[_Series]:
    """(month, P-code, region name, indicator, label, value) rows added up into one series per region and figure."""
    found: dict[tuple[str, str], _Series] = {}
    for at, pcode, region_name, indicator, label, value in rows:
        item = found.setdefault((pcode, indicator), _Series(pcode, region_name, indicator, label, defaultdict(int)))
        item.values[at] += value
    return list(found.values())


def _window(start: datetime.date, month: datetime.date) -> Q:
    return Q(month__gte=start, month__lt=month_bounds(month)[1])


def _incident_series(scope: Scope, start: datetime.date, month: datetime.date) -> list[_Series]:
    rows = (
        scope.records(IncidentCell.objects.filter(_window(start, month)))
        .values("month", "region__pcode", "region__name")
        .annotate(count=Sum("incidents"))
        .order_by()
    )
    label = _("Incidents")
    return _series_of(
        (row["month"], row["region__pcode"], row["region__name"], "incidents", label, int(row["count"] or 0))
        for row in rows
    )


def _violation_series(scope: Scope, start: datetime.date, month: datetime.date) -> list[_Series]:
    """Violations by category per region and month, from the type cells with the figures' counting rule (a
    collective type counts once per incident)."""
    rows = (
        scope.records(ViolationTypeCell.objects.filter(_window(start, month)))
        .values("month", "region__pcode", "region__name", "type_code", "category_code", "collective")
        .annotate(**people_sums(), incidents=Sum("incidents"))
        .order_by()
    )
    labels = {category.code: category.label for category in ViolationCategory.objects.all()}
    return _series_of(
        (
            row["month"],
            row["region__pcode"],
            row["region__name"],
            f"violations.{row['category_code']}",
            _("Violations: %(category)s") % {"category": labels.get(row["category_code"], row["category_code"])},
            counting.violation_count({**row, counting.COLLECTIVE: row["collective"]}),
        )
        for row in rows
    )


def _declared_series(scope: Scope, start: datetime.date, month: datetime.date) -> list[_Series]:
    """Persons in mixed movements and each assistance kind's households, persons and quantity per region and month,
    as the tallies and the figures count them (`counting.declared_counts`)."""
    end = month_bounds(month)[1]
    rows: list[tuple[datetime.date, str, str, str, str, int]] = []
    for slug in ("movements", "assistance"):
        record_type = get_record_type(slug)
        field = record_type.month_field
        verified = scope.records(
            record_type.model._default_manager.filter(
                status=Status.VERIFIED, **{f"{field}__gte": start, f"{field}__lt": end}
            )
        )
        watched = [tally for tally in record_type.tallies if tally.code in WATCHED_TALLIES]
        for counted in counting.declared_counts(record_type, verified, watched):
            label = str(counted.tally.label)
            if counted.items:  # the kind (a watched tally is by kind at most)
                label = f"{counted.items[0].label}: {label}"
            rows.append((counted.month, counted.pcode, counted.region_name, counted.indicator, label, counted.total))
    return _series_of(rows)


# --- 4. what suppression will hide


def suppressed_cells(scope: Scope, month: datetime.date, *, closed: bool) -> dict[str, Any]:
    """The cells viewers will not see of the month's published answers (the decision a closing stores; for a closed
    month, the one it stored), in the admin's scope: how many, where (scope and section) and which."""
    unprotected: set[str] = set()
    if closed:
        publication = publishing.publication_for(month)
        stored, protected = publication.hidden, publication.protected
    else:
        stored, unprotected = publishing.decision_if_closed_now(month)
        protected = not unprotected
    # A row left out of viewers' answers is stored twice (hidden, and marked dropped): counted once.
    cells = sorted(suppression.split(key) for key in stored if not key.startswith(suppression.DROPPED))
    cells = [cell for cell in cells if scope.covers(cell[1])]
    exposed = [cell for cell in sorted(map(suppression.split, unprotected)) if scope.covers(cell[1])]
    names = dict(AdminArea.objects.filter(pcode__in=_regions_of(cells)).values_list("pcode", "name"))
    grouped: dict[str, defaultdict[str, int]] = {}
    for _month, published_scope, measure in cells:
        grouped.setdefault(published_scope, defaultdict(int))[_section(measure)] += 1
    return {
        "cells": len(cells),
        "by_scope": [
            {
                "scope": published_scope,
                "name": _scope_name(published_scope, names),
                "cells": sum(sections.values()),
                "sections": [
                    {"section": section, "label": _section_label(section), "cells": sections[section]}
                    for section in sorted(sections, key=_section_order)
                ],
            }
            for published_scope, sections in sorted(grouped.items(), key=lambda item: _scope_order(item[0]))
        ],
        "hidden": [
            {"month": at, "scope": published_scope, "measure": measure} for at, published_scope, measure in cells
        ],
        # Whether every hidden cell stays hidden: a small total of small parts (a <5 total of four <5 regions: each
        # is 1) gives its cells away whatever else is hidden. A closed month says only whether; an open one which.
        "protected": protected,
        "unprotected": [
            {"month": at, "scope": published_scope, "measure": measure} for at, published_scope, measure in exposed
        ],
    }


def _regions_of(cells: list[tuple[str, str, str]]) -> set[str]:
    return {pcode for _month, published_scope, _measure in cells for pcode in published_scope.split(",")}


def _scope_order(published_scope: str) -> tuple[int, str]:
    return (0 if published_scope == suppression.ALL else 1, published_scope)


def _scope_name(published_scope: str, names: dict[str, str]) -> str:
    if published_scope == suppression.ALL:
        return _("Whole operation")
    return ", ".join(names.get(pcode, pcode) for pcode in published_scope.split(","))


SECTIONS = ("pending", "incidents", "violations", "gbv", "movements", "assistance", "sessions")


def _section(measure: str) -> str:
    """The section of the report a suppressed quantity is in ("violations.type.rape": violations)."""
    head = measure.split(".", 1)[0]
    return "violations" if head == "affected" else head


def _section_order(section: str) -> tuple[int, str]:
    return (SECTIONS.index(section) if section in SECTIONS else len(SECTIONS), section)


def _section_label(section: str) -> str:
    labels = {
        "pending": _("Records waiting for review"),
        "incidents": _("Incidents"),
        "violations": _("Violations"),
        "gbv": _("GBV referrals"),
        "movements": _("Mixed movements"),
        "assistance": _("Assistance"),
        "sessions": _("Sessions"),
    }
    if section in labels:
        return labels[section]
    declared = {counting.section_key(item): item for item in counting.declared_section_types()}
    return str(declared[section].label_plural) if section in declared else section


# --- 5. late records


def late_records(scope: Scope, month: datetime.date) -> dict[str, Any]:
    """Records of closed months before `month` verified or changed (anything but a comment) since their month was
    last closed, per month and record type. Only records flagged "changed after closing" can be (every write into a
    closed month flags its record: core.closing), so their history is read for those few alone."""
    closed_at = {
        closed: at
        for closed, at in ClosedMonth.objects.filter(is_closed=True, month__lt=month).values_list("month", "closed_at")
        if at is not None
    }
    if not closed_at:
        return {"records": 0, "months": []}
    per_month: dict[datetime.date, dict[str, Any]] = {}
    for record_type in _month_types():
        for at, verified in _late_of_type(scope, record_type, month, closed_at):
            entry = per_month.setdefault(at, {"records": 0, "verified": 0, "by_type": defaultdict(int)})
            entry["records"] += 1
            entry["verified"] += int(verified)
            entry["by_type"][record_type.slug] += 1
    rows = [
        {
            "month": f"{at:%Y-%m}",
            "records": entry["records"],
            "verified": entry["verified"],
            "by_type": [
                {"record_type": slug, "label": str(get_record_type(slug).label_plural), "records": count}
                for slug, count in entry["by_type"].items()
            ],
            "url": f"{reverse('reports:monthly')}?{urlencode({'month': f'{at:%Y-%m}'})}",
        }
        for at, entry in sorted(per_month.items())
    ]
    return {"records": sum(row["records"] for row in rows), "months": rows}


def _late_of_type(
    scope: Scope, record_type: RecordType, month: datetime.date, closed_at: dict[datetime.date, datetime.datetime]
) -> list[tuple[datetime.date, bool]]:
    """(month, verified since) of each late record of this type: two queries."""
    model: type[Model] = record_type.model
    field = record_type.month_field
    flagged = scope.records(
        model._default_manager.filter(changed_after_closing=True, **{f"{field}__lt": month})
    ).values_list("pk", field)
    months = {pk: day.replace(day=1) for pk, day in flagged if day.replace(day=1) in closed_at}
    if not months:
        return []
    events = RecordEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=sorted(months)
    ).exclude(action=RecordEvent.Action.COMMENTED)
    late: dict[int, bool] = {}
    for pk, action, at in events.values_list("object_id", "action", "at"):
        if at > closed_at[months[pk]]:
            late[pk] = late.get(pk, False) or action == RecordEvent.Action.VERIFIED
    return [(months[pk], verified) for pk, verified in late.items()]
