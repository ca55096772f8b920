"""The audit log page (`/audit/`): admins read the log of their own scope, filtered by user, action and date.

Nobody changes the log: this module only reads it (no form posts, no route edits or deletes an entry).
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core import access, audit
from core.access import Capability
from core.filtersets import FIRST_MONTH, LAST_MONTH
from core.http import signed_in
from core.models import AuditEntry, User
from core.spreadsheets import CsvTable

PAGE_SIZE = 50
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# The longest a details summary gets in a table cell (the CSV keeps it whole).
SUMMARY_LENGTH = 160


def may_read_audit_log(user: User) -> bool:
    """Admins (the role) and superusers read the audit log, each within their scope (`visible_entries`)."""
    return user.is_active and (user.is_superuser or access.has_capability(user, Capability.MANAGE))


def visible_entries(user: User) -> QuerySet[AuditEntry]:
    """The entries this user may read: a superuser, all; an admin, their own, those whose user concerned is one of
    the users they manage (core.access.manageable_users), and those that concern nobody done by one of these.
    Entries that name nobody (a failed sign-in under an unknown user name) belong to no scope: only admins of the
    lead organisation with every region read them, as superusers do."""
    entries = AuditEntry.objects.select_related("actor", "target_user")
    if not may_read_audit_log(user):
        return entries.none()
    if user.is_superuser:
        return entries
    people = access.manageable_users(user).values("pk")
    # An entry that names a user concerned is in scope when that user is: one the admin manages did it to someone
    # else (before being moved into the admin's scope, say) names a user the admin may not know of.
    condition = (
        Q(target_user__in=people)
        | Q(target_user=user)
        | Q(actor=user)
        | (Q(actor__in=people) & Q(target_user__isnull=True))
    )
    if access.sees_every_organisation(user) and not access.region_pcodes(user):
        condition |= Q(actor__isnull=True, target_user__isnull=True)
    return entries.filter(condition)


def parse_day(value: object) -> datetime.date:
    """'2026-03-15' → that date; anything else, or a date outside 1900-01-01..2100-12-31, is a ValidationError."""
    match = _DATE.fullmatch(value) if isinstance(value, str) else None
    if not match:
        raise ValidationError(_("Enter a date as YYYY-MM-DD, e.g. 2026-03-15."))
    try:
        day = datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as error:
        raise ValidationError(_("This date does not exist: enter it as YYYY-MM-DD, e.g. 2026-03-15.")) from error
    if not FIRST_MONTH <= day <= datetime.date(LAST_MONTH.year, 12, 31):
        raise ValidationError(_("Give a date between 1900-01-01 and 2100-12-31."))
    return day


class DayField(forms.CharField):
    widget = forms.DateInput(attrs={"type": "date", "placeholder": "YYYY-MM-DD"})

    def clean(self, value: Any) -> datetime.date | None:
        text = super().clean(value)
        return parse_day(text) if text else None


class AuditFilterForm(forms.Form):
    user = forms.CharField(
        label=gettext_lazy("User"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("The user who acted or was acted upon, or the user name typed at a failed sign-in."),
        widget=forms.TextInput(attrs={"list": "audit-users", "autocomplete": "off"}),
    )
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        required=False,
        choices=[("", gettext_lazy("Any action")), *AuditEntry.Action.choices],
    )
    date_from = DayField(label=gettext_lazy("From (inclusive)"), required=False)
    date_to = DayField(label=gettext_lazy("To (inclusive)"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The start date comes after the end date."))
        return cleaned

    def filter(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        data = self.cleaned_data
        if name := (data.get("user") or "").strip():
            entries = entries.filter(
                Q(username__icontains=name)
                | Q(actor__username__icontains=name)
                | Q(target_user__username__icontains=name)
            )
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        # Days are the server's local days (TIME_ZONE), as the table shows them.
        if data.get("date_from"):
            entries = entries.filter(at__gte=_start_of(data["date_from"]))
        if data.get("date_to"):
            entries = entries.filter(at__lt=_start_of(data["date_to"] + datetime.timedelta(days=1)))
        return entries


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def object_label(entry: AuditEntry) -> str:
    """ "GBV referral #12", "job #4": the type's name and the number, never the object's content."""
    if not entry.object_type:
        return ""
    try:
        name = str(apps.get_model(entry.object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        name = entry.object_type
    return f"{name} #{entry.object_id}" if entry.object_id else name


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_text(item)}" for key, item in value.items())
    return str(value)


def details_summary(entry: AuditEntry, limit: int | None = SUMMARY_LENGTH) -> str:
    """The details as "key: value" pairs on one line (they hold field names, roles, channels, never content)."""
    text = _text(entry.details) if isinstance(entry.details, dict) else str(entry.details)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _who(user: User | None, typed: str) -> str:
    return user.get_username() if user is not None else typed


CSV_HEADER = [
    gettext_lazy("When"),
    gettext_lazy("Action"),
    gettext_lazy("By"),
    gettext_lazy("User name typed"),
    gettext_lazy("User concerned"),
    gettext_lazy("Object"),
    gettext_lazy("Address"),
    gettext_lazy("Details"),
]


def _csv_rows(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    """The filtered log as CSV, a line at a time; every cell goes through core.spreadsheets (no formula runs)."""
    buffer = io.StringIO()
    writer = CsvTable(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([str(label) for label in CSV_HEADER])
    yield flush()
    for entry in entries.iterator(chunk_size=500):
        writer.writerow(
            [
                timezone.localtime(entry.at).isoformat(timespec="seconds"),
                entry.get_action_display(),
                entry.actor.get_username() if entry.actor else "",
                entry.username,
                entry.target_user.get_username() if entry.target_user else "",
                object_label(entry),
                entry.ip_address or "",
                details_summary(entry, limit=None),
            ]
        )
        yield flush()


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The log, newest first, filtered; `?format=csv` downloads the filtered log whole."""
    user = signed_in(request)
    if not may_read_audit_log(user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    in_scope = visible_entries(user)
    valid = form.is_valid() if form.is_bound else True
    entries = form.filter(in_scope) if form.is_bound and valid else in_scope
    if not valid:
        entries = in_scope.none()
    if request.GET.get("format") == "csv" and valid:
        response = StreamingHttpResponse(_csv_rows(entries), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="vigie-audit-log-{stamp}.csv"'
        # The log holds user names and addresses: taking it away is itself logged, with the filters used.
        used = {name: value for name, value in (form.cleaned_data if form.is_bound else {}).items() if value}
        audit.record(
            audit.Action.EXPORT_DOWNLOADED,
            request=request,
            details={"kind": "audit_log", "channel": audit.Channel.PAGE, **{k: str(v) for k, v in used.items()}},
        )
        return response
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    rows = [
        {
            "entry": entry,
            "who": _who(entry.actor, entry.username),
            "unknown_user": entry.actor is None and bool(entry.username),
            "object": object_label(entry),
            "details": details_summary(entry),
        }
        for entry in shown
    ]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    csv_query = query.copy()
    csv_query["format"] = "csv"
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "csv_query": csv_query.urlencode(),
        "filtered": any(request.GET.get(name) for name in ("user", "action", "date_from", "date_to")),
        # Suggestions for the user filter: the people this admin manages (a superuser, everyone).
        "usernames": list(access.manageable_users(user).order_by("username").values_list("username", flat=True)[:500]),
    }
    return render(request, "core/audit_log.html", context, status=200 if valid else 400)
