"""The one place that decides what a user may see and do (SPEC.md, "Who may do what").

Every page, API view, export and menu asks this module; nothing else filters by region or organisation.

Two questions are kept apart, in the order API.md checks them:
- *scope* — which records exist for the user at all (regions, and for partners their organisation);
  a record out of scope is a 404;
- *role* — what the user's role may do with records of a family (general or GBV); a refusal is a 403.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from core import audit
from core.choices import Role, Status
from core.models import AdminArea as AdminAreaModel
from core.models import Job as JobModel
from core.models import User as UserModel

if TYPE_CHECKING:
    from core.models import AdminArea, User

_M = TypeVar("_M", bound=Model)


class ScopedRecord(Protocol):
    """What scope and role checks read on a record: every reviewed record type has these."""

    @property
    def pk(self) -> Any: ...
    @property
    def family(self) -> Family: ...
    @property
    def region(self) -> AdminArea: ...
    @property
    def organisation_id(self) -> int | None: ...


class AuthoredRecord(ScopedRecord, Protocol):
    """A scoped record that knows who entered it (nobody reviews their own)."""

    @property
    def created_by_id(self) -> int | None: ...


class RegionScoped(Protocol):
    """Whom figures are counted for: a user, or a set of regions when a month is published (reports.publishing)."""

    def region_pcodes(self) -> frozenset[str]: ...


class Family(enum.Enum):
    """Record families with different readers: GBV referrals are need-to-know."""

    GENERAL = "general"  # incidents, assistance, sessions, movements, beneficiaries
    GBV = "gbv"  # GBV referrals


class Action(enum.Enum):
    CREATE = "create"
    READ = "read"
    EDIT = "edit"
    SUBMIT = "submit"
    REVIEW = "review"  # verify, return, reject
    ARCHIVE = "archive"  # archive and restore
    MANAGE_CASE = "manage_case"  # a GBV case: consent withdrawal, closure requested and approved


class Capability(enum.Enum):
    """What a role may use, record families aside."""

    FIGURES = "figures"  # monthly figures and charts (viewers: closed months, suppressed)
    TALLIES = "tallies"  # the tallies export
    RECORDS_EXPORT = "records_export"  # records export, PDF report
    CLOSE_MONTH = "close_month"
    MANAGE = "manage"  # users, organisations, reference lists


_ACTIONS_BY_ROLE: dict[str, set[tuple[Action, Family]]] = {
    Role.MONITOR: {(action, Family.GENERAL) for action in (Action.CREATE, Action.READ, Action.EDIT, Action.SUBMIT)}
    | {(Action.ARCHIVE, Family.GENERAL)},
    Role.SUPERVISOR: {(action, Family.GENERAL) for action in Action},
    Role.GBV_FOCAL_POINT: {(action, Family.GBV) for action in Action} | {(Action.READ, Family.GENERAL)},
    Role.ADMIN: {(action, Family.GENERAL) for action in Action},
    Role.VIEWER: set(),
}
_CAPABILITIES_BY_ROLE: dict[str, set[Capability]] = {
    Role.MONITOR: {Capability.FIGURES},
    Role.SUPERVISOR: {Capability.FIGURES, Capability.TALLIES},
    Role.GBV_FOCAL_POINT: {Capability.FIGURES},
    Role.ADMIN: set(Capability),
    Role.VIEWER: {Capability.FIGURES, Capability.TALLIES},
}


def _role(user: User | AnonymousUser) -> str | None:
    # Anyone may be asked about (menus and the admin ask before sign-in): an anonymous user has no role.
    if isinstance(user, AnonymousUser) or not user.is_active:
        return None
    return user.role


def may(user: User | AnonymousUser, action: Action, family: Family = Family.GENERAL) -> bool:
    """Whether the user's role may take this action on records of this family at all (before scope and status)."""
    role = _role(user)
    return role is not None and (action, family) in _ACTIONS_BY_ROLE[role]


def has_capability(user: User | AnonymousUser, capability: Capability) -> bool:
    role = _role(user)
    return role is not None and capability in _CAPABILITIES_BY_ROLE[role]


