"""The review queue: submitted records of every registered record type a reviewer may act on, in their scope.

Urgent records first, then the oldest submission (SPEC.md). `core` imports no record app: it walks
`core.records.record_types()`, posts each row's steps to the record type's own step URL (named after its detail
URL: `incidents:detail` → `incidents:step`), and
asks the record type for possible duplicates through its optional `find_duplicates(records, *, user) ->
{pk: [records]}` (incidents and households declare one). A type whose pages do not exist yet is listed without links.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast, overload

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, F, IntegerField, QuerySet, Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import access, workflow
from core.access import Action, Family
from core.audit import Channel
from core.choices import Status
from core.closing import MonthState, month_states
from core.errors import ConflictError
from core.filtersets import MonthField, month_bounds
from core.http import signed_in
from core.inputs import whole_number
from core.models import AdminArea, Organisation, User
from core.records import RecordType, ReviewedRecord, record_types, with_relations

PAGE_SIZE = 25
QUEUE_STEPS = ("verify", "return", "reject")


class QueueFilterForm(forms.Form):
    region = forms.ModelChoiceField(
        label=gettext_lazy("Region"), queryset=AdminArea.objects.none(), to_field_name="pcode", required=False
    )
    record_type = forms.ChoiceField(label=gettext_lazy("Record type"), required=False)
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.all(), to_field_name="code", required=False
    )
    min_age = forms.IntegerField(label=gettext_lazy("Waiting at least (days)"), min_value=0, required=False)
    # The closing checklist links here, a month's records of one region, organisation and type.
    month = MonthField(
        label=gettext_lazy("Month (YYYY-MM)"), required=False, widget=forms.DateInput(attrs={"type": "month"})
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = AdminArea.objects.filter(level=1)
        if access.region_pcodes(user):
            regions = regions.filter(pcode__in=sorted(access.region_pcodes(user)))
        cast("forms.ModelChoiceField[AdminArea]", self.fields["region"]).queryset = regions
        cast(forms.ChoiceField, self.fields["record_type"]).choices = [("", "---------")] + [
            (item.slug, item.label_plural) for item in reviewable_types(user)
        ]


def reviewable_families(user: User) -> list[Family]:
    """The record families this user reviews: general records for supervisors and admins, GBV referrals for GBV
    focal points (need-to-know: nobody else ever sees a GBV record here)."""
    return [family for family in Family if access.may(user, Action.REVIEW, family)]


def reviewable_types(user: User) -> list[RecordType]:
    families = reviewable_families(user)
    return [item for item in record_types() if item.model.family in families]


# (urgent, submitted at, type, pk): what the queue is sorted and paginated on, before records are read.
QueueKey = tuple[bool, datetime.datetime | None, RecordType, int]
# The same as the database returns it: (urgent, submitted at, pk, type order).
QueueRow = tuple[bool, datetime.datetime | None, int, int]
# The queue's order (SPEC.md): urgent first, then the oldest submission (never submitted: last), then the number; two
# records of different types alike in all three keep the order of the record types' registration.
QUEUE_ORDER = (
    F("urgent").desc(),
    F("submitted_at").asc(nulls_last=True),
    F("pk").asc(),
    F("type_order").asc(),
)


@dataclass
class QueueEntry:
    record_type: RecordType
    record: ReviewedRecord
    age_days: int
    own: bool
    duplicates: list[ReviewedRecord] = field(default_factory=list)
    # The record's month is closed (or closing), and whether this reviewer may still verify it there
    # (`mark_closed_months`): records left submitted when a month closed stay here for an admin.
    month_state: MonthState = MonthState.OPEN
    verifies_in_closed_month: bool = True

    @property
    def needs_admin(self) -> bool:
        """Closed month, and this reviewer may not verify there: the row says so instead of offering "Verify"."""
        return self.month_state is MonthState.CLOSED and not self.verifies_in_closed_month

    @property
    def key(self) -> str:
        return f"{self.record_type.slug}:{self.record.pk}:{self.record.version}"

    # Read several times by the row's template: reversed once (25 rows × 4 reads × 3 steps were 300 reverses a page).
    @cached_property
    def detail_url(self) -> str:
        return type_url(self.record_type, "detail", self.record.pk)

    @cached_property
    def step_urls(self) -> dict[str, str]:
        return {step: step_url(self.record_type, self.record.pk, step) for step in QUEUE_STEPS}

    @property
    def duplicate_templates(self) -> list[str]:
        # A record type may show its own key facts side by side; the shared template lists the common ones.
        return [f"{self.record_type.slug}/_duplicates.html", "core/_duplicates.html"]


def type_url(record_type: RecordType, name: str, *args: object) -> str:
    """A page of the record type, named after its detail page ("incidents:detail" → "incidents:step",
    "beneficiaries:household-detail" → "beneficiaries:household-step"); "" while the type has no such page."""
    return reverse_or_blank(record_type.detail_url_name.removesuffix("detail") + name, *args)


def reverse_or_blank(url_name: str, *args: object) -> str:
    try:
        return reverse(url_name, args=args)
    except NoReverseMatch:
        return ""


def step_url(record_type: RecordType, pk: int, step: str) -> str:
    return type_url(record_type, "step", pk, step)


def _waiting(record_type: RecordType, user: User, filters: dict[str, Any]) -> QuerySet[ReviewedRecord]:
    queryset = access.records_in_scope(
        record_type.model._default_manager.filter(status=Status.SUBMITTED), user, record_type.model.family
    ).filter(access.acted_on_filter(user))  # another organisation's flash alert is read, never reviewed
    if filters.get("region"):
        queryset = queryset.filter(region=filters["region"])
    if filters.get("organisation"):
        queryset = queryset.filter(organisation=filters["organisation"])
    if filters.get("min_age") is not None:
        queryset = queryset.filter(submitted_at__lte=timezone.now() - datetime.timedelta(days=filters["min_age"]))
    if filters.get("month"):
        start, end = month_bounds(filters["month"])
        field = record_type.month_field
        queryset = queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end}) if field else queryset.none()
    return queryset


# Each type's part of the queue in the queue's order, as its indexes hold it (core.records.review_queue_indexes): a
# page reads as many rows per type as the page's last row needs, never all that wait.
TYPE_ORDER = (F("urgent").desc(), F("submitted_at").asc(nulls_last=True), F("pk").asc())


class QueueKeys(Sequence[QueueRow]):
    """Every waiting record's row, in queue order, as the paginator reads it: its length, and a slice of rows read
    by one query over the union of the record types, ordered and sliced by the database (a page of 25 reads 25 rows,
    whatever waits: issue 14).

    Where the database allows a part of a union to be ordered and limited (PostgreSQL), each type's part reads only
    its first `stop` rows from its index: without it the union sorts every waiting row (70,000 for an admin at a
    million incidents) to return 25.

    `waiting`: each type's waiting records, annotated with the type's place in the registration order."""

    def __init__(self, waiting: list[QuerySet[Any]]) -> None:
        self.parts = [part.order_by().values_list("urgent", "submitted_at", "pk", "type_order") for part in waiting]
        # One COUNT(*) per type (grouped by the type's constant place: no GROUP BY, one row), added up: a COUNT over
        # the union of the rows made PostgreSQL carry every row through the union (and parallel workers) first, 52-55
        # ms for an admin at a million incidents against 15-23 ms; COUNT(*) lets it read the smallest index.
        self.counts = [part.order_by().values("type_order").annotate(waiting=Count("*")) for part in waiting]

    def __len__(self) -> int:
        # The paginator's count, in one query.
        return sum(row["waiting"] for row in self._union(self.counts)) if self.counts else 0

    @overload
    def __getitem__(self, index: int) -> QueueRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[QueueRow]: ...

    def __getitem__(self, index: int | slice) -> QueueRow | list[QueueRow]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        if not self.parts or not index.stop:  # the paginator's only empty slice: an empty queue's first page
            return []
        parts = self.parts
        if len(parts) > 1 and connection.features.supports_slicing_ordering_in_compound:
            parts = [part.order_by(*TYPE_ORDER)[: index.stop] for part in parts]
        return list(self._union(parts).order_by(*QUEUE_ORDER)[index])

    @staticmethod
    def _union(parts: list[QuerySet[Any]]) -> QuerySet[Any]:
        return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def _queue_keys(user: User, filters: dict[str, Any]) -> QueueKeys:
    """The queue's keys for this user and these filters (`QueueKeys`)."""
    return QueueKeys(
        [
            _waiting(record_type, user, filters).annotate(type_order=Value(order, output_field=IntegerField()))
            for order, record_type in _queue_types(user, filters)
        ]
    )


