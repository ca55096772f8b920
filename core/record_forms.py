"""Form pieces every record type's entry page shares: dates, people counts, the place picker, the workflow-step
and comment forms, and the rows kept from a formset.

Forms validate what a person typed; the record's services save it and apply the workflow's rules (the model's
own checks run there, once the region and author are set, so their messages come back keyed by field).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import access
from core.models import AdminArea, Organisation, User
from core.records import PEOPLE_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def places_for(user: User) -> list[AdminArea]:
    """The active places of the user's regions (every region when they have none), parents first.

    One query: the place picker and the single select both read this list.
    """
    places = AdminArea.objects.filter(is_active=True).select_related("parent", "parent__parent").order_by("pcode")
    regions = sorted(access.region_pcodes(user))
    if regions:
        places = places.filter(
            Q(pcode__in=regions) | Q(parent__pcode__in=regions) | Q(parent__parent__pcode__in=regions)
        )
    return list(places)


def place_label(place: AdminArea) -> str:
    """ "Gao › Ansongo › Ouattagouna": the path a person reads in the single select."""
    names = []
    area: AdminArea | None = place
    while area is not None:
        names.append(area.name)
        area = area.parent
    return " › ".join(reversed(names))


def place_picker_data(places: Sequence[AdminArea]) -> list[list[Any]]:
    """[id, parent id, level, name] per place, for the region → cercle → commune picker (static/js)."""
    return [[place.pk, place.parent_id, place.level, place.name] for place in places]


class RecordForm(forms.ModelForm[Any]):
    """A record's own fields: the place limited to the user's regions, the organisation for admins only, dates
    not after today. Subclasses name their `date_fields`; `PEOPLE_FIELDS` present are shown as counts."""

    date_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, user: User, places: Sequence[AdminArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place = cast("forms.ModelChoiceField[Any]", self.fields["place"])  # a ForeignKey's form field
        place.queryset = AdminArea.objects.filter(pk__in=[item.pk for item in places])
        # Choices from the list already read: no second query for the select.
        place.choices = [("", "---------"), *((item.pk, place_label(item)) for item in places)]
        place.error_messages["invalid_choice"] = _("Choose a place of your regions from the list.")
        if "organisation" in self.fields:
            if access.is_admin(user):
                organisation = cast(
                    "forms.ModelChoiceField[Any]", self.fields["organisation"]
                )  # a ForeignKey's form field
                organisation.queryset = Organisation.objects.filter(is_active=True)
                self.fields["organisation"].required = False
                self.fields["organisation"].help_text = _("Leave empty for your own organisation.")
            else:
                # Only admins enter records for another organisation; the service sets the user's own.
                del self.fields["organisation"]
        today = timezone.localdate().isoformat()
        for name in self.date_fields:
            self.fields[name].widget = DateInput()
            self.fields[name].widget.attrs["max"] = today
        for name in PEOPLE_FIELDS:
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].widget.attrs.update({"inputmode": "numeric", "class": "count", "min": 0})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in PEOPLE_FIELDS:
            if name in self.fields and cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = 0  # a count left empty: nobody of that group
        if cleaned.get("organisation", True) is None:
            cleaned.pop("organisation")  # an admin who leaves it empty reports for their own organisation
        return cleaned

    def _post_clean(self) -> None:
        # The service runs the model's checks once the region and author are set; skip Django's early copy of them.
        pass


def people_counted(cleaned: dict[str, Any]) -> int:
    return sum(cleaned.get(name) or 0 for name in PEOPLE_FIELDS)


def kept_rows(formset: forms.BaseFormSet[Any]) -> list[dict[str, Any]]:
    """The rows a person filled in and did not remove, as the services take them."""
    rows = []
    for index, form in enumerate(formset.forms):
        # A saved row left as it was stays; a blank row added for typing is ignored.
        blank_extra = index >= formset.initial_form_count() and not form.has_changed()
        if blank_extra or form.cleaned_data.get("DELETE"):
            continue
        rows.append({key: value for key, value in form.cleaned_data.items() if key != "DELETE"})
    return rows


class StepForm(forms.Form):
    """A workflow step's fields as the detail page and the review queue post them."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Add a comment"), widget=forms.Textarea(attrs={"rows": 3}))
