"""Red-team review of issue 12 (flash alerts shared in their region, record pages on shared pieces, writes and
serializers derived from the model): what an insider could try, each as a test.

Fixed here: a partner's supervisor found another organisation's submitted flash alert in their review queue, with
Verify / Return / Reject buttons and a bulk-verify box that could only answer 403 (an alert is read by every
organisation of its region, acted on only by the raising and the lead organisation).

Guards (they passed on arrival, kept so the whitelists' removal stays safe): the workflow's own fields (status,
version, region, author, reviewer, changed after closing, an incident's narrative restriction and duplicate link, a
GBV referral's case fields and organisation) can be set neither by a page nor by an API body, and a non-admin's
organisation is always their own.

Decided by the lead after the review: only the lead organisation's admins file a record under another organisation
(SPEC.md: partners' records stay theirs), and a flash alert is edited by its raising organisation only — the lead
organisation's users read and review it, never edit it (SPEC.md, "Flash alerts": "only the raising organisation
edits it").
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from alerts.models import FlashAlert
from alerts.tests.factories import AlertFactory
from conftest import make_user
from core.choices import Status
from core.models import AdminArea, AlertEventType, Organisation
from incidents.choices import CaseStatus
from incidents.models import GbvReferral, Incident
from incidents.tests.factories import GbvReferralFactory, IncidentFactory
from reports.exports import record_rows, write_table

pytestmark = pytest.mark.django_db

GAO, MOPTI = "ML0701", "ML0501"


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def submitted_alert(author: Any, **fields: Any) -> FlashAlert:
    return AlertFactory(
        created_by=author, status=Status.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=1), **fields
    )


@pytest.fixture
def gao(people: SimpleNamespace) -> SimpleNamespace:
    """A partner's supervisor of Gao, the lead's urgent submitted Gao alert, and the partner's own submitted one."""
    partner_supervisor = make_user("amss_supervisor", "supervisor", ["ML07"], people.partner_monitor.organisation)
    return SimpleNamespace(
        partner_supervisor=partner_supervisor,
        lead_alert=submitted_alert(people.monitor, urgent=True),
        partner_alert=submitted_alert(people.partner_monitor),
    )


def queued(html: str, alert: FlashAlert) -> bool:
    return f'value="alerts:{alert.pk}:' in html or f"/alerts/{alert.pk}/verify/" in html


# --- The review queue: what is waiting for *this* reviewer


def test_a_partner_supervisor_s_queue_holds_their_organisation_s_alert_not_the_lead_s(gao, client) -> None:
    client.force_login(gao.partner_supervisor)
    html = client.get(reverse("review-queue")).content.decode()
    assert queued(html, gao.partner_alert)
    assert not queued(html, gao.lead_alert)  # read on its page, but not theirs to review: no 403 buttons


def test_the_lead_s_supervisor_reviews_every_organisation_s_alert(people, gao, client) -> None:
    client.force_login(people.supervisor)
    html = client.get(reverse("review-queue")).content.decode()
    assert queued(html, gao.partner_alert)
    assert queued(html, gao.lead_alert)


def test_a_partner_supervisor_still_cannot_bulk_verify_the_lead_s_alert(gao, client) -> None:
    client.force_login(gao.partner_supervisor)
    selected = f"alerts:{gao.lead_alert.pk}:{gao.lead_alert.version}"
    client.post(reverse("review-queue"), {"selected": [selected], "confirm": "1"})
    gao.lead_alert.refresh_from_db()
    assert gao.lead_alert.status == Status.SUBMITTED


# --- Writes without whitelists: what a page or a body may not set


def test_a_partner_monitor_s_alert_form_sets_no_workflow_field_nor_another_organisation(people, lead, client) -> None:
    client.force_login(people.partner_monitor)
    data = {
        "reported_on": "2021-12-10",
        "occurred_on": "2021-12-09",
        "place": AdminArea.objects.get(pcode=GAO).pk,
        "event_type": AlertEventType.objects.get(code="armed_attack").pk,
        "women": "1",
        "action": "draft",
        # What an insider adds to the posted form:
        "organisation": lead.pk,
        "status": "verified",
        "version": "9",
        "region": AdminArea.objects.get(pcode=MOPTI).pk,
        "created_by": people.admin.pk,
        "reviewed_by": people.supervisor.pk,
        "changed_after_closing": "on",
        "submitted_at": "2021-12-10 10:00",
        "review_note": "forged",
    }
    assert client.post(reverse("alerts:create"), data).status_code == 302
    alert = FlashAlert.objects.get()
    assert alert.organisation == people.partner_monitor.organisation
    assert (alert.status, alert.version, alert.region.pcode) == (Status.DRAFT, 1, "ML07")
    assert alert.created_by == people.partner_monitor
    assert (alert.reviewed_by, alert.review_note, alert.submitted_at) == (None, "", None)
    assert not alert.changed_after_closing


def test_a_partner_monitor_s_alert_body_sets_no_workflow_field_nor_another_organisation(people, lead) -> None:
    body = {
        "reported_on": "2021-12-10",
        "occurred_on": "2021-12-09",
        "place": GAO,
        "event_type": "armed_attack",
        "women": 1,
        "organisation": lead.code,
        "status": "verified",
        "version": 9,
        "region": "ML05",
        "created_by": "admin",
        "reviewed_by": "supervisor",
        "changed_after_closing": True,
        "submitted_at": "2021-12-10T10:00:00Z",
        "review_note": "forged",
    }
    answer = api(people.partner_monitor).post("/api/v1/alerts/", body, format="json")
    assert answer.status_code == 201
    alert = FlashAlert.objects.get(pk=answer.json()["id"])
    assert alert.organisation == people.partner_monitor.organisation
    assert (alert.status, alert.version, alert.region.pcode) == (Status.DRAFT, 1, "ML07")
    assert (alert.created_by, alert.reviewed_by, alert.review_note) == (people.partner_monitor, None, "")
    assert not alert.changed_after_closing