def is_admin(user: User | AnonymousUser) -> bool:
    return _role(user) == Role.ADMIN


def may_read_restricted_narrative(user: User) -> bool:
    """Whether the user reads and searches the narrative of an incident that has had a sexual-violence type, and
    may lift that restriction: GBV focal points only, in every channel (SPEC.md, "Access and data protection")."""
    return _role(user) == Role.GBV_FOCAL_POINT


def sees_every_organisation(user: User) -> bool:
    """Users of the lead organisation see every organisation's records; a partner's users see their own."""
    return user.organisation is None or user.organisation.is_lead


def region_pcodes(user: RegionScoped) -> frozenset[str]:
    """The P-codes of the user's regions; an empty set means every region."""
    return user.region_pcodes()


def covers_region(user: User, region_pcode: str | None) -> bool:
    """Whether a region (level-1 P-code) is one of the user's regions."""
    regions = region_pcodes(user)
    return not regions or region_pcode in regions


def scope_filter(
    user: User,
    *,
    region_field: str = "region",
    organisation_field: str = "organisation",
    every_organisation: bool = False,
) -> Q:
    """The condition a record must meet to exist for this user, whatever its status or family.

    `region_field` and `organisation_field` name the record's foreign keys (or lookups to them);
    `every_organisation`: a record shared in its region (a flash alert) exists for every organisation there.
    """
    condition = Q()
    regions = region_pcodes(user)
    if regions:
        condition &= Q(**{f"{region_field}__pcode__in": sorted(regions)})
    if not (every_organisation or sees_every_organisation(user)):
        condition &= Q(**{f"{organisation_field}_id": user.organisation_id})
    return condition


def records_in_scope(
    queryset: QuerySet[_M],
    user: User,
    family: Family = Family.GENERAL,
    *,
    region_field: str = "region",
    organisation_field: str = "organisation",
) -> QuerySet[_M]:
    """The records of `queryset` this user may read individually; none for a role that reads no such record."""
    if not may(user, Action.READ, family):
        return queryset.none()
    condition = scope_filter(
        user,
        region_field=region_field,
        organisation_field=organisation_field,
        every_organisation=is_shared_in_region(queryset.model),
    )
    return queryset.filter(condition)


def is_shared_in_region(record: object) -> bool:
    """Whether a record (or record model) is read by every organisation of its region: flash alerts are for
    coordination (core.records.ReviewedRecord.shared_in_region)."""
    return bool(getattr(record, "shared_in_region", False))


def acts_for_record_organisation(user: User, record: ScopedRecord) -> bool:
    """Whether the user acts for the record's organisation: its own users, and the lead organisation's."""
    return sees_every_organisation(user) or record.organisation_id == user.organisation_id


def acted_on_filter(user: User, *, organisation_field: str = "organisation") -> Q:
    """The condition a record in scope must meet for the user to act on it (edit, submit, review, archive): its
    organisation is theirs, or they are of the lead organisation. It narrows only records shared in their region (a
    flash alert): any other record in a partner's scope is their organisation's already. The review queue asks it,
    so a partner's supervisor is not handed another organisation's alert to verify (it would answer 403)."""
    if sees_every_organisation(user):
        return Q()
    return Q(**{f"{organisation_field}_id": user.organisation_id})


def aggregate_scope(
    queryset: QuerySet[_M],
    user: RegionScoped,
    *,
    region_field: str = "region",
    organisation_field: str = "organisation",
) -> QuerySet[_M]:
    """The records that count in this user's figures: their regions, every organisation (aggregates include all)."""
    regions = region_pcodes(user)
    if not regions:
        return queryset
    return queryset.filter(**{f"{region_field}__pcode__in": sorted(regions)})


class NotInScope(Exception):
    """The record does not exist for this user (API.md: 404, never revealing that it exists)."""


class RoleRefused(Exception):
    """The user's role may not take this step on this record (API.md: 403)."""


def _is_own(user: User, record: object) -> bool:
    return getattr(record, "created_by_id", None) == user.pk


