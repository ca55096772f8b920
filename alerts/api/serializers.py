from __future__ import annotations

from typing import Any

from rest_framework import serializers

from alerts.models import FlashAlert
from core import workflow
from core.api.fields import PeopleCountsSerializer, PlaceField, code_field, count_field
from core.api.records import RecordSerializerMixin
from core.models import AlertEventType, AlertNeed, Organisation


class AlertSerializer(RecordSerializerMixin, PeopleCountsSerializer):
    """A flash alert (docs/api.md): the event type and needs by code, the estimated households and persons affected
    by sex and age (all may be 0 when not yet known), and the response."""

    reported_on = serializers.DateField()
    occurred_on = serializers.DateField()
    place = PlaceField()
    organisation = code_field(Organisation.objects.all(), required=False)
    event_type = code_field(AlertEventType.objects.all())
    urgent = serializers.BooleanField(required=False)
    households = count_field(required=False, allow_null=True)
    needs = code_field(AlertNeed.objects.all(), many=True, required=False)
    response_triggered = serializers.BooleanField(required=False)
    response_by = serializers.CharField(max_length=200, required=False, allow_blank=True)
    response_on = serializers.DateField(required=False, allow_null=True)
    narrative = serializers.CharField(required=False, allow_blank=True)
    total = serializers.IntegerField(read_only=True)

    record_model = FlashAlert
    # An alert is raised before anyone is counted: its estimates may all be 0.
    require_people = False

    def create(self, validated_data: dict[str, Any]) -> FlashAlert:
        validated_data.pop("version", None)
        return workflow.create_from_fields(FlashAlert, by=self.context["request"].user, fields=validated_data)

    def update(self, alert: FlashAlert, validated_data: dict[str, Any]) -> FlashAlert:
        version = validated_data.pop("version", None)
        return workflow.update_from_fields(
            alert, by=self.context["request"].user, version=version, fields=validated_data
        )
