"""Sign-ins, failed sign-ins, lockouts and sign-outs into the audit log (core.audit), whatever the channel.

Django fires these signals from `login()`, `authenticate()` and `logout()`; django-axes fires `user_locked_out`.
The pages (login view) and the API token endpoint (which calls `authenticate`) go through the same receivers, so
no channel can sign in or fail unlogged. The API's successful token request logs its own LOGIN (it never calls
`login()`, which is what fires `user_logged_in`).
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from core import audit
from core.auth import forget_failed_logins
from core.models import User
from core.second_factor import needs_second_factor

Action = audit.Action


def _known_user(username: str) -> User | None:
    """The account a typed user name belongs to, if any: a failed sign-in then belongs to that user's log."""
    if not username:
        return None
    return User.objects.filter(username=username).first()


def _channel(request: HttpRequest | None) -> str:
    return audit.Channel.API if request is not None and request.path.startswith("/api/") else audit.Channel.PAGE


@receiver(user_logged_in, dispatch_uid="vigie-audit-login")
def _logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit.record(Action.LOGIN, request=request, actor=user, details={"channel": _channel(request)})
    # Signed in for good unless a code is still to come: the verification page forgets the failures then.
    if request is not None and not needs_second_factor(user):
        forget_failed_logins(request, user)


@receiver(user_login_failed, dispatch_uid="vigie-audit-login-failed")
def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Django has already replaced the password by stars; only the typed user name is kept.
    typed = str(credentials.get("username") or "")
    audit.record(
        Action.LOGIN_FAILED,
        request=request,
        actor=_known_user(typed),
        username=typed,
        details={"channel": _channel(request)},
    )


@receiver(user_locked_out, dispatch_uid="vigie-audit-locked-out")
def _locked_out(sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any) -> None:
    typed = str(username or "")
    audit.record(
        Action.LOCKED_OUT,
        request=request,
        actor=_known_user(typed),
        username=typed,
        details={"channel": _channel(request)},
    )


@receiver(user_logged_out, dispatch_uid="vigie-audit-logout")
def _logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    # `user` is None when the session had expired already: nobody to name, nothing to log.
    if isinstance(user, User):
        audit.record(Action.LOGOUT, request=request, actor=user)