def record_in_scope(user: User, record: ScopedRecord) -> bool:
    """Whether the record exists for this user: their role reads its family, and it lies in their scope."""
    if not may(user, Action.READ, record.family):
        return False
    if not covers_region(user, record.region.pcode):
        return False
    return is_shared_in_region(record) or acts_for_record_organisation(user, record)


def check_record_action(user: User, record: ScopedRecord, action: Action) -> None:
    """Raise NotInScope or RoleRefused unless the user may take `action` on this record (status aside).

    Scope first, then role, as API.md orders them; the workflow checks the status after this.
    """
    if not record_in_scope(user, record):
        raise NotInScope
    if not may(user, action, record.family):
        raise RoleRefused
    # Another organisation's flash alert is read, never acted on (the lead organisation reviews it)...
    if action != Action.READ and not acts_for_record_organisation(user, record):
        raise RoleRefused
    # ... and only the raising organisation edits it (SPEC.md, "Flash alerts"), the lead organisation included.
    if action == Action.EDIT and is_shared_in_region(record) and record.organisation_id != user.organisation_id:
        raise RoleRefused
    if (
        user.role == Role.MONITOR
        and action in (Action.EDIT, Action.SUBMIT, Action.ARCHIVE)
        and not _is_own(user, record)
    ):
        raise RoleRefused
    # Nobody verifies a record they entered (admins excepted).
    if action == Action.REVIEW and _is_own(user, record) and not is_admin(user):
        raise RoleRefused


def allowed_actions(user: User, record: ScopedRecord) -> set[Action]:
    """The actions the user's role allows on this record (for showing buttons); status is the workflow's say."""
    allowed = set()
    for action in Action:
        try:
            check_record_action(user, record, action)
        except (NotInScope, RoleRefused):
            continue
        allowed.add(action)
    return allowed


def may_place_record(user: User, region_pcode: str) -> bool:
    """Whether the user may put a record in this region (a place outside their regions is refused)."""
    return covers_region(user, region_pcode)


def may_edit_in_status(user: User, status: str) -> bool:
    """Whether the user's role may edit a record in this status: monitors edit their own records while `draft` or
    `returned` only (SPEC.md, "Who may do what": edit a record); which statuses no one edits is the workflow's say."""
    return _role(user) != Role.MONITOR or status in (Status.DRAFT, Status.RETURNED)


def may_archive_from(user: User, status: str) -> bool:
    """Whether the user's role may archive (or restore to) a record in this status: monitors archive and restore
    their own drafts only (SPEC.md, "Who may do what": archive / restore)."""
    return _role(user) != Role.MONITOR or status == Status.DRAFT


def may_choose_organisation(user: User | AnonymousUser) -> bool:
    """Whether the user may file a record under another organisation than their own: the lead organisation's admins
    only (they enter records for any organisation); a partner's records stay theirs (SPEC.md), so a partner's admin,
    like everyone else, files under their own organisation."""
    return is_admin(user) and isinstance(user, UserModel) and sees_every_organisation(user)


def may_write_in_closed_month(user: User | AnonymousUser) -> bool:
    """Whether the user may create, edit or review a record whose month is closed: admins only, and the change is
    flagged "changed after closing" (SPEC.md, "Closed months")."""
    return is_admin(user)


def is_gbv_case_action_in_closed_month(
    user: User | AnonymousUser, family: Family, action: Action, step: str = ""
) -> bool:
    """Whether this is one of the GBV case actions a focal point may still take in a closed month: withdrawing
    consent, recording a service as provided, asking for and approving a case's closure (MANAGE_CASE), and verifying
    a pending referral (the review's `verify` step; returning or rejecting one is not a survivor's right). A
    survivor's rights come before a closed month, and admins, who may write there, cannot read GBV referrals
    (SPEC.md, "Closed months"); the change is flagged "changed after closing" like an admin's."""
    if _role(user) != Role.GBV_FOCAL_POINT or family != Family.GBV:
        return False
    return action == Action.MANAGE_CASE or (action == Action.REVIEW and step == "verify")


