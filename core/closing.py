"""The closed-month rule every record type (and the import) obeys: a non-admin may not create, change or take
a workflow step on a record whose month is closed (409); an admin may, and the record is flagged
"changed after closing" so the report can show published and current figures side by side. A survivor's rights
come first: a GBV focal point's case actions are let through and flagged alike (core.access decides which).

Closing is one step in time (SPEC.md): from the request that accepts a closing until its job has stored the
figures, the month is "closing" and every write into it is refused, admins' and focal points' included. On
PostgreSQL a write holds a shared advisory lock on its month until it commits and the closing request takes it
exclusively, so the closing waits for the writes already past this check and every later write sees it."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from core import access
from core.db import MONTH_LOCKS, advisory_locks
from core.errors import ConflictError
from core.models import ClosedMonth, Job, User

if TYPE_CHECKING:
    from core.records import ReviewedRecord


class MonthClosed(ConflictError):
    """A non-admin's write into a closed month (409)."""


class MonthClosing(ConflictError):
    """Any write into a month whose closing was accepted and whose figures are not stored yet (409)."""


def month_refusal(
    states: dict[datetime.date, MonthState],
    record: ReviewedRecord,
    by: User,
    action: access.Action = access.Action.EDIT,
    step: str = "",
) -> MonthClosing | MonthClosed | None:
    """What a write of `by` into months in these states would be refused with (`check_month_open`), or None: the
    record's page asks it to show no button that would only answer 409, and to say why."""
    closing = [month for month, state in sorted(states.items()) if state is MonthState.CLOSING]
    if closing:
        return MonthClosing(
            _(
                "%(month)s is being closed: no change enters it until its figures are stored. Try again in a few "
                "minutes."
            )
            % {"month": closing[0].strftime("%Y-%m")}
        )
    closed = [month for month, state in sorted(states.items()) if state is MonthState.CLOSED]
    if closed and not access.may_change_in_closed_month(by, record.family, action, step):
        return MonthClosed(
            _("%(month)s is closed: its figures are published. Ask an admin to make this change.")
            % {"month": closed[0].strftime("%Y-%m")}
        )
    return None


class MonthState(enum.Enum):
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


def first_day(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def lock_month(day: datetime.date, *, exclusive: bool) -> None:
    """Hold the month's lock until the transaction ends: shared by writes into it, exclusive for its closing."""
    advisory_locks(MONTH_LOCKS, [day.year * 12 + day.month], shared=not exclusive)


CLOSING_STATUSES = (Job.Status.QUEUED, Job.Status.RUNNING)


def month_state(day: datetime.date) -> MonthState:
    """Closing while the month's closing job is queued or running (it may be closed already: its job has not
    ended), else closed or open."""
    return month_states([day])[first_day(day)]


def month_states(days: Iterable[datetime.date]) -> dict[datetime.date, MonthState]:
    """The state of each month of `days` (keyed by first day), in one query: a page of records (the review queue)
    says which of them lie in a closed month without asking month by month."""
    months = {first_day(day) for day in days}
    states = dict.fromkeys(months, MonthState.OPEN)
    if not months:
        return states
    rows = ClosedMonth.objects.filter(month__in=months).values_list("month", "is_closed", "closing_job__status")
    for month, is_closed, job_status in rows:
        if job_status in CLOSING_STATUSES:
            states[month] = MonthState.CLOSING
        elif is_closed:
            states[month] = MonthState.CLOSED
    return states


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
    months = sorted({first_day(day) for day in days or (record.month_date,) if day is not None})
    for month in months:  # in order: two writes never wait for each other's months
        lock_month(month, exclusive=False)
    states = {month: month_state(month) for month in months}
    refusal = month_refusal(states, record, by, action, step)
    if refusal is not None:
        raise refusal
    if MonthState.CLOSED not in states.values():
        return
    record.changed_after_closing = True
