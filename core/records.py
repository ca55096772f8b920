"""What every record type is made of: people counts, the review workflow's fields, history and notifications.

A record app declares its model as a `ReviewedRecord` (and `PeopleCounts` where it counts people), then
registers a `RecordType` so the review queue, the menus and the reports know it. The rules that act on
these fields live in `core.workflow`; who may act lives in `core.access`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Sum, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.access import Family
from core.choices import Status
from core.models import AdminArea, Organisation, User

PEOPLE_FIELDS = ("women", "girls", "men", "boys", "unknown")
ADULT_AGE = 18  # from this age a person counts among the women or the men, not the girls or the boys
# API.md: people counts, households, quantities and sessions above this are a 400 (amounts are not capped).
MAX_COUNT = 1_000_000
EARLIEST_DATE = datetime.date(1900, 1, 1)


def count_validators() -> list[MaxValueValidator]:
    """The cap every count of people, households, quantity or sessions carries, model and form alike."""
    return [MaxValueValidator(MAX_COUNT)]


class PeopleCounts(models.Model):
    """People by sex and age, the one shape Vigie counts in: women and men are 18 and over, girls and boys under
    18; `unknown` holds everyone whose sex or age is not known."""

    women = models.PositiveIntegerField(_("women"), default=0, validators=count_validators())
    girls = models.PositiveIntegerField(_("girls"), default=0, validators=count_validators())
    men = models.PositiveIntegerField(_("men"), default=0, validators=count_validators())
    boys = models.PositiveIntegerField(_("boys"), default=0, validators=count_validators())
    unknown = models.PositiveIntegerField(_("sex or age unknown"), default=0, validators=count_validators())

    class Meta:
        abstract = True

    @property
    def total(self) -> int:
        return sum(getattr(self, name) for name in PEOPLE_FIELDS)

    def people(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in PEOPLE_FIELDS}


def people_total_expression(prefix: str = "") -> Combinable:
    """women + girls + men + boys + unknown, for use in annotations (`prefix` like "violations__")."""
    expression: Combinable = F(f"{prefix}{PEOPLE_FIELDS[0]}")
    for name in PEOPLE_FIELDS[1:]:
        expression = expression + F(f"{prefix}{name}")
    return expression


def people_sums(prefix: str = "") -> dict[str, models.Expression]:
    """Aggregates summing each people count (0 when there is no row), keyed by group name."""
    return {name: Coalesce(Sum(f"{prefix}{name}"), Value(0)) for name in PEOPLE_FIELDS}


def replace_children(
    parent: models.Model, related_name: str, rows: Sequence[Mapping[str, Any]] | None, fields: Sequence[str]
) -> None:
    """Replace the whole list of a record's child rows (violations, services, members): API.md's "a list, when
    sent, replaces the whole list". `rows` None leaves the list as it is."""
    if rows is None:
        return
    manager = getattr(parent, related_name)
    manager.all().delete()
    manager.model.objects.bulk_create(
        [
            manager.model(**{manager.field.name: parent}, **{key: row[key] for key in fields if key in row})
            for row in rows
        ]
    )
    # The prefetched lists are stale now; the next read goes to the database.
    getattr(parent, "_prefetched_objects_cache", {}).clear()


def date_errors(record: object, *fields: str, event_before: tuple[str, str] | None = None) -> dict[str, str]:
    """The date rules record types share: none of `fields` in the future, and with `event_before`
    ("occurred_on", "reported_on") the event not after the day it was documented. Messages keyed by field."""
    today = timezone.localdate()
    errors = {
        name: str(_("This date is in the future.")) for name in fields if (day := getattr(record, name)) and day > today
    }
    # API.md: a date before 1900 is a 400 (one after 2100 is in the future already).
    errors.update(
        {
            name: str(_("Give a date from 1900-01-01 on."))
            for name in fields
            if (day := getattr(record, name)) and day < EARLIEST_DATE
        }
    )
    if event_before:
        event, reported = (getattr(record, name) for name in event_before)
        if event_before[0] not in errors and event and reported and event > reported:
            errors[event_before[0]] = str(_("The incident cannot have happened after the day it was reported."))
    return errors


class ReviewedRecord(models.Model):
    """A record that goes through the review workflow: where it happened, who reported it, its status, and a
    version number that two people editing it at once are checked against."""

    place = models.ForeignKey(AdminArea, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(
        AdminArea, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("reporting organisation"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    status_before_archive = models.CharField(max_length=12, choices=Status.choices, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    review_note = models.TextField(_("review comment or reason"), blank=True, editable=False)
    urgent = models.BooleanField(
        _("urgent"), default=False, help_text=_("Puts the record first in the review queue and alerts supervisors.")
    )
    changed_after_closing = models.BooleanField(_("changed after its month was closed"), default=False, editable=False)

    # Declared by each record type.
    family: ClassVar[Family] = Family.GENERAL
    month_field: ClassVar[str] = ""
    record_type: ClassVar[str] = ""

    class Meta:
        abstract = True

    @property
    def month_date(self) -> datetime.date | None:
        day: datetime.date | None = getattr(self, self.month_field)
        return day

    def snapshot(self) -> dict[str, str]:
        """The record's values as a person reads them, for the history's old → new (children added by types)."""
        values = {}
        for field in self._meta.concrete_fields:
            if field.editable and not field.primary_key:
                value = getattr(self, field.name)
                values[field.name] = "" if value is None else str(value)
        return values

    def hidden_history_fields(self, user: User) -> frozenset[str]:
        """The fields whose old and new values this user may not read in the history (it says they changed);
        a type with restricted fields names them (an incident's narrative)."""
        return frozenset()

    def is_editable_status(self) -> bool:
        return self.status not in (Status.ARCHIVED, Status.REJECTED)


@dataclass(frozen=True)
class RecordType:
    """How a record type shows itself to the shared parts of Vigie (queue, menus, history links, reports)."""

    slug: str  # as in the API: "incidents"
    model: type[ReviewedRecord]
    label: str | Promise
    label_plural: str | Promise
    detail_url_name: str
    list_url_name: str
    # For the review queue: `find_duplicates(records, *, user) -> {pk: [records]}`, the possible duplicates of
    # these records in the user's scope. The app's selectors provide it, so that a model never imports its
    # selectors (they import the model).
    find_duplicates: Callable[..., dict[int, list[Any]]] | None = None


_record_types: dict[str, RecordType] = {}


def register_record_type(record_type: RecordType) -> None:
    _record_types[record_type.slug] = record_type


def record_types(family: Family | None = None) -> list[RecordType]:
    return [item for item in _record_types.values() if family is None or item.model.family == family]


def record_type_of(record: ReviewedRecord) -> RecordType:
    return _record_types[record.record_type]
