from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.records import RecordViewSet
from incidents import services
from incidents.api.serializers import IncidentSerializer
from incidents.filtersets import IncidentFilterSet
from incidents.models import Incident
from incidents.selectors import incident_list


class IncidentViewSet(RecordViewSet):
    """Protection incidents (API.md): newest first, filters of IncidentFilterSet, workflow steps as actions."""

    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet

    def get_queryset(self) -> QuerySet[Incident]:
        return incident_list(user=self.request.user).prefetch_related("follow_ups")

    def run_step(self, record: Incident, step: str, *, text: str, version: Any) -> Incident:
        if step != "reject":
            return super().run_step(record, step, text=text, version=version)
        duplicate = self._duplicate_of(self.request.data.get("duplicate_of"))
        return services.incident_reject(
            incident=record, by=self.request.user, reason=text, duplicate_of=duplicate, version=version
        )

    def _duplicate_of(self, pk: Any) -> Incident | None:
        if pk in (None, ""):
            return None
        duplicate = self.get_queryset().filter(pk=pk).first() if str(pk).isdigit() else None
        if duplicate is None:
            raise serializers.ValidationError({"duplicate_of": [_("No incident with this number in your scope.")]})
        return duplicate
