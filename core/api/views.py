"""Authentication and reference-list endpoints of API.md."""

from __future__ import annotations

from axes.exceptions import AxesBackendPermissionDenied
from django.apps import apps
from django.contrib.auth import authenticate
from django.http import Http404
from django_countries import countries
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import audit
from core.api.serializers import (
    INVALID_CREDENTIALS,
    AdminAreaSerializer,
    ReferenceEntrySerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from core.auth import LOCKED_OUT_STATUS, lockout_message
from core.models import AdminArea
from core.reference import REFERENCE_LISTS_BY_SLUG
from core.second_factor_views import api_refusal
from core.tokens import issue_login_token


class ObtainTokenView(APIView):
    """Exchange a user name and password for an API token (failures are throttled by django-axes)."""

    authentication_classes: list[type[BaseAuthentication]] = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credentials = dict(serializer.validated_data)
        otp = credentials.pop("otp", "")
        try:
            # The Django request, so django-axes sees the client's address and records the failure.
            user = authenticate(request._request, **credentials)
        except AxesBackendPermissionDenied:
            return Response({"detail": lockout_message()}, status=LOCKED_OUT_STATUS)
        if getattr(request._request, "axes_locked_out", False):
            return Response({"detail": lockout_message()}, status=LOCKED_OUT_STATUS)
        if user is None:
            return Response({"non_field_errors": [str(INVALID_CREDENTIALS)]}, status=status.HTTP_400_BAD_REQUEST)
        refused = api_refusal(request._request, user, otp)
        if refused is not None:
            return refused
        # A token request signs in without `login()` (which fires `user_logged_in`): it logs its own sign-in.
        audit.record(audit.Action.LOGIN, request=request._request, actor=user, details={"channel": audit.Channel.API})
        token, key = issue_login_token(user=user, request=request._request)
        return Response(TokenSerializer({"token": key, "expiry": token.expiry}).data)


class ReferenceListView(APIView):
    """`GET /api/v1/reference/<list>/`: a reference list as `[{"code", "label"}]`, labels in the user's language."""

    @extend_schema(responses={200: ReferenceEntrySerializer(many=True)})
    def get(self, request: Request, slug: str) -> Response:
        if slug == "admin-areas":
            areas = AdminArea.objects.filter(is_active=True).select_related("parent")
            return Response(AdminAreaSerializer(areas, many=True).data)
        if slug == "countries":
            return Response([{"code": code, "label": str(name)} for code, name in countries])
        reference = REFERENCE_LISTS_BY_SLUG.get(slug)
        if reference is None:
            raise Http404
        model = apps.get_model("core", reference.model_name)
        entries = [{"code": item.code, "label": item.label} for item in model.objects.filter(is_active=True)]
        return Response(entries)
