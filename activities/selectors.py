"""Reads of assistance events and sessions: the user's scope (core.access decides), and what lists show."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from activities.models import AssistanceEvent, Session
from beneficiaries.models import Household
from core import access
from core.choices import Status
from core.models import User
from core.records import with_relations


def assistance_list(*, user: User) -> QuerySet[AssistanceEvent]:
    """The assistance events this user may read, with the registered households they reached (ids only)."""
    return with_relations(access.records_in_scope(AssistanceEvent.objects.all(), user)).prefetch_related(
        Prefetch("households_assisted", queryset=Household.objects.only("id"))
    )


def session_list(*, user: User) -> QuerySet[Session]:
    """The sessions this user may read."""
    return with_relations(access.records_in_scope(Session.objects.all(), user))


def repeat_assistance(event: AssistanceEvent, *, user: User, days: int | None = None) -> list[str]:
    """Warnings for the registered households of `event` that got the same kind within `days` days (the setting
    VIGIE_REPEAT_ASSISTANCE_DAYS) from another event the user may read. A warning, not an error: a second
    distribution can be planned."""
    days = settings.VIGIE_REPEAT_ASSISTANCE_DAYS if days is None else days
    household_ids = [household.pk for household in event.households_assisted.all()]
    if not household_ids or event.delivered_on is None:
        return []
    window = datetime.timedelta(days=days)
    others = (
        access.records_in_scope(AssistanceEvent.objects.all(), user)
        .filter(
            kind_id=event.kind_id,
            delivered_on__range=(event.delivered_on - window, event.delivered_on + window),
            households_assisted__in=household_ids,
        )
        .exclude(pk=event.pk)
        .exclude(status__in=[Status.ARCHIVED, Status.REJECTED])
        .values_list("pk", "delivered_on", "households_assisted")
        .order_by("households_assisted", "delivered_on", "pk")
    )
    return [
        _(
            "Household #%(household)d already received “%(kind)s” on %(date)s (assistance #%(event)d), "
            "within %(days)d days."
        )
        % {"household": household, "kind": event.kind.label, "date": day.isoformat(), "event": pk, "days": days}
        for pk, day, household in others
    ]
