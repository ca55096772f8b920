"""Reads of flash alerts: the user's scope (core.access decides: every organisation of the user's regions)."""

from __future__ import annotations

from django.db.models import QuerySet

from alerts.models import FlashAlert
from core import access
from core.models import User
from core.records import with_relations


def alert_list(*, user: User) -> QuerySet[FlashAlert]:
    """The flash alerts this user may read, with what the pages and the API show."""
    return with_relations(access.records_in_scope(FlashAlert.objects.all(), user))
