"""Writes that belong to core: users and organisations."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.choices import AdminLevel, Role
from core.models import AdminArea, Organisation, User


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
