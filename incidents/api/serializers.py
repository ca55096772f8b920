from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import PeopleCountsSerializer, code_field, count_field
from core.api.records import RecordSerializer, django_errors_to_drf
from core.models import (
    GbvService,
    PopulationGroup,
    User,
    ViolationType,
)
from incidents import services
from incidents.choices import ServiceStatus
from incidents.models import GbvReferral, Incident, check_survivor_code
from incidents.selectors import incident_list, visible_narrative


class ViolationSerializer(PeopleCountsSerializer):
    type = code_field(ViolationType.objects.all())
    population_group = code_field(PopulationGroup.objects.all())
    with_disability = count_field(default=0)
    collective = serializers.BooleanField(source="type.collective", read_only=True)


class FollowUpSerializer(serializers.Serializer):
    done_on = serializers.DateField()
    action_taken = serializers.CharField(max_length=300)
    referred_to = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    done_by = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class IncidentSerializer(RecordSerializer):
    """An incident as API.md writes it: codes for references, people counts per violation."""

    # Its fields are the model's (RecordSerializer); declared here, what differs.

    # Answered as null when restricted (visible_narrative); null sent means no narrative.
    narrative = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    # Set when a sexual-violence type is first saved; only a GBV focal point lifts it (lift-narrative-restriction).
    narrative_restricted = serializers.BooleanField(read_only=True)
    violations = ViolationSerializer(many=True, required=True)
    follow_ups = FollowUpSerializer(many=True, required=False)
    duplicate_of = serializers.IntegerField(source="duplicate_of_id", read_only=True, allow_null=True)

    record_model = Incident

    def validate_narrative(self, narrative: str | None) -> str:
        return narrative or ""

    def validate_violations(self, violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not violations:
            raise serializers.ValidationError(_("Record at least one violation."))
        return violations

    def to_representation(self, incident: Incident) -> dict[str, Any]:
        data = super().to_representation(incident)
        data["narrative"] = visible_narrative(self.context["request"].user, incident)
        return data

    def _split(self, attrs: dict[str, Any]) -> tuple[dict[str, Any], list | None, list | None]:
        violations = attrs.pop("violations", None)
        follow_ups = attrs.pop("follow_ups", None)
        attrs.pop("version", None)
        return attrs, violations, follow_ups

    def create(self, validated_data: dict[str, Any]) -> Incident:
        fields, violations, follow_ups = self._split(validated_data)
        return services.incident_create(
            by=self.context["request"].user, fields=fields, violations=violations or (), follow_ups=follow_ups or ()
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


class ServiceReferralSerializer(serializers.Serializer):
    service = code_field(GbvService.objects.all())
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    referred_on = serializers.DateField()
    status = serializers.ChoiceField(ServiceStatus.choices, default=ServiceStatus.PENDING)
    provided_on = serializers.DateField(required=False, allow_null=True, default=None)
    follow_up_on = serializers.DateField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class SurvivorCodeField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data).strip().upper()
        try:
            check_survivor_code(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return value


class GbvReferralSerializer(RecordSerializer):
    """A GBV referral (API.md): a survivor code, never a name; both consents; the services referred to."""

    # Its fields are the model's (RecordSerializer); declared here, what differs.

    survivor_code = SurvivorCodeField(max_length=40)
    # Always the focal point's own organisation: answered, never chosen.
    organisation = serializers.CharField(source="organisation.code", read_only=True)
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.none(), required=False, allow_null=True)
    services = ServiceReferralSerializer(many=True, required=False)
    case_status = serializers.CharField(read_only=True)
    closure_requested_by = serializers.CharField(
        source="closure_requested_by.username", read_only=True, default=None, allow_null=True
    )
    anonymised_at = serializers.DateTimeField(read_only=True, allow_null=True)

    record_model = GbvReferral

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # Only an incident the focal point may read can be linked (none for the schema generator's anonymous request).
        if request is not None and isinstance(request.user, User):
            incident = cast("serializers.PrimaryKeyRelatedField[Incident]", self.fields["incident"])
            incident.queryset = incident_list(user=request.user)  # type: ignore[arg-type]  # mypy takes the stub's Manager (a descriptor) for the attribute

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        consent = attrs.get("consent_to_referral", getattr(self.instance, "consent_to_referral", False))
        try:
            services.check_services(attrs.get("services", []), consent_to_referral=consent)
        except DjangoValidationError as error:
            raise django_errors_to_drf(error) from error
        return attrs

    def create(self, validated_data: dict[str, Any]) -> GbvReferral:
        service_rows = validated_data.pop("services", [])
        validated_data.pop("version", None)
        return services.gbv_referral_create(
            by=self.context["request"].user, fields=validated_data, services=service_rows
        )

    def update(self, referral: GbvReferral, validated_data: dict[str, Any]) -> GbvReferral:
        service_rows = validated_data.pop("services", None)
        version = validated_data.pop("version", None)
        return services.gbv_referral_update(
            referral=referral,
            by=self.context["request"].user,
            version=version,
            fields=validated_data,
            services=service_rows,
        )
