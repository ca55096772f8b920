"""Flash alerts: an event that needs a rapid response (an attack on a village, a mass displacement, a flood),
raised for coordination. Every user whose regions include the alert's region reads it, whatever their organisation
(`shared_in_region`); only the raising organisation acts on it; otherwise it is a record like every other one
(workflow, history, locking, closed months)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AlertEventType, AlertNeed
from core.records import PeopleCounts, ReviewedRecord, count_validators, date_errors


class FlashAlert(ReviewedRecord, PeopleCounts):
    """An alert raised on a day about an event at a place: its type, the estimated households and persons affected
    by sex and age, the needs, and whether (by whom, when) a response was triggered."""

    reported_on = models.DateField(_("date raised"))
    occurred_on = models.DateField(_("date of the event"))
    event_type = models.ForeignKey(
        AlertEventType, verbose_name=_("event type"), on_delete=models.PROTECT, related_name="+"
    )
    households = models.PositiveIntegerField(
        _("estimated households affected"), null=True, blank=True, validators=count_validators()
    )
    needs = models.ManyToManyField(AlertNeed, verbose_name=_("needs"), blank=True, related_name="+")
    response_triggered = models.BooleanField(_("response triggered"), default=False)
    response_by = models.CharField(
        _("responding organisation"), max_length=200, blank=True, help_text=_("Who triggered the response.")
    )
    response_on = models.DateField(_("date of the response"), null=True, blank=True)
    narrative = models.TextField(_("narrative"), blank=True)

    month_field = "reported_on"
    record_type = "alerts"
    shared_in_region = True

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("flash alert")
        verbose_name_plural = _("flash alerts")
        indexes = [
            # The supervisor queue: status + region, urgent first, then the oldest submission.
            models.Index(fields=["status", "region", "-urgent", "submitted_at"], name="alerts_queue"),
            # The monthly figures of the whole operation (no region to lead with): the month's verified records and
            # its records waiting for review (reports.figures, pending_review), by status + month.
            models.Index(fields=["status", "reported_on"], name="alerts_status_month"),
            # The list and the monthly figures: region + month.
            models.Index(fields=["region", "reported_on"], name="alerts_region_month"),
            # A closed month's figures say how many of its records changed after closing
            # (reports.publishing: changed_after_closing + the month): the few flagged rows, by month.
            models.Index(
                fields=["reported_on"],
                condition=models.Q(changed_after_closing=True),
                name="alerts_changed_after_close",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.reported_on} {self.event_type_id and self.event_type.code}"

    def clean(self) -> None:
        errors = date_errors(self, "reported_on", "occurred_on", "response_on")
        if (
            "occurred_on" not in errors
            and self.occurred_on
            and self.reported_on
            and self.occurred_on > self.reported_on
        ):
            errors["occurred_on"] = str(_("The event cannot have happened after the day the alert was raised."))
        if not self.response_triggered and (self.response_by or self.response_on):
            errors["response_triggered"] = str(
                _("Tick “response triggered” to say who responded and when, or leave both empty.")
            )
        if (
            "response_on" not in errors
            and self.response_on
            and self.occurred_on
            and self.response_on < self.occurred_on
        ):
            errors["response_on"] = str(_("The response cannot come before the event."))
        if errors:
            raise ValidationError(errors)

    def snapshot(self) -> dict[str, str]:
        values = super().snapshot()
        values["needs"] = ", ".join(sorted(need.code for need in self.needs.all()))
        return values