def may_change_in_closed_month(user: User | AnonymousUser, family: Family, action: Action, step: str = "") -> bool:
    """Whether the user may take `action` (a workflow `step`'s name, when it is one) on a record of `family` whose
    month is closed: an admin any write, a GBV focal point the GBV case actions (core.closing asks this)."""
    return may_write_in_closed_month(user) or is_gbv_case_action_in_closed_month(user, family, action, step)


def urgent_record_reviewers(record: AuthoredRecord) -> list[User]:
    """Who is alerted at once when an urgent record is submitted: the active supervisors for whom the record is in
    scope, but not the one who entered it (nobody reviews their own record; SPEC.md, "The review workflow")."""
    supervisors = UserModel.objects.filter(role=Role.SUPERVISOR, is_active=True).prefetch_related("regions")
    return [user for user in supervisors if record_in_scope(user, record) and user.pk != record.created_by_id]


def log_record_access(
    user: User, records: Model | Iterable[Model], channel: str, *, request: HttpRequest | None = None
) -> None:
    """Write down in the audit log that `user` read need-to-know records (every view of a GBV record is logged,
    lists too): one entry per record, naming it by type and number, never its content."""
    records = [records] if isinstance(records, Model) else list(records)
    audit.record_many(
        audit.Action.GBV_RECORD_VIEWED, records, request=request, actor=user, details={"channel": str(channel)}
    )


# --- What viewers may ask of the figures (SPEC.md, "Access and data protection"; API.md): the report page, its PDF
# and the reports API all ask these, so the rule is written once.

#: Query parameters a viewer may not use: narrowing a published month by organisation, and today's figures.
VIEWER_REFUSED_PARAMETERS = ("organisation", "current")


class FiguresRefused(Exception):
    """The user may not ask the figures this way (a 403 on the API, a message on the page)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def reads_published_figures_only(user: User | AnonymousUser) -> bool:
    """Whether the user reads only the published figures of closed months, small counts suppressed and GBV referral
    figures at national level only, never today's figures nor an individual record: viewers (SPEC.md, "Who may do
    what" and "Access and data protection")."""
    return _role(user) == Role.VIEWER


def check_figures_request(user: User | AnonymousUser, *, closed: bool, parameters: Iterable[str] = ()) -> None:
    """Raise FiguresRefused unless the user may ask the figures of these months (`closed`: all of them are closed)
    with these query parameters: viewers cannot narrow a published month by organisation or ask for today's figures,
    and see closed months only (SPEC.md, "Access and data protection"; API.md)."""
    if not reads_published_figures_only(user):
        return
    asked = set(parameters)
    for name in VIEWER_REFUSED_PARAMETERS:
        if name in asked:
            raise FiguresRefused(
                _("Viewers may not use “%(parameter)s”: they see the published figures.") % {"parameter": name}
            )
    if not closed:
        raise FiguresRefused(_("Viewers see the figures of closed months only."))


# --- Background jobs (API.md's jobs): a job is its starter's alone.


