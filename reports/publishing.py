"""Closed months: the published figures stored when a month closes, and which figures a request gets.

A month's figures are published for every scope a user can have: the whole operation ("all"), each region,
and each set of regions some user works in — in English and French, since labels follow the reader's
language. A closed month answers its published figures; `current=true` gives today's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.access import aggregate_scope
from core.choices import AdminLevel
from core.errors import ConflictError
from core.models import AdminArea, ClosedMonth, MonthLog, Organisation, User
from reports.figures import RECORD_MODELS, _model, monthly_figures


@dataclass(frozen=True)
class Regions:
    """A scope by regions alone, standing in for a user when figures are published for every scope."""

    pcodes: frozenset[str]

    def region_pcodes(self) -> frozenset[str]:
        return self.pcodes


def scope_key(regions: frozenset[str]) -> str:
    return ",".join(sorted(regions)) or "all"


def request_scope_key(user: User, region: AdminArea | None) -> str:
    return region.pcode if region is not None else scope_key(user.region_pcodes())


def is_closed(month: datetime.date) -> bool:
    return ClosedMonth.objects.filter(month=month, is_closed=True).exists()


def _changed_since_closing(user: User, month: datetime.date, region: AdminArea | None) -> bool:
    end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    for label in RECORD_MODELS.values():
        model = _model(label)
        if model is None:
            continue
        records = aggregate_scope(model.objects.all(), user).filter(
            changed_after_closing=True, **{f"{model.month_field}__gte": month, f"{model.month_field}__lt": end}
        )
        if region is not None:
            records = records.filter(region=region)
        if records.exists():
            return True
    return False


def figures_for(
    *,
    user: User,
    month: datetime.date,
    region: AdminArea | None = None,
    organisation: Organisation | None = None,
    current: bool = False,
) -> dict[str, Any]:
    closed = ClosedMonth.objects.filter(month=month, is_closed=True).first()
    published = None
    if closed is not None and not current and organisation is None:
        language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
        published = closed.published.get(language, closed.published.get("en", {})).get(request_scope_key(user, region))
    figures = (
        dict(published)
        if published
        else monthly_figures(user=user, month=month, region=region, organisation=organisation)
    )
    return {
        **figures,
        "closed": closed is not None,
        "changed_since_closing": closed is not None and _changed_since_closing(user, month, region),
        "suppressed": False,
    }


def publication_scopes() -> list[frozenset[str]]:
    """Every scope a reader can ask for: all regions, each region, each multi-region set of an active user."""
    regions = [
        frozenset({pcode})
        for pcode in AdminArea.objects.filter(level=AdminLevel.REGION).values_list("pcode", flat=True)
    ]
    user_sets = {
        user.region_pcodes()
        for user in User.objects.filter(is_active=True).prefetch_related("regions")
        if len(user.region_pcodes()) > 1
    }
    return [frozenset(), *regions, *sorted(user_sets, key=sorted)]


def publish(month: datetime.date, progress=lambda done, total: None) -> dict[str, dict[str, Any]]:
    """The figures of the month for every scope and language, as they stand now."""
    scopes = publication_scopes()
    published: dict[str, dict[str, Any]] = {}
    steps = len(scopes) * len(settings.LANGUAGES)
    done = 0
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            published[language] = {}
            for regions in scopes:
                region = AdminArea.objects.get(pcode=next(iter(regions))) if len(regions) == 1 else None
                published[language][scope_key(regions)] = monthly_figures(
                    user=Regions(regions), month=month, region=region
                )
                done += 1
                progress(done, steps)
    return published


@transaction.atomic
def close_month(month: datetime.date, *, by: User, published: dict[str, Any], note: str = "") -> ClosedMonth:
    closed, _created = ClosedMonth.objects.select_for_update().get_or_create(month=month)
    closed.is_closed, closed.closed_at, closed.closed_by = True, timezone.now(), by
    closed.note, closed.published = note, published
    closed.save()
    MonthLog.objects.create(month=month, action=MonthLog.Action.CLOSED, by=by, reason=note)
    return closed


@transaction.atomic
def reopen_month(month: datetime.date, *, by: User, reason: str) -> ClosedMonth:

    if not reason.strip():
        raise ValidationError({"reason": _("Say why the month is reopened.")})
    closed = ClosedMonth.objects.select_for_update().filter(month=month, is_closed=True).first()
    if closed is None:
        raise ConflictError(_("This month is not closed."))
    closed.is_closed = False
    closed.save(update_fields=["is_closed"])
    MonthLog.objects.create(month=month, action=MonthLog.Action.REOPENED, by=by, reason=reason.strip())
    return closed
