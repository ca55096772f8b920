"""Protection incidents: an event at a place, the violations it caused to people, and what was done after."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import (
    CollectionMethod,
    LocationType,
    PerpetratorCategory,
    PopulationGroup,
    SourceType,
    ViolationType,
)
from core.records import PeopleCounts, ReviewedRecord
from incidents.choices import Credibility, TimeOfDay


class Incident(ReviewedRecord):
    """A protection incident as a monitor documents it: when and where it happened, who is alleged to have done
    it, how it became known, and one or more violations with the people they touched."""

    reported_on = models.DateField(
        _("date reported"), help_text=_("The day the incident was documented (the interview), not the day typed in.")
    )
    occurred_on = models.DateField(_("date of the incident"), null=True, blank=True)
    perpetrator = models.ForeignKey(
        PerpetratorCategory,
        verbose_name=_("alleged perpetrator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    perpetrator_count = models.PositiveIntegerField(_("number of perpetrators"), null=True, blank=True)
    source_type = models.ForeignKey(
        SourceType, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    collection_method = models.ForeignKey(
        CollectionMethod,
        verbose_name=_("collection method"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    credibility = models.CharField(_("credibility"), max_length=12, choices=Credibility.choices, blank=True)
    time_of_day = models.CharField(_("time of day"), max_length=12, choices=TimeOfDay.choices, blank=True)
    locality = models.CharField(_("locality (village or site)"), max_length=200, blank=True)
    location_type = models.ForeignKey(
        LocationType, verbose_name=_("location type"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    displaced_persons = models.PositiveIntegerField(_("persons displaced by the incident"), null=True, blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        editable=False,
    )

    month_field = "reported_on"
    record_type = "incidents"

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("protection incident")
        verbose_name_plural = _("protection incidents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(occurred_on__isnull=True) | models.Q(occurred_on__lte=models.F("reported_on")),
                name="%(app_label)s_%(class)s_occurred_before_reported",
            )
        ]
        indexes = [
            # The supervisor queue: status + region, urgent first, then the oldest submission.
            models.Index(fields=["status", "region", "-urgent", "submitted_at"], name="incidents_queue"),
            # The list and the monthly figures: region + month.
            models.Index(fields=["region", "reported_on"], name="incidents_region_month"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.reported_on} {self.place.name}"

    def clean(self) -> None:
        today = timezone.localdate()
        errors = {}
        if self.reported_on and self.reported_on > today:
            errors["reported_on"] = _("This date is in the future.")
        if self.occurred_on and self.occurred_on > today:
            errors["occurred_on"] = _("This date is in the future.")
        elif self.occurred_on and self.reported_on and self.occurred_on > self.reported_on:
            errors["occurred_on"] = _("The incident cannot have happened after the day it was reported.")
        if errors:
            raise ValidationError(errors)

    def has_sexual_violence(self) -> bool:
        return any(violation.type.sexual_violence for violation in self.violations.all())

    def snapshot(self) -> dict[str, str]:
        values = super().snapshot()
        values["violations"] = "; ".join(violation.summary() for violation in self.violations.all())
        values["follow_ups"] = "; ".join(str(follow_up) for follow_up in self.follow_ups.all())
        return values


class Violation(PeopleCounts):
    """One violation of an incident: its type, the population group it touched, and the people it touched by
    sex and age (for a collective violation, the persons affected)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="violations")
    type = models.ForeignKey(ViolationType, verbose_name=_("violation"), on_delete=models.PROTECT, related_name="+")
    population_group = models.ForeignKey(
        PopulationGroup, verbose_name=_("population group"), on_delete=models.PROTECT, related_name="+"
    )
    with_disability = models.PositiveIntegerField(_("of whom with a disability"), default=0)

    class Meta:
        ordering = ["incident", "id"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(women__gt=0)
                | models.Q(girls__gt=0)
                | models.Q(men__gt=0)
                | models.Q(boys__gt=0)
                | models.Q(unknown__gt=0),
                name="%(app_label)s_%(class)s_at_least_one_person",
            )
        ]

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        counts = ", ".join(f"{name} {value}" for name, value in self.people().items() if value)
        return f"{self.type.code} ({self.population_group.code}: {counts})"


class FollowUp(models.Model):
    """An action taken after the incident: assistance given, a referral made, and by whom."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="follow_ups")
    done_on = models.DateField(_("date"))
    action_taken = models.CharField(_("action taken"), max_length=300)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    done_by = models.CharField(_("by whom"), max_length=200, blank=True)

    class Meta:
        ordering = ["incident", "done_on", "id"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")

    def __str__(self) -> str:
        return f"{self.done_on}: {self.action_taken}"
