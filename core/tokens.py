"""API tokens (core.models.ApiToken, django-rest-knox): issued, listed, revoked, and killed with the password.

A token is stored as its hash only; its first characters (`token_key`) name it on pages and in the API. Every token
expires: one from `POST /api/v1/auth/token/` after `VIGIE_API_TOKEN_HOURS`, a named one (a script's, made on the
Tokens page) after the days its owner chose, at most `VIGIE_API_TOKEN_MAX_DAYS`. Every token of a user dies when
their password changes, they are deactivated or their role changes: `connect_signals` below, on every save of a
user (the password change page, a reset link, the admin, `set_password` in a shell).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_save, pre_save
from django.http import HttpRequest
from django.utils import timezone

from core.audit import Action, record
from core.models import ApiToken, User

# The name of the tokens `POST /api/v1/auth/token/` gives (a named token's is its owner's choice).
LOGIN_TOKEN_NAME = "api/v1/auth/token"  # noqa: S105 -- a name shown on the Tokens page, not a secret
# Why a bulk revocation happened (the audit entry's details).
REVOKED_ON_PASSWORD_CHANGE = "all, password changed"  # noqa: S105 -- a reason, not a password
REVOKED_ON_DEACTIVATION = "all, deactivated"
REVOKED_ON_ROLE_CHANGE = "all, role changed"


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first (expired ones included until they are cleaned away)."""
    tokens: QuerySet[ApiToken] = ApiToken.objects.filter(user=user).order_by("-created", "token_key")
    return tokens


def is_expired(token: ApiToken, now: datetime.datetime | None = None) -> bool:
    return token.expiry is not None and token.expiry <= (now or timezone.now())


def issue_login_token(*, user: User, request: HttpRequest | None = None) -> tuple[ApiToken, str]:
    """The token `POST /api/v1/auth/token/` answers with: it lives `VIGIE_API_TOKEN_HOURS`. Returns the token and
    its plain text, which exists only in this answer."""
    lifetime = datetime.timedelta(hours=settings.VIGIE_API_TOKEN_HOURS)
    token, plain = ApiToken.objects.create(user=user, expiry=lifetime, name=LOGIN_TOKEN_NAME)
    record(Action.TOKEN_CREATED, request=request, actor=user, details=_token_details(token, "api"))
    return token, plain


@transaction.atomic
def create_named_token(*, user: User, name: str, days: int, request: HttpRequest | None = None) -> tuple[ApiToken, str]:
    """A token for a script, named by its owner, living `days` days (the form checks 1..VIGIE_API_TOKEN_MAX_DAYS)."""
    if not 1 <= days <= settings.VIGIE_API_TOKEN_MAX_DAYS:
        raise ValueError(days)  # the form refuses it first; a caller that skips the form is a bug
    token, plain = ApiToken.objects.create(user=user, expiry=datetime.timedelta(days=days), name=name)
    record(Action.TOKEN_CREATED, request=request, actor=user, details=_token_details(token, "page"))
    return token, plain


def revoke_token(*, token: ApiToken, request: HttpRequest | None = None, channel: str = "page") -> None:
    """The owner revokes one of their tokens (the caller has checked that it is theirs)."""
    details = {"name": token.name, "token_key": token.token_key, "channel": channel}
    owner = token.user
    token.delete()
    record(Action.TOKEN_REVOKED, request=request, actor=owner, details=details)


def delete_expired_tokens() -> int:
    """Remove every token past its expiry (knox removes those it meets; this catches the ones nobody sends)."""
    deleted: int = ApiToken.objects.filter(expiry__lte=timezone.now()).delete()[0]
    return deleted


def _token_details(token: ApiToken, channel: str) -> dict[str, Any]:
    # Never the token itself: its name, its first characters (shown on the Tokens page) and its expiry.
    return {
        "name": token.name,
        "token_key": token.token_key,
        "expiry": token.expiry.isoformat() if token.expiry else None,
        "channel": channel,
    }


# --- every token dies with a password change or a deactivation


def _note_what_changes(sender: type[User], instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    """pre_save: compare the password hash and is_active with the stored row, and note why tokens must die."""
    instance._tokens_die_because = ""  # type: ignore[attr-defined]  # read by _kill_tokens just after the save
    if instance.pk is None or kwargs.get("raw"):
        return  # a new user has no token; fixtures load rows as they are
    fields = set(update_fields) if update_fields is not None else None
    if fields is not None and not fields & {"password", "is_active", "role"}:
        return  # last_login after each sign-in, and the like: no query
    # Django's check_password saves an upgraded hash of the same password (update_fields=["password"], no raw
    # password kept): that is not a password change.
    if fields == {"password"} and getattr(instance, "_password", None) is None:
        return
    stored = User.objects.filter(pk=instance.pk).values("password", "is_active", "role").first()
    if stored is None:
        return
    if stored["is_active"] and not instance.is_active:
        instance._tokens_die_because = REVOKED_ON_DEACTIVATION  # type: ignore[attr-defined]
    elif stored["password"] != instance.password:
        instance._tokens_die_because = REVOKED_ON_PASSWORD_CHANGE  # type: ignore[attr-defined]
    elif stored["role"] != instance.role:
        # A token was issued under the old role's checks: a monitor's, asked no second factor, must not become an
        # admin's (OTP_REQUIRED_ROLES) that never passed one. Its owner makes a new one under the new role.
        instance._tokens_die_because = REVOKED_ON_ROLE_CHANGE  # type: ignore[attr-defined]


def _kill_tokens(sender: type[User], instance: User, created: bool = False, **kwargs: Any) -> None:
    """post_save: delete every token of a user whose password changed or who was deactivated, and log it."""
    reason = getattr(instance, "_tokens_die_because", "")
    instance._tokens_die_because = ""  # type: ignore[attr-defined]
    if not reason:
        return
    revoke_all_tokens(users=[instance], reason=reason)


def revoke_all_tokens(*, users: Iterable[User], reason: str) -> int:
    """Delete every token of these users (a password change, a deactivation), one audit entry per user who had
    any. For the bulk paths that skip save() (a queryset's update(), the admin's "deactivate" action)."""
    deleted_in_all = 0
    for user in users:
        deleted, _by_model = ApiToken.objects.filter(user=user).delete()
        if deleted:
            record(Action.TOKEN_REVOKED, target_user=user, details={"revoked": reason, "count": deleted})
        deleted_in_all += deleted
    return deleted_in_all


def connect_signals() -> None:
    """Called from CoreConfig.ready(): the receivers above watch every save of a user, whatever saves it."""
    pre_save.connect(_note_what_changes, sender=User, dispatch_uid="vigie-tokens-note")
    post_save.connect(_kill_tokens, sender=User, dispatch_uid="vigie-tokens-kill")
