"""Every URL of Vigie and the answer each role gets on real records: the table tests/test_authorization_matrix.py
walks.

A URL pattern without a row here fails the test. Every URL that names a record is requested, for each role, on a
record in the role's scope and on one out of it (another region, another organisation); the records exist
(tests/test_authorization_matrix.py builds them once for the module). Out of scope, a record is a 404 for every
signed-in role: it does not exist for them. Whatever the status, no text of a record the role may not read appears
in the answer (pages, API, error pages, files).

Flash alerts are shared in their region: every role that reads general records reads the alerts of its regions,
whatever their organisation, and only the raising organisation (and the lead organisation) acts on them (ALERT_READS,
ALERTS_READ_ONLY).

Roles: anonymous; monitor, supervisor, gbv (GBV focal point) of Gao, of the lead organisation; outsider (supervisor
of Mopti); partner_monitor (Gao monitor of a partner organisation); admin (every region, lead organisation);
region_admin (admin of Mopti only); partner_admin (admin of the partner organisation); viewer. Pages send an
anonymous visitor to the login page (302); the API answers 401.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

ROLES = (
    "anonymous",
    "monitor",
    "supervisor",
    "outsider",
    "partner_monitor",
    "gbv",
    "admin",
    "region_admin",
    "partner_admin",
    "viewer",
)
SIGNED_IN = ROLES[1:]

# The role each user has (what a row's defaults and overrides are keyed by).
KIND: dict[str, str] = {
    "monitor": "monitor",
    "partner_monitor": "monitor",
    "supervisor": "supervisor",
    "outsider": "supervisor",
    "gbv": "gbv",
    "admin": "admin",
    "region_admin": "admin",
    "partner_admin": "admin",
    "viewer": "viewer",
}

# --- the records
# Each record type exists three times: in Gao for the lead organisation ("gao"), in Gao for the partner
# organisation ("partner"), in Mopti for the lead organisation ("mopti"). Incidents have a fourth: a Gao incident
# with a sexual-violence type, whose narrative only GBV focal points read ("restricted").
RECORD_TYPES = ("incident", "gbv", "household", "movement", "assistance", "session", "alert")
GENERAL_PLACES = frozenset({"gao", "partner", "mopti", "restricted"})

# Which of those records exist for each role: (general records, GBV referrals).
_GAO_READER: tuple[frozenset[str], frozenset[str]] = (frozenset({"gao", "partner", "restricted"}), frozenset())
READS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "anonymous": (frozenset(), frozenset()),
    "monitor": _GAO_READER,
    "supervisor": _GAO_READER,
    "outsider": (frozenset({"mopti"}), frozenset()),
    "partner_monitor": (frozenset({"partner"}), frozenset()),
    "gbv": (frozenset({"gao", "partner", "restricted"}), frozenset({"gao", "partner"})),
    "admin": (GENERAL_PLACES, frozenset()),
    "region_admin": (frozenset({"mopti"}), frozenset()),
    "partner_admin": (frozenset({"partner"}), frozenset()),
    "viewer": (frozenset(), frozenset()),
}
# Flash alerts are shared in their region (core.access, `shared_in_region`): every role that reads general records
# reads every alert of its regions, whatever the organisation that raised it (a partner's users read the lead's Gao
# alert; the partner's admin, of every region, reads Mopti's too).
ALERT_READS: dict[str, frozenset[str]] = {
    "anonymous": frozenset(),
    "monitor": frozenset({"gao", "partner"}),
    "supervisor": frozenset({"gao", "partner"}),
    "outsider": frozenset({"mopti"}),
    "partner_monitor": frozenset({"gao", "partner"}),
    "gbv": frozenset({"gao", "partner"}),
    "admin": frozenset({"gao", "partner", "mopti"}),
    "region_admin": frozenset({"mopti"}),
    "partner_admin": frozenset({"gao", "partner", "mopti"}),
    "viewer": frozenset(),
}
# ... but only the raising organisation (and the lead organisation, which reviews but does not edit it) acts on one:
# the alerts a role reads and may not act on, {place: users}. A PATCH, a step or the edit page there is a 403;
# reading and commenting are allowed.
ALERTS_READ_ONLY: dict[str, frozenset[str]] = {
    "gao": frozenset({"partner_monitor", "partner_admin"}),
    "mopti": frozenset({"partner_admin"}),
}

# Only GBV focal points read a restricted narrative.
READS_RESTRICTED_NARRATIVE = frozenset({"gbv"})

# The records each role is checked on: one in its scope first (when it has one), then one out of it.
TARGETS: dict[str, tuple[str, ...]] = {
    "anonymous": ("gao",),
    "monitor": ("gao", "mopti"),
    "supervisor": ("gao", "mopti"),
    "outsider": ("mopti", "gao"),
    "partner_monitor": ("partner", "gao"),
    "gbv": ("gao", "mopti"),
    "admin": ("gao", "mopti"),  # both in scope: an admin of every region reads every general record
    "region_admin": ("mopti", "gao"),
    "partner_admin": ("partner", "gao"),
    "viewer": ("gao", "mopti"),
}
# Alerts are checked on one more record: another organisation's alert of the role's regions (shared, read only for a
# partner's users; for the lead's monitor, a record that is not their own).
ALERT_TARGETS: dict[str, tuple[str, ...]] = {
    **TARGETS,
    "monitor": ("gao", "partner", "mopti"),
    "supervisor": ("gao", "partner", "mopti"),
    "partner_monitor": ("partner", "gao", "mopti"),
    "partner_admin": ("partner", "gao", "mopti"),
}


def record_targets(record_type: str, role: str) -> tuple[str, ...]:
    """The places of the records of this type the role is checked on."""
    places = ALERT_TARGETS[role] if record_type == "alert" else TARGETS[role]
    if record_type == "incident" and role in RESTRICTED_TARGET_ROLES:
        places = (*places, "restricted")
    return places


# URLs that name a user (target "user") are checked on these users of the world (its user names).
USER_TARGETS = ("gbv",)
# The users page's URLs (target "account") are checked on the account of each place's monitor: an admin manages the
# accounts of their organisation and regions (the places whose general records they read); the page exists for no
# other role (403 whatever the account).
ACCOUNT_OWNERS = {"gao": "monitor", "partner": "partner_monitor", "mopti": "mopti_monitor"}


def manages_account(role: str, place: str) -> bool:
    return KIND.get(role) != "admin" or place in READS[role][0]


# Incident URLs are also checked on the restricted incident by the roles that read Gao's incidents.
RESTRICTED_TARGET_ROLES = ("monitor", "supervisor", "gbv", "admin")


def reads(role: str, record_type: str, place: str) -> bool:
    if record_type == "alert":
        return place in ALERT_READS[role]
    general, gbv = READS[role]
    return place in (gbv if record_type == "gbv" else general)


# --- export jobs: an export belongs to the admin who started it; nobody else follows or downloads it.
JOB_OWNERS = ("admin", "region_admin", "partner_admin")
EXPORTED = ("incidents", "movements", "assistance", "sessions")


def job_targets(role: str) -> tuple[str, ...]:
    """Jobs are named owner/record_type: the role's own jobs, then another admin's."""
    own = tuple(f"{role}/{record_type}" for record_type in EXPORTED) if role in JOB_OWNERS else ()
    other = "region_admin" if role == "admin" else "admin"
    return (*own, f"{other}/sessions")


# --- API tokens: each signed-in user has one (target "token", named by its owner's user name); another user's token
# does not exist for them (404).
def token_targets(role: str) -> tuple[str, ...]:
    """The role's own token first (a signed-in role), then another user's."""
    other = "supervisor" if role == "monitor" else "monitor"
    return (other,) if role == "anonymous" else (role, other)


def token_key(target: Target) -> dict[str, object]:
    return {"key": target.key}


# --- the rows


def _by_kind(default: int, overrides: Mapping[str, int]) -> dict[str, int]:
    """A status for every signed-in role: `overrides` are keyed by role (KIND's values) or by user name."""
    unknown = set(overrides) - set(KIND) - set(KIND.values())
    if unknown:
        raise ValueError(f"Unknown roles in a row: {sorted(unknown)}")
    return {user: overrides.get(user, overrides.get(kind, default)) for user, kind in KIND.items()}


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def page(status: int = 200, **overrides: int) -> dict[str, int]:
    """A page for signed-in users: anonymous visitors are sent to the login page."""
    return {"anonymous": 302, **_by_kind(status, overrides)}


def api(status: int = 200, **overrides: int) -> dict[str, int]:
    """An API endpoint: no credentials is 401."""
    return {"anonymous": 401, **_by_kind(status, overrides)}


@dataclass(frozen=True)
class Target:
    """What a row's kwargs and data are made from: the record (or job) a case requests."""

    pk: int
    version: int = 1
    service_pk: int | None = None  # a GBV referral's first service
    twin_pk: int | None = None  # a household's likely duplicate, registered before it, in the same scope
    key: str = ""  # an API token's first characters (target "token"; its pk is unused)


Values = Mapping[str, object] | Callable[[Target], Mapping[str, object]]


@dataclass(frozen=True)
class Row:
    """`expected` is the answer on a record in the role's scope (or on a URL that names none); a record out of
    scope is a 404 for every signed-in role. `target` names what the URL's `pk` is: a record type, "job" or "user"."""

    expected: dict[str, int]
    method: str = "get"
    kwargs: Values = field(default_factory=dict)
    data: Values | None = None
    target: str | None = None
    json: bool = False  # send `data` as JSON (API PATCH)
    # Where a record in scope answers otherwise than `expected`: {place: {user: status}}.
    on_place: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


def pk(target: Target) -> dict[str, object]:
    return {"pk": target.pk}


def step(name: str) -> Callable[[Target], dict[str, object]]:
    return lambda target: {"pk": target.pk, "step": name}


def page_step_body(target: Target) -> dict[str, object]:
    """A workflow step posted from a page: confirmed, with the version seen and the text a step may need."""
    return {"version": target.version, "confirm": "1", "comment": "Please check.", "reason": "Not our area."}


API_STEP_BODY = {"comment": "Please check.", "reason": "Not our area."}
COMMENT = {"comment": "Seen."}

# Today's answers on a submitted record in scope (see the world in tests/test_authorization_matrix.py): Gao's records
# are entered by the Gao monitor, the partner's by the partner monitor, Mopti's by a Mopti monitor; GBV referrals by a
# second Gao focal point. Monitors take no review step (403); a step the status does not allow is a 409.
REVIEW_PAGE = page(302, monitor=403, gbv=403)  # verify, return, reject: a redirect to the record when done
REVIEW_API = api(200, monitor=403, gbv=403)


def _record_rows(app: str, page_prefix: str, api_basename: str, record_type: str) -> dict[str, Row | tuple[Row, ...]]:
    """The pages and API of a general record type (core.record_pages and core.api.records)."""
    return {
        f"{app}:{page_prefix}list": Row(page(200, viewer=403)),
        f"{app}:{page_prefix}create": Row(page(200, gbv=403, viewer=403)),
        f"{app}:{page_prefix}detail": Row(page(200), kwargs=pk, target=record_type),
        # A monitor's own record, once submitted, is no longer theirs to change (409 with the detail page).
        f"{app}:{page_prefix}edit": Row(page(200, monitor=409, gbv=403), kwargs=pk, target=record_type),
        f"{app}:{page_prefix}comment": Row(page(302), method="post", kwargs=pk, data=COMMENT, target=record_type),
        f"{app}:{page_prefix}step": Row(
            REVIEW_PAGE, method="post", kwargs=step("verify"), data=page_step_body, target=record_type
        ),
        f"{api_basename}-list": Row(api(viewer=403)),
        f"{api_basename}-detail": (
            Row(api(200), kwargs=pk, target=record_type),
            Row(
                api(200, monitor=409, gbv=403),
                method="patch",
                kwargs=pk,
                data=lambda target: {"version": target.version},
                json=True,
                target=record_type,
            ),
        ),
        f"{api_basename}-submit": Row(
            api(409, gbv=403), method="post", kwargs=pk, data=API_STEP_BODY, target=record_type
        ),
        f"{api_basename}-verify": Row(REVIEW_API, method="post", kwargs=pk, data=API_STEP_BODY, target=record_type),
        f"{api_basename}-return": Row(REVIEW_API, method="post", kwargs=pk, data=API_STEP_BODY, target=record_type),
        f"{api_basename}-reject": Row(REVIEW_API, method="post", kwargs=pk, data=API_STEP_BODY, target=record_type),
        # A monitor archives only their own drafts: a submitted record is a 409.
        f"{api_basename}-archive": Row(
            api(200, monitor=409, gbv=403), method="post", kwargs=pk, data=API_STEP_BODY, target=record_type
        ),
        f"{api_basename}-restore": Row(
            api(409, gbv=403), method="post", kwargs=pk, data=API_STEP_BODY, target=record_type
        ),
    }


def _alert_rows() -> dict[str, Row | tuple[Row, ...]]:
    """Flash alerts: the pages and API of a general record type, but another organisation's alert in the role's
    regions is read (detail 200, comment 302) and not acted on (403: edit page, PATCH, every step); the lead's
    monitor acts on no alert but their own (403, where their own submitted one is a 409)."""
    acting = {"alerts:edit", "alerts:step", "alert-submit", "alert-verify", "alert-return", "alert-reject"}
    acting |= {"alert-archive", "alert-restore"}
    refused = {place: dict.fromkeys(users, 403) for place, users in ALERTS_READ_ONLY.items()}
    refused["partner"] = {"monitor": 403}
    # Only the raising organisation edits an alert (SPEC.md): the lead organisation reviews the partner's, never
    # edits it.
    not_edited = {**refused, "partner": dict.fromkeys(("monitor", "supervisor", "admin"), 403)}

    def read_only(key: str, row: Row) -> Row:
        if key == "alerts:edit" or (key == "alert-detail" and row.method == "patch"):
            return replace(row, on_place=not_edited)
        if key in acting:
            return replace(row, on_place=refused)
        return row

    return {
        key: tuple(read_only(key, row) for row in value) if isinstance(value, tuple) else read_only(key, value)
        for key, value in _record_rows("alerts", "", "alert", "alert").items()
    }


# GBV referrals are need-to-know: only GBV focal points open the collections (403 for every other role) and a
# referral exists for no other role (404).
GBV_ONLY_PAGE = page(403, gbv=200)
GBV_ONLY_API = api(403, gbv=200)

MATRIX: dict[str, Row | tuple[Row, ...]] = {
    "home": Row(page()),
    "healthz": Row(everyone(200)),
    "login": Row({"anonymous": 200, **dict.fromkeys(SIGNED_IN, 302)}),
    "logout": Row(everyone(302), method="post"),
    # The idle-session warning's "Stay signed in" (a fetch: 401, not the login page, once the session has ended);
    # where a page whose session ran out goes (the login page with a message, or back to the page if still signed in).
    "session-keepalive": (Row(api(200), method="post"), Row(everyone(405))),
    "session-ended": Row(everyone(302), data={"next": "/my-records/"}),
    "password_change": Row(page()),
    "password_change_done": Row(page()),
    "password_reset": Row(everyone(200)),
    "password_reset_done": Row(everyone(200)),
    "password_reset_confirm": Row(everyone(200), kwargs={"uidb64": "MQ", "token": "not-a-token"}),
    "password_reset_complete": Row(everyone(200)),
    "set_language": Row(everyone(302), method="post", data={"language": "fr", "next": "/"}),
    # The second factor (nobody needs one in these tests; nobody has a device): anyone may enrol; verifying and
    # making backup codes send a user without an authenticator to enrolment; only superusers reset a user's.
    "second-factor": Row(page()),
    "second-factor-verify": Row(page(302)),
    "second-factor-backup-codes": Row(page(302), method="post"),
    "user-second-factor-reset": (
        Row(page(403), kwargs=pk, target="user"),
        Row(page(403), method="post", kwargs=pk, target="user"),
    ),
    # Django's admin: only Vigie's admins get in; everyone else is sent to its login page.
    "admin:*": Row(page(302, admin=200)),
    # ... but its user and group pages are for superusers only: admins manage users on the users page, in scope.
    "admin:core_user_changelist": Row(page(302, admin=403)),
    "admin:auth_group_changelist": Row(page(302, admin=403)),
    # The users page: admins, each for the accounts of their scope (another's is a 404); nobody else (403).
    "user-list": Row(page(403, admin=200)),
    "user-create": Row(page(403, admin=200)),
    "user-edit": Row(page(403, admin=200), kwargs=pk, target="account"),
    "user-deactivate": (
        Row(page(403, admin=200), kwargs=pk, target="account"),  # the confirmation page
        Row(page(403, admin=302), method="post", kwargs=pk, data={"confirm": "1"}, target="account"),
    ),
    "user-reactivate": Row(page(403, admin=302), method="post", kwargs=pk, target="account"),
    "user-reset-link": Row(page(403, admin=200), method="post", kwargs=pk, target="account"),
    "api-schema": Row(api()),
    "api-docs": Row(page()),
    "api-token": Row(everyone(400), method="post", data={}),
    # API tokens: each user lists and revokes their own (core/tests/test_tokens.py); a session has no token to
    # revoke with api-token-revoke (400).
    "api-tokens": Row(api()),
    "api-token-detail": Row(api(204), method="delete", kwargs=token_key, target="token"),
    "api-token-revoke": Row(api(400), method="post"),
    "tokens": (Row(page()), Row(page(), method="post", data={"name": "matrix script", "days": "7"})),
    "token-revoke": (
        Row(page(), kwargs=token_key, target="token"),  # the confirmation page
        Row(page(302), method="post", kwargs=token_key, target="token"),
    ),
    "api-reference": Row(api(), kwargs={"slug": "violation-types"}),
    # Incidents: pages and API.
    **_record_rows("incidents", "", "incident", "incident"),
    # Only a GBV focal point lifts the restriction on an incident's narrative; on an incident without one, a 409.
    "incidents:lift-narrative-restriction": Row(
        page(403, gbv=302),
        method="post",
        kwargs=pk,
        data=lambda target: {"version": target.version},
        target="incident",
        on_place={"gao": {"gbv": 409}, "partner": {"gbv": 409}},
    ),
    "incident-lift-narrative-restriction": Row(
        api(403, gbv=200),
        method="post",
        kwargs=pk,
        data=lambda target: {"version": target.version},
        target="incident",
        on_place={"gao": {"gbv": 409}, "partner": {"gbv": 409}},
    ),
    # GBV referral pages.
    "incidents:gbv-list": Row(GBV_ONLY_PAGE),
    "incidents:gbv-create": Row(GBV_ONLY_PAGE),
    "incidents:gbv-board": Row(GBV_ONLY_PAGE),
    "incidents:gbv-detail": Row(page(200), kwargs=pk, target="gbv"),
    "incidents:gbv-edit": Row(page(200), kwargs=pk, target="gbv"),
    "incidents:gbv-comment": Row(page(302), method="post", kwargs=pk, data=COMMENT, target="gbv"),
    "incidents:gbv-consent": Row(
        page(302),
        method="post",
        kwargs=pk,
        data=lambda target: {"version": target.version, "confirm": "1"},
        target="gbv",
    ),
    "incidents:gbv-closure": Row(
        page(302),
        method="post",
        kwargs=lambda target: {"pk": target.pk, "decision": "request"},
        data=lambda target: {"version": target.version},
        target="gbv",
    ),
    "incidents:gbv-service-provided": Row(
        page(302),
        method="post",
        kwargs=lambda target: {"pk": target.pk, "service_pk": target.service_pk},
        data=lambda target: {"version": target.version, "provided_on": "2021-12-12"},
        target="gbv",
    ),
    "incidents:gbv-step": Row(page(302), method="post", kwargs=step("verify"), data=page_step_body, target="gbv"),
    # Households, movements, assistance and sessions (core.record_pages, core.api.records).
    **_record_rows("beneficiaries", "household-", "household", "household"),
    **_record_rows("beneficiaries", "movement-", "movement", "movement"),
    **_record_rows("activities", "assistance-", "assistance", "assistance"),
    **_record_rows("activities", "session-", "session", "session"),
    # Flash alerts: shared in their region, acted on by their organisation (_alert_rows).
    **_alert_rows(),
    # Likely duplicate households are reviewed by supervisors and admins: each household has a likely duplicate
    # (its twin) in the same scope; merging asks for a confirmation first (200), then redirects.
    "beneficiaries:household-duplicates": Row(page(403, supervisor=200, admin=200)),
    "beneficiaries:household-merge": Row(
        page(302, supervisor=200, admin=200, monitor=403, gbv=403),
        method="post",
        kwargs=pk,
        data=lambda target: {"into": target.twin_pk},
        target="household",
    ),
    "household-duplicates": Row(api(403, supervisor=200, admin=200)),
    "household-merge": Row(
        api(200, monitor=403, gbv=403),
        method="post",
        kwargs=pk,
        data=lambda target: {"into": target.twin_pk},
        target="household",
    ),
    "my-records": Row(page()),
    "notifications": Row(page()),
    # The audit log: admins (each within their scope, core/tests/test_audit.py) and superusers.
    "audit-log": Row(page(403, admin=200)),
    "review-queue": Row(page(200, monitor=403, viewer=403)),  # a GBV focal point reviews GBV referrals there
    # Reports (reports/tests/test_api.py covers closed months, suppression and the data itself).
    "api-reports-monthly": Row(api(viewer=403), data={"month": "2021-12"}),
    "api-reports-tallies": Row(api(monitor=403, gbv=403, viewer=403), data={"month": "2021-12"}),
    "api-month-close": Row(api(403, admin=202), method="post", kwargs={"month": "2021-12"}),
    # The closing checklist: every admin, each within their scope (reports/tests/test_checklist.py reads the answers).
    "api-month-checklist": Row(api(403, admin=200), kwargs={"month": "2021-12"}),
    "api-month-reopen": Row(api(403, admin=400), method="post", kwargs={"month": "2021-12"}),
    "api-exports": Row(api(403, admin=400), method="post"),
    "reports:monthly": Row(page()),
    "reports:close-month": (
        Row(page(403, admin=200), kwargs={"month": "2021-12"}),  # the close page and its checklist
        Row(page(403, admin=302), method="post", kwargs={"month": "2021-12"}, data={"acknowledge": "on"}),
    ),
    "reports:close-month-suppression": Row(page(403, admin=200), kwargs={"month": "2021-12"}),
    "reports:reopen-month": Row(page(403, admin=302), method="post", kwargs={"month": "2021-12"}),
    "reports:exports": Row(page(403, admin=200)),
    # Jobs: the user who started one follows it and downloads its file; for anyone else it does not exist (404).
    "api-job": Row(api(200), kwargs=pk, target="job"),
    "reports:job": Row(page(200), kwargs=pk, target="job"),
    "reports:job-download": Row(page(200), kwargs=pk, target="job"),
    # GBV referrals API.
    "gbv-referral-list": Row(GBV_ONLY_API),
    "gbv-referral-detail": (
        Row(api(200), kwargs=pk, target="gbv"),
        Row(
            api(200),
            method="patch",
            kwargs=pk,
            data=lambda target: {"version": target.version},
            json=True,
            target="gbv",
        ),
    ),
    "gbv-referral-submit": Row(api(409), method="post", kwargs=pk, data=API_STEP_BODY, target="gbv"),
    "gbv-referral-verify": Row(api(200), method="post", kwargs=pk, data=API_STEP_BODY, target="gbv"),
    "gbv-referral-return": Row(api(200), method="post", kwargs=pk, data=API_STEP_BODY, target="gbv"),
    "gbv-referral-reject": Row(api(200), method="post", kwargs=pk, data=API_STEP_BODY, target="gbv"),
    "gbv-referral-archive": Row(api(200), method="post", kwargs=pk, data=API_STEP_BODY, target="gbv"),
    "gbv-referral-restore": Row(api(409), method="post", kwargs=pk, data=API_STEP_BODY, target="gbv"),
    "gbv-referral-request-closure": Row(api(200), method="post", kwargs=pk, target="gbv"),
    "gbv-referral-approve-closure": Row(api(409), method="post", kwargs=pk, target="gbv"),  # nobody asked to close it
    "gbv-referral-withdraw-consent": Row(api(200), method="post", kwargs=pk, target="gbv"),
}

# The representative URLs a group row is checked on.
GROUP_SAMPLES: dict[str, list[tuple[str, dict[str, object]]]] = {
    "admin:*": [
        ("admin:index", {}),
        ("admin:core_organisation_changelist", {}),
        ("admin:core_violationtype_changelist", {}),
    ],
}


def rows(key: str) -> tuple[Row, ...]:
    value = MATRIX[key]
    return value if isinstance(value, tuple) else (value,)


def resolve(values: Values | None, target: Target | None) -> dict[str, Any]:
    if values is None:
        return {}
    if callable(values):
        if target is None:
            raise ValueError("A row whose values depend on a record must name its target")
        return dict(values(target))
    return dict(values)
