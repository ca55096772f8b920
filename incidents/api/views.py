from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core import access
from core.access import Family
from core.api.records import RecordViewSet
from core.audit import Channel
from core.http import body_object, signed_in
from core.inputs import whole_number
from incidents import services
from incidents.api.serializers import GbvReferralSerializer, IncidentSerializer
from incidents.filtersets import GbvReferralFilterSet, IncidentFilterSet
from incidents.models import GbvReferral, Incident
from incidents.selectors import gbv_referral_list, incident_list


class WithdrawConsentBody(serializers.Serializer[Any]):
    """What `withdraw-consent` reads: whether reporting consent goes too (consent to referral always does)."""

    withdraw_reporting = serializers.BooleanField(required=False, default=False)


class IncidentViewSet(RecordViewSet):
    """Protection incidents (API.md): newest first, filters of IncidentFilterSet, workflow steps as actions."""

    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet

    # The model, for the schema generator (its request is anonymous); requests go through get_queryset.
    queryset = Incident.objects.none()

    def get_queryset(self) -> QuerySet[Incident]:
        return incident_list(user=signed_in(self.request)).prefetch_related("follow_ups")

    def run_step(self, record: Incident, step: str, *, text: str, version: Any) -> Incident:
        if step != "reject":
            return super().run_step(record, step, text=text, version=version)
        duplicate = self._duplicate_of(body_object(self.request).get("duplicate_of"))
        return services.incident_reject(
            incident=record, by=signed_in(self.request), reason=text, duplicate_of=duplicate, version=version
        )

    @extend_schema(
        request=inline_serializer("LiftNarrativeRestrictionBody", {"version": serializers.IntegerField()}),
        responses={200: IncidentSerializer},
    )
    @action(detail=True, methods=["post"], url_path="lift-narrative-restriction", url_name="lift-narrative-restriction")
    def lift_narrative_restriction(self, request: Request, pk: str | None = None) -> Response:
        """A GBV focal point lifts the restriction on the narrative (403 for every other role)."""
        incident = self.get_object()
        version = body_object(request).get("version")
        if version is not None:
            try:
                version = serializers.IntegerField(min_value=1, max_value=2**31 - 1).run_validation(version)
            except serializers.ValidationError as error:
                raise serializers.ValidationError({"version": error.detail}) from error
        incident = services.incident_lift_narrative_restriction(
            incident=incident, by=signed_in(request), version=version
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=incident.pk)).data)

    def _duplicate_of(self, pk: Any) -> Incident | None:
        if pk in (None, ""):
            return None
        number = whole_number(pk)
        duplicate = self.get_queryset().filter(pk=number).first() if number is not None else None
        if duplicate is None:
            raise serializers.ValidationError({"duplicate_of": [_("No incident with this number in your scope.")]})
        return duplicate


class GbvReferralViewSet(RecordViewSet):
    """GBV referrals (API.md): GBV focal points of the region only; every record read is logged."""

    serializer_class = GbvReferralSerializer
    filterset_class = GbvReferralFilterSet
    family = Family.GBV

    # The model, for the schema generator (its request is anonymous); requests go through get_queryset.
    queryset = GbvReferral.objects.none()

    def get_queryset(self) -> QuerySet[GbvReferral]:
        return gbv_referral_list(user=signed_in(self.request))

    def _log(self, referral: Any) -> None:
        access.log_record_access(signed_in(self.request), referral, Channel.API, request=self.request._request)

    # Every answer that holds a referral is in the access log: reads, and the writes that answer the record
    # (create, PATCH, workflow steps, case actions). A refused write answers no record and logs nothing.
    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        super().perform_create(serializer)
        self._log(serializer.instance)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        super().perform_update(serializer)
        self._log(serializer.instance)

    def run_step(self, record: GbvReferral, step: str, *, text: str, version: Any) -> GbvReferral:
        referral = super().run_step(record, step, text=text, version=version)
        self._log(referral)
        return referral

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral = self.get_object()
        access.log_record_access(signed_in(request), referral, Channel.API, request=request._request)
        return Response(self.get_serializer(referral).data)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        access.log_record_access(signed_in(request), page or [], Channel.API, request=request._request)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _case_step(self, service: Any, **kwargs: Any) -> Response:
        referral = service(
            referral=self.get_object(),
            by=signed_in(self.request),
            version=body_object(self.request).get("version"),
            **kwargs,
        )
        self._log(referral)
        return Response(self.get_serializer(self.get_queryset().get(pk=referral.pk)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="request-closure", url_name="request-closure")
    def request_closure(self, request: Request, pk: str | None = None) -> Response:
        return self._case_step(services.gbv_request_closure)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="approve-closure", url_name="approve-closure")
    def approve_closure(self, request: Request, pk: str | None = None) -> Response:
        return self._case_step(services.gbv_approve_closure)

    @extend_schema(request=WithdrawConsentBody)
    @action(detail=True, methods=["post"], url_path="withdraw-consent", url_name="withdraw-consent")
    def withdraw_consent(self, request: Request, pk: str | None = None) -> Response:
        body = WithdrawConsentBody(data=body_object(request))
        body.is_valid(raise_exception=True)  # a flag that is not a boolean: 400 on `withdraw_reporting`
        withdraw_reporting = body.validated_data["withdraw_reporting"]
        return self._case_step(services.gbv_withdraw_consent, withdraw_reporting=withdraw_reporting)
