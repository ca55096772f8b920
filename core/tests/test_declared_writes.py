"""Writes derive from the model, with no list to keep: the forms enter every editable field, the services save
what the form or serializer validated (a field the model does not have is an error, never dropped), and the
model's own rules run where the values are typed or sent."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError

from activities import services as activity_services
from activities.forms import AssistanceForm, SessionForm
from activities.models import AssistanceEvent, Session
from alerts.forms import AlertForm
from alerts.models import FlashAlert
from beneficiaries import services as beneficiary_services
from beneficiaries.forms import HouseholdForm, MovementForm
from beneficiaries.models import Household, Movement
from beneficiaries.tests.factories import MovementFactory
from core.models import AdminArea, AssistanceKind, PopulationGroup, ViolationType
from core.record_forms import places_for
from core.records import ReviewedRecord, check_model_rules, editable_field_names, record_types
from incidents import services as incident_services
from incidents.forms import GbvReferralForm, IncidentForm
from incidents.models import GbvReferral, Incident

FORMS: dict[type[ReviewedRecord], type[forms.ModelForm[Any]]] = {
    Incident: IncidentForm,
    GbvReferral: GbvReferralForm,
    Household: HouseholdForm,
    Movement: MovementForm,
    AssistanceEvent: AssistanceForm,
    Session: SessionForm,
    FlashAlert: AlertForm,
}


def test_every_record_type_has_its_form_here() -> None:
    assert {record_type.model for record_type in record_types()} == set(FORMS)


@pytest.mark.parametrize("model", list(FORMS), ids=lambda model: model.__name__)
def test_a_record_form_enters_every_editable_field_of_its_model(model: type[ReviewedRecord]) -> None:
    form_class = FORMS[model]
    assert form_class._meta.fields == editable_field_names(model)
    assert set(editable_field_names(model)) <= set(form_class.base_fields)


def test_the_workflow_and_the_services_own_fields_are_not_editable() -> None:
    for record_type in record_types():
        assert not {"status", "created_by", "region", "version"} & record_type.editable_fields()
    assert "narrative_restricted" not in editable_field_names(Incident)


def _incident_fields(**extra: Any) -> dict[str, Any]:
    return {"reported_on": datetime.date(2021, 12, 2), "place": AdminArea.objects.get(pcode="ML0701"), **extra}


def _violation(**extra: Any) -> dict[str, Any]:
    return {
        "type": ViolationType.objects.filter(sexual_violence=False).first(),
        "population_group": PopulationGroup.objects.first(),
        "women": 1,
        **extra,
    }


@pytest.mark.parametrize(
    "extra",
    [{"registration_numbers": "A-1"}, {"status": "verified"}, {"narrative_restricted": True}],
    ids=["a form-only field", "the workflow's status", "a field the services set"],
)
def test_a_service_refuses_a_field_the_model_does_not_let_it_set(
    people: SimpleNamespace, extra: dict[str, Any]
) -> None:
    with pytest.raises(TypeError):
        incident_services.incident_create(
            by=people.monitor, fields=_incident_fields(**extra), violations=[_violation()]
        )
    assert not Incident.objects.exists()


def test_a_child_row_with_a_field_its_model_does_not_have_is_refused(people: SimpleNamespace) -> None:
    with pytest.raises(TypeError):
        incident_services.incident_create(
            by=people.monitor, fields=_incident_fields(), violations=[_violation(collective=True)]
        )
    assert not Incident.objects.exists()


def test_a_field_the_model_has_is_saved_with_no_list_to_name_it(people: SimpleNamespace) -> None:
    """Every editable field reaches the record: here each of a movement's, and an admin's organisation."""
    movement = beneficiary_services.movement_create(
        by=people.admin,
        fields={
            "identified_on": datetime.date(2021, 12, 3),
            "place": AdminArea.objects.get(pcode="ML0701"),
            "nationality": "NE",
            "origin_country": "NE",
            "destination_country": "DZ",
            "girls": 3,
            "unaccompanied_children": 1,
            "separated_children": 1,
            "specific_needs": 2,
            "urgent": True,
            "organisation": people.partner_monitor.organisation,
        },
    )
    saved = Movement.objects.get(pk=movement.pk)
    assert (saved.destination_country, saved.specific_needs, saved.urgent) == ("DZ", 2, True)
    assert saved.organisation == people.partner_monitor.organisation


def test_the_model_rules_read_the_saved_values_for_what_is_not_sent(people: SimpleNamespace) -> None:
    movement = MovementFactory(created_by=people.monitor, girls=1, boys=0, unknown=0)
    with pytest.raises(ValidationError) as error:
        check_model_rules(Movement, {"unaccompanied_children": 2}, movement)
    assert "separated_children" in error.value.message_dict
    check_model_rules(Movement, {"unaccompanied_children": 1}, movement)


def test_the_model_rules_take_the_defaults_for_what_a_new_record_is_not_sent(db: None) -> None:
    check_model_rules(Movement, {"identified_on": datetime.date(2021, 12, 3)})
    with pytest.raises(ValidationError) as error:
        check_model_rules(AssistanceEvent, {"delivered_on": datetime.date(2021, 12, 3)})
    assert "households" in error.value.message_dict


def test_a_form_shows_the_model_rules_with_its_own_errors(people: SimpleNamespace) -> None:
    """An amount with no currency is the model's rule; the form says it at once, with a missing kind."""
    form = AssistanceForm(
        {"delivered_on": "2021-12-01", "place": AdminArea.objects.get(pcode="ML0701").pk, "women": 5, "amount": "10"},
        user=people.monitor,
        places=places_for(people.monitor),
    )
    assert not form.is_valid()
    assert set(form.errors) == {"kind", "currency"}


def test_an_incident_form_checks_its_dates_through_the_model(people: SimpleNamespace) -> None:
    form = IncidentForm(
        {"reported_on": "2021-12-01", "occurred_on": "2021-12-05", "place": AdminArea.objects.get(pcode="ML0701").pk},
        user=people.monitor,
        places=places_for(people.monitor),
    )
    assert not form.is_valid()
    assert form.errors["occurred_on"] == ["The incident cannot have happened after the day it was reported."]


def test_the_page_removes_its_form_only_field_before_the_service(people: SimpleNamespace) -> None:
    form = AssistanceForm(
        {
            "delivered_on": "2021-12-01",
            "place": AdminArea.objects.get(pcode="ML0701").pk,
            "kind": AssistanceKind.objects.get(code="cash").pk,
            "women": 5,
            "amount": "250000",
            "currency": "xof",
            "registration_numbers": "",
        },
        user=people.monitor,
        places=places_for(people.monitor),
    )
    assert form.is_valid(), form.errors
    event = activity_services.assistance_create(by=people.monitor, fields=form.cleaned_data)
    assert (event.amount, event.currency) == (Decimal("250000"), "XOF")
