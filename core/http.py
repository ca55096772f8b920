"""What a view reads off its request, typed: the signed-in user (pages are behind login_required, the API behind
IsAuthenticated), and an API body that must be a JSON object."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from core.models import User


def signed_in(request: HttpRequest | Request) -> User:
    """The user of a request that login_required (pages) or IsAuthenticated (API) let through.

    `request.user` may be anonymous as far as the types know; those guards run before any view body, so an
    anonymous user here is a view wired without them, and is refused rather than served.
    """
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        return user
    raise PermissionDenied


def body_object(request: Request) -> Mapping[str, Any]:
    """The API request's body as named values; a body that parses to something else (a list, a string) is a 400."""
    data = request.data
    if isinstance(data, Mapping):
        return data
    raise ValidationError({"non_field_errors": [_("Send a JSON object.")]})


def body_text(request: Request, name: str) -> str:
    """A free-text value of the API request's body ("" when absent). PostgreSQL cannot store a NUL character, so
    one is the field's 400 (API.md), never a 500, whatever the body's encoding."""
    text = str(body_object(request).get(name, ""))
    if "\x00" in text:
        raise ValidationError({name: [str(ProhibitNullCharactersValidator.message)]})
    return text
