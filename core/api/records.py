"""The API shape every record type shares: list and detail in scope, create, PATCH with `version`, and the
workflow steps as POST actions — answering API.md's codes (scope 404 before role 403 before status 409)."""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core import access, workflow
from core.access import Action, Family
from core.api.fields import check_someone_counted, record_field
from core.http import body_object, body_text, signed_in
from core.records import PeopleCounts, ReviewedRecord, check_model_rules, editable_field_names


class RecordSerializerMixin(serializers.Serializer[Any]):
    """Fields every record answers with: status, region and organisation codes, version, who and when."""

    id = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True)
    region = serializers.CharField(source="region.pcode", read_only=True)
    version = serializers.IntegerField(required=False, min_value=1)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    # Null until the record is submitted and reviewed: declared nullable, so the schema says what is answered.
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True, default=None, allow_null=True)
    review_note = serializers.CharField(read_only=True)
    changed_after_closing = serializers.BooleanField(read_only=True)

    # The model whose clean() holds the record's own rules (dates, amounts, counts).
    record_model: type[ReviewedRecord] | None = None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # PATCH must say which version it was based on, so two editors never overwrite each other silently.
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError({"version": [_("Send the version your change is based on.")]})
        self._check_model_rules(attrs)
        validated: dict[str, Any] = super().validate(attrs)
        return validated

    def _check_model_rules(self, attrs: dict[str, Any]) -> None:
        """Run the model's own rules on the values the record will have, so they live in one place."""
        if self.record_model is None:
            return
        try:
            check_model_rules(self.record_model, attrs, self.instance)
        except DjangoValidationError as error:
            raise django_errors_to_drf(error) from error


class RecordSerializer(RecordSerializerMixin):
    """A record type's API fields, derived from its model (`record_model`): the shared fields above, then every field
    a person sets (core.records.editable_field_names, in the model's order, mapped by core.api.fields.record_field),
    then `total` where the record counts people. A field added to the model is in the API with no list to keep. A
    subclass declares only what differs from the mapping (nested rows, a restricted narrative, a currency code) and
    what the model does not hold (derived, read-only values)."""

    # A record that counts people must count at least one, unless its type may count no one (households assisted).
    require_people = True

    def _model(self) -> type[ReviewedRecord]:
        if self.record_model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} declares no record_model.")
        return self.record_model

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        model = self._model()
        declared = copy.deepcopy(self._declared_fields)
        shared = [name for name in RecordSerializerMixin._declared_fields if name in declared]
        fields = {name: declared.pop(name) for name in shared}
        model_fields = {field.name: field for field in (*model._meta.concrete_fields, *model._meta.many_to_many)}
        for name in editable_field_names(model):
            fields[name] = declared.pop(name) if name in declared else record_field(model_fields[name])
        if issubclass(model, PeopleCounts) and "total" not in declared:
            fields["total"] = serializers.IntegerField(read_only=True)
        fields.update(declared)
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        self._blank_for_null(attrs)
        validated = super().validate(attrs)
        if self.require_people and issubclass(self._model(), PeopleCounts):
            check_someone_counted(validated, self.instance)
        return validated

    def _blank_for_null(self, attrs: dict[str, Any]) -> None:
        # The model keeps "none" as an empty string for a text or code it does not allow null in (a country, a
        # currency): sent as null, it is stored empty.
        model = self._model()
        editable = editable_field_names(model)
        for name, value in attrs.items():
            if value is None and name in editable:
                model_field = model._meta.get_field(name)
                if isinstance(model_field, models.CharField | models.TextField) and not model_field.null:
                    attrs[name] = ""


def django_errors_to_drf(error: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


_STEP_BODY = {
    "return": inline_serializer("ReturnBody", {"comment": serializers.CharField()}),
    "reject": inline_serializer("RejectBody", {"reason": serializers.CharField()}),
}


class RecordViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Any],
):
    """Subclasses set `serializer_class`, `filterset_class`, `family` and implement `get_queryset` with their
    selector (scope applied there), and `reject` if rejecting does more than the shared step."""

    family: Family = Family.GENERAL
    may_conflict = True  # the schema declares 409: workflow steps, a stale `version`, a closed month
    http_method_names = ["get", "post", "patch", "head", "options"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self._check_role()

    def _check_role(self) -> None:
        """A role that may never read this family: 403 on the collection (API.md); one record is a 404."""
        user = signed_in(self.request)
        if self.action == "create":
            if not access.may(user, Action.CREATE, self.family):
                raise exceptions.PermissionDenied(_("Your role may not create these records."))
        elif self.action == "list" and not access.may(user, Action.READ, self.family):
            raise exceptions.PermissionDenied(_("Your role may not read individual records of this kind."))

    def _take_step(self, request: Request, step: str, text_field: str | None = None) -> Response:
        record = self.get_object()
        text = body_text(request, text_field) if text_field else ""
        version = body_object(request).get("version")
        record = self.run_step(record, step, text=text, version=version)
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)

    def run_step(self, record: Any, step: str, *, text: str, version: Any) -> Any:
        return workflow.take_step(record, step, by=signed_in(self.request), text=text, version=version)

    @extend_schema(request=None, responses={200: OpenApiResponse(description="The record")})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._take_step(request, "submit")

    @extend_schema(request=None, responses={200: OpenApiResponse(description="The record")})
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        return self._take_step(request, "verify")

    @extend_schema(request=_STEP_BODY["return"], responses={200: OpenApiResponse(description="The record")})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        return self._take_step(request, "return", "comment")

    @extend_schema(request=_STEP_BODY["reject"], responses={200: OpenApiResponse(description="The record")})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        return self._take_step(request, "reject", "reason")

    @extend_schema(request=None, responses={200: OpenApiResponse(description="The record")})
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        return self._take_step(request, "archive")

    @extend_schema(request=None, responses={200: OpenApiResponse(description="The record")})
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        return self._take_step(request, "restore")
