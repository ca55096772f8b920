"""Which database reads go to: the read replica when one is configured (DATABASE_REPLICA_URL), else the primary.

Only reads that may lag the primary by the replica's delay use it, each named where it is made
(`.using(reading_alias())`): exports, tallies, figures of open months. Writes, the review queue and closing read
the primary (Django's default alias), so a person always sees their own change there, and a month is closed on
what the primary holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Model


def reading_alias() -> str:
    """The database alias of reads that may lag: settings.VIGIE_READING_DATABASE ("replica" when
    DATABASE_REPLICA_URL is set, else "default")."""
    alias: str = settings.VIGIE_READING_DATABASE
    return alias


_reading: ContextVar[str | None] = ContextVar("vigie_reading_database", default=None)


@contextmanager
def reading_replica() -> Iterator[None]:
    """Every read inside goes to `reading_alias()` (ReadingRouter), for code that builds its querysets from
    `Model.objects` without an alias (the figures of an open month); writes still go to the primary."""
    token = _reading.set(reading_alias())
    try:
        yield
    finally:
        _reading.reset(token)


class ReadingRouter:
    """Django's database router (settings.DATABASE_ROUTERS): the reads made inside `reading_replica()` go to its
    alias; everything else is left to Django's default (the primary, or a queryset's own `.using()`)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        return _reading.get()


# The first key of Vigie's advisory locks, one per kind, so that no two kinds ever share a lock.
MONTH_LOCKS = 7301  # core.closing: a month's writes (shared) against its closing (exclusive)
CELL_LOCKS = 7302  # reports.rollup: recounting one monthly figure cell


def advisory_locks(kind: int, keys: Iterable[int], *, shared: bool = False) -> None:
    """Hold PostgreSQL advisory locks of one kind until the transaction ends, taken in key order so that two
    transactions never wait for each other. PostgreSQL only: SQLite runs one write transaction at a time."""
    ordered = sorted(set(keys))
    if connection.vendor != "postgresql" or not ordered:
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    calls = ", ".join(f"{function}(%s, %s)" for _key in ordered)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {calls}", [value for key in ordered for value in (kind, key)])  # noqa: S608
