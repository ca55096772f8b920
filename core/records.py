"""What every record type is made of: people counts, the review workflow's fields, history and notifications.

A record app declares its model as a `ReviewedRecord` (and `PeopleCounts` where it counts people), then
registers a `RecordType` so the review queue, the menus and the reports know it. The rules that act on
these fields live in `core.workflow`; who may act lives in `core.access`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Aggregate, Count, F, QuerySet, Sum, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

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


def replace_children(parent: models.Model, related_name: str, rows: Sequence[Mapping[str, Any]] | None) -> None:
    """Replace the whole list of a record's child rows (violations, services, members): API.md's "a list, when
    sent, replaces the whole list". `rows` None leaves the list as it is. A row sets the child model's editable
    fields; a key the model does not have is a programming error (said, never dropped), as for the record."""
    if rows is None:
        return
    manager = getattr(parent, related_name)
    child_model, parent_field = manager.model, manager.field.name
    editable = {
        field.name
        for field in child_model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name != parent_field
    }
    for row in rows:
        if unknown := set(row) - editable:
            raise TypeError(f"{child_model.__name__} has no editable field {sorted(unknown)}.")
    manager.all().delete()
    child_model.objects.bulk_create([child_model(**{parent_field: parent}, **row) for row in rows])
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
    record_type: ClassVar[str] = ""  # its RecordType's slug
    # Coordination records (flash alerts) are read by every user whose regions include the record's region, whatever
    # their organisation; only the record's organisation (and the lead organisation) acts on it (core.access).
    shared_in_region: ClassVar[bool] = False

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


def review_queue_indexes(prefix: str) -> list[models.Index]:
    """The indexes of a record type's part of the review queue (core.queue.QueueKeys): its waiting records, urgent
    first, then the oldest submission, then the number, partial on `submitted` (a few percent of the rows). One for
    an admin's queue (every region; the region and organisation carried for a partner's or several regions' scope),
    one led by the region for a supervisor's: each type's part of a page is read in order from one of them and
    stops at the page's last row, from the index alone (issue 14). Named `<prefix>_queue` and
    `<prefix>_reg_queue`."""
    waiting = models.Q(status=Status.SUBMITTED)
    order = ["-urgent", "submitted_at", "id"]
    return [
        models.Index(fields=order, include=["region", "organisation"], condition=waiting, name=f"{prefix}_queue"),
        models.Index(
            fields=["region", *order], include=["organisation"], condition=waiting, name=f"{prefix}_reg_queue"
        ),
    ]


_R = TypeVar("_R", bound=models.Model)


# Editable in the model, but the workflow's own: the author is who entered the record, and the status moves only by
# the workflow's steps.
WORKFLOW_FIELDS = frozenset({"created_by", "status"})


def editable_field_names(model: type[ReviewedRecord]) -> list[str]:
    """The fields a person sets on a record of `model`, in the model's order: its editable fields (Django's
    `editable=False` marks what only the services set) but the workflow's own, many-to-many lists included. Forms
    (core.record_forms.RecordForm), serializers' model rules and the services (core.workflow.split_fields) read it,
    so a field added to the model is entered, checked and saved with no list to keep."""
    return [
        model_field.name
        for model_field in (*model._meta.concrete_fields, *model._meta.many_to_many)
        if model_field.editable and not model_field.primary_key and model_field.name not in WORKFLOW_FIELDS
    ]


def check_model_rules(
    model: type[ReviewedRecord], values: Mapping[str, Any], instance: ReviewedRecord | None = None
) -> None:
    """Run the model's own rules (its `clean()`: dates, amounts, counts) on the values the record will have: those
    typed or sent, the saved ones for the rest (a partial change), the model's defaults for a new record. Raises the
    model's ValidationError, keyed by field. Forms and serializers call it so the rules live in the model only."""
    editable = set(editable_field_names(model))
    own: dict[str, Any] = {}
    for model_field in model._meta.concrete_fields:
        if model_field.name not in editable:
            continue
        if model_field.name in values:
            own[model_field.name] = values[model_field.name]
        elif instance is not None:
            # The saved key, not the related row: no query for a reference the rules may not read.
            own[model_field.attname] = getattr(instance, model_field.attname)
    model(**own).clean()


def read_relations(model: type[models.Model]) -> tuple[list[str], list[str]]:
    """What a list of `model`'s records reads with it, derived from the model as the serializers and forms are
    (core.api.records.RecordSerializer), so a relation added to the model is preloaded with no list to keep (an
    optional one left out is a query per row, on real records only: issue 14). Returns (joined, prefetched):

    - every reference a record always has (place, region, organisation, author, its type) is joined in the page's
      query;
    - every optional one (reviewer, source, collection method, location type…) and every list of references is
      prefetched, one query each for the page: PostgreSQL's planning time grows fast with the joins (74 ms at ten,
      against 2 ms at four, in the incident list), and an optional reference is often empty.

    A link to another record (a duplicate, a linked incident, a merge) is answered as its number, and read by the
    type's selector where a page shows more."""
    references = [
        model_field
        for model_field in model._meta.concrete_fields
        if model_field.many_to_one and not _is_record(model_field.related_model)
    ]
    joined = [model_field.name for model_field in references if not model_field.null]
    prefetched = [model_field.name for model_field in references if model_field.null]
    prefetched += [
        model_field.name for model_field in model._meta.many_to_many if not _is_record(model_field.related_model)
    ]
    return joined, prefetched