def visible_jobs(user: User | AnonymousUser) -> QuerySet[JobModel]:
    """The background jobs (closing a month, exports) a user may follow, and whose files they may download: the ones
    they started, and no other (API.md's jobs). Neither role nor regions open another's job: an admin of any region,
    a superuser included, finds it nowhere (404), since an export's file holds what its starter's scope let through."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated or not user.is_active:
        return JobModel.objects.none()
    return JobModel.objects.filter(user=user)


# --- Managing users (SPEC.md, "Access and data protection"): within the admin's own scope, never more than the
# admin has, never the admin's own role, organisation or regions; the GBV focal point role by a superuser only.


def may_manage_users(user: User | AnonymousUser) -> bool:
    """Whether the user has the users page at all: admins and superusers (what they see there is manageable_users)."""
    if isinstance(user, AnonymousUser) or not user.is_active:
        return False
    return user.is_superuser or is_admin(user)


def manageable_users(admin: User) -> QuerySet[User]:
    """The users this admin may see and manage: a superuser, everyone; an admin, the users of their organisation
    (every organisation for the lead's admins) whose regions all lie within the admin's regions (a user of every
    region only for an admin of every region). Superusers are managed by superusers only. The admin's own account
    is in the list (to read) but `may_change_scope` refuses changes to it."""
    users = UserModel.objects.all()
    if admin.is_superuser:
        return users
    if not is_admin(admin):
        return users.none()
    users = users.filter(is_superuser=False)
    if not sees_every_organisation(admin):
        users = users.filter(organisation=admin.organisation)
    regions = region_pcodes(admin)
    if regions:
        outside = AdminAreaModel.objects.filter(scoped_users=OuterRef("pk")).exclude(pcode__in=sorted(regions))
        inside = AdminAreaModel.objects.filter(scoped_users=OuterRef("pk"))
        users = users.filter(Exists(inside)).exclude(Exists(outside))
    return users


def may_manage_user(admin: User, user: User) -> bool:
    """Whether `user` exists for this admin on the users page (else 404)."""
    return manageable_users(admin).filter(pk=user.pk).exists()


class GrantRefused(Exception):
    """What an admin asked to give is more than they have (a 403 on the API, a form error on the page)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_grant(
    admin: User,
    *,
    role: str,
    organisation_id: int | None,
    region_codes: Iterable[str],
    user: User | None = None,
) -> None:
    """Raise GrantRefused unless this admin may give a user (new, or `user`) this role, organisation and regions."""
    if user is not None and user.pk == admin.pk:
        raise GrantRefused(_("You cannot change your own role, organisation or regions; ask another admin."))
    if admin.is_superuser:
        return
    if not is_admin(admin):
        raise GrantRefused(_("Only admins manage users."))
    if role == Role.GBV_FOCAL_POINT or (user is not None and user.role == Role.GBV_FOCAL_POINT):
        raise GrantRefused(_("Only a superuser grants or changes the GBV focal point role."))
    if not sees_every_organisation(admin) and organisation_id != admin.organisation_id:
        raise GrantRefused(_("You can only give users your own organisation."))
    regions = region_pcodes(admin)
    wanted = set(region_codes)
    if regions and (not wanted or not wanted <= regions):
        raise GrantRefused(_("You can only give users regions among your own: choose at least one of them."))


class AccountAction(enum.Enum):
    """What an admin does to an account in their scope, beside changing its role, organisation or regions."""

    EDIT = "edit"  # names and e-mail (an e-mail address is where a reset link goes)
    DEACTIVATE = "deactivate"
    REACTIVATE = "reactivate"
    RESET_LINK = "reset_link"


def _awaiting_hand_over(user: User, action: AccountAction) -> bool:
    """A new account nobody has used yet (no password, never signed in): its first reset link is how an admin hands
    it over, and there is nobody to impersonate."""
    return action == AccountAction.RESET_LINK and user.last_login is None and not user.has_usable_password()


def check_account_action(admin: User, user: User, action: AccountAction) -> None:
    """Raise GrantRefused unless this admin may take `action` on `user`, an account already in their scope.

    Anything that would let an admin act as a GBV focal point or as another admin (a reset link, a changed e-mail
    address, reactivating the account) is for superusers: it would give the admin the GBV records the role reads,
    or another admin's name in the log. Deactivating one only takes access away, so any admin in scope may do it
    (someone left, a phone was lost).
    """
    if user.pk == admin.pk:
        raise GrantRefused(_("You cannot do this to your own account; ask another admin."))
    if admin.is_superuser:
        return
    if not is_admin(admin):
        raise GrantRefused(_("Only admins manage users."))
    if user.role == Role.GBV_FOCAL_POINT and action != AccountAction.DEACTIVATE:
        raise GrantRefused(_("Only a superuser manages a GBV focal point's account."))
    # A peer admin's e-mail address or a reset link would let one admin sign in as another (and enrol their second
    # factor if they have none yet): a superuser's, as for focal points. Deactivating a peer only takes access away.
    if user.role == Role.ADMIN and action != AccountAction.DEACTIVATE and not _awaiting_hand_over(user, action):
        raise GrantRefused(_("Only a superuser changes another admin's e-mail, reset link or reactivation."))
