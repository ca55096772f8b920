"""Writes that belong to core: users and organisations."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from core import access, audit
from core.access import AccountAction, GrantRefused, NotInScope
from core.auth import reset_tokens
from core.choices import AdminLevel, Role
from core.models import AdminArea, ApiToken, AuditEntry, Organisation, User
from core.notifications import notify


def lead_organisation() -> Organisation:
    return Organisation.objects.get(is_lead=True)


def find_organisation(name_or_code: str | None) -> Organisation:
    """The organisation with this code or name (case-insensitive); the lead organisation when none is given."""
    if not name_or_code:
        return lead_organisation()
    match = Organisation.objects.filter(Q(code__iexact=name_or_code) | Q(name__iexact=name_or_code)).first()
    if match is None:
        raise ValidationError({"organisation": _("Unknown organisation “%(name)s”.") % {"name": name_or_code}})
    return match


def find_regions(pcodes: Iterable[str]) -> list[AdminArea]:
    """The regions (level-1 areas) with these P-codes; a code that is not a region is an error."""
    wanted = sorted({code.strip().upper() for code in pcodes if code.strip()})
    regions = list(AdminArea.objects.filter(pcode__in=wanted, level=AdminLevel.REGION))
    unknown = sorted(set(wanted) - {region.pcode for region in regions})
    if unknown:
        raise ValidationError({"regions": _("Not a region P-code: %(codes)s.") % {"codes": ", ".join(unknown)}})
    return regions


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    password: str | None,
    organisation: Organisation,
    regions: Iterable[AdminArea] = (),
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user; an existing user name, an unknown role or a weak password is a ValidationError."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role “%(role)s”.") % {"role": role}})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("A user named “%(name)s” already exists.") % {"name": username}})
    user = User(
        username=username, role=role, organisation=organisation, email=email, first_name=first_name, last_name=last_name
    )
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.regions.set(regions)
    return user


# --- Users managed by admins (SPEC.md, "Access and data protection"). `by` is the admin acting on a page; None is
# the shell (manage.py adduser), which has a superuser's power. core.access decides what an admin may do; these
# functions ask it again whatever the caller checked, and log every change (core.audit).


def _check_in_scope(by: User, user: User) -> None:
    if not access.may_manage_user(by, user):
        raise NotInScope


def _scope_of(user: User) -> dict[str, Any]:
    """Role, organisation and regions as the audit log shows them (codes, never personal data)."""
    return {
        "role": user.role,
        "organisation": user.organisation.code if user.organisation else None,
        "regions": sorted(user.region_pcodes()),
    }


def _forget_regions(user: User) -> None:
    # User.region_pcodes() and region_ids() cache the regions for the request; they were just set.
    if hasattr(user, "_region_cache"):
        del user._region_cache


def _tell_gbv_focal_points(user: User, *, regions: Iterable[str]) -> None:
    """Tell the active GBV focal points of `regions` (every one when empty: the new one has every region) that
    `user` is now a focal point there. The message names the user name only."""
    wanted = sorted(regions)
    peers = User.objects.filter(role=Role.GBV_FOCAL_POINT, is_active=True).exclude(pk=user.pk)
    if wanted:
        # A focal point of every region has no regions: they are told too.
        peers = peers.filter(Q(regions__pcode__in=wanted) | Q(regions__isnull=True)).distinct()
    names = ", ".join(AdminArea.objects.filter(pcode__in=wanted).order_by("pcode").values_list("name", flat=True))
    message = (
        _("%(username)s is now a GBV focal point for %(regions)s.") % {"username": user.username, "regions": names}
        if names
        else _("%(username)s is now a GBV focal point for every region.") % {"username": user.username}
    )
    notify(list(peers), message)


@transaction.atomic
def user_add(
    *,
    by: User | None,
    username: str,
    role: str,
    organisation: Organisation,
    regions: Iterable[AdminArea] = (),
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Create an account for someone: by an admin within what they may give, or from the shell (any role).

    Without a password the account has an unusable one: the admin hands over a one-time reset link (reset_link).
    Raises GrantRefused (more than the admin has) or ValidationError (a taken user name, a weak password).
    """
    regions = list(regions)
    if by is not None:
        access.check_grant(
            by, role=role, organisation_id=organisation.pk, region_codes=[region.pcode for region in regions]
        )
    user = user_create(
        username=username,
        role=role,
        password=password,
        organisation=organisation,
        regions=regions,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    _forget_regions(user)
    details = {**_scope_of(user), "channel": "page" if by is not None else "shell"}
    audit.record(AuditEntry.Action.USER_CREATED, request=request, actor=by, target_user=user, details=details)
    if role == Role.GBV_FOCAL_POINT:
        _tell_gbv_focal_points(user, regions=user.region_pcodes())
    return user


@transaction.atomic
def user_change(
    *,
    user: User,
    by: User,
    role: str,
    organisation: Organisation,
    regions: Iterable[AdminArea],
    first_name: str,
    last_name: str,
    email: str,
    request: HttpRequest | None = None,
) -> User:
    """Change a user's names, e-mail address, role, organisation and regions, within what the admin may give.

    Raises NotInScope (the user does not exist for this admin) or GrantRefused.
    """
    # Locked: two admins saving the same user at once would each log a change from the same "before".
    user = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
    _check_in_scope(by, user)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role “%(role)s”.") % {"role": role}})
    regions = list(regions)
    access.check_grant(
        by, role=role, organisation_id=organisation.pk, region_codes=[region.pcode for region in regions], user=user
    )
    access.check_account_action(by, user, AccountAction.EDIT)
    before = _scope_of(user)
    names_before = (user.first_name, user.last_name, user.email)
    was_focal_point = user.role == Role.GBV_FOCAL_POINT
    user.role, user.organisation = role, organisation
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.save()
    user.regions.set(regions)
    _forget_regions(user)
    after = _scope_of(user)
    changed = [
        name
        for name, old, new in zip(
            ("first_name", "last_name", "email"), names_before, (first_name, last_name, email), strict=True
        )
        if old != new
    ]
    details: dict[str, Any] = {"fields": changed + [name for name in before if before[name] != after[name]]}
    details.update({name: [before[name], after[name]] for name in before if before[name] != after[name]})
    if details["fields"]:
        audit.record(AuditEntry.Action.USER_CHANGED, request=request, actor=by, target_user=user, details=details)
    if role == Role.GBV_FOCAL_POINT and user.is_active:
        new_regions = set(after["regions"])
        if not was_focal_point or (before["regions"] and not new_regions):
            _tell_gbv_focal_points(user, regions=new_regions)
        elif new_regions - set(before["regions"]):
            _tell_gbv_focal_points(user, regions=new_regions - set(before["regions"]))
    return user


def scope_before(user: User) -> dict[str, Any]:
    """What user_saved_elsewhere compares with: the user's role, organisation and regions before a change."""
    return _scope_of(User.objects.get(pk=user.pk))


def user_saved_elsewhere(
    *,
    user: User,
    by: User,
    before: dict[str, Any] | None,
    changed_fields: Iterable[str],
    request: HttpRequest | None = None,
) -> None:
    """Log a user created (`before` None) or changed by a superuser in the Django admin, and tell the GBV focal
    points of a role granted there, as the users page does."""
    _forget_regions(user)
    after = _scope_of(user)
    if before is None:
        audit.record(
            AuditEntry.Action.USER_CREATED,
            request=request,
            actor=by,
            target_user=user,
            details={**after, "channel": "django_admin"},
        )
        if user.role == Role.GBV_FOCAL_POINT:
            _tell_gbv_focal_points(user, regions=user.region_pcodes())
        return
    # Never a password, even hashed: the field's name says it changed.
    fields = sorted(set(changed_fields) | {name for name in after if before[name] != after[name]})
    if not fields:
        return
    details: dict[str, Any] = {"fields": fields, "channel": "django_admin"}
    details.update({name: [before[name], after[name]] for name in after if before[name] != after[name]})
    audit.record(AuditEntry.Action.USER_CHANGED, request=request, actor=by, target_user=user, details=details)
    if user.role == Role.GBV_FOCAL_POINT and before["role"] != Role.GBV_FOCAL_POINT:
        _tell_gbv_focal_points(user, regions=user.region_pcodes())


@transaction.atomic
def user_deactivate(*, user: User, by: User, request: HttpRequest | None = None) -> User:
    """Close an account: it can no longer sign in, and its API tokens die with it (never one's own account)."""
    user = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
    _check_in_scope(by, user)
    access.check_account_action(by, user, AccountAction.DEACTIVATE)
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user).delete()
    audit.record(AuditEntry.Action.USER_DEACTIVATED, request=request, actor=by, target_user=user)
    return user


