"""How domain errors and Django's exceptions become API.md's status codes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.access import NotInScope, RoleRefused
from core.errors import ConflictError, QueueUnavailable


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ConflictError):
        return Response({"detail": str(exc), **exc.extra}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, QueueUnavailable):
        return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    if isinstance(exc, NotInScope):
        exc = exceptions.NotFound()
    elif isinstance(exc, RoleRefused):
        exc = exceptions.PermissionDenied(_("Your role may not take this step on this record."))
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)
