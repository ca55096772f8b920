"""The API derives a record type's fields from its model (core.api.records.RecordSerializer): a field added to the
model is answered and accepted with no serializer to edit, typed as API.md writes fields (codes, P-codes, counts
capped at 1,000,000, dates, amounts as numbers)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.test.utils import isolate_apps
from rest_framework import serializers

from activities.api.serializers import AssistanceSerializer, SessionSerializer
from alerts.api.serializers import AlertSerializer
from beneficiaries.api.serializers import HouseholdSerializer, MovementSerializer
from core.api.fields import CodeField, CodeListField, CountryCodeField, PlaceField, record_field
from core.api.records import RecordSerializer, RecordSerializerMixin
from core.models import AlertEventType, AlertNeed, User
from core.records import MAX_COUNT, PeopleCounts, ReviewedRecord, count_validators, editable_field_names
from incidents.api.serializers import GbvReferralSerializer, IncidentSerializer

SERIALIZERS: list[type[RecordSerializer]] = [
    IncidentSerializer,
    GbvReferralSerializer,
    HouseholdSerializer,
    MovementSerializer,
    AssistanceSerializer,
    SessionSerializer,
    AlertSerializer,
]
SHARED = set(RecordSerializerMixin._declared_fields)


@pytest.mark.parametrize("serializer_class", SERIALIZERS, ids=lambda cls: cls.__name__)
def test_a_record_serializer_answers_the_shared_fields_and_every_editable_field_of_its_model(
    serializer_class: type[RecordSerializer],
) -> None:
    model = serializer_class.record_model
    assert model is not None
    fields = serializer_class().fields
    editable = editable_field_names(model)

    # The shared fields first, then the model's fields in its order.
    names = list(fields.keys())
    assert names[: len(SHARED)] == list(RecordSerializerMixin._declared_fields)
    assert [name for name in names if name in editable] == editable
    # Anything else is declared by the type: what the model does not hold (read-only values, nested rows).
    extras = set(fields) - SHARED - set(editable) - {"total"}
    assert extras <= set(serializer_class._declared_fields)
    assert ("total" in fields) == issubclass(model, PeopleCounts)


def test_the_types_declare_only_the_fields_that_differ_from_the_model() -> None:
    """The hand-written exceptions, each for a reason the serializer gives; every other editable field is derived."""
    declared_model_fields = {
        serializer_class.__name__: sorted(
            set(serializer_class._declared_fields) & set(editable_field_names(serializer_class.record_model))  # type: ignore[arg-type]  # record_model is set on each
        )
        for serializer_class in SERIALIZERS
    }
    assert declared_model_fields == {
        "IncidentSerializer": ["narrative"],  # restricted narrative, null for none
        "GbvReferralSerializer": ["incident", "organisation", "survivor_code"],
        "HouseholdSerializer": ["registration_number"],  # null for none
        "MovementSerializer": [],
        "AssistanceSerializer": ["currency", "households_assisted"],
        "SessionSerializer": [],
        "AlertSerializer": [],
    }


@isolate_apps("alerts")
def test_a_field_added_to_a_record_model_is_in_its_api_with_no_serializer_to_edit() -> None:
    """A throwaway record type (never migrated): every kind of field a record holds is answered and typed by the
    shared mapping, and a new field added to it appears without touching the serializer."""

    class Sighting(PeopleCounts, ReviewedRecord):
        seen_on = models.DateField()
        event_type = models.ForeignKey(AlertEventType, on_delete=models.PROTECT, related_name="+")
        needs = models.ManyToManyField(AlertNeed, blank=True, related_name="+")
        households = models.PositiveIntegerField(null=True, blank=True, validators=count_validators())
        narrative = models.TextField(blank=True)

        class Meta:
            app_label = "alerts"

    class SightingSerializer(RecordSerializer):
        record_model = Sighting

    fields = SightingSerializer().fields
    assert set(fields) == SHARED | set(editable_field_names(Sighting)) | {"total"}
    assert isinstance(fields["place"], PlaceField)
    assert isinstance(fields["event_type"], CodeField)
    assert fields["event_type"].required
    assert isinstance(fields["needs"], CodeListField)
    assert not fields["needs"].required
    households = fields["households"]
    assert isinstance(households, serializers.IntegerField)
    assert (households.max_value, households.allow_null, households.required) == (MAX_COUNT, True, False)
    assert fields["women"].default == 0

    # Adding a field to the model (as a migration would) is all it takes.
    models.DateField(null=True, blank=True).contribute_to_class(Sighting, "ended_on")
    models.CharField(max_length=2, blank=True, default="").contribute_to_class(Sighting, "nationality")
    fields = SightingSerializer().fields
    ended_on = fields["ended_on"]
    assert isinstance(ended_on, serializers.DateField)
    assert (ended_on.required, ended_on.allow_null) == (False, True)
    nationality = fields["nationality"]
    assert isinstance(nationality, serializers.CharField)
    assert nationality.max_length == 2
    assert nationality.allow_blank


@isolate_apps("alerts")
def test_a_field_of_a_kind_the_api_does_not_map_is_said_not_guessed() -> None:
    class Note(models.Model):
        author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
        seen_at = models.DateTimeField()

        class Meta:
            app_label = "alerts"

        def __str__(self) -> str:
            return str(self.pk)

    for name in ("author", "seen_at"):
        model_field = Note._meta.get_field(name)
        assert isinstance(model_field, models.Field)
        with pytest.raises(ImproperlyConfigured):
            record_field(model_field)


def test_a_country_is_an_iso_code_and_null_where_the_model_may_keep_none() -> None:
    fields = MovementSerializer().fields
    assert isinstance(fields["nationality"], CountryCodeField)
    assert fields["nationality"].required
    assert isinstance(fields["origin_country"], CountryCodeField)
    assert fields["origin_country"].allow_null


def test_amounts_are_json_numbers_and_quantities_are_capped() -> None:
    fields: Any = AssistanceSerializer().fields
    assert fields["amount"].coerce_to_string is False
    assert fields["amount"].max_value is None
    assert fields["quantity"].coerce_to_string is False
    assert fields["quantity"].max_value == MAX_COUNT
    assert SessionSerializer().fields["sessions"].min_value == 1  # type: ignore[attr-defined]  # an IntegerField
