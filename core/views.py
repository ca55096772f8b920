"""Pages that belong to no record type: the home page per role, the user's records, notifications, the health check."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import access
from core.choices import Role, Status
from core.health import run_checks
from core.http import signed_in
from core.models import Notification, User
from core.queue import reverse_or_blank, type_url
from core.records import RecordType, record_types


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    context = {
        "regions": user.regions.order_by("pcode") if user.region_pcodes() else None,
        "sees_every_organisation": access.sees_every_organisation(user),
        "may_create_records": access.may(user, access.Action.CREATE, access.Family.GENERAL),
        "may_review": any(access.may(user, access.Action.REVIEW, family) for family in access.Family),
        "may_handle_gbv": access.may(user, access.Action.READ, access.Family.GBV),
        "may_manage": access.has_capability(user, access.Capability.MANAGE),
        "record_links": _record_links(user),
    }
    return render(request, "core/home.html", context)


def _record_links(user: User) -> list[dict[str, object]]:
    """Each record type's list (and new-record form) for a user whose role reads (and creates) them."""
    links: list[dict[str, object]] = []
    for record_type in record_types():
        family = record_type.model.family
        list_url = reverse_or_blank(record_type.list_url_name)
        if not list_url or not access.may(user, access.Action.READ, family):
            continue  # a type whose pages are not there yet, or one this role does not read
        links.append(
            {
                "label": record_type.label_plural,
                "singular": _in_sentence(str(record_type.label)),
                "list_url": list_url,
                "create_url": type_url(record_type, "create") if access.may(user, access.Action.CREATE, family) else "",
            }
        )
    return links


def _in_sentence(label: str) -> str:
    """A type's label inside a sentence: "Incident" → "incident", but "GBV referral" keeps its acronym."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every configured dependency answers; 503 naming the ones that did not, within
    HEALTH_TIMEOUT_SECONDS. What went wrong is shown to admins only: anyone else reads "ok" or "failed" (an
    error's text can name hosts, ports and users)."""
    outcomes = run_checks()
    failed = sorted(name for name, outcome in outcomes.items() if outcome != "ok")
    if not _may_read_health_details(request):
        outcomes = {name: "ok" if outcome == "ok" else "failed" for name, outcome in outcomes.items()}
    body = {"status": "ok" if not failed else "failing", "checks": outcomes, "failed": failed}
    return JsonResponse(body, status=503 if failed else 200)


def _may_read_health_details(request: HttpRequest) -> bool:
    user = request.user
    return isinstance(user, User) and user.is_active and (user.is_superuser or user.role == Role.ADMIN)


# Returned records first: they wait for their author.
_MY_STATUS_ORDER: list[str] = [
    Status.RETURNED,
    Status.DRAFT,
    Status.SUBMITTED,
    Status.VERIFIED,
    Status.REJECTED,
    Status.ARCHIVED,
]
MY_RECORDS_PAGE_SIZE = 50


def _readable_types(user: User) -> list[RecordType]:
    """Record types whose family the user's role reads now: a GBV referral never shows to someone who may no
    longer read GBV records (a focal point who changed role), even one they entered."""
    return [item for item in record_types() if access.may(user, access.Action.READ, item.model.family)]


@login_required
def my_records(request: HttpRequest) -> HttpResponse:
    """The records the user entered, of every type, by status: returned ones first with the reviewer's comment."""
    wanted_status = request.GET.get("status", "")
    if wanted_status not in _MY_STATUS_ORDER:
        wanted_status = ""
    counts = dict.fromkeys(_MY_STATUS_ORDER, 0)
    user = signed_in(request)
    keys: list[tuple[str, datetime.datetime, RecordType, int]] = []
    for record_type in _readable_types(user):
        mine = record_type.model._default_manager.filter(created_by=user)
        for status, count in mine.values_list("status").annotate(count=Count("pk")).order_by():
            counts[status] = counts.get(status, 0) + count
        if wanted_status:
            mine = mine.filter(status=wanted_status)
        # Small keys first, whole records for the page only: a monitor enters hundreds of records a year.
        keys += [
            (status, updated_at, record_type, pk)
            for pk, status, updated_at in mine.values_list("pk", "status", "updated_at")
        ]
    keys.sort(key=lambda key: key[1], reverse=True)
    keys.sort(key=lambda key: _MY_STATUS_ORDER.index(key[0]))
    page = Paginator(keys, MY_RECORDS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": _my_rows(list(page.object_list)),
        "counts": [(status, Status(status).label, counts[status]) for status in _MY_STATUS_ORDER],
        "wanted_status": wanted_status,
        "query": f"status={wanted_status}" if wanted_status else "",
    }
    return render(request, "core/my_records.html", context)


def _my_rows(keys: list[tuple[str, datetime.datetime, RecordType, int]]) -> list[dict[str, object]]:
    """The page's records in the keys' order, read with one query per record type."""
    by_type: dict[str, list[int]] = {}
    for _status, _updated, record_type, pk in keys:
        by_type.setdefault(record_type.slug, []).append(pk)
    loaded = {}
    for record_type in record_types():  # the keys come from _readable_types only
        if record_type.slug in by_type:
            records = record_type.model._default_manager.filter(pk__in=by_type[record_type.slug])
            for record in records.select_related("place", "region", "reviewed_by"):
                loaded[(record_type.slug, record.pk)] = record
    return [
        {"type": key[2], "record": loaded[(key[2].slug, key[3])], "url": type_url(key[2], "detail", key[3])}
        for key in keys
        if (key[2].slug, key[3]) in loaded
    ]


NOTIFICATIONS_PAGE_SIZE = 50


@login_required
def notifications_page(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; opening the page marks the shown ones as read."""
    page = Paginator(Notification.objects.filter(recipient=signed_in(request)), NOTIFICATIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shown = list(page.object_list)
    unread = [item.pk for item in shown if item.read_at is None]
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    # The header's count is taken when the page renders, after this: it already leaves these out.
    context = {"page": page, "shown": shown, "unread": set(unread), "query": ""}
    return render(request, "core/notifications.html", context)
