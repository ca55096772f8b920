"""Registered households and their members, and mixed-movement identifications."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from beneficiaries.choices import Sex
from core.models import PopulationGroup
from core.records import ADULT_AGE, PEOPLE_FIELDS, PeopleCounts, ReviewedRecord, count_validators, date_errors

EARLIEST_BIRTH_YEAR = 1900
LATEST_BIRTH_YEAR = 2100


class Household(ReviewedRecord):
    """A registered household: its registration number (some have none yet; one seen twice is a likely duplicate,
    never refused), its head, its population group, where it lives, its specific needs and its members. Its people
    counts are derived from the members' sex and birth year, so a household is counted once however much assistance
    it receives."""

    registered_on = models.DateField(_("date registered"))
    registration_number = models.CharField(
        _("registration number"), max_length=40, blank=True, help_text=_("Leave empty if not registered yet.")
    )
    head_name = models.CharField(_("head of household"), max_length=200)
    population_group = models.ForeignKey(
        PopulationGroup,
        verbose_name=_("population group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    specific_needs = models.TextField(_("specific needs"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_households",
        editable=False,
    )

    month_field = "registered_on"
    record_type = "households"

    member_count: int  # set by the list page from the prefetched members (HouseholdPages.list_facts), not stored

    class Meta:
        ordering = ["-registered_on", "-id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        # No unique registration number: refusing a number because another household has it would reveal that
        # household to a user who may not see it. A number seen twice is flagged (selectors.likely_duplicate_…).
        indexes = [
            # Likely duplicates and the assistance form: households by registration number.
            models.Index(fields=["registration_number"], name="beneficiaries_hh_number"),
            # The supervisor queue: status + region, urgent first, then the oldest submission.
            models.Index(fields=["status", "region", "-urgent", "submitted_at"], name="beneficiaries_hh_queue"),
            # The list: region + month of registration.
            models.Index(fields=["region", "registered_on"], name="beneficiaries_hh_region_month"),
            # A closed month's figures say how many of its records changed after closing
            # (reports.publishing: changed_after_closing + the month): the few flagged rows, by month.
            models.Index(
                fields=["registered_on"],
                condition=models.Q(changed_after_closing=True),
                name="beneficiaries_hh_changed_aft",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.registration_number or self.head_name}"

    def clean(self) -> None:
        errors = date_errors(self, "registered_on")
        if errors:
            raise ValidationError(errors)

    def people(self) -> dict[str, int]:
        """The five people counts of the members, their age taken in the year of registration."""
        counts = dict.fromkeys(PEOPLE_FIELDS, 0)
        year = self.registered_on.year if self.registered_on else timezone.localdate().year
        for member in self.members.all():
            counts[member.people_group(year)] += 1
        return counts

    @property
    def total(self) -> int:
        return sum(self.people().values())

    def snapshot(self) -> dict[str, str]:
        values = super().snapshot()
        values["members"] = "; ".join(member.summary() for member in self.members.all())
        # Not editable, but a merge sets it: the merged registration's history says where it went.
        values["merged_into"] = f"#{self.merged_into_id}" if self.merged_into_id else ""
        return values


class Person(models.Model):
    """A member of a registered household: name, sex, birth year (where known), whether they head it, and their
    specific needs."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    full_name = models.CharField(_("full name"), max_length=200)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"),
        null=True,
        blank=True,
        validators=[MinValueValidator(EARLIEST_BIRTH_YEAR), MaxValueValidator(LATEST_BIRTH_YEAR)],
        help_text=_("Empty if unknown."),
    )
    is_head = models.BooleanField(_("head of household"), default=False)
    specific_needs = models.CharField(_("specific needs"), max_length=300, blank=True)

    class Meta:
        ordering = ["household", "-is_head", "id"]
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(is_head=True),
                name="%(app_label)s_%(class)s_one_head_per_household",
            )
        ]
        # Likely duplicates compare persons of the same birth year (then name and cercle).
        indexes = [models.Index(fields=["birth_year"], name="beneficiaries_person_birth")]

    def __str__(self) -> str:
        return self.summary()

    def people_group(self, year: int) -> str:
        """The people-count group of this person in `year` (unknown sex or birth year: unknown)."""
        if self.birth_year is None or self.sex == Sex.UNKNOWN:
            return "unknown"
        adult = year - self.birth_year >= ADULT_AGE
        if self.sex == Sex.FEMALE:
            return "women" if adult else "girls"
        return "men" if adult else "boys"

    def summary(self) -> str:
        head = "*" if self.is_head else ""
        return f"{head}{self.full_name} ({self.sex}, {self.birth_year or '?'})"


class Movement(ReviewedRecord, PeopleCounts):
    """A group of persons on the move identified at a monitoring point: when and where, the group's main
    nationality, where it comes from and wants to go, its people by sex and age, unaccompanied and separated
    children, and persons with specific needs."""

    identified_on = models.DateField(_("date identified"))
    nationality = CountryField(_("nationality"), help_text=_("The group's main nationality."))
    origin_country = CountryField(_("country of origin"), blank=True)
    destination_country = CountryField(_("intended destination"), blank=True)
    unaccompanied_children = models.PositiveIntegerField(
        _("unaccompanied children"), default=0, validators=count_validators()
    )
    separated_children = models.PositiveIntegerField(_("separated children"), default=0, validators=count_validators())
    specific_needs = models.PositiveIntegerField(
        _("persons with specific needs"), default=0, validators=count_validators()
    )

    month_field = "identified_on"
    record_type = "movements"

    class Meta:
        ordering = ["-identified_on", "-id"]
        verbose_name = _("mixed-movement identification")
        verbose_name_plural = _("mixed-movement identifications")
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
        indexes = [
            # The supervisor queue: status + region, urgent first, then the oldest submission.
            models.Index(fields=["status", "region", "-urgent", "submitted_at"], name="beneficiaries_mov_queue"),
            # The monthly figures of the whole operation (no region to lead with): the month's verified records and
            # its records waiting for review (reports.figures, pending_review), by status + month.
            models.Index(fields=["status", "identified_on"], name="beneficiaries_mov_status_month"),
            # The list and the monthly figures: region + month.
            models.Index(fields=["region", "identified_on"], name="beneficiaries_mov_region_month"),
            # A closed month's figures say how many of its records changed after closing
            # (reports.publishing: changed_after_closing + the month): the few flagged rows, by month.
            models.Index(
                fields=["identified_on"],
                condition=models.Q(changed_after_closing=True),
                name="beneficiaries_mov_changed_aft",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.identified_on} {self.nationality}"

    def clean(self) -> None:
        errors = date_errors(self, "identified_on")
        people = [getattr(self, name) or 0 for name in PEOPLE_FIELDS]
        # Children may hide among the unknowns (age not known); never more than girls, boys and unknowns.
        children = (self.girls or 0) + (self.boys or 0) + (self.unknown or 0)
        if (self.unaccompanied_children or 0) + (self.separated_children or 0) > children:
            errors["separated_children"] = str(_("More unaccompanied and separated children than children counted."))
        if (self.specific_needs or 0) > sum(people):
            errors["specific_needs"] = str(_("More persons with specific needs than persons counted."))
        if errors:
            raise ValidationError(errors)
