"""A user's own API tokens: list them (never their secret), revoke one, or revoke the one this request uses
(sign out a script). Another user's token does not exist for them (404). Writes go through core.tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.http import signed_in
from core.models import ApiToken
from core.tokens import is_expired, revoke_token, tokens_of

_UNAUTHENTICATED = OpenApiResponse(description="No credentials, or a token that is unknown, expired or revoked.")
_NOT_YOURS = OpenApiResponse(description="No token of yours starts with these characters (another user's token too).")
_REFUSED = OpenApiResponse(description="A browser session that has not passed its second factor, or failed CSRF.")


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    """A token as its owner sees it: its name, its first characters, its dates. Never the token or its hash."""

    expired = serializers.SerializerMethodField(help_text="True once the token no longer works.")

    class Meta:
        model = ApiToken
        fields = ["token_key", "name", "created", "expiry", "expired"]
        read_only_fields = fields

    def get_expired(self, token: ApiToken) -> bool:
        return is_expired(token)


class TokenListView(generics.ListAPIView[ApiToken]):
    """`GET /api/v1/auth/tokens/`: the caller's own tokens, newest first (expired ones until they are cleaned away)."""

    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()  # for the schema; get_queryset gives the caller's own

    def get_queryset(self) -> QuerySet[ApiToken]:
        return tokens_of(signed_in(self.request))

    @extend_schema(responses={200: ApiTokenSerializer(many=True), 401: _UNAUTHENTICATED, 403: _REFUSED})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class TokenDetailView(APIView):
    """`DELETE /api/v1/auth/tokens/<token_key>/`: revoke one of the caller's tokens (another user's: 404)."""

    @extend_schema(
        request=None,
        responses={204: None, 401: _UNAUTHENTICATED, 403: _REFUSED, 404: _NOT_YOURS},
    )
    def delete(self, request: Request, key: str) -> Response:
        token = tokens_of(signed_in(request)).filter(token_key=key).first()
        if token is None:
            raise Http404
        revoke_token(token=token, request=request._request, channel="api")
        return Response(status=status.HTTP_204_NO_CONTENT)


class RevokeOwnTokenView(APIView):
    """`POST /api/v1/auth/token/revoke/`: revoke the token this request is made with (a script signs out). A browser
    session has no token to revoke: 400."""

    @extend_schema(
        request=None,
        responses={
            204: None,
            400: OpenApiResponse(description="The request was made with a browser session, not a token."),
            401: _UNAUTHENTICATED,
            403: _REFUSED,
        },
    )
    def post(self, request: Request) -> Response:
        token = request.auth
        if not isinstance(token, ApiToken):
            message = _("This request was not made with a token: nothing to revoke.")
            raise ValidationError({"non_field_errors": [message]})
        revoke_token(token=token, request=request._request, channel="api")
        return Response(status=status.HTTP_204_NO_CONTENT)