@transaction.atomic
def user_reactivate(*, user: User, by: User, request: HttpRequest | None = None) -> User:
    """Open a closed account again, with the role, organisation and regions it had."""
    user = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
    _check_in_scope(by, user)
    access.check_account_action(by, user, AccountAction.REACTIVATE)
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(AuditEntry.Action.USER_REACTIVATED, request=request, actor=by, target_user=user)
    return user


@dataclass(frozen=True)
class ResetLink:
    """A one-time password-reset link: the path of Django's password_reset_confirm page, and when it expires."""

    path: str
    expires_at: datetime.datetime


def reset_link(*, user: User, by: User, request: HttpRequest | None = None) -> ResetLink:
    """A link the admin hands over (no e-mail needed): Django's password-reset token, valid PASSWORD_RESET_TIMEOUT
    seconds and only until the password changes (the token hashes the password), so it works once.

    The link is logged as made, never itself: whoever reads the log must not be able to use it.
    """
    _check_in_scope(by, user)
    access.check_account_action(by, user, AccountAction.RESET_LINK)
    if not user.is_active:
        raise GrantRefused(_("Reactivate the account first."))
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": reset_tokens.make_token(user),
        },
    )
    audit.record(AuditEntry.Action.RESET_LINK, request=request, actor=by, target_user=user)
    expires_at = timezone.now() + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    return ResetLink(path=path, expires_at=expires_at)
