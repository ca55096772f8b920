"""Authentication glue: the answer a locked-out client gets (django-axes calls this)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

LOCKED_OUT_STATUS = 429


def lockout_message() -> str:
    return _("Too many failed login attempts. Wait a few minutes, then try again.")


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=LOCKED_OUT_STATUS)
    return render(request, "registration/locked_out.html", {"message": lockout_message()}, status=LOCKED_OUT_STATUS)
