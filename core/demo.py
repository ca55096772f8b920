"""Demo data loaders: each record app registers one; `manage.py load_demo` runs them in order.

`core` imports none of the record apps, so they add themselves here from their AppConfig.ready().
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.choices import Status
from core.models import RecordEvent

if TYPE_CHECKING:
    from core.models import User
    from core.records import ReviewedRecord

DemoLoader = Callable[[Callable[[str], None]], None]  # takes a function that prints a line

_loaders: list[tuple[int, str, DemoLoader]] = []


def register(name: str, loader: DemoLoader, order: int = 100) -> None:
    if all(existing != name for _order, existing, _loader in _loaders):
        _loaders.append((order, name, loader))
        _loaders.sort(key=lambda entry: entry[0])


def loaders() -> list[tuple[str, DemoLoader]]:
    return [(name, loader) for _order, name, loader in _loaders]


# The loader that closes and publishes the demo year (reports registers it): `load_demo --keep-open` leaves it out.
CLOSED_MONTHS = "closed months"


# The demo year ends on the month its report shows; November is the month before.
NOVEMBER, DECEMBER = 11, 12
# The demo's twelve months of that year are closed and published (reports.demo). The next year's first months are
# open: January nearly done, February under way, with records in every status, so the queues have work.
OPEN_YEAR = 2022
JANUARY, FEBRUARY = 1, 2


def seeded(seed: int) -> random.Random:
    """The random draws of a demo loader: seeded, so that every load gives the same records and figures."""
    return random.Random(seed)  # noqa: S311  reproducible demo data, never a secret


def chance(rng: random.Random, probability: float) -> bool:
    """One draw that comes out true with the given probability."""
    return rng.random() < probability


def write_history(records: Sequence[ReviewedRecord]) -> None:
    """The history lines each demo record's status implies — created, submitted, then verified, returned or
    rejected — dated when they happened, in one bulk insert."""

    events: list[RecordEvent] = []
    for record in records:
        content_type = ContentType.objects.get_for_model(record)
        submitted = record.submitted_at or _moment(record.month_date or timezone.localdate())
        steps: list[tuple[str, User | None, str, str, str, datetime.datetime]] = [
            ("created", record.created_by, "", "", "", submitted)
        ]
        # An archived record went through its steps up to the status it had, then was archived a day later.
        status = (record.status_before_archive or Status.DRAFT) if record.status == Status.ARCHIVED else record.status
        if status != Status.DRAFT:
            steps.append(("submitted", record.created_by, Status.DRAFT, Status.SUBMITTED, "", submitted))
        if status in (Status.VERIFIED, Status.RETURNED, Status.REJECTED) and record.reviewed_by_id:
            steps.append(
                (
                    status,
                    record.reviewed_by,
                    Status.SUBMITTED,
                    status,
                    record.review_note,
                    record.reviewed_at or submitted,
                )
            )
        if record.status == Status.ARCHIVED:
            archived = steps[-1][-1] + datetime.timedelta(days=1)
            steps.append(("archived", record.created_by, status, Status.ARCHIVED, "", archived))
        events.extend(
            RecordEvent(
                content_type=content_type,
                object_id=record.pk,
                action=action,
                actor=actor,
                from_status=from_status,
                to_status=to_status,
                comment=comment,
                at=at,
            )
            for action, actor, from_status, to_status, comment, at in steps
        )
    RecordEvent.objects.bulk_create(events, batch_size=2000)


def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
