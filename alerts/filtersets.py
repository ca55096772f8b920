from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from alerts.models import FlashAlert
from core.filtersets import RecordFilterSet, date_after, date_before
from core.models import AlertEventType, AlertNeed


class AlertFilterSet(RecordFilterSet):
    """Filters of the flash alert list page and of `/api/v1/alerts/`."""

    reported_on_after = date_after("reported_on")
    reported_on_before = date_before("reported_on")
    event_type = django_filters.ModelChoiceFilter(
        label=_("Event type"), queryset=AlertEventType.objects.all(), to_field_name="code"
    )
    need = django_filters.ModelChoiceFilter(
        label=_("Need"), queryset=AlertNeed.objects.all(), to_field_name="code", field_name="needs", distinct=True
    )
    response_triggered = django_filters.BooleanFilter(label=_("Response triggered"))
    urgent = django_filters.BooleanFilter(label=_("Urgent"))
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("reported_on", "reported_on"), ("occurred_on", "occurred_on"), ("id", "id"), ("status", "status")),
        field_labels={
            "reported_on": _("Date raised"),
            "occurred_on": _("Date of the event"),
            "id": _("Number"),
            "status": _("Status"),
        },
    )

    class Meta:
        model = FlashAlert
        fields = ["region", "status", "organisation", "month", "event_type"]
