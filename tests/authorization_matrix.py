"""Every URL of Vigie and the answer each role gets: the table tests/test_authorization_matrix.py walks.

A URL pattern without a row here fails the test. Roles: anonymous, monitor, supervisor (of Gao), gbv
(GBV focal point), admin, viewer. Pages send an anonymous visitor to login (302); the API answers 401.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("anonymous", "monitor", "supervisor", "gbv", "admin", "viewer")
SIGNED_IN = ROLES[1:]
NO_SUCH_RECORD = 999999


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def page(status: int = 200, **overrides: int) -> dict[str, int]:
    """A page for signed-in users: anonymous visitors are sent to the login page."""
    return {"anonymous": 302, **dict.fromkeys(SIGNED_IN, status), **overrides}


def api(status: int = 200, **overrides: int) -> dict[str, int]:
    """An API endpoint: no credentials is 401."""
    return {"anonymous": 401, **dict.fromkeys(SIGNED_IN, status), **overrides}


@dataclass(frozen=True)
class Row:
    expected: dict[str, int]
    method: str = "get"
    kwargs: dict[str, object] = field(default_factory=dict)
    data: dict[str, object] | None = None


MATRIX: dict[str, Row] = {
    "home": Row(page()),
    "healthz": Row(everyone(200)),
    "login": Row({"anonymous": 200, **dict.fromkeys(SIGNED_IN, 302)}),
    "logout": Row(everyone(302), method="post"),
    "password_change": Row(page()),
    "password_change_done": Row(page()),
    "password_reset": Row(everyone(200)),
    "password_reset_done": Row(everyone(200)),
    "password_reset_confirm": Row(everyone(200), kwargs={"uidb64": "MQ", "token": "not-a-token"}),
    "password_reset_complete": Row(everyone(200)),
    "set_language": Row(everyone(302), method="post", data={"language": "fr", "next": "/"}),
    # Django's admin: only Vigie's admins get in; everyone else is sent to its login page.
    "admin:*": Row(page(302, admin=200)),
    "api-schema": Row(api()),
    "api-docs": Row(page()),
    "api-token": Row(everyone(400), method="post", data={}),
    "api-reference": Row(api(), kwargs={"slug": "violation-types"}),
    # Record pages: the people fixture has no records, so a record's URL is checked on a number that does not exist
    # (404 for everyone signed in); incidents/tests/test_views.py covers real records role by role.
    "incidents:list": Row(page(200, viewer=403)),
    "incidents:create": Row(page(200, gbv=403, viewer=403)),
    "incidents:detail": Row(page(404), kwargs={"pk": NO_SUCH_RECORD}),
    "incidents:edit": Row(page(404), kwargs={"pk": NO_SUCH_RECORD}),
    "incidents:comment": Row(page(404), method="post", kwargs={"pk": NO_SUCH_RECORD}, data={"comment": "Hello"}),
    "incidents:step": Row(page(404), method="post", kwargs={"pk": NO_SUCH_RECORD, "step": "verify"}),
    # GBV referral pages: need-to-know. Only GBV focal points open the collection pages; every other role gets 403
    # there and 404 on any record page (incidents/tests/test_gbv_views.py checks real records role by role).
    "incidents:gbv-list": Row(page(403, gbv=200)),
    "incidents:gbv-create": Row(page(403, gbv=200)),
    "incidents:gbv-board": Row(page(403, gbv=200)),
    "incidents:gbv-detail": Row(page(404), kwargs={"pk": NO_SUCH_RECORD}),
    "incidents:gbv-edit": Row(page(404), kwargs={"pk": NO_SUCH_RECORD}),
    "incidents:gbv-comment": Row(page(404), method="post", kwargs={"pk": NO_SUCH_RECORD}, data={"comment": "Hello"}),
    "incidents:gbv-consent": Row(page(404), method="post", kwargs={"pk": NO_SUCH_RECORD}),
    "incidents:gbv-closure": Row(page(404), method="post", kwargs={"pk": NO_SUCH_RECORD, "decision": "request"}),
    "incidents:gbv-service-provided": Row(page(404), method="post", kwargs={"pk": NO_SUCH_RECORD, "service_pk": 1}),
    "incidents:gbv-step": Row(page(404), method="post", kwargs={"pk": NO_SUCH_RECORD, "step": "verify"}),
    # Household, movement, assistance and session pages (core.record_pages): like incidents; real records role by
    # role in beneficiaries/tests/test_views.py and activities/tests/test_views.py.
    **{
        f"{app}:{name}-{suffix}": row
        for app, name in (
            ("beneficiaries", "household"),
            ("beneficiaries", "movement"),
            ("activities", "assistance"),
            ("activities", "session"),
        )
        for suffix, row in {
            "list": Row(page(200, viewer=403)),
            "create": Row(page(200, gbv=403, viewer=403)),
            "detail": Row(page(404), kwargs={"pk": NO_SUCH_RECORD}),
            "edit": Row(page(404), kwargs={"pk": NO_SUCH_RECORD}),
            "comment": Row(page(404), method="post", kwargs={"pk": NO_SUCH_RECORD}, data={"comment": "Hello"}),
            "step": Row(page(404), method="post", kwargs={"pk": NO_SUCH_RECORD, "step": "verify"}),
        }.items()
    },
    # Likely duplicate households are reviewed by supervisors and admins; merging one that does not exist is a 404.
    "beneficiaries:household-duplicates": Row(page(403, supervisor=200, admin=200)),
    "beneficiaries:household-merge": Row(
        page(404), method="post", kwargs={"pk": NO_SUCH_RECORD}, data={"into": NO_SUCH_RECORD}
    ),
    "my-records": Row(page()),
    "notifications": Row(page()),
    "review-queue": Row(page(200, monitor=403, viewer=403)),  # a GBV focal point reviews GBV referrals there
    # Incidents API: viewers read no individual record (403 on the collection); a record that does not exist
    # for the user is a 404 whatever the step (records of each role: incidents/tests/test_api.py).
    "incident-list": Row(api(viewer=403)),
    "incident-detail": Row(api(404), kwargs={"pk": 999999}),
    "incident-submit": Row(api(404), method="post", kwargs={"pk": 999999}),
    "incident-verify": Row(api(404), method="post", kwargs={"pk": 999999}),
    "incident-return": Row(api(404), method="post", kwargs={"pk": 999999}),
    "incident-reject": Row(api(404), method="post", kwargs={"pk": 999999}),
    "incident-archive": Row(api(404), method="post", kwargs={"pk": 999999}),
    "incident-restore": Row(api(404), method="post", kwargs={"pk": 999999}),
    # Reports (reports/tests/test_api.py covers closed months, suppression and the data itself).
    "api-reports-monthly": Row(api(viewer=403), kwargs={}, data={"month": "2021-12"}),
    "api-reports-tallies": Row(api(monitor=403, gbv=403, viewer=403), data={"month": "2021-12"}),
    "api-month-close": Row(api(403, admin=202), method="post", kwargs={"month": "2021-12"}),
    "api-month-reopen": Row(api(403, admin=400), method="post", kwargs={"month": "2021-12"}),
    "api-job": Row(api(404), kwargs={"pk": 999999}),
    "api-exports": Row(api(403, admin=400), method="post"),
    "reports:monthly": Row(page()),
    "reports:close-month": Row(page(403, admin=302), method="post", kwargs={"month": "2021-12"}),
    "reports:reopen-month": Row(page(403, admin=302), method="post", kwargs={"month": "2021-12"}),
    "reports:job": Row(page(404), kwargs={"pk": 999999}),
    "reports:exports": Row(page(403, admin=200)),
    "reports:job-download": Row(page(404), kwargs={"pk": 999999}),
    # GBV referrals API: need-to-know. Only GBV focal points read the collection; every other role gets 403
    # on it and 404 on any record (incidents/tests/test_gbv_api.py checks real records role by role).
    "gbv-referral-list": Row(api(403, gbv=200)),
    "gbv-referral-detail": Row(api(404), kwargs={"pk": 999999}),
    "gbv-referral-submit": Row(api(404), method="post", kwargs={"pk": 999999}),
    "gbv-referral-verify": Row(api(404), method="post", kwargs={"pk": 999999}),
    "gbv-referral-return": Row(api(404), method="post", kwargs={"pk": 999999}),
    "gbv-referral-reject": Row(api(404), method="post", kwargs={"pk": 999999}),
    "gbv-referral-archive": Row(api(404), method="post", kwargs={"pk": 999999}),
    "gbv-referral-restore": Row(api(404), method="post", kwargs={"pk": 999999}),
    "gbv-referral-request-closure": Row(api(404), method="post", kwargs={"pk": 999999}),
    "gbv-referral-approve-closure": Row(api(404), method="post", kwargs={"pk": 999999}),
    "gbv-referral-withdraw-consent": Row(api(404), method="post", kwargs={"pk": 999999}),
    # Households, movements, assistance and sessions API: like incidents (records of each role:
    # beneficiaries/tests/test_api.py and activities/tests/test_api.py).
    "household-list": Row(api(viewer=403)),
    "household-detail": Row(api(404), kwargs={"pk": 999999}),
    "household-submit": Row(api(404), method="post", kwargs={"pk": 999999}),
    "household-verify": Row(api(404), method="post", kwargs={"pk": 999999}),
    "household-return": Row(api(404), method="post", kwargs={"pk": 999999}),
    "household-reject": Row(api(404), method="post", kwargs={"pk": 999999}),
    "household-archive": Row(api(404), method="post", kwargs={"pk": 999999}),
    "household-restore": Row(api(404), method="post", kwargs={"pk": 999999}),
    # Likely duplicates are reviewed by supervisors and admins; a merge of a record that does not exist is a 404.
    "household-duplicates": Row(api(403, supervisor=200, admin=200)),
    "household-merge": Row(api(404), method="post", kwargs={"pk": 999999}, data={"into": 1}),
    "movement-list": Row(api(viewer=403)),
    "movement-detail": Row(api(404), kwargs={"pk": 999999}),
    "movement-submit": Row(api(404), method="post", kwargs={"pk": 999999}),
    "movement-verify": Row(api(404), method="post", kwargs={"pk": 999999}),
    "movement-return": Row(api(404), method="post", kwargs={"pk": 999999}),
    "movement-reject": Row(api(404), method="post", kwargs={"pk": 999999}),
    "movement-archive": Row(api(404), method="post", kwargs={"pk": 999999}),
    "movement-restore": Row(api(404), method="post", kwargs={"pk": 999999}),
    "assistance-list": Row(api(viewer=403)),
    "assistance-detail": Row(api(404), kwargs={"pk": 999999}),
    "assistance-submit": Row(api(404), method="post", kwargs={"pk": 999999}),
    "assistance-verify": Row(api(404), method="post", kwargs={"pk": 999999}),
    "assistance-return": Row(api(404), method="post", kwargs={"pk": 999999}),
    "assistance-reject": Row(api(404), method="post", kwargs={"pk": 999999}),
    "assistance-archive": Row(api(404), method="post", kwargs={"pk": 999999}),
    "assistance-restore": Row(api(404), method="post", kwargs={"pk": 999999}),
    "session-list": Row(api(viewer=403)),
    "session-detail": Row(api(404), kwargs={"pk": 999999}),
    "session-submit": Row(api(404), method="post", kwargs={"pk": 999999}),
    "session-verify": Row(api(404), method="post", kwargs={"pk": 999999}),
    "session-return": Row(api(404), method="post", kwargs={"pk": 999999}),
    "session-reject": Row(api(404), method="post", kwargs={"pk": 999999}),
    "session-archive": Row(api(404), method="post", kwargs={"pk": 999999}),
    "session-restore": Row(api(404), method="post", kwargs={"pk": 999999}),
}

# The representative URLs a group row is checked on.
GROUP_SAMPLES: dict[str, list[tuple[str, dict[str, object]]]] = {
    "admin:*": [("admin:index", {}), ("admin:core_user_changelist", {}), ("admin:core_violationtype_changelist", {})],
}
