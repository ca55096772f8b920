"""The incident page's forms: the incident's own fields, its violations and follow-ups (formsets), the place picker.

Forms validate what a person typed; the services (`incidents.services`) save it and apply the workflow's rules.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import access
from core.models import AdminArea, Organisation, PopulationGroup, User, ViolationType
from core.records import PEOPLE_FIELDS
from incidents.models import Incident

Choices = list[tuple[Any, Any]]


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


def grouped_type_choices() -> Choices:
    """Violation types grouped by category, as the protection cluster's mapping lists them (one query)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for violation_type in ViolationType.objects.filter(is_active=True).select_related("category"):
        groups.setdefault(violation_type.category.label, []).append((violation_type.pk, violation_type.label))
    return [("", "---------"), *groups.items()]


def population_group_choices() -> Choices:
    return [("", "---------"), *((group.pk, group.label) for group in PopulationGroup.objects.filter(is_active=True))]


class IncidentForm(forms.ModelForm):
    """The incident's own fields; the place is limited to the user's regions."""

    class Meta:
        model = Incident
        fields = [
            "reported_on",
            "occurred_on",
            "place",
            "locality",
            "location_type",
            "time_of_day",
            "perpetrator",
            "perpetrator_count",
            "source_type",
            "collection_method",
            "credibility",
            "displaced_persons",
            "narrative",
            "urgent",
            "organisation",
        ]
        widgets = {
            "reported_on": DateInput(),
            "occurred_on": DateInput(),
            "narrative": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, user: User, places: Sequence[AdminArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place = self.fields["place"]
        place.queryset = AdminArea.objects.filter(pk__in=[item.pk for item in places])
        # Choices from the list already read: no second query for the select.
        place.choices = [("", "---------"), *((item.pk, place_label(item)) for item in places)]
        place.error_messages["invalid_choice"] = _("Choose a place of your regions from the list.")
        if access.is_admin(user):
            self.fields["organisation"].queryset = Organisation.objects.filter(is_active=True)
            self.fields["organisation"].required = False
            self.fields["organisation"].help_text = _("Leave empty for your own organisation.")
        else:
            # Only admins enter records for another organisation; the service sets the user's own.
            del self.fields["organisation"]
        for name in ("reported_on", "occurred_on"):
            self.fields[name].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        today = timezone.localdate()
        reported_on: datetime.date | None = cleaned.get("reported_on")
        occurred_on: datetime.date | None = cleaned.get("occurred_on")
        if reported_on and reported_on > today:
            self.add_error("reported_on", _("This date is in the future."))
        if occurred_on and occurred_on > today:
            self.add_error("occurred_on", _("This date is in the future."))
        elif occurred_on and reported_on and occurred_on > reported_on:
            self.add_error("occurred_on", _("The incident cannot have happened after the day it was reported."))
        return cleaned

    def _post_clean(self) -> None:
        # The service runs the model's checks once the region and author are set; skip Django's early copy of them.
        pass


class CountField(forms.IntegerField):
    """A number of people: left empty, it is 0 (nobody of that group)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=0, initial=0, required=False, **kwargs)

    def to_python(self, value: Any) -> int:
        number = super().to_python(value)
        return 0 if number is None else number


class ViolationForm(forms.Form):
    """One violation: its type, the population group touched and the people by sex and age."""

    type = forms.ModelChoiceField(label=_("Violation"), queryset=ViolationType.objects.all())
    population_group = forms.ModelChoiceField(label=_("Population group"), queryset=PopulationGroup.objects.all())
    women = CountField(label=_("Women"))
    girls = CountField(label=_("Girls"))
    men = CountField(label=_("Men"))
    boys = CountField(label=_("Boys"))
    unknown = CountField(label=_("Sex or age unknown"))
    with_disability = CountField(label=_("Of whom with a disability"))

    def __init__(self, *args: Any, type_choices: Choices, group_choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices read once per page and shared by every row (one query, not one per row).
        self.fields["type"].choices = type_choices
        self.fields["population_group"].choices = group_choices
        for name in (*PEOPLE_FIELDS, "with_disability"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "class": "count"})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        people = [cleaned.get(name) or 0 for name in PEOPLE_FIELDS]
        if not any(name in self.errors for name in PEOPLE_FIELDS) and sum(people) <= 0:
            raise ValidationError(_("Count at least one person (women, girls, men, boys or unknown)."))
        if (cleaned.get("with_disability") or 0) > sum(people):
            self.add_error("with_disability", _("More people with a disability than people counted."))
        return cleaned


class FollowUpForm(forms.Form):
    """An action taken after the incident."""

    done_on = forms.DateField(label=_("Date"), widget=DateInput())
    action_taken = forms.CharField(label=_("Action taken"), max_length=300)
    referred_to = forms.CharField(label=_("Referred to"), max_length=200, required=False)
    done_by = forms.CharField(label=_("By whom"), max_length=200, required=False)


ViolationFormSet = forms.formset_factory(ViolationForm, extra=1, can_delete=True)
FollowUpFormSet = forms.formset_factory(FollowUpForm, extra=1, can_delete=True)


def kept_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The rows a person filled in and did not remove, as the services take them."""
    rows = []
    for index, form in enumerate(formset.forms):
        # A saved row left as it was stays; a blank row added for typing is ignored.
        blank_extra = index >= formset.initial_form_count() and not form.has_changed()
        if blank_extra or form.cleaned_data.get("DELETE"):
            continue
        rows.append({key: value for key, value in form.cleaned_data.items() if key != "DELETE"})
    return rows


def violation_initial(incident: Incident) -> list[dict[str, Any]]:
    return [
        {
            "type": violation.type_id,
            "population_group": violation.population_group_id,
            "with_disability": violation.with_disability,
            **violation.people(),
        }
        for violation in incident.violations.all()
    ]


def follow_up_initial(incident: Incident) -> list[dict[str, Any]]:
    return [
        {
            "done_on": follow_up.done_on,
            "action_taken": follow_up.action_taken,
            "referred_to": follow_up.referred_to,
            "done_by": follow_up.done_by,
        }
        for follow_up in incident.follow_ups.all()
    ]


class StepForm(forms.Form):
    """A workflow step's fields as the detail page and the queue post them."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    duplicate_of = forms.IntegerField(label=_("Duplicate of incident number"), required=False, min_value=1)


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Add a comment"), widget=forms.Textarea(attrs={"rows": 3}))
