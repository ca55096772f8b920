"""Who needs a second factor, and checking one (TOTP or a backup code, with django-otp).

The roles that need it are the setting `VIGIE_OTP_REQUIRED_ROLES` (environment `OTP_REQUIRED_ROLES`, API.md):
admins and GBV focal points unless the operation says otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import django_otp
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.choices import Role

if TYPE_CHECKING:
    from django_otp.models import Device

    from core.models import User


# A TOTP code has 6 digits, a backup code (django-otp's static tokens) 8 characters; anything longer is not a code.
LONGEST_CODE = 16


def needs_second_factor(user: User | AnonymousUser) -> bool:
    """Whether this user's role (or, for a superuser, the admin role) must pass a second factor before using Vigie."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return False
    required = settings.VIGIE_OTP_REQUIRED_ROLES
    # A superuser manages every user whatever their role says (a viewer's, say): as strong as an admin's sign-in.
    return user.role in required or (user.is_superuser and Role.ADMIN in required)


def has_device(user: User) -> bool:
    """Whether the user has enrolled an authenticator app (a confirmed TOTP device)."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def is_verified(user: User | AnonymousUser) -> bool:
    """Whether this session's user passed their second factor (django-otp's middleware says so on the user)."""
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


def lacks_second_factor(user: User | AnonymousUser) -> bool:
    """A signed-in user whose role needs a second factor and whose session has not passed it."""
    return needs_second_factor(user) and not is_verified(user)


def matching_device(user: User, code: str) -> Device | None:
    """The user's device that accepts this code (a TOTP code or an unused backup code), or None.

    django-otp refuses a TOTP code of a time step already used, and a backup code is used up once accepted.
    """
    code = code.strip().replace(" ", "")
    if not code or len(code) > LONGEST_CODE or not code.isascii() or not code.isalnum():
        return None
    return django_otp.match_token(user, code)
