"""The filters every record list shares (API.md): `q`, region, status, organisation, month, date range, ordering.

A record type subclasses `RecordFilterSet` and adds its own filters (type, kind, …); the month filter reads the
model's month field and `q` the record type's declaration (RecordType.search_fields). The same filterset serves the
HTML list, which shows every filter in the order declared here, and the API, as NetBox does.
"""

from __future__ import annotations

import datetime
import re
from collections import OrderedDict
from typing import Any, TypeVar

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.choices import Status
from core.inputs import whole_number
from core.models import AdminArea, Organisation
from core.records import record_type_of

_M = TypeVar("_M", bound=Model)

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
# API.md: a date or month before 1900 or after 2100 is a 400 (and the month after the last one still exists).
FIRST_MONTH, LAST_MONTH = datetime.date(1900, 1, 1), datetime.date(2100, 12, 1)


def parse_month(value: object) -> datetime.date:
    """'2022-03' → 1 March 2022; anything else, or a month before 1900-01 or after 2100-12, is a ValidationError."""
    match = _MONTH.fullmatch(value) if isinstance(value, str) else None
    if not match or int(match.group(2)) not in range(1, 13):
        raise ValidationError(_("Enter a month as YYYY-MM, e.g. 2022-03."))
    year = int(match.group(1))
    if not FIRST_MONTH.year <= year <= LAST_MONTH.year:
        raise ValidationError(_("Give a month between 1900-01 and 2100-12."))
    return datetime.date(year, int(match.group(2)), 1)


def month_bounds(first_day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first day of the month and the first day of the next one."""
    following = (first_day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first_day, following


class MonthField(forms.CharField):
    def clean(self, value: str | None) -> datetime.date | None:
        value = super().clean(value)
        return parse_month(value) if value else None


@extend_schema_field(OpenApiTypes.STR)
class MonthFilter(django_filters.Filter):
    field_class = MonthField

    def filter(self, queryset: QuerySet[_M], value: datetime.date | None) -> QuerySet[_M]:
        if not value:
            return queryset
        start, end = month_bounds(value)
        return queryset.filter(**{f"{self.field_name}__gte": start, f"{self.field_name}__lt": end})


class RecordFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=AdminArea.objects.filter(level=1),
        to_field_name="pcode",
        field_name="region",
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=Organisation.objects.all(), to_field_name="code"
    )
    month = MonthFilter(label=_("Month (YYYY-MM)"))

    @classmethod
    def get_filters(cls) -> OrderedDict[str, django_filters.Filter]:
        """The filters in the order they are declared, the shared ones first and `ordering` last: the order the
        list page shows them in (django-filter puts those named in Meta.fields first, a base class's reversed)."""
        filters = super().get_filters()
        return OrderedDict(sorted(filters.items(), key=lambda item: (item[0] == "ordering", item[1].creation_counter)))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model = self._meta.model  # type: ignore[attr-defined]  # FilterSetMetaclass sets _meta; the stubs omit it
        self.filters["month"].field_name = model.month_field

    def searched_fields(self) -> tuple[str, ...]:
        """The lookups `q` searches: the record type's declaration."""
        model = self._meta.model  # type: ignore[attr-defined]  # as above
        return record_type_of(model).search_fields

    def search_condition(self, value: str) -> Q:
        """A record matches when one of the searched fields contains `value`, or when it is the record's number."""
        condition = Q()
        for field in self.searched_fields():
            condition |= Q(**{f"{field}__icontains": value})
        number = whole_number(value.removeprefix("#"))
        if number is not None:
            condition |= Q(pk=number)
        return condition

    def search(self, queryset: QuerySet[_M], name: str, value: str) -> QuerySet[_M]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(self.search_condition(value))


# API.md: a date before 1900 or after 2100 is a 400, in a filter as in a record.
_DATE_RANGE = [
    MinValueValidator(FIRST_MONTH, message=_("Give a date between 1900-01-01 and 2100-12-31.")),
    MaxValueValidator(datetime.date(2100, 12, 31), message=_("Give a date between 1900-01-01 and 2100-12-31.")),
]


def date_after(month_field: str) -> django_filters.DateFilter:
    """`<month field>_after`: on or after this date (API.md)."""
    return django_filters.DateFilter(
        field_name=month_field, lookup_expr="gte", label=_("From (inclusive)"), validators=_DATE_RANGE
    )


def date_before(month_field: str) -> django_filters.DateFilter:
    """`<month field>_before`: on or before this date (API.md)."""
    return django_filters.DateFilter(
        field_name=month_field, lookup_expr="lte", label=_("To (inclusive)"), validators=_DATE_RANGE
    )
