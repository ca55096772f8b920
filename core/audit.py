"""Writing the audit log (core.models.AuditEntry): the one function every part of Vigie calls.

What is logged (SPEC.md, "Access and data protection"): sign-ins and failed ones, lockouts, second-factor
enrolments and resets, API tokens created and revoked, user changes, exports started and downloaded, month closings
and reopenings, and every view of a GBV record. An entry names records by type and number, never their content.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from django.db.models import Model
from django.http import HttpRequest

from core.models import AuditEntry, User

Action = AuditEntry.Action


class Channel(enum.StrEnum):
    """Through what a user acted or read (an entry's `details["channel"]`)."""

    PAGE = "page"
    API = "api"
    EXPORT = "export"
    RESET_LINK = "reset_link"


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address as the server saw it (django-axes reads it behind proxies; this is for the log)."""
    if request is None:
        return None
    address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    return address or None


def _actor(request: HttpRequest | None, actor: User | None) -> User | None:
    if actor is not None:
        return actor
    user = getattr(request, "user", None)
    return user if isinstance(user, User) else None


def _entry(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    username: str = "",
    target_user: User | None = None,
    obj: Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    who = _actor(request, actor)
    return AuditEntry(
        action=action,
        actor=who,
        username=(username or (who.get_username() if who is not None else ""))[:150],
        target_user=target_user,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip_address=client_address(request),
        details=details or {},
    )


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    username: str = "",
    target_user: User | None = None,
    obj: Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Log one action. `actor` defaults to the request's signed-in user; `username` to the actor's."""
    entry = _entry(
        action, request=request, actor=actor, username=username, target_user=target_user, obj=obj, details=details
    )
    entry.save()
    return entry


def record_many(
    action: str,
    objects: Iterable[Model],
    *,
    request: HttpRequest | None = None,
    actor: User | None = None,
    details: dict[str, Any] | None = None,
) -> list[AuditEntry]:
    """Log the same action on several records at once (a page of GBV referrals read)."""
    entries = [_entry(action, request=request, actor=actor, obj=obj, details=details) for obj in objects]
    return AuditEntry.objects.bulk_create(entries)
