"""The assistance and session entry forms; the place picker and the shared pieces come from core."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activities.models import AssistanceEvent, Session
from beneficiaries import selectors as beneficiaries_selectors
from beneficiaries.models import Household
from core.choices import Status
from core.models import AssistanceKind, PopulationGroup, Sector, SessionKind, User
from core.record_forms import RecordForm

_NUMBER_SEPARATORS = re.compile(r"[\s,;]+")


def _active_reference_lists(form: forms.ModelForm) -> None:
    cast("forms.ModelChoiceField[Sector]", form.fields["sector"]).queryset = Sector.objects.filter(is_active=True)
    cast(
        "forms.ModelChoiceField[PopulationGroup]", form.fields["population_group"]
    ).queryset = PopulationGroup.objects.filter(is_active=True)


class HouseholdChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, household: Household) -> str:
        # The head's name first: typing it in the list jumps to the household.
        number = household.registration_number or _("no number")
        return f"{household.head_name} · {number} · #{household.pk}"


class AssistanceForm(RecordForm):
    """An assistance event; the registered households it reached are chosen from the user's scope, in the list or
    by registration number."""

    date_fields = ("delivered_on",)
    households_assisted = HouseholdChoiceField(
        label=_("Registered households reached"),
        queryset=Household.objects.none(),
        required=False,
        help_text=_("Optional. Hold Ctrl (or ⌘) to choose several."),
    )
    registration_numbers = forms.CharField(
        label=_("Or their registration numbers"),
        required=False,
        help_text=_("Separated by commas or spaces."),
    )

    class Meta:
        model = AssistanceEvent

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        kind = cast("forms.ModelChoiceField[AssistanceKind]", self.fields["kind"])
        kind.queryset = AssistanceKind.objects.filter(is_active=True)
        _active_reference_lists(self)
        self.in_scope = (
            beneficiaries_selectors.household_list(user=user)
            .prefetch_related(None)
            .exclude(status__in=[Status.ARCHIVED, Status.REJECTED])
        )
        households = cast(HouseholdChoiceField, self.fields["households_assisted"])
        households.queryset = self.in_scope.order_by("head_name", "pk")
        households.widget.attrs["size"] = 8
        self.fields["households"].widget.attrs["inputmode"] = "numeric"

    def clean_currency(self) -> str:
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        numbers = [item for item in _NUMBER_SEPARATORS.split(cleaned.get("registration_numbers") or "") if item]
        if numbers:
            matching = Q()
            for number in numbers:
                matching |= Q(registration_number__iexact=number)
            found = {item.registration_number.upper(): item for item in self.in_scope.filter(matching)}
            missing = [number for number in numbers if number.upper() not in found]
            if missing:
                self.add_error(
                    "registration_numbers",
                    _("No household with this registration number in your scope: %(numbers)s")
                    % {"numbers": ", ".join(missing)},
                )
            chosen = {household.pk: household for household in cleaned.get("households_assisted") or []}
            chosen.update({household.pk: household for household in found.values()})
            cleaned["households_assisted"] = list(chosen.values())
        # Read into the households chosen: not a field of the event, so not among the values it is saved with.
        cleaned.pop("registration_numbers", None)
        return cleaned


class SessionForm(RecordForm):
    date_fields = ("held_on",)

    class Meta:
        model = Session

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = cast("forms.ModelChoiceField[SessionKind]", self.fields["kind"])
        kind.queryset = SessionKind.objects.filter(is_active=True)
        _active_reference_lists(self)
        self.fields["sessions"].widget.attrs.update({"inputmode": "numeric", "min": 1})
