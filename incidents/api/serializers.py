from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import access
from core.api.records import RecordSerializerMixin, django_errors_to_drf
from core.models import (
    AdminArea,
    CollectionMethod,
    LocationType,
    Organisation,
    PerpetratorCategory,
    PopulationGroup,
    SourceType,
    ViolationType,
)
from core.records import PEOPLE_FIELDS
from incidents import services
from incidents.choices import Credibility, TimeOfDay
from incidents.models import Incident
from incidents.selectors import show_narrative

UNKNOWN_CODE = _("Unknown code “{value}”.")


def code_field(queryset, slug_field: str = "code", **kwargs: Any) -> serializers.SlugRelatedField:
    """A reference given by its code (API.md: codes are the `code` columns of the reference lists)."""
    kwargs.setdefault("error_messages", {"does_not_exist": UNKNOWN_CODE})
    return serializers.SlugRelatedField(slug_field=slug_field, queryset=queryset, **kwargs)


class PeopleCountsSerializer(serializers.Serializer):
    women = serializers.IntegerField(min_value=0, default=0)
    girls = serializers.IntegerField(min_value=0, default=0)
    men = serializers.IntegerField(min_value=0, default=0)
    boys = serializers.IntegerField(min_value=0, default=0)
    unknown = serializers.IntegerField(min_value=0, default=0)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if sum(attrs.get(name, 0) for name in PEOPLE_FIELDS) <= 0:
            raise serializers.ValidationError(_("Count at least one person."))
        return attrs


class ViolationSerializer(PeopleCountsSerializer):
    type = code_field(ViolationType.objects.all())
    population_group = code_field(PopulationGroup.objects.all())
    with_disability = serializers.IntegerField(min_value=0, default=0)
    collective = serializers.BooleanField(source="type.collective", read_only=True)


class FollowUpSerializer(serializers.Serializer):
    done_on = serializers.DateField()
    action_taken = serializers.CharField(max_length=300)
    referred_to = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    done_by = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class IncidentSerializer(RecordSerializerMixin, serializers.Serializer):
    """An incident as API.md writes it: codes for references, people counts per violation."""

    place = code_field(AdminArea.objects.filter(is_active=True), slug_field="pcode")
    organisation = code_field(Organisation.objects.all(), required=False)
    reported_on = serializers.DateField()
    occurred_on = serializers.DateField(required=False, allow_null=True)
    perpetrator = code_field(PerpetratorCategory.objects.all(), required=False, allow_null=True)
    perpetrator_count = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    source_type = code_field(SourceType.objects.all(), required=False, allow_null=True)
    collection_method = code_field(CollectionMethod.objects.all(), required=False, allow_null=True)
    credibility = serializers.ChoiceField(Credibility.choices, required=False, allow_blank=True)
    time_of_day = serializers.ChoiceField(TimeOfDay.choices, required=False, allow_blank=True)
    locality = serializers.CharField(max_length=200, required=False, allow_blank=True)
    location_type = code_field(LocationType.objects.all(), required=False, allow_null=True)
    displaced_persons = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    narrative = serializers.CharField(required=False, allow_blank=True)
    urgent = serializers.BooleanField(required=False)
    violations = ViolationSerializer(many=True, required=True)
    follow_ups = FollowUpSerializer(many=True, required=False)
    duplicate_of = serializers.IntegerField(source="duplicate_of_id", read_only=True)

    def validate_place(self, place: AdminArea) -> AdminArea:
        if not access.may_place_record(self.context["request"].user, place.region.pcode):
            raise serializers.ValidationError(_("This place is outside your regions."))
        return place

    def validate_violations(self, violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not violations:
            raise serializers.ValidationError(_("Record at least one violation."))
        return violations

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        # The date rules live on the model; check them on the values the record will have.
        probe = Incident(
            reported_on=attrs.get("reported_on", getattr(self.instance, "reported_on", None)),
            occurred_on=attrs.get("occurred_on", getattr(self.instance, "occurred_on", None)),
        )
        try:
            probe.clean()
        except DjangoValidationError as error:
            raise django_errors_to_drf(error) from error
        return attrs

    def to_representation(self, incident: Incident) -> dict[str, Any]:
        data = super().to_representation(incident)
        if not show_narrative(self.context["request"].user, incident):
            data["narrative"] = None
            data["narrative_restricted"] = True
        return data

    def _split(self, attrs: dict[str, Any]) -> tuple[dict[str, Any], list | None, list | None]:
        violations = attrs.pop("violations", None)
        follow_ups = attrs.pop("follow_ups", None)
        attrs.pop("version", None)
        return attrs, violations, follow_ups

    def create(self, validated_data: dict[str, Any]) -> Incident:
        fields, violations, follow_ups = self._split(validated_data)
        return services.incident_create(
            by=self.context["request"].user, fields=fields, violations=violations, follow_ups=follow_ups or ()
        )

    def update(self, incident: Incident, validated_data: dict[str, Any]) -> Incident:
        version = validated_data.get("version")
        fields, violations, follow_ups = self._split(validated_data)
        return services.incident_update(
            incident=incident,
            by=self.context["request"].user,
            version=version,
            fields=fields,
            violations=violations,
            follow_ups=follow_ups,
        )
