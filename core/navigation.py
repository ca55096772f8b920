"""The main menu: each record app registers its entries; a user sees those their role may use.

`core` imports none of the record apps, so they add themselves here from their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.access import Action, Capability, Family, has_capability, may, may_manage_users
from core.models import User


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    allowed: Callable[[User], bool]
    order: int = 100

    def url(self) -> str:
        return reverse(self.url_name)


_items: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _items):
        _items.append(item)
        _items.sort(key=lambda entry: entry.order)


def items_for(user: User | AnonymousUser) -> list[NavItem]:
    if isinstance(user, AnonymousUser):
        return []
    return [item for item in _items if item.allowed(user)]


def _may_manage(user: User) -> bool:
    return has_capability(user, Capability.MANAGE)


def _may_read_audit_log(user: User) -> bool:
    # As core.audit_views.may_read_audit_log (not imported: the menu loads before the pages).
    return user.is_active and (user.is_superuser or _may_manage(user))


def _may_review(user: User) -> bool:
    return any(may(user, Action.REVIEW, family) for family in Family)


def _may_create(user: User) -> bool:
    return any(may(user, Action.CREATE, family) for family in Family)


def register_core_items() -> None:
    register(NavItem(_("Home"), "home", lambda user: True, order=0))
    register(NavItem(_("Review queue"), "review-queue", _may_review, order=50))
    register(NavItem(_("My records"), "my-records", _may_create, order=60))
    register(NavItem(_("API"), "api-docs", lambda user: True, order=900))
    register(NavItem(_("Users"), "user-list", may_manage_users, order=990))
    register(NavItem(_("Audit log"), "audit-log", _may_read_audit_log, order=995))
    register(NavItem(_("Administration"), "admin:index", _may_manage, order=1000))
