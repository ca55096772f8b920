"""Writing the audit log (core.models.AuditEntry): the one function every part of Vigie calls.

What is logged (SPEC.md, "Access and data protection"): sign-ins and failed ones, lockouts, second-factor
enrolments and resets, API tokens created and revoked, user changes, exports started and downloaded, month closings
and reopenings, and every view of a GBV record. An entry names records by type and number, never their content.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any, TypedDict, Unpack

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


class EntryFields(TypedDict, total=False):
    """What an entry may say beside its action (every key optional)."""

    request: HttpRequest | None
    actor: User | None
    username: str
    target_user: User | None
    obj: Model | None
    details: dict[str, Any] | None


def _entry(action: str, **fields: Unpack[EntryFields]) -> AuditEntry:
    request, obj = fields.get("request"), fields.get("obj")
    who = _actor(request, fields.get("actor"))
    return AuditEntry(
        action=action,
        actor=who,
        username=(fields.get("username") or (who.get_username() if who is not None else ""))[:150],
        target_user=fields.get("target_user"),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip_address=client_address(request),
        details=fields.get("details") or {},
    )


def record(action: str, **fields: Unpack[EntryFields]) -> AuditEntry:
    """Log one action. `actor` defaults to the request's signed-in user; `username` to the actor's."""
    entry = _entry(action, **fields)
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
