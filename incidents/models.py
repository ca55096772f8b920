"""Protection incidents: an event at a place, the violations it caused to people, and what was done after."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core import access
from core.access import Family
from core.models import (
    CollectionMethod,
    GbvIncidentType,
    GbvService,
    LocationType,
    PerpetratorCategory,
    PopulationGroup,
    SourceType,
    User,
    ViolationType,
)
from core.records import ADULT_AGE, PeopleCounts, ReviewedRecord, count_validators, date_errors
from incidents.choices import CaseStatus, Credibility, ServiceStatus, Sex, TimeOfDay


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
    perpetrator_count = models.PositiveIntegerField(
        _("number of perpetrators"), null=True, blank=True, validators=count_validators()
    )
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
    displaced_persons = models.PositiveIntegerField(
        _("persons displaced by the incident"), null=True, blank=True, validators=count_validators()
    )
    narrative = models.TextField(_("narrative"), blank=True)
    # Set when a sexual-violence type is first saved on the incident; it stays when that violation is removed,
    # and only a GBV focal point lifts it (services.incident_lift_narrative_restriction).
    narrative_restricted = models.BooleanField(
        _("narrative restricted"),
        default=False,
        help_text=_("Set when a sexual-violence type is saved on the incident; only a GBV focal point lifts it."),
        editable=False,  # the services set it, never a form or serializer
    )
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

    # Set by the list page from the prefetched violations (IncidentPages.list_facts), not stored.
    people_total: int
    type_labels: list[str]

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
            # The monthly figures of the whole operation (no region to lead with): the month's verified records and
            # its records waiting for review (reports.figures, pending_review), by status + month.
            models.Index(fields=["status", "reported_on"], name="incidents_status_month"),
            # The list and the monthly figures: region + month.
            models.Index(fields=["region", "reported_on"], name="incidents_region_month"),
            # The list's default order (newest first, then the number): a page is read from the index, filtered
            # rows (a violation type's EXISTS) checked as they come, never all sorted (issue 14).
            models.Index(fields=["reported_on", "id"], name="incidents_list_order"),
            # The list filtered by region and status (the API's region + status), newest first.
            models.Index(fields=["region", "status", "reported_on"], name="incidents_region_status_month"),
            # The review queue's possible duplicates: each record's region, two days around its event's date
            # (selectors.possible_duplicates: EVENT_DATE).
            models.Index(
                models.F("region"), Coalesce("occurred_on", "reported_on"), name="incidents_region_event_date"
            ),
            # A closed month's figures say how many of its records changed after closing
            # (reports.publishing: changed_after_closing + the month): the few flagged rows, by month.
            models.Index(
                fields=["reported_on"],
                condition=models.Q(changed_after_closing=True),
                name="incidents_changed_after_close",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.reported_on} {self.place.name}"

    def clean(self) -> None:
        errors = date_errors(self, "reported_on", "occurred_on", event_before=("occurred_on", "reported_on"))
        if errors:
            raise ValidationError(errors)

    def has_sexual_violence(self) -> bool:
        return any(violation.type.sexual_violence for violation in self.violations.all())

    def narrative_hidden_from(self, user: User) -> bool:
        """Whether this user may not read (nor search, nor change) the narrative: the stored flag decides, never
        the current violations; core.access says who reads restricted narratives."""
        return self.narrative_restricted and not access.may_read_restricted_narrative(user)

    def hidden_history_fields(self, user: User) -> frozenset[str]:
        return frozenset({"narrative"}) if self.narrative_hidden_from(user) else frozenset()

    def snapshot(self) -> dict[str, str]:
        values = super().snapshot()
        # Not editable, but the services set and lift it: the history says when.
        values["narrative_restricted"] = str(self.narrative_restricted)
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
    with_disability = models.PositiveIntegerField(
        _("of whom with a disability"), default=0, validators=count_validators()
    )

    class Meta:
        ordering = ["incident", "id"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        indexes = [
            # The incident list's `type` filter, EXISTS (a violation of this type for the incident): one index probe
            # per incident, and the count a semi-join on the type's violations (IncidentFilterSet.with_violation).
            models.Index(fields=["type", "incident"], name="incidents_violation_type"),
        ]
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


# API.md's rule for every operation: 3 to 32 letters, digits and - _ / . with at least one digit (GAO-22-0001,
# IRC/2022/17). A name has spaces or no digit; the setting VIGIE_SURVIVOR_CODE_PATTERN may only narrow this.
SURVIVOR_CODE_RULE = re.compile(r"(?=.*[0-9])[A-Za-z0-9/._-]{3,32}", re.ASCII)


def check_survivor_code(value: str) -> None:
    value = value or ""
    if not SURVIVOR_CODE_RULE.fullmatch(value) or not re.fullmatch(settings.VIGIE_SURVIVOR_CODE_PATTERN, value):
        raise ValidationError(
            _(
                "Use a survivor code, e.g. %(example)s: 3 to 32 letters, digits and - _ / . with at least one digit"
                " — never a name."
            ),
            params={"example": settings.VIGIE_SURVIVOR_CODE_EXAMPLE},
            code="survivor_code",
        )


class GbvReferral(ReviewedRecord):
    """A GBV survivor referred to services: a code (never a name), sex and age, the GBVIMS incident type, the
    survivor's two consents, and each service referred to, followed until it is provided."""

    survivor_code = models.CharField(
        _("survivor code"), max_length=40, validators=[check_survivor_code], help_text=_("A code, never a name.")
    )
    reported_on = models.DateField(_("date reported"))
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    age = models.PositiveSmallIntegerField(
        _("age"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(120)],
        help_text=_("Whole years; empty if unknown."),
    )
    population_group = models.ForeignKey(
        PopulationGroup,
        verbose_name=_("population group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    incident_type = models.ForeignKey(
        GbvIncidentType, verbose_name=_("GBV incident type"), on_delete=models.PROTECT, related_name="+"
    )
    incident_date = models.DateField(
        _("date of the incident"),
        null=True,
        blank=True,
        help_text=_("Where known: post-exposure care is needed within 72 hours."),
    )
    consent_to_referral = models.BooleanField(_("consents to be referred"))
    consent_to_reporting = models.BooleanField(_("consents to be counted in shared statistics"))
    incident = models.ForeignKey(
        Incident,
        verbose_name=_("protection incident"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gbv_referrals",
    )
    notes = models.TextField(_("notes"), blank=True)
    case_status = models.CharField(
        _("case status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN, editable=False
    )
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)

    family = Family.GBV
    month_field = "reported_on"
    record_type = "gbv-referrals"

    # Set by the list page from the prefetched services (GbvReferralPages.list_facts), not stored.
    service_list: list[ServiceReferral]
    open_services: int

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("GBV referral")
        verbose_name_plural = _("GBV referrals")
        indexes = [
            # The focal points' queue and list: status + region, by month.
            models.Index(fields=["status", "region", "reported_on"], name="incidents_gbv_status_region"),
            # The monthly figures of the whole operation (no region to lead with): the month's verified records and
            # its records waiting for review (reports.figures, pending_review), by status + month.
            models.Index(fields=["status", "reported_on"], name="incidents_gbv_status_month"),
            # A closed month's figures say how many of its records changed after closing
            # (reports.publishing: changed_after_closing + the month): the few flagged rows, by month.
            models.Index(
                fields=["reported_on"],
                condition=models.Q(changed_after_closing=True),
                name="incidents_gbv_changed_after",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.survivor_code}"

    def clean(self) -> None:
        errors = date_errors(self, "reported_on", "incident_date", event_before=("incident_date", "reported_on"))
        if errors:
            raise ValidationError(errors)

    def people_group(self) -> str:
        """The people-count group this survivor counts in (female 18+ = women, …; unknown sex or age = unknown)."""
        if self.age is None or self.sex == Sex.UNKNOWN:
            return "unknown"
        adult = self.age >= ADULT_AGE
        if self.sex == Sex.FEMALE:
            return "women" if adult else "girls"
        return "men" if adult else "boys"

    def snapshot(self) -> dict[str, str]:
        values = super().snapshot()
        values["services"] = "; ".join(str(service) for service in self.services.all())
        return values


class ServiceReferral(models.Model):
    """One service a survivor was referred to: which, to whom, when, and where it stands."""

    referral = models.ForeignKey(GbvReferral, on_delete=models.CASCADE, related_name="services")
    service = models.ForeignKey(GbvService, verbose_name=_("service"), on_delete=models.PROTECT, related_name="+")
    organisation = models.CharField(_("receiving organisation"), max_length=200, blank=True)
    referred_on = models.DateField(_("date referred"))
    status = models.CharField(_("status"), max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.PENDING)
    provided_on = models.DateField(_("date provided"), null=True, blank=True)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    notes = models.TextField(_("follow-up notes"), blank=True)
    overdue_notified_on = models.DateField(null=True, blank=True, editable=False)

    days_overdue: int  # set by the follow-up board (views.gbv_follow_up_board), not stored

    class Meta:
        ordering = ["referral", "referred_on", "id"]
        verbose_name = _("service referral")
        verbose_name_plural = _("service referrals")
        # The follow-up board: services still pending whose follow-up date has passed.
        indexes = [models.Index(fields=["status", "follow_up_on"], name="incidents_service_follow_up")]

    def __str__(self) -> str:
        return f"{self.service.code} → {self.organisation or '—'} ({self.status})"
