"""Authentication glue: the answer a locked-out client gets (django-axes calls this); forgetting failures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from core.models import User

LOCKED_OUT_STATUS = 429


def lockout_message() -> str:
    return _("Too many failed login attempts. Wait a few minutes, then try again.")


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=LOCKED_OUT_STATUS)
    return render(request, "registration/locked_out.html", {"message": lockout_message()}, status=LOCKED_OUT_STATUS)


def forget_failed_logins(request: HttpRequest, user: User) -> None:
    """Clear django-axes' count of this user's failures from this client once their sign-in is complete: the
    password for a role without a second factor, the code for the others. (AXES_RESET_ON_SUCCESS is off: a right
    password must not wipe the wrong codes typed after it, or whoever holds the password would sign in again after
    every few guesses and never be locked out.)"""
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.reset_attempts(ip_address=request.axes_ip_address, username=user.get_username())  # type: ignore[attr-defined]


class ResetLinkTokens(PasswordResetTokenGenerator):
    """Django's password-reset tokens (they die with the password, a sign-in, the e-mail address, or after
    PASSWORD_RESET_TIMEOUT), tied to the role, organisation and regions too: a link an admin made for a monitor of
    theirs no longer opens the account once a superuser made it a GBV focal point's, or another admin moved it out of
    their scope (an admin never takes over an account they may not manage)."""

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        scope = f"{user.role}|{user.organisation_id}|{','.join(sorted(user.region_pcodes()))}"
        return f"{super()._make_hash_value(user, timestamp)}|{scope}"


reset_tokens = ResetLinkTokens()
