"""Assistance events (distributions and services of every kind) and sessions (awareness, information, training)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from beneficiaries.models import Household
from core.models import AssistanceKind, PopulationGroup, Sector, SessionKind
from core.records import PEOPLE_FIELDS, PeopleCounts, ReviewedRecord, count_validators, date_errors

CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


class AssistanceEvent(ReviewedRecord, PeopleCounts):
    """Assistance delivered on a day at a place: its kind, sector and population group, the households and persons
    reached by sex and age, a quantity in the kind's unit (shelters, blocks) where that is what is counted, an
    amount and currency for cash, a country where it is tied to one (a return), and optionally the registered
    households it reached."""

    delivered_on = models.DateField(_("date delivered"))
    kind = models.ForeignKey(AssistanceKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    population_group = models.ForeignKey(
        PopulationGroup,
        verbose_name=_("population group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    households = models.PositiveIntegerField(
        _("households reached"), null=True, blank=True, validators=count_validators()
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), *count_validators()],
        help_text=_("In the kind's unit (shelters, blocks…) where that is what is counted."),
    )
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True, help_text=_("ISO code, e.g. XOF, USD."))
    country = CountryField(_("country"), blank=True, help_text=_("Where the event is tied to another country."))
    households_assisted = models.ManyToManyField(
        Household, verbose_name=_("registered households"), blank=True, related_name="assistance_events"
    )

    month_field = "delivered_on"
    record_type = "assistance"

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name = _("assistance event")
        verbose_name_plural = _("assistance events")
        constraints = [
            # Cash is an amount in a currency: one without the other cannot be added up.
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True, currency="")
                | (models.Q(amount__isnull=False) & ~models.Q(currency="")),
                name="%(app_label)s_%(class)s_amount_with_currency",
            )
        ]
        indexes = [
            # The supervisor queue: status + region, urgent first, then the oldest submission.
            models.Index(fields=["status", "region", "-urgent", "submitted_at"], name="activities_assist_queue"),
            # The monthly figures of the whole operation (no region to lead with): the month's verified records and
            # its records waiting for review (reports.figures, pending_review), by status + month.
            models.Index(fields=["status", "delivered_on"], name="activities_asst_status_month"),
            # The list and the monthly figures by kind: region + month.
            models.Index(fields=["region", "delivered_on"], name="activities_asst_region_month"),
            # The repeat-assistance warning: the same kind delivered around a date.
            models.Index(fields=["kind", "delivered_on"], name="activities_assist_kind_date"),
            # A closed month's figures say how many of its records changed after closing
            # (reports.publishing: changed_after_closing + the month): the few flagged rows, by month.
            models.Index(
                fields=["delivered_on"],
                condition=models.Q(changed_after_closing=True),
                name="activities_asst_changed_after",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.delivered_on} {self.kind_id and self.kind.code}"

    def clean(self) -> None:
        errors = date_errors(self, "delivered_on")
        if self.amount is not None and not self.currency:
            errors["currency"] = str(_("Give the currency of the amount."))
        elif self.currency and self.amount is None:
            errors["amount"] = str(_("Give the amount in this currency."))
        elif self.currency and not CURRENCY_CODE.match(self.currency):
            errors["currency"] = str(_("Use a three-letter ISO currency code, e.g. XOF."))
        people = sum(getattr(self, name) or 0 for name in PEOPLE_FIELDS)
        if not (self.households or people or self.quantity):
            errors["households"] = str(_("Say what was reached: households, persons or a quantity."))
        if errors:
            raise ValidationError(errors)

    def snapshot(self) -> dict[str, str]:
        values = super().snapshot()
        values["households_assisted"] = ", ".join(
            f"#{pk}" for pk in sorted(household.pk for household in self.households_assisted.all())
        )
        return values


class Session(ReviewedRecord, PeopleCounts):
    """Sessions held on a day at a place (awareness-raising, information, training, community dialogue): the
    topic, sector and population group, how many sessions the record covers, and the participants by sex and
    age."""

    held_on = models.DateField(_("date held"))
    kind = models.ForeignKey(SessionKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(_("topic"), max_length=300, blank=True)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    population_group = models.ForeignKey(
        PopulationGroup,
        verbose_name=_("population group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sessions = models.PositiveIntegerField(
        _("number of sessions"),
        default=1,
        validators=[MinValueValidator(1), *count_validators()],
        help_text=_("1 or more."),
    )

    month_field = "held_on"
    record_type = "sessions"

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(condition=models.Q(sessions__gte=1), name="%(app_label)s_%(class)s_at_least_one"),
        ]
        indexes = [
            # The supervisor queue: status + region, urgent first, then the oldest submission.
            models.Index(fields=["status", "region", "-urgent", "submitted_at"], name="activities_session_queue"),
            # The monthly figures of the whole operation (no region to lead with): the month's verified records and
            # its records waiting for review (reports.figures, pending_review), by status + month.
            models.Index(fields=["status", "held_on"], name="activities_sess_status_month"),
            # The list and the monthly figures by kind: region + month.
            models.Index(fields=["region", "held_on"], name="activities_sess_region_month"),
            # A closed month's figures say how many of its records changed after closing
            # (reports.publishing: changed_after_closing + the month): the few flagged rows, by month.
            models.Index(
                fields=["held_on"], condition=models.Q(changed_after_closing=True), name="activities_sess_changed_after"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.held_on} {self.topic}"

    def clean(self) -> None:
        errors = date_errors(self, "held_on")
        if self.sessions is not None and self.sessions < 1:
            errors["sessions"] = str(_("A record covers at least one session."))
        if errors:
            raise ValidationError(errors)
