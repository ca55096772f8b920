"""The household and mixed-movement entry forms; the place picker and the shared pieces come from core."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from beneficiaries.choices import Sex
from beneficiaries.models import Household, Movement
from core.models import PopulationGroup
from core.record_forms import RecordForm, people_counted


class HouseholdForm(RecordForm):
    date_fields = ("registered_on",)

    class Meta:
        model = Household
        widgets = {"specific_needs": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        population_group = cast("forms.ModelChoiceField[PopulationGroup]", self.fields["population_group"])
        population_group.queryset = PopulationGroup.objects.filter(is_active=True)


class MemberForm(forms.Form):
    """One member of the household."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_year = forms.IntegerField(
        label=_("Year of birth"), required=False, min_value=1900, max_value=2100, help_text=_("Empty if unknown.")
    )
    is_head = forms.BooleanField(label=_("Head of household"), required=False)
    specific_needs = forms.CharField(label=_("Specific needs"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_year"].widget.attrs["inputmode"] = "numeric"


MemberFormSet = forms.formset_factory(MemberForm, extra=1, can_delete=True)


def member_initial(household: Household) -> list[dict[str, Any]]:
    return [
        {
            "full_name": member.full_name,
            "sex": member.sex,
            "birth_year": member.birth_year,
            "is_head": member.is_head,
            "specific_needs": member.specific_needs,
        }
        for member in household.members.all()
    ]


class MovementForm(RecordForm):
    date_fields = ("identified_on",)

    class Meta:
        model = Movement

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("unaccompanied_children", "separated_children", "specific_needs"):
            self.fields[name].required = False
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "class": "count", "min": 0})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in ("unaccompanied_children", "separated_children", "specific_needs"):
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = 0
        counts_valid = not any(name in self.errors for name in ("women", "girls", "men", "boys", "unknown"))
        if counts_valid and people_counted(cleaned) <= 0:
            raise ValidationError(_("Count at least one person (women, girls, men, boys or unknown)."))
        return cleaned