def _queue_types(user: User, filters: dict[str, Any]) -> list[tuple[int, RecordType]]:
    """The types the queue lists, with their place in the registration order (the last tie-breaker)."""
    return [
        (order, record_type)
        for order, record_type in enumerate(reviewable_types(user))
        if not filters.get("record_type") or filters["record_type"] == record_type.slug
    ]


def _page_keys(user: User, rows: Iterable[tuple[Any, ...]]) -> list[QueueKey]:
    """The page's keys as (urgent, submitted at, type, pk)."""
    types = reviewable_types(user)
    return [(urgent, submitted_at, types[order], pk) for urgent, submitted_at, pk, order in rows]


def _entries(keys: list[QueueKey], user: User, request: HttpRequest) -> list[QueueEntry]:
    """The page's records, read with what the rows show (one query per type), and their possible duplicates."""
    now = timezone.now()
    wanted: dict[str, list[int]] = {}
    for _urgent, _submitted, record_type, pk in keys:
        wanted.setdefault(record_type.slug, []).append(pk)
    loaded: dict[tuple[str, int], QueueEntry] = {}
    for record_type in reviewable_types(user):
        if record_type.slug not in wanted:
            continue
        records = list(
            with_relations(
                record_type.model._default_manager.filter(pk__in=wanted[record_type.slug]), optional=False
            ).select_related("place__parent")
        )
        if record_type.model.family == Family.GBV:
            # Every view of a GBV record is logged, the queue's too.
            access.log_record_access(user, records, Channel.PAGE, request=request)
        duplicates = _duplicates(record_type, records, user)
        for record in records:
            age = (now - record.submitted_at).days if record.submitted_at else 0
            loaded[(record_type.slug, record.pk)] = QueueEntry(
                record_type, record, age, record.created_by_id == user.pk, duplicates.get(record.pk, [])
            )
    return [loaded[(key[2].slug, key[3])] for key in keys if (key[2].slug, key[3]) in loaded]


