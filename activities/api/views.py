from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from activities import selectors
from activities.api.serializers import AssistanceSerializer, SessionSerializer
from activities.filtersets import AssistanceFilterSet, SessionFilterSet
from activities.models import AssistanceEvent, Session
from core.api.records import RecordViewSet
from core.http import signed_in


class AssistanceViewSet(RecordViewSet):
    """Assistance events (API.md). A write that gives a registered household the same kind again within
    VIGIE_REPEAT_ASSISTANCE_DAYS answers `"warnings": [...]` beside the record: a warning, not an error."""

    serializer_class = AssistanceSerializer
    filterset_class = AssistanceFilterSet

    # The model, for the schema generator (its request is anonymous); requests go through get_queryset.
    queryset = AssistanceEvent.objects.none()

    def get_queryset(self) -> QuerySet[AssistanceEvent]:
        return selectors.assistance_list(user=signed_in(self.request))

    def _answer(self, event: AssistanceEvent, status_code: int) -> Response:
        event = self.get_queryset().get(pk=event.pk)
        data = dict(self.get_serializer(event).data)
        data["warnings"] = selectors.repeat_assistance(event, user=signed_in(self.request))
        return Response(data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(serializer.save(), status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        return self._answer(serializer.save(), status.HTTP_200_OK)


class SessionViewSet(RecordViewSet):
    """Sessions (API.md): newest first, filters of SessionFilterSet."""

    serializer_class = SessionSerializer
    filterset_class = SessionFilterSet

    # The model, for the schema generator (its request is anonymous); requests go through get_queryset.
    queryset = Session.objects.none()

    def get_queryset(self) -> QuerySet[Session]:
        return selectors.session_list(user=signed_in(self.request))
