from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from beneficiaries.models import Household, Movement, Person
from core.filtersets import RecordFilterSet, date_after, date_before
from core.models import PopulationGroup

ISO_CODE_LENGTH = 2  # a country as ISO 3166-1 alpha-2: ML, BF, NE


class HouseholdFilterSet(RecordFilterSet):
    """Filters of the household list page and of `/api/v1/households/`; `q` searches the declared fields
    (registration number, head's name) and the names of members."""

    registered_on_after = date_after("registered_on")
    registered_on_before = date_before("registered_on")
    population_group = django_filters.ModelChoiceFilter(
        label=_("Population group"), queryset=PopulationGroup.objects.all(), to_field_name="code"
    )
    registration_number = django_filters.CharFilter(label=_("Registration number"), lookup_expr="iexact")
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("registered_on", "registered_on"),
            ("registration_number", "registration_number"),
            ("id", "id"),
            ("status", "status"),
        ),
        field_labels={
            "registered_on": _("Date registered"),
            "registration_number": _("Registration number"),
            "id": _("Number"),
            "status": _("Status"),
        },
    )

    class Meta:
        model = Household
        fields = ["region", "status", "organisation", "month", "population_group", "registration_number"]

    # Exists, not a join: a household with two matching members is still listed once.
    def search_condition(self, value: str) -> Q:
        member = Person.objects.filter(household=OuterRef("pk"), full_name__icontains=value)
        return super().search_condition(value) | Q(Exists(member))


class MovementFilterSet(RecordFilterSet):
    """Filters of the mixed-movement list and of `/api/v1/movements/`; `q` searches the declared fields (the place)
    and countries by code or name (nationality, origin, destination)."""

    identified_on_after = date_after("identified_on")
    identified_on_before = date_before("identified_on")
    nationality = django_filters.ChoiceFilter(label=_("Nationality"), choices=lambda: list(countries))
    origin_country = django_filters.ChoiceFilter(label=_("Country of origin"), choices=lambda: list(countries))
    destination_country = django_filters.ChoiceFilter(label=_("Intended destination"), choices=lambda: list(countries))
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("identified_on", "identified_on"), ("id", "id"), ("status", "status")),
        field_labels={"identified_on": _("Date identified"), "id": _("Number"), "status": _("Status")},
    )

    class Meta:
        model = Movement
        fields = ["region", "status", "organisation", "month", "nationality", "origin_country", "destination_country"]

    def search_condition(self, value: str) -> Q:
        codes = {code for code, country_name in countries if value.lower() in str(country_name).lower()}
        if len(value) == ISO_CODE_LENGTH:
            codes.add(value.upper())
        condition = super().search_condition(value)
        for field in ("nationality", "origin_country", "destination_country"):
            condition |= Q(**{f"{field}__in": sorted(codes)})
        return condition
