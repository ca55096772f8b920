"""A survivor's rights come before a closed month (SPEC.md, "Closed months"; issue 13): a GBV focal point may still
withdraw consent, record a service as provided, close a case and verify a pending referral of a closed month, and
each change is flagged "changed after closing" like an admin's. Any other write into the month stays an admin's
(409 for everyone else, focal points' ordinary edits included)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from core.choices import Status
from core.closing import MonthClosed
from core.models import ClosedMonth
from incidents import services
from incidents.choices import CaseStatus, ServiceStatus
from incidents.models import GbvReferral, Incident
from incidents.tests.factories import GbvReferralFactory, IncidentFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/gbv-referrals/"


@pytest.fixture
def december_closed(people) -> None:
    """The referrals' and incidents' month (the factories' December 2021) is closed."""
    ClosedMonth.objects.create(month=datetime.date(2021, 12, 1), is_closed=True, closed_by=people.admin)


@pytest.fixture
def referral(people, december_closed) -> GbvReferral:
    return GbvReferralFactory(
        created_by=people.gbv, status=Status.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=2)
    )


@pytest.fixture
def other_focal_point(people):
    return make_user("gbv2", "gbv_focal_point", ["ML07"], people.gbv.organisation)


def flagged(referral: GbvReferral) -> GbvReferral:
    referral.refresh_from_db()
    assert referral.changed_after_closing
    return referral


