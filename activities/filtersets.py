from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from activities.models import AssistanceEvent, Session
from core.filtersets import RecordFilterSet, date_after, date_before
from core.models import AssistanceKind, PopulationGroup, Sector, SessionKind


def _code_filter(label, queryset) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(label=label, queryset=queryset, to_field_name="code")


class AssistanceFilterSet(RecordFilterSet):
    """Filters of the assistance list page and of `/api/v1/assistance/`."""

    delivered_on_after = date_after("delivered_on")
    delivered_on_before = date_before("delivered_on")
    kind = _code_filter(_("Kind"), AssistanceKind.objects.all())
    sector = _code_filter(_("Sector"), Sector.objects.all())
    population_group = _code_filter(_("Population group"), PopulationGroup.objects.all())
    household = django_filters.NumberFilter(
        label=_("Registered household (number)"), field_name="households_assisted", distinct=True
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("delivered_on", "delivered_on"), ("id", "id"), ("status", "status")),
        field_labels={"delivered_on": _("Date delivered"), "id": _("Number"), "status": _("Status")},
    )

    class Meta:
        model = AssistanceEvent
        fields = ["region", "status", "organisation", "month", "kind", "sector", "population_group"]


class SessionFilterSet(RecordFilterSet):
    """Filters of the session list page and of `/api/v1/sessions/`."""

    held_on_after = date_after("held_on")
    held_on_before = date_before("held_on")
    kind = _code_filter(_("Kind"), SessionKind.objects.all())
    sector = _code_filter(_("Sector"), Sector.objects.all())
    population_group = _code_filter(_("Population group"), PopulationGroup.objects.all())
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("held_on", "held_on"), ("id", "id"), ("status", "status")),
        field_labels={"held_on": _("Date held"), "id": _("Number"), "status": _("Status")},
    )

    class Meta:
        model = Session
        fields = ["region", "status", "organisation", "month", "kind", "sector", "population_group"]