def test_a_partner_monitor_cannot_move_their_alert_to_the_lead_by_a_patch(people, lead) -> None:
    alert = AlertFactory(created_by=people.partner_monitor)
    body = {"organisation": lead.code, "version": alert.version}
    assert api(people.partner_monitor).patch(f"/api/v1/alerts/{alert.pk}/", body, format="json").status_code == 200
    alert.refresh_from_db()
    assert alert.organisation == people.partner_monitor.organisation


def test_a_supervisor_s_incident_patch_cannot_lift_a_restriction_nor_name_a_duplicate(people) -> None:
    incident = IncidentFactory(created_by=people.monitor, violations=[{"type": "rape", "women": 1}])
    other = IncidentFactory(created_by=people.monitor)
    assert Incident.objects.get(pk=incident.pk).narrative_restricted
    body = {
        "version": incident.version,
        "narrative_restricted": False,
        "duplicate_of": other.pk,
        "status": "verified",
        "urgent": True,
    }
    answer = api(people.supervisor).patch(f"/api/v1/incidents/{incident.pk}/", body, format="json")
    assert answer.status_code == 200
    incident.refresh_from_db()
    assert incident.urgent  # the field a supervisor may set was set…
    assert incident.narrative_restricted  # …the services' own were not
    assert incident.duplicate_of_id is None
    assert incident.status == Status.DRAFT


def test_a_focal_point_s_referral_patch_sets_no_case_field_nor_organisation(people) -> None:
    other = Organisation.objects.create(code="DRC", name="Danish Refugee Council")
    referral = GbvReferralFactory(created_by=people.gbv)
    body = {
        "version": referral.version,
        "case_status": CaseStatus.CLOSED,
        "closure_requested_by": "supervisor",
        "anonymised_at": "2021-12-10T10:00:00Z",
        "organisation": other.code,
        "urgent": True,
    }
    answer = api(people.gbv).patch(f"/api/v1/gbv-referrals/{referral.pk}/", body, format="json")
    assert answer.status_code == 200
    referral = GbvReferral.objects.get(pk=referral.pk)
    assert referral.urgent
    assert referral.case_status == CaseStatus.OPEN
    assert (referral.closure_requested_by, referral.anonymised_at) == (None, None)
    assert referral.organisation == people.gbv.organisation


# --- Reported, not fixed


def test_a_partner_s_admin_cannot_raise_an_alert_in_another_organisation_s_name(people, partner) -> None:
    partner_admin = make_user("amss_admin", "admin", ["ML07"], partner)
    other = Organisation.objects.create(code="DRC", name="Danish Refugee Council")
    body = {
        "reported_on": "2021-12-10",
        "occurred_on": "2021-12-09",
        "place": GAO,
        "event_type": "armed_attack",
        "women": 1,
        "organisation": other.code,
    }
    answer = api(partner_admin).post("/api/v1/alerts/", body, format="json")
    assert answer.status_code in (201, 400, 403)
    assert not FlashAlert.objects.filter(organisation=other).exists()


# --- Exports of alerts: the free text an alert's author typed is never a formula in the admin's spreadsheet


def test_an_alert_s_free_text_is_written_as_text_in_the_records_export(people, tmp_path) -> None:
    AlertFactory(created_by=people.partner_monitor, response_triggered=True, response_by='=HYPERLINK("x")')
    AlertFactory(created_by=people.monitor, narrative="@SUM(1+1)")
    target = tmp_path / "alerts.csv"
    write_table(record_rows(people.admin, "alerts", "2021-12-01"), "csv", target, lambda _number: None)
    text = target.read_text(encoding="utf-8-sig")
    assert '=HYPERLINK("x")' in text.replace('""', '"')  # the text is kept…
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "@", "+", "-")), line  # …but never as a formula


# --- "Only the raising organisation edits it" (SPEC.md, flash alerts): the lead organisation reads and reviews a
# partner's alert, but does not edit it.


def test_the_lead_organisation_reviews_but_does_not_edit_a_partner_s_alert(people, client) -> None:
    alert = submitted_alert(people.partner_monitor)
    for lead_user in (people.supervisor, people.admin):
        assert lead_user.organisation is None or lead_user.organisation.is_lead
        answer = api(lead_user).patch(
            f"/api/v1/alerts/{alert.pk}/", {"version": alert.version, "narrative": "changed"}, format="json"
        )
        assert answer.status_code == 403, lead_user.username
        client.force_login(lead_user)
        assert client.get(reverse("alerts:edit", args=[alert.pk])).status_code == 403
    answer = api(people.supervisor).post(
        f"/api/v1/alerts/{alert.pk}/verify/", {"version": alert.version}, format="json"
    )
    assert answer.status_code == 200
    alert.refresh_from_db()
    assert alert.narrative != "changed"
    assert alert.status == Status.VERIFIED


def test_a_lead_admin_still_files_a_record_under_a_partner(people, partner) -> None:
    body = {
        "reported_on": "2021-12-10",
        "occurred_on": "2021-12-09",
        "place": GAO,
        "event_type": "armed_attack",
        "women": 1,
        "organisation": partner.code,
    }
    answer = api(people.admin).post("/api/v1/alerts/", body, format="json")
    assert answer.status_code == 201
    assert answer.json()["organisation"] == partner.code