def mark_closed_months(entries: list[QueueEntry], user: User) -> None:
    """Mark the page's records whose month is closed or closing (one query for the page's months, beside the
    queue's own): records still submitted when their month closed stay in the queue, and only an admin (a GBV focal
    point, for a referral) verifies them there (core.closing)."""
    states = month_states(entry.record.month_date for entry in entries if entry.record.month_date is not None)
    for entry in entries:
        if entry.record.month_date is None:
            continue
        entry.month_state = states[entry.record.month_date.replace(day=1)]
        entry.verifies_in_closed_month = access.may_change_in_closed_month(
            user, entry.record_type.family, Action.REVIEW, "verify"
        )


def _duplicates(record_type: RecordType, records: list[ReviewedRecord], user: User) -> dict[int, list[Any]]:
    finder = record_type.find_duplicates
    if finder is None or not records:
        return {}
    duplicates: dict[int, list[Any]] = finder(records, user=user)
    return duplicates


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """GET: the queue. POST: verify the selected records (after a confirmation page)."""
    if not reviewable_families(signed_in(request)):
        raise PermissionDenied
    if request.method == "POST":
        return _verify_selected(request)
    form = QueueFilterForm(request.GET or None, user=signed_in(request))
    filters = form.cleaned_data if form.is_valid() else {}
    keys = _queue_keys(signed_in(request), filters) if form.is_valid() or not form.is_bound else QueueKeys([])
    page = Paginator(keys, PAGE_SIZE).get_page(request.GET.get("page"))
    page_keys = _page_keys(signed_in(request), page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    entries = _entries(page_keys, signed_in(request), request)
    mark_closed_months(entries, signed_in(request))
    context = {
        "form": form,
        "page": page,
        "entries": entries,
        "query": query.urlencode(),
        "filtered": any(request.GET.get(name) for name in form.fields),
        "next": request.get_full_path(),
    }
    return render(request, "core/review_queue.html", context, status=200 if not form.errors else 400)


# --- Verify selected


@dataclass
class _Selected:
    key: str
    record_type: RecordType | None
    pk: int
    version: int | None
    record: ReviewedRecord | None = None


def _parse_selected(values: list[str], user: User) -> list[_Selected]:
    types = {item.slug: item for item in reviewable_types(user)}
    selected = []
    for value in dict.fromkeys(values):
        parts = value.split(":")
        number = whole_number(parts[1]) if len(parts) == len(("type", "number", "version")) else None
        if number is None:
            continue
        selected.append(_Selected(value, types.get(parts[0]), number, whole_number(parts[2])))
    return selected


def _load_selected(selected: list[_Selected], user: User) -> None:
    """Attach each selected record the user may read (one query per type); the others stay None (not found)."""
    by_type: dict[str, list[_Selected]] = {}
    types_by_slug: dict[str, RecordType] = {}
    for item in selected:
        if item.record_type is not None:
            by_type.setdefault(item.record_type.slug, []).append(item)
            types_by_slug[item.record_type.slug] = item.record_type
    for slug, items in by_type.items():
        model = types_by_slug[slug].model
        records = access.records_in_scope(model._default_manager.all(), user, model.family).select_related(
            "place", "region", "organisation"
        )
        found = {record.pk: record for record in records.filter(pk__in=[item.pk for item in items])}
        for item in items:
            item.record = found.get(item.pk)


def _verify_selected(request: HttpRequest) -> HttpResponse:
    selected = _parse_selected(request.POST.getlist("selected"), signed_in(request))
    if not selected:
        messages.warning(request, _("Select the records to verify first."))
        return redirect(_back_to_queue(request))
    _load_selected(selected, signed_in(request))
    if request.POST.get("confirm") != "1":
        context = {"selected": selected, "next": _back_to_queue(request)}
        return render(request, "core/review_queue_confirm.html", context)
    for item in selected:
        outcome, ok = _verify_one(item, signed_in(request))
        (messages.success if ok else messages.error)(request, outcome)
    return redirect(_back_to_queue(request))


def _verify_one(item: _Selected, user: User) -> tuple[str, bool]:
    """Verify one selected record; the sentence that reports it, and whether it worked."""
    label = f"{item.record_type.label if item.record_type else '?'} #{item.pk}"
    if item.record is None:
        return _("%(record)s: not found.") % {"record": label}, False
    try:
        workflow.take_step(item.record, "verify", by=user, version=item.version)
    except access.NotInScope:
        return _("%(record)s: not found.") % {"record": label}, False
    except access.RoleRefused:
        if item.record.created_by_id == user.pk:
            return _("%(record)s: you entered it, so another reviewer must verify it.") % {"record": label}, False
        return _("%(record)s: your role may not verify it.") % {"record": label}, False
    except ConflictError as error:
        return _("%(record)s: %(why)s") % {"record": label, "why": error}, False
    return _("%(record)s: verified.") % {"record": label}, True


def _back_to_queue(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    # Only a path of the queue itself: never an address from elsewhere.
    queue = reverse("review-queue")
    return target if target.startswith(queue) else queue
