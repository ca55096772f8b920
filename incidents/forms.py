"""The incident page's forms: the incident's own fields, its violations and follow-ups (formsets), the place picker.

Forms validate what a person typed; the services (`incidents.services`) save it and apply the workflow's rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import access, record_forms
from core.access import Family
from core.models import AdminArea, GbvService, PopulationGroup, User, ViolationType
from core.record_forms import DateInput, RecordForm
from core.records import PEOPLE_FIELDS
from incidents.choices import ServiceStatus
from incidents.models import GbvReferral, Incident, check_survivor_code

Choices = list[tuple[Any, Any]]


def grouped_type_choices() -> Choices:
    """Violation types grouped by category, as the protection cluster's mapping lists them (one query)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for violation_type in ViolationType.objects.filter(is_active=True).select_related("category"):
        groups.setdefault(violation_type.category.label, []).append((violation_type.pk, violation_type.label))
    return [("", "---------"), *groups.items()]


def population_group_choices() -> Choices:
    return [("", "---------"), *((group.pk, group.label) for group in PopulationGroup.objects.filter(is_active=True))]


class IncidentForm(RecordForm):
    """The incident's own fields (every editable field of the model); its violations and follow-ups are formsets.
    A restricted narrative is left out for who may not read it."""

    date_fields = ("reported_on", "occurred_on")

    class Meta:
        model = Incident
        widgets = {"narrative": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, user: User, places: Sequence[AdminArea], **kwargs: Any) -> None:
        super().__init__(*args, user=user, places=places, **kwargs)
        if self.instance.pk and self.instance.narrative_hidden_from(user):
            # A restricted narrative is neither shown nor posted: the rest of the incident is edited without it.
            del self.fields["narrative"]


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
        cast(forms.ChoiceField, self.fields["type"]).choices = type_choices
        cast(forms.ChoiceField, self.fields["population_group"]).choices = group_choices
        for name in (*PEOPLE_FIELDS, "with_disability"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "class": "count"})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
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
kept_rows = record_forms.kept_rows


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


class StepForm(record_forms.StepForm):
    """The shared step fields, and for rejecting an incident, the incident it repeats."""

    duplicate_of = forms.IntegerField(label=_("Duplicate of incident number"), required=False, min_value=1)


CommentForm = record_forms.CommentForm


# --- GBV referrals: a survivor code, never a name (there is no name field anywhere).


class GbvReferralForm(RecordForm):
    """A referral's own fields (every editable field of the model); its services are a formset. Consent is withdrawn
    on the referral's page, which also clears free text, so a consent given is not untaken here."""

    date_fields = ("reported_on", "incident_date")
    incident = forms.ModelChoiceField(
        label=_("Protection incident number"),
        queryset=Incident.objects.none(),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "short"}),
        help_text=_("Where the referral follows a protection incident: its number, e.g. 1234."),
        error_messages={"invalid_choice": _("No incident with this number in your scope.")},
    )

    class Meta:
        model = GbvReferral
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 4}),
            "age": forms.NumberInput(attrs={"inputmode": "numeric", "class": "short"}),
        }
        help_texts = {"urgent": _("Puts the referral first in the focal points' review queue.")}

    def __init__(self, *args: Any, user: User, places: Sequence[AdminArea], **kwargs: Any) -> None:
        super().__init__(*args, user=user, places=places, **kwargs)
        code = self.fields["survivor_code"]
        code.validators.append(check_survivor_code)
        code.widget.attrs.update({"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"})
        code.help_text = _("A code, never a name: e.g. %(example)s.") % {
            "example": settings.VIGIE_SURVIVOR_CODE_EXAMPLE
        }
        cast("forms.ModelChoiceField[Incident]", self.fields["incident"]).queryset = access.records_in_scope(
            Incident.objects.all(), user, Family.GENERAL
        )
        self.fields["consent_to_referral"].help_text = _("Without it, no service can be referred.")
        self.fields["consent_to_reporting"].help_text = _("Without it, the referral is left out of shared figures.")
        if self.instance.pk:
            # Withdrawing a consent clears free text too: that is the referral page's "Withdraw consent".
            for name in ("consent_to_referral", "consent_to_reporting"):
                if getattr(self.instance, name):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("To withdraw consent, use “Withdraw consent” on the referral.")

    def clean_survivor_code(self) -> str:
        return (self.cleaned_data.get("survivor_code") or "").strip().upper()


class ServiceReferralForm(forms.Form):
    """One service the survivor is referred to, followed until it is provided."""

    service = forms.ModelChoiceField(label=_("Service"), queryset=GbvService.objects.all())
    organisation = forms.CharField(label=_("Receiving organisation"), max_length=200, required=False)
    referred_on = forms.DateField(label=_("Date referred"), widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=ServiceStatus.choices, initial=ServiceStatus.PENDING)
    provided_on = forms.DateField(label=_("Date provided"), required=False, widget=DateInput())
    follow_up_on = forms.DateField(label=_("Follow-up date"), required=False, widget=DateInput())
    notes = forms.CharField(
        label=_("Follow-up notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args: Any, service_choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read once per page and shared by every row.
        cast(forms.ChoiceField, self.fields["service"]).choices = service_choices


ServiceReferralFormSet = forms.formset_factory(ServiceReferralForm, extra=1, can_delete=True)


def service_choices() -> Choices:
    return [("", "---------"), *((item.pk, item.label) for item in GbvService.objects.filter(is_active=True))]


def service_rows(referral: GbvReferral) -> list[dict[str, Any]]:
    """The referral's services as the formset and `gbv_referral_update` take them."""
    return [
        {
            "service": item.service,
            "organisation": item.organisation,
            "referred_on": item.referred_on,
            "status": item.status,
            "provided_on": item.provided_on,
            "follow_up_on": item.follow_up_on,
            "notes": item.notes,
        }
        for item in referral.services.all()
    ]


class MarkProvidedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    provided_on = forms.DateField(label=_("Date provided"), widget=DateInput())


class WithdrawConsentForm(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    withdraw_reporting = forms.BooleanField(
        label=_("Also withdraw consent to be counted in shared statistics"), required=False
    )
