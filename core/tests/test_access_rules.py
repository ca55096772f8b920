"""Access rules are asked of core.access only (issue 12): the workflow, closing, the reports page and the reports API
call its named functions, which decide as the SPEC's table says, role by role."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from rest_framework.exceptions import PermissionDenied

from conftest import make_user
from core import access
from core.choices import Status
from core.models import User
from incidents.tests.factories import IncidentFactory

ROLES = ["monitor", "supervisor", "gbv", "admin", "viewer"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("monitor", False), ("supervisor", False), ("gbv", False), ("admin", True), ("viewer", False)],
)
def test_only_admins_write_in_a_closed_month_and_choose_the_organisation(
    people: SimpleNamespace, role: str, expected: bool
) -> None:
    user = getattr(people, role)
    assert access.may_write_in_closed_month(user) is expected
    assert access.may_choose_organisation(user) is expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("family", "action", "step"),
    [
        (access.Family.GBV, access.Action.MANAGE_CASE, ""),  # consent, a service provided, a case's closure
        (access.Family.GBV, access.Action.REVIEW, "verify"),
        (access.Family.GBV, access.Action.REVIEW, "return"),
        (access.Family.GBV, access.Action.REVIEW, "reject"),
        (access.Family.GBV, access.Action.EDIT, ""),
        (access.Family.GBV, access.Action.CREATE, ""),
        (access.Family.GBV, access.Action.ARCHIVE, "archive"),
        (access.Family.GENERAL, access.Action.REVIEW, "verify"),
        (access.Family.GENERAL, access.Action.READ, ""),  # a focal point lifting an incident's narrative restriction
    ],
)
def test_in_a_closed_month_focal_points_take_only_the_gbv_case_actions(
    people: SimpleNamespace, role: str, family: access.Family, action: access.Action, step: str
) -> None:
    user = getattr(people, role)
    survivor_right = (family, action, step) in {
        (access.Family.GBV, access.Action.MANAGE_CASE, ""),
        (access.Family.GBV, access.Action.REVIEW, "verify"),
    }
    expected = role == "admin" or (role == "gbv" and survivor_right)
    assert access.may_change_in_closed_month(user, family, action, step) is expected
    assert access.is_gbv_case_action_in_closed_month(user, family, action, step) is (role == "gbv" and survivor_right)


def test_a_partner_s_admin_files_under_their_own_organisation_only(people: SimpleNamespace, partner: Any) -> None:
    partner_admin = make_user("amss_admin_rules", "admin", ["ML07"], partner)
    assert isinstance(partner_admin, User)
    assert access.may_write_in_closed_month(partner_admin)
    assert not access.may_choose_organisation(partner_admin)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", Status.values)
def test_monitors_edit_drafts_and_returned_records_and_archive_drafts_only(
    people: SimpleNamespace, role: str, status: str
) -> None:
    user = getattr(people, role)
    monitor = role == "monitor"
    assert access.may_edit_in_status(user, status) is (not monitor or status in (Status.DRAFT, Status.RETURNED))
    assert access.may_archive_from(user, status) is (not monitor or status == Status.DRAFT)


@pytest.mark.parametrize("role", ROLES)
def test_viewers_read_published_figures_only(people: SimpleNamespace, role: str) -> None:
    assert access.reads_published_figures_only(getattr(people, role)) is (role == "viewer")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("closed", [True, False])
@pytest.mark.parametrize("parameters", [(), ("organisation",), ("current",), ("region",)])
def test_what_may_be_asked_of_the_figures(
    people: SimpleNamespace, role: str, closed: bool, parameters: tuple[str, ...]
) -> None:
    """Viewers: closed months only, never narrowed by organisation, never today's figures; others ask anything."""
    user = getattr(people, role)
    refused = role == "viewer" and (not closed or bool({"organisation", "current"} & set(parameters)))
    if refused:
        with pytest.raises(access.FiguresRefused):
            access.check_figures_request(user, closed=closed, parameters=parameters)
    else:
        access.check_figures_request(user, closed=closed, parameters=parameters)


def test_urgent_records_alert_the_supervisors_who_would_review_them(people: SimpleNamespace) -> None:
    record = IncidentFactory(created_by=people.supervisor, urgent=True)
    # Gao's supervisor entered it (nobody reviews their own), Mopti's does not cover Gao; no other role is alerted.
    assert access.urgent_record_reviewers(record) == []
    record = IncidentFactory(created_by=people.monitor, urgent=True)
    assert access.urgent_record_reviewers(record) == [people.supervisor]


def test_the_report_page_and_the_api_ask_one_viewer_rule(
    people: SimpleNamespace, client: Client, api_as: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page, the monthly API and the tallies API all ask core.access what a viewer may ask (no copy of the rule),
    and answer its refusal."""
    asked: list[tuple[Any, bool, list[str]]] = []

    def refuse(user: Any, *, closed: bool, parameters: Iterable[str] = ()) -> None:
        asked.append((user, closed, sorted(parameters)))
        raise access.FiguresRefused("refused by core.access")

    monkeypatch.setattr(access, "check_figures_request", refuse)
    client.force_login(people.viewer)
    page = client.get("/reports/monthly/", {"month": "2021-12"})
    assert page.status_code == 200
    assert "figures" not in page.context
    api = api_as(people.viewer)
    monthly = api.get("/api/v1/reports/monthly/", {"month": "2021-12", "current": "1"})
    assert monthly.status_code == PermissionDenied.status_code
    assert monthly.json()["detail"] == "refused by core.access"
    assert api.get("/api/v1/reports/tallies/", {"month": "2021-12"}).status_code == PermissionDenied.status_code
    assert asked == [
        (people.viewer, False, []),
        (people.viewer, False, ["current", "month"]),
        (people.viewer, False, ["month"]),
    ]


def test_the_report_page_and_the_api_ask_who_reads_published_figures_only(
    people: SimpleNamespace, client: Client, api_as: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A supervisor taken for a viewer by core.access gets the viewer's answer on both the page and the API."""
    monkeypatch.setattr(access, "reads_published_figures_only", lambda user: True)
    client.force_login(people.supervisor)
    page = client.get("/reports/monthly/", {"month": "2021-12"})
    assert "Only the figures of closed months are published" in page.content.decode()
    response = api_as(people.supervisor).get("/api/v1/reports/monthly/", {"month": "2021-12"})
    assert response.status_code == 403
    assert "closed months only" in response.json()["detail"]
