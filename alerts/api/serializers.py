from __future__ import annotations

from typing import Any

from alerts.models import FlashAlert
from core import workflow
from core.api.records import RecordSerializer


class AlertSerializer(RecordSerializer):
    """A flash alert (docs/api.md): the event type and needs by code, the estimated households and persons affected
    by sex and age (all may be 0 when not yet known), and the response."""

    # Its fields are the model's (RecordSerializer): nothing differs.

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