class TestApi:
    def test_a_focal_point_withdraws_consent(self, people, api_as, referral):
        response = api_as(people.gbv).post(
            f"{API}{referral.pk}/withdraw-consent/", {"withdraw_reporting": True, "version": 1}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert flagged(referral).anonymised_at is not None
        assert referral.consent_to_reporting is False

    def test_focal_points_close_a_case(self, people, api_as, referral, other_focal_point):
        assert api_as(people.gbv).post(f"{API}{referral.pk}/request-closure/").status_code == 200
        assert flagged(referral).closure_requested_by == people.gbv
        assert api_as(other_focal_point).post(f"{API}{referral.pk}/approve-closure/").status_code == 200
        assert flagged(referral).case_status == CaseStatus.CLOSED

    def test_another_focal_point_verifies_a_pending_referral(self, people, api_as, referral, other_focal_point):
        response = api_as(other_focal_point).post(f"{API}{referral.pk}/verify/", {"version": 1}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "verified"
        assert flagged(referral).status == Status.VERIFIED

    def test_an_ordinary_edit_by_a_focal_point_is_still_409(self, people, api_as, referral):
        response = api_as(people.gbv).patch(f"{API}{referral.pk}/", {"version": 1, "age": 17}, format="json")
        assert response.status_code == 409
        assert "Ask an admin" in str(response.json())
        referral.refresh_from_db()
        assert (referral.age, referral.changed_after_closing) == (16, False)

    @pytest.mark.parametrize(("step", "body"), [("return", {"comment": "Check the age"}), ("reject", {"reason": "No"})])
    def test_returning_or_rejecting_is_not_a_survivor_s_right(self, api_as, referral, other_focal_point, step, body):
        response = api_as(other_focal_point).post(f"{API}{referral.pk}/{step}/", {"version": 1, **body}, format="json")
        assert response.status_code == 409
        referral.refresh_from_db()
        assert referral.status == Status.SUBMITTED

    def test_a_focal_point_creates_no_referral_in_a_closed_month(self, people, api_as, december_closed):
        body = {
            "survivor_code": "GAO-2021-0999",
            "reported_on": "2021-12-15",
            "place": "ML0701",
            "sex": "female",
            "age": 16,
            "population_group": "idp",
            "incident_type": "physical_assault",
            "consent_to_referral": True,
            "consent_to_reporting": True,
            "services": [],
        }
        assert api_as(people.gbv).post(API, body, format="json").status_code == 409
        assert not GbvReferral.objects.filter(survivor_code="GAO-2021-0999").exists()


class TestPages:
    def test_a_focal_point_withdraws_consent(self, people, client, referral):
        client.force_login(people.gbv)
        url = reverse("incidents:gbv-consent", args=[referral.pk])
        response = client.post(url, {"version": 1, "withdraw_reporting": "on", "confirm": "1"})
        assert response.status_code == 302
        assert flagged(referral).anonymised_at is not None

    def test_a_focal_point_records_a_service_as_provided(self, people, client, referral):
        client.force_login(people.gbv)
        service = referral.services.get()
        url = reverse("incidents:gbv-service-provided", args=[referral.pk, service.pk])
        assert client.post(url, {"version": 1, "provided_on": "2021-12-12"}).status_code == 302
        service.refresh_from_db()
        assert (service.status, service.provided_on) == (ServiceStatus.PROVIDED, datetime.date(2021, 12, 12))
        assert flagged(referral).status == Status.SUBMITTED  # a follow-up, not an edit

    def test_focal_points_close_a_case(self, people, client, referral, other_focal_point):
        client.force_login(people.gbv)
        response = client.post(reverse("incidents:gbv-closure", args=[referral.pk, "request"]), {"version": 1})
        assert response.status_code == 302
        assert flagged(referral).closure_requested_by == people.gbv
        client.force_login(other_focal_point)
        response = client.post(reverse("incidents:gbv-closure", args=[referral.pk, "approve"]), {"version": 2})
        assert response.status_code == 302
        assert flagged(referral).case_status == CaseStatus.CLOSED

    def test_another_focal_point_verifies_a_pending_referral(self, client, referral, other_focal_point):
        client.force_login(other_focal_point)
        response = client.post(reverse("incidents:gbv-step", args=[referral.pk, "verify"]), {"version": 1})
        assert response.status_code == 302
        assert flagged(referral).status == Status.VERIFIED

    def test_an_ordinary_edit_by_a_focal_point_is_still_409(self, people, client, referral):
        client.force_login(people.gbv)
        url = reverse("incidents:gbv-step", args=[referral.pk, "archive"])
        assert client.post(url, {"version": 1, "confirm": "1"}).status_code == 409
        referral.refresh_from_db()
        assert (referral.status, referral.changed_after_closing) == (Status.SUBMITTED, False)


class TestServices:
    def test_a_service_provided_is_flagged(self, people, referral):
        service = referral.services.get()
        services.gbv_mark_service_provided(
            referral=referral, by=people.gbv, service_id=service.pk, provided_on=datetime.date(2021, 12, 12)
        )
        flagged(referral)

    def test_an_ordinary_edit_by_a_focal_point_is_refused(self, people, referral):
        with pytest.raises(MonthClosed):
            services.gbv_referral_update(referral=referral, by=people.gbv, version=1, fields={"age": 17})


class TestEveryoneElseUnchanged:
    """Only the GBV case actions of a focal point are let through: a supervisor's or monitor's write stays 409."""

    @pytest.fixture
    def incident(self, people, december_closed) -> Incident:
        return IncidentFactory(created_by=people.monitor, status=Status.SUBMITTED)

    def test_a_supervisor_verifying_in_a_closed_month_gets_409(self, people, api_as, incident):
        response = api_as(people.supervisor).post(f"/api/v1/incidents/{incident.pk}/verify/", {"version": 1})
        assert response.status_code == 409
        incident.refresh_from_db()
        assert (incident.status, incident.changed_after_closing) == (Status.SUBMITTED, False)

    def test_a_monitor_editing_in_a_closed_month_gets_409(self, people, api_as, december_closed):
        draft = IncidentFactory(created_by=people.monitor, status=Status.DRAFT)
        response = api_as(people.monitor).patch(
            f"/api/v1/incidents/{draft.pk}/", {"version": 1, "narrative": "Changed"}, format="json"
        )
        assert response.status_code == 409

    def test_a_supervisor_on_the_page_gets_409(self, people, client, incident):
        client.force_login(people.supervisor)
        response = client.post(reverse("incidents:step", args=[incident.pk, "verify"]), {"version": 1})
        assert response.status_code == 409

    def test_an_admin_still_writes_and_is_flagged(self, people, api_as, incident):
        response = api_as(people.admin).post(f"/api/v1/incidents/{incident.pk}/verify/", {"version": 1})
        assert response.status_code == 200
        incident.refresh_from_db()
        assert incident.changed_after_closing


class TestRecordPageInAClosedMonth:
    """A record's page shows no button that would only answer 409 in a closed month, and says why once; the
    buttons the month still allows stay (an admin's, a focal point's case actions)."""

    @pytest.fixture
    def incident(self, people) -> Incident:
        return IncidentFactory(created_by=people.monitor, status=Status.SUBMITTED)

    @staticmethod
    def page(client, user, record, pages: str = "incidents") -> str:
        client.force_login(user)
        url = reverse(f"incidents:{'detail' if pages == 'incidents' else 'gbv-detail'}", args=[record.pk])
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    @staticmethod
    def step_url(record, step: str, pages: str = "incidents") -> str:
        return reverse(f"incidents:{'step' if pages == 'incidents' else 'gbv-step'}", args=[record.pk, step])

    def test_a_supervisor_sees_no_review_buttons_and_is_told_why(self, people, client, incident, december_closed):
        page = self.page(client, people.supervisor, incident)
        for step in ("verify", "return", "reject"):
            assert self.step_url(incident, step) not in page
        assert reverse("incidents:edit", args=[incident.pk]) not in page
        assert "2021-12 is closed: its figures are published. Ask an admin to make this change." in page

    def test_in_an_open_month_the_supervisor_reviews_as_before(self, people, client, incident):
        page = self.page(client, people.supervisor, incident)
        assert self.step_url(incident, "verify") in page
        assert "month-refusal" not in page

    def test_an_admin_still_has_every_button(self, people, client, incident, december_closed):
        page = self.page(client, people.admin, incident)
        assert self.step_url(incident, "verify") in page
        assert reverse("incidents:edit", args=[incident.pk]) in page
        assert "month-refusal" not in page

    def test_a_focal_point_keeps_the_case_actions_only(self, people, client, referral, other_focal_point):
        page = self.page(client, other_focal_point, referral, "gbv")
        assert self.step_url(referral, "verify", "gbv") in page  # a survivor's right: verifying a pending referral
        assert self.step_url(referral, "return", "gbv") not in page
        assert self.step_url(referral, "reject", "gbv") not in page

    def test_a_month_being_closed_says_so(self, people, client, incident, monkeypatch):
        from core import closing  # noqa: PLC0415

        monkeypatch.setattr(
            closing,
            "month_states",
            lambda days: dict.fromkeys(map(closing.first_day, days), closing.MonthState.CLOSING),
        )
        page = self.page(client, people.admin, incident)
        assert self.step_url(incident, "verify") not in page
        assert "2021-12 is being closed" in page
