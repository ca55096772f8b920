"""The closed-month rule every record type (and the import) obeys: a non-admin may not create, change or take
a workflow step on a record whose month is closed (409); an admin may, and the record is flagged
"changed after closing" so the report can show published and current figures side by side. A survivor's rights
come first: a GBV focal point's case actions are let through and flagged alike (core.access decides which)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from core import access
from core.errors import ConflictError
from core.models import ClosedMonth, User

if TYPE_CHECKING:
    from core.records import ReviewedRecord


class MonthClosed(ConflictError):
    """A non-admin's write into a closed month (409)."""


def first_day(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def is_closed(day: datetime.date | None) -> bool:
    if day is None:
        return False
    return ClosedMonth.objects.filter(month=first_day(day), is_closed=True).exists()


def check_month_open(
    record: ReviewedRecord,
    by: User,
    *days: datetime.date | None,
    action: access.Action = access.Action.EDIT,
    step: str = "",
) -> None:
    """Refuse a write into a closed month by anyone core.access does not let through (admins; GBV focal points'
    case actions); flag the writes it lets through. `days` are the month dates concerned (an edit that moves a
    record between months touches both); `action` and `step` say what the write is (a workflow step's name)."""
    if not record.month_field:
        return
    closed = [day for day in days or (record.month_date,) if day is not None and is_closed(day)]
    if not closed:
        return
    if not access.may_change_in_closed_month(by, record.family, action, step):
        raise MonthClosed(
            _("%(month)s is closed: its figures are published. Ask an admin to make this change.")
            % {"month": closed[0].strftime("%Y-%m")}
        )
    record.changed_after_closing = True
