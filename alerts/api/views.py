from __future__ import annotations

from django.db.models import QuerySet

from alerts import selectors
from alerts.api.serializers import AlertSerializer
from alerts.filtersets import AlertFilterSet
from alerts.models import FlashAlert
from core.api.records import RecordViewSet
from core.http import signed_in


class AlertViewSet(RecordViewSet):
    """Flash alerts (docs/api.md): newest first; every organisation of the user's regions reads them, only the
    raising organisation acts on them (403)."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet

    # The model, for the schema generator (its request is anonymous); requests go through get_queryset.
    queryset = FlashAlert.objects.none()

    def get_queryset(self) -> QuerySet[FlashAlert]:
        return selectors.alert_list(user=signed_in(self.request))
