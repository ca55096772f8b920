from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from beneficiaries import selectors, services
from beneficiaries.api.serializers import (
    DuplicatePairSerializer,
    HouseholdSerializer,
    MergeSerializer,
    MovementSerializer,
)
from beneficiaries.filtersets import HouseholdFilterSet, MovementFilterSet
from beneficiaries.models import Household, Movement
from core import access
from core.access import Action
from core.api.records import RecordViewSet
from core.http import signed_in


class HouseholdViewSet(RecordViewSet):
    """Registered households (members nested), their likely duplicates, and merging two registrations of one."""

    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilterSet

    # The model, for the schema generator (its request is anonymous); requests go through get_queryset.
    queryset = Household.objects.none()

    def get_queryset(self) -> QuerySet[Household]:
        return selectors.household_list(user=signed_in(self.request))

    def _check_reviewer(self) -> None:
        if not access.may(signed_in(self.request), Action.REVIEW):
            raise exceptions.PermissionDenied(_("Only supervisors and admins review duplicates."))

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "HouseholdDuplicates",
                {"count": serializers.IntegerField(), "results": DuplicatePairSerializer(many=True)},
            )
        },
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def duplicates(self, request: Request) -> Response:
        """Likely duplicates in the user's scope: similar names, same birth year, same cercle; older one first."""
        self._check_reviewer()
        pairs = selectors.likely_duplicate_households(user=signed_in(request))
        return Response({"count": len(pairs), "results": DuplicatePairSerializer(pairs, many=True).data})

    @extend_schema(request=MergeSerializer, responses={200: HouseholdSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        """Merge this household (the newer registration) into `into` (the older); answers the kept household."""
        household = self.get_object()
        self._check_reviewer()
        body = MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        into = self.get_queryset().filter(pk=body.validated_data["into"]).first()
        if into is None:
            raise serializers.ValidationError({"into": [_("No household with this number in your scope.")]})
        kept = services.household_merge(
            household=household,
            into=into,
            by=signed_in(request),
            version=body.validated_data.get("version"),
            into_version=body.validated_data.get("into_version"),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=kept.pk)).data)


class MovementViewSet(RecordViewSet):
    """Mixed-movement identifications (API.md): newest first, filters of MovementFilterSet."""

    serializer_class = MovementSerializer
    filterset_class = MovementFilterSet

    # The model, for the schema generator (its request is anonymous); requests go through get_queryset.
    queryset = Movement.objects.none()

    def get_queryset(self) -> QuerySet[Movement]:
        return selectors.movement_list(user=signed_in(self.request))
