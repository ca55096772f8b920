"""Reading a closed month on the report page: when it was closed, by whom and with what notes; its figures as
published beside the figures as they stand now, wherever they differ; and, for admins, the records of the month
changed since it closed (who, when, what).

The published figures are stored at closing (`reports.publishing`); "as now" is the live computation of the same
scope (`publishing.figures_for(current=True)`). Both are read here as one list of labelled numbers each, so that a
figure added to the answers later is compared too.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import access
from core.models import ClosedMonth, MonthLog, RecordEvent, User
from core.record_pages import history_rows_since
from core.records import record_types
from reports import counting
from reports.figures import add_months
from reports.templatetags.figures import people_group

# --- when, by whom, with what notes


@dataclass(frozen=True)
class Closing:
    """A closed month's closing, as the report page says it."""

    month: datetime.date
    closed_at: datetime.datetime | None
    closed_by: str
    note: str
    log: list[MonthLog] = field(default_factory=list)  # closings and reopenings, newest first (staff only)


def closing_of(month: datetime.date, *, with_log: bool) -> Closing | None:
    """The month's closing, or None when it is not closed; `with_log`: every closing and reopening with its note
    or reason (the month's own log), which viewers are not shown."""
    closed = ClosedMonth.objects.filter(month=month, is_closed=True).select_related("closed_by").first()
    if closed is None:
        return None
    log = list(MonthLog.objects.filter(month=month).select_related("by")) if with_log else []
    return Closing(month, closed.closed_at, _person(closed.closed_by), closed.note, log)


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def published_months() -> list[datetime.date]:
    """The closed months, newest first: what viewers may choose."""
    return list(ClosedMonth.objects.filter(is_closed=True).order_by("-month").values_list("month", flat=True))


# --- as published, as now


@dataclass(frozen=True)
class Difference:
    section: str
    figure: str
    published: float
    now: float

    @property
    def change(self) -> float:
        return self.now - self.published


SECTIONS = {
    "incidents": gettext_lazy("Protection incidents"),
    "violations": gettext_lazy("Violations"),
    "gbv_referrals": gettext_lazy("GBV referrals"),
    "movements": gettext_lazy("Mixed movements"),
    "assistance": gettext_lazy("Assistance"),
    "sessions": gettext_lazy("Sessions"),
    "pending_review": gettext_lazy("Records still waiting for review"),
}
MEASURES = {
    "count": "",
    "year_to_date": gettext_lazy("since January"),
    "occurred_earlier": gettext_lazy("occurred in an earlier month"),
    "incidents": gettext_lazy("incidents"),
    "persons_affected": gettext_lazy("persons affected (collective)"),
    "excluded_without_consent": gettext_lazy("without consent to be counted"),
    "identifications": gettext_lazy("identifications"),
    "persons": gettext_lazy("persons"),
    "households": gettext_lazy("households"),
    "quantity": gettext_lazy("quantity"),
    "amounts": gettext_lazy("amounts"),
    "sessions": gettext_lazy("sessions"),
    "participants": gettext_lazy("participants"),
    "year_to_date_households": gettext_lazy("households since January"),
    "year_to_date_persons": gettext_lazy("persons since January"),
    "year_to_date_quantity": gettext_lazy("quantity since January"),
    "year_to_date_amounts": gettext_lazy("amounts since January"),
    "by_group": gettext_lazy("by sex and age"),
    "year_to_date_by_group": gettext_lazy("by sex and age, since January"),
    "by_region": gettext_lazy("by region"),
    "year_to_date_by_region": gettext_lazy("by region, since January"),
    "by_category": gettext_lazy("by category"),
    "by_type": gettext_lazy("by type"),
    "by_incident_type": gettext_lazy("by GBVIMS incident type"),
    "by_service": gettext_lazy("services referred to"),
    "by_nationality": gettext_lazy("by nationality"),
    "by_sector": gettext_lazy("by sector"),
    "by_population_group": gettext_lazy("by population group"),
}
# Not figures of the month: the answer's flags, other months' figures (the trend, the month before, each shown on
# its own month's page) and what is worked out from the counts (percentages).
NOT_COMPARED = frozenset(
    {"month", "region", "closed", "changed_since_closing", "suppressed", "trend", "previous_month"}
    | {"change_pct", "share_pct", "label", "name", "code", "pcode", "kind", "indicator", "by"}
)
GROUPED = frozenset({"by_group", "year_to_date_by_group"})


Key = tuple[str, ...]  # a figure's place in the answer: section, list rows' codes, measure
Figure = tuple[Key, tuple[tuple[str, ...], float]]  # key → (labels, value)


