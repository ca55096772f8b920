"""How API clients prove who they are: an expiring token (django-rest-knox), or the browser's session once its
second factor is passed (API.md, "Authentication and users")."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from core.second_factor import lacks_second_factor


class ExpiringTokenAuthentication(TokenAuthentication):  # type: ignore[misc]  # knox ships no type hints
    """`Authorization: Token <token>`; an expired, revoked or malformed token is a 401, never a 500."""

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        user_and_token: tuple[Any, Any] = super().authenticate_credentials(token)
        return user_and_token

    def _cleanup_token(self, auth_token: Any) -> bool:
        """Whether the presented token has expired (then it is deleted). Knox also deletes the user's other
        expired tokens here, a query on every request; the hourly beat task sweeps those instead."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class VerifiedSessionAuthentication(SessionAuthentication):
    """The browser's session (with CSRF); a session that has not passed the second factor its role needs is
    refused with a 403."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is not None and lacks_second_factor(request._request.user):
            raise exceptions.PermissionDenied(_("Verify your second factor in the app before using the API."))
        return result


class ExpiringTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # untyped hook
    """How the schema describes the token (drf-spectacular reads it when it meets the class above)."""

    target_class = ExpiringTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": str(_('Token-based authentication with the prefix "Token ", e.g. "Token abc123".')),
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # untyped hook
    target_class = VerifiedSessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