def _is_record(model: object) -> bool:
    return isinstance(model, type) and issubclass(model, ReviewedRecord)


def with_relations(queryset: QuerySet[_R], *, optional: bool = True) -> QuerySet[_R]:
    """`queryset` reading what its records point to (`read_relations`): a fixed number of queries for any page.
    `optional=False` for a page showing only what every record has (the review queue's rows)."""
    joined, prefetched = read_relations(queryset.model)
    queryset = queryset.select_related(*joined)
    return queryset.prefetch_related(*prefetched) if optional else queryset


@dataclass(frozen=True)
class Tally:
    """One figure a record type counts, declared once: the tallies give it per month and region (indicator `code`),
    the monthly figures give the month's total (and per region) under the same code, so a tally row always equals
    its figure. Verified records only; `reports.counting.declared_counts` computes it.

    - `code`: the indicator, "alerts"; with `by`, "{by}" is replaced by the code of the record's reference item
      ("alerts.{event_type}" → "alerts.armed_attack");
    - `total`: what is added up, an aggregate over the records (Count("id"), Sum("households")); None with `people`
      for the five people counts' sum;
    - `people`: the row carries the five people groups (women, girls, men, boys, unknown);
    - `then_by`: further reference fields the figure is broken down by within `by`, each "{field}" in `code` too
      ("assistance.{kind}.{sector}.persons" → "assistance.cash.gbv.persons": cash to GBV survivors apart from cash
      to learners). A record without one of them is in no row of the breakdown (it still counts in the tally of
      the same figure without them). Only for the types of API.md's own shapes (assistance and sessions), whose
      figures nest the breakdown in their rows (`reports.figures`).
    """

    code: str
    label: StrOrPromise
    total: Aggregate | None = None
    by: str = ""
    people: bool = False
    then_by: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        """The reference fields the figure is broken down by, outermost first: () for a single figure."""
        return (self.by, *self.then_by) if self.by else ()

    def aggregate(self) -> Aggregate | Combinable:
        if self.total is not None:
            return self.total
        if self.people:
            return Sum(people_total_expression())
        return Count("id")


@dataclass(frozen=True)
class RecordType:
    """The declaration of a record type: everything the shared parts of Vigie (pages, API, queue, menus, history,
    exports, figures and tallies) read about it. A new record type is a model (`ReviewedRecord`) and one of these,
    registered in its app's `ready()`.

    What the model already says is not repeated here: its editable fields are what forms, serializers and services
    set (`editable_fields`), its `family` and `month_field` are class attributes, its verbose names label history.
    """

    slug: str  # as in the API: "incidents"
    model: type[ReviewedRecord]
    label: StrOrPromise
    label_plural: StrOrPromise
    detail_url_name: str
    list_url_name: str
    # For the review queue: `find_duplicates(records, *, user) -> {pk: [records]}`, the possible duplicates of
    # these records in the user's scope. The app's selectors provide it, so that a model never imports its
    # selectors (they import the model).
    find_duplicates: Callable[..., dict[int, list[Any]]] | None = None
    # `q` on the list page and the API searches these lookups (and the record's number).
    search_fields: tuple[str, ...] = ()
    # The list page's sortable columns and the API's `ordering` (the month field, number and status by default).
    sort_columns: tuple[str, ...] = ()
    # The records export's own columns after the shared ones (None: the model's editable fields, references by code).
    export_columns: tuple[str, ...] | None = None
    # A type exported one row per child row (an incident: per violation) names the relation and the child's columns:
    # (header, dotted path from the child row: "type.category.code"), after the record's own columns.
    export_rows_per: str = ""
    export_child_columns: tuple[tuple[str, str], ...] = ()
    exportable: bool = True  # GBV referrals never leave Vigie as records (need-to-know)
    # The figures it counts (tallies and the monthly figures' section named after `slug`); the older types' figures
    # follow API.md's hand-made shapes in reports.figures, with their counting rules in reports.counting.
    tallies: tuple[Tally, ...] = ()

    @property
    def family(self) -> Family:
        return self.model.family

    @property
    def month_field(self) -> str:
        return self.model.month_field

    @property
    def shared_in_region(self) -> bool:
        return self.model.shared_in_region

    def editable_fields(self) -> frozenset[str]:
        """The fields a form or serializer may set through the services (`editable_field_names`)."""
        return frozenset(editable_field_names(self.model))

    def sorting(self) -> tuple[str, ...]:
        return self.sort_columns or ("id", self.month_field, "status")


_record_types: dict[str, RecordType] = {}


def register_record_type(record_type: RecordType) -> None:
    if record_type.model.record_type != record_type.slug:
        raise ImproperlyConfigured(
            f"{record_type.model.__name__}.record_type is {record_type.model.record_type!r}, its declaration says "
            f"{record_type.slug!r}."
        )
    _record_types[record_type.slug] = record_type


def record_types(family: Family | None = None) -> list[RecordType]:
    return [item for item in _record_types.values() if family is None or item.model.family == family]


def get_record_type(slug: str) -> RecordType:
    """The declaration registered under `slug`; a slug nobody registered is a programming error, said at once."""
    try:
        return _record_types[slug]
    except KeyError:
        raise ImproperlyConfigured(f"No record type is registered as {slug!r}.") from None


def record_type_of(record: ReviewedRecord | type[ReviewedRecord]) -> RecordType:
    return get_record_type(record.record_type)