def differences(published: Mapping[str, Any], now: Mapping[str, Any]) -> list[Difference]:
    """Every figure of the month whose published value and today's differ, in the answer's order (a row only one of
    them lists counts 0 in the other: lists hold rows above zero)."""
    before = dict(_figures(published))
    after = dict(_figures(now))
    found = []
    for key in _merged_order(list(before), list(after)):
        labels = (after.get(key) or before[key])[0]
        old = before.get(key, (labels, 0))[1]
        new = after.get(key, (labels, 0))[1]
        if old != new:
            figure = " · ".join(label for label in labels[1:] if label) or _("this month")
            found.append(Difference(labels[0], figure, old, new))
    return found


def _merged_order(before: list[Key], after: list[Key]) -> list[Key]:
    """Today's order, with the rows only the published answer had back after the row they followed there."""
    order, present = list(after), set(after)
    for index, key in enumerate(before):
        if key not in present:
            previous = next((earlier for earlier in reversed(before[:index]) if earlier in present), None)
            order.insert(order.index(previous) + 1 if previous is not None else 0, key)
            present.add(key)
    return order


def _figures(answer: Mapping[str, Any]) -> Iterator[Figure]:
    for name in sorted(answer, key=_section_order):
        section = answer[name]
        if name in NOT_COMPARED or section is None:
            continue
        yield from _cells(section, (name,), (str(SECTIONS.get(name, _section_label(name))),))


def _section_order(name: str) -> tuple[int, int]:
    """The report's order: API.md's sections, the declared ones (as they come), the records waiting for review."""
    if name == "pending_review":
        return (2, 0)
    return (0, list(SECTIONS).index(name)) if name in SECTIONS else (1, 0)


def _section_label(name: str) -> str:
    """A declared section (flash alerts) is named after its record type."""
    for record_type in counting.declared_section_types():
        if counting.section_key(record_type) == name:
            return str(record_type.label_plural)
    return name


def _cells(node: Any, key: tuple[str, ...], labels: tuple[str, ...]) -> Iterator[Figure]:
    if isinstance(node, Mapping):
        for name, value in node.items():
            if name in NOT_COMPARED or value is None:
                continue
            measure = _measure_label(name)
            if name in GROUPED and isinstance(value, Mapping):
                for group, count in value.items():
                    yield from _cells(count, (*key, name, group), (*labels, measure, people_group(group)))
            else:
                yield from _cells(value, (*key, name), (*labels, measure))
    elif isinstance(node, list):
        for row in node:
            if isinstance(row, Mapping):
                code = str(row.get("code") or row.get("pcode") or row.get("kind") or row.get("indicator") or "")
                yield from _cells(row, (*key, code, str(row.get("by") or "")), (*labels, _row_label(row, code)))
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield key, (labels, node)


def _measure_label(name: str) -> str:
    """A figure's name within its section (`pending_review` names record types: the sections' names)."""
    if name in MEASURES:
        return str(MEASURES[name])
    if name in SECTIONS:
        return str(SECTIONS[name])
    return _section_label(name).replace("_", " ")


def _row_label(row: Mapping[str, Any], code: str) -> str:
    label = str(row.get("label") or row.get("name") or code)
    return f"{code} — {label}" if len(code) == 1 and label != code else label  # a violation category: "E — …"


# --- the records changed since closing, for admins


@dataclass
class ChangedRecord:
    label: str  # "Protection incident #123"
    url: str
    history: list[dict[str, Any]]  # history lines since closing, as core.record_pages writes them


@dataclass
class ChangesSinceClosing:
    records: list[ChangedRecord]
    unreadable: dict[str, int]  # record type's label → records changed that this user reads only as aggregates


def changed_since_closing(user: User, closing: Closing) -> ChangesSinceClosing:
    """The month's records in the user's scope with history written since it closed — who, when, what — in the
    order of the record types; records the user may not read individually (GBV referrals, for an admin) are only
    counted. Three queries a record type."""
    month, since = closing.month, closing.closed_at
    found = ChangesSinceClosing([], {})
    if since is None:
        return found
    for record_type in record_types():
        model = record_type.model
        if not model.month_field:
            continue
        written = RecordEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk"), at__gte=since
        )
        of_month = model._default_manager.filter(
            Exists(written),
            changed_after_closing=True,
            **{f"{model.month_field}__gte": month, f"{model.month_field}__lt": add_months(month, 1)},
        )
        readable = list(access.records_in_scope(of_month, user, model.family).order_by("pk"))
        counted = access.aggregate_scope(of_month, user).count()
        if counted > len(readable):
            found.unreadable[str(record_type.label_plural)] = counted - len(readable)
        histories = history_rows_since(readable, user, since)
        for record in readable:
            label = _("%(type)s #%(id)d") % {"type": record_type.label, "id": record.pk}
            url = reverse(record_type.detail_url_name, args=[record.pk])
            found.records.append(ChangedRecord(label, url, histories.get(record.pk, [])))
    return found
