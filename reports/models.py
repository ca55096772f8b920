"""Figures the operation publishes that are not computed from records: population of concern and funding.

Entered by admins per date, stored exactly as published (never recomputed): the December 2021 update prints
a gap of 26,063,434 although requested − funded = 26,063,734.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import PopulationGroup


class PopulationFigure(models.Model):
    """Persons of concern of one group, from one source, as of a date (e.g. IDPs, Government/DNDS)."""

    as_of = models.DateField(_("as of"))
    population_group = models.ForeignKey(
        PopulationGroup, verbose_name=_("population group"), on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField(
        _("label in the report"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to use the population group's name."),
    )
    source = models.CharField(_("source"), max_length=120)
    persons = models.PositiveIntegerField(_("persons"))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )

    class Meta:
        ordering = ["-as_of", "sort_order", "id"]
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        constraints = [
            models.UniqueConstraint(
                fields=["as_of", "population_group", "source"], name="%(app_label)s_%(class)s_one_per_date_group_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.as_of} {self.population_group.code} {self.persons}"

    @property
    def display_label(self) -> str:
        return self.label or self.population_group.label


class FundingFigure(models.Model):
    """The operation's funding as of a date: requested, funded and the gap, as published."""

    as_of = models.DateField(_("as of"), unique=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    requested = models.DecimalField(_("requested"), max_digits=14, decimal_places=0)
    funded = models.DecimalField(_("funded"), max_digits=14, decimal_places=0)
    gap = models.DecimalField(_("gap (as published)"), max_digits=14, decimal_places=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )

    class Meta:
        ordering = ["-as_of"]
        verbose_name = _("funding figure")
        verbose_name_plural = _("funding figures")

    def __str__(self) -> str:
        return f"{self.as_of} {self.currency} {self.requested}"

    @property
    def funded_pct(self) -> int:
        return round(100 * self.funded / self.requested) if self.requested else 0

    @property
    def gap_pct(self) -> int:
        return round(100 * self.gap / self.requested) if self.requested else 0


class DonorContribution(models.Model):
    """Funding received from one donor, part of a funding figure."""

    funding = models.ForeignKey(FundingFigure, on_delete=models.CASCADE, related_name="contributions")
    donor = models.CharField(_("donor"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=0)

    class Meta:
        ordering = ["funding", "-amount", "donor"]
        verbose_name = _("donor contribution")
        verbose_name_plural = _("donor contributions")

    def __str__(self) -> str:
        return f"{self.donor}: {self.amount}"


class Publication(models.Model):
    """What viewers may read of a closed month, decided once when it closes: the tallies as published and the
    quantities suppressed across every answer (reports.suppression)."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    tallies = models.JSONField(_("published tallies"), default=list, blank=True)
    hidden = models.JSONField(_("suppressed quantities"), default=list, blank=True)
    protected = models.BooleanField(
        _("no suppressed value can be worked out"),
        default=True,
        help_text=_("False when the suppression could not protect every hidden value (see the logs)."),
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


# --- monthly figure cells: the additive numbers of the incident and violation figures (reports.rollup)
#
# One cell is a month x region x organisation. Its rows hold what the verified incidents of that cell add to the
# monthly figures; every scope's figures (the whole operation, a user's regions, a region, an organisation) are
# sums of cells. They are written in the transaction of every change that moves them (reports.rollup, from the
# records' save and delete signals) by recounting the cell from the records, never by adding to it, and
# `manage.py check_figures` recounts every cell to prove them equal. Keyed by codes: labels are added at read.


class FigureCell(models.Model):
    """What one cell's rows share: the month (its first day), the region and the organisation of the records."""

    month = models.DateField(_("month"))
    region = models.ForeignKey("core.AdminArea", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class IncidentCell(FigureCell):
    """The verified incidents reported in a month, region and organisation, and how many of them occurred in an
    earlier month."""

    incidents = models.PositiveIntegerField(_("incidents"))
    occurred_earlier = models.PositiveIntegerField(_("occurred in an earlier month"))

    class Meta:
        ordering = ["month", "region", "organisation"]
        # Its index (month first) is the one the figures read: a window of months, every region or some.
        constraints = [
            models.UniqueConstraint(
                fields=["month", "region", "organisation"], name="%(app_label)s_%(class)s_one_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.region_id} {self.organisation_id}: {self.incidents}"


class ViolationTypeCell(FigureCell):
    """The violations of one type on a cell's verified incidents: their people by sex and age and the incidents with
    such a violation (the figures count the people, or for a collective type the incidents: reports.figures).
    `category_code` and `collective` are the type's when the cell was counted; changing them in the reference list
    recounts every cell (reports.rollup)."""

    type_code = models.CharField(_("violation type"), max_length=64)
    category_code = models.CharField(_("violation category"), max_length=64)
    collective = models.BooleanField(_("collective"))
    incidents = models.PositiveIntegerField(_("incidents"))
    women = models.PositiveIntegerField(_("women"))
    girls = models.PositiveIntegerField(_("girls"))
    men = models.PositiveIntegerField(_("men"))
    boys = models.PositiveIntegerField(_("boys"))
    unknown = models.PositiveIntegerField(_("sex or age unknown"))

    class Meta:
        ordering = ["month", "region", "organisation", "type_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "region", "organisation", "type_code"], name="%(app_label)s_%(class)s_one_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.region_id} {self.organisation_id} {self.type_code}: {self.incidents}"


class ViolationCategoryCell(FigureCell):
    """The incidents of a cell with at least one violation of a category (an incident with two types of the
    category is one): the `incidents` of a category row, which the type cells cannot give."""

    category_code = models.CharField(_("violation category"), max_length=64)
    incidents = models.PositiveIntegerField(_("incidents"))

    class Meta:
        ordering = ["month", "region", "organisation", "category_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "region", "organisation", "category_code"],
                name="%(app_label)s_%(class)s_one_per_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.region_id} {self.organisation_id} {self.category_code}: {self.incidents}"
