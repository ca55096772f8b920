"""The flash alert pages for each person of the `people` fixture, on real alerts in and out of their scope: list,
detail, create, edit, workflow steps and comments.

Alerts are for coordination (SPEC.md, "Flash alerts"): every user whose regions include the alert's region reads it,
whatever their organisation; only the raising organisation (and the lead organisation, which acts for every one)
edits, submits, reviews or archives it. A partner's user reading another organisation's alert may comment on it
(a comment is a reader's right on every record type: core.workflow.add_comment asks READ only).
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alerts.models import FlashAlert
from alerts.tests.factories import AlertFactory
from conftest import make_user
from core.choices import Status
from core.models import AdminArea, AlertEventType, AlertNeed, Notification, Organisation, RecordEvent

pytestmark = pytest.mark.django_db

GAO, MOPTI = "ML0701", "ML0501"


def url(page: str, *args: Any) -> str:
    return reverse(f"alerts:{page}", args=args)


def alert_data(**fields: Any) -> dict[str, Any]:
    """A filled alert form as the page posts it: an armed attack on a village of Gao, 195 persons, 40 households."""
    data: dict[str, Any] = {
        "reported_on": "2021-12-10",
        "occurred_on": "2021-12-09",
        "place": AdminArea.objects.get(pcode=GAO).pk,
        "event_type": AlertEventType.objects.get(code="armed_attack").pk,
        "households": "40",
        "women": "60",
        "girls": "45",
        "men": "50",
        "boys": "40",
        "unknown": "",
        "needs": [AlertNeed.objects.get(code=code).pk for code in ("protection", "shelter")],
        "response_by": "",
        "response_on": "",
        "narrative": "Armed men attacked Tacharane at dawn.",
        "action": "draft",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def submitted(author, **fields: Any) -> FlashAlert:
    return AlertFactory(
        created_by=author, status=Status.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=1), **fields
    )


def step(client, alert: FlashAlert, name: str, **data: Any):
    data.setdefault("version", alert.version)
    return client.post(url("step", alert.pk, name), data)


def listed(html: str, alert: FlashAlert) -> bool:
    return f">#{alert.pk}<" in html


@pytest.fixture
def region(people) -> SimpleNamespace:
    """Gao's alerts of three organisations, and one of Mopti; a second partner NGO and a partner supervisor in Gao."""
    other_partner = Organisation.objects.create(code="DRC", name="Danish Refugee Council")
    other_monitor = make_user("drc_monitor", "monitor", ["ML07"], other_partner)
    partner_supervisor = make_user("amss_supervisor", "supervisor", ["ML07"], people.partner_monitor.organisation)
    return SimpleNamespace(
        lead_alert=AlertFactory(created_by=people.monitor),
        partner_alert=AlertFactory(created_by=people.partner_monitor),
        other_partner_alert=AlertFactory(created_by=other_monitor),
        mopti_alert=AlertFactory(created_by=people.outsider, place=AdminArea.objects.get(pcode=MOPTI)),
        other_monitor=other_monitor,
        partner_supervisor=partner_supervisor,
    )


# What each person gets on the lead's submitted Gao alert entered by the Gao monitor: list, detail, edit form,
# comment, verify. A partner's users of Gao read it and comment, nothing more; Mopti's users (the lead's or a
# partner's) never see it; the viewer reads no individual record.
ROLE_TABLE = [
    # person            list  detail edit comment verify
    ("monitor", 200, 200, 409, 302, 403),  # their own, submitted: no longer theirs to edit
    ("supervisor", 200, 200, 200, 302, 302),
    ("gbv", 200, 200, 403, 302, 403),
    ("admin", 200, 200, 200, 302, 302),
    ("viewer", 403, 404, 404, 404, 404),
    ("outsider", 200, 404, 404, 404, 404),
    ("partner_monitor", 200, 200, 403, 302, 403),
    ("partner_supervisor", 200, 200, 403, 302, 403),
    ("mopti_partner", 200, 404, 404, 404, 404),
]


@pytest.mark.parametrize(("person", "list_", "detail", "edit", "comment", "verify"), ROLE_TABLE)
def test_each_person_on_the_lead_s_gao_alert(people, region, client, person, list_, detail, edit, comment, verify):
    alert = submitted(people.monitor)
    users = {
        "partner_supervisor": region.partner_supervisor,
        "mopti_partner": make_user("mopti_partner", "monitor", ["ML05"], people.partner_monitor.organisation),
    }
    user = users.get(person) or getattr(people, person)
    client.force_login(user)
    listing = client.get(url("list"))
    assert listing.status_code == list_
    assert listed(listing.content.decode(), alert) is (detail == 200)
    assert client.get(url("detail", alert.pk)).status_code == detail
    assert client.get(url("edit", alert.pk)).status_code == edit
    assert client.post(url("comment", alert.pk), {"comment": "Seen."}).status_code == comment
    assert step(client, alert, "verify").status_code == verify
    alert.refresh_from_db()
    assert alert.status == (Status.VERIFIED if verify == 302 else Status.SUBMITTED)


class TestList:
    @pytest.mark.parametrize("role", ["monitor", "supervisor", "gbv", "partner_monitor"])
    def test_gao_readers_see_every_organisation_s_gao_alerts_and_no_mopti_one(self, people, region, client, role):
        client.force_login(getattr(people, role))
        response = client.get(url("list"))
        html = response.content.decode()
        assert response.status_code == 200
        for alert in (region.lead_alert, region.partner_alert, region.other_partner_alert):
            assert listed(html, alert)
        assert not listed(html, region.mopti_alert)

    def test_admin_of_every_region_sees_them_all(self, people, region, client):
        client.force_login(people.admin)
        html = client.get(url("list")).content.decode()
        assert all(listed(html, alert) for alert in FlashAlert.objects.all())

    def test_outsider_sees_mopti_only(self, people, region, client):
        client.force_login(people.outsider)
        html = client.get(url("list")).content.decode()
        assert listed(html, region.mopti_alert)
        assert not listed(html, region.lead_alert)

    def test_viewer_gets_403_and_anonymous_goes_to_login(self, people, client):
        assert client.get(url("list")).status_code == 302
        client.force_login(people.viewer)
        assert client.get(url("list")).status_code == 403

    def test_the_columns_say_what_the_alert_is(self, people, client):
        AlertFactory(created_by=people.monitor, response_triggered=True, response_by="DRC")
        client.force_login(people.monitor)
        html = client.get(url("list")).content.decode()
        assert "Armed attack" in html
        assert ">195<" in html  # persons affected: 60 + 45 + 50 + 40
        assert "Triggered" in html

    def test_empty_list_says_so_and_offers_a_new_alert(self, people, client):
        client.force_login(people.monitor)
        html = client.get(url("list")).content.decode()
        assert "New flash alert" in html
        assert url("create") in html

    @pytest.mark.parametrize(
        ("query", "found"),
        [
            ({"event_type": "armed_attack"}, True),
            ({"event_type": "flood"}, False),
            ({"need": "food"}, True),
            ({"need": "health"}, False),
            ({"urgent": "true"}, True),
            ({"urgent": "false"}, False),
            ({"response_triggered": "false"}, True),
            ({"q": "Tacharane"}, True),
        ],
    )
    def test_filters(self, people, client, query, found):
        alert = AlertFactory(
            created_by=people.monitor, urgent=True, needs=["food", "shelter"], narrative="Attack on Tacharane."
        )
        client.force_login(people.monitor)
        response = client.get(url("list"), query)
        assert response.status_code == 200
        assert listed(response.content.decode(), alert) is found

    def test_a_bad_filter_is_a_400_with_the_form_never_a_500(self, people, client):
        client.force_login(people.monitor)
        response = client.get(url("list"), {"event_type": "volcano", "reported_on_after": "2021-13-45"})
        assert response.status_code == 400

    def test_query_count_does_not_grow_with_the_number_of_alerts(self, people, client):
        def count_queries(total: int) -> int:
            FlashAlert.objects.all().delete()
            for _ in range(total):
                AlertFactory(created_by=people.monitor, needs=["food", "shelter"])
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url("list")).status_code == 200
            return len(queries)

        client.force_login(people.monitor)
        assert count_queries(3) == count_queries(30)


class TestDetail:
    def test_facts_people_needs_and_response(self, people, client):
        alert = AlertFactory(
            created_by=people.monitor,
            needs=["shelter", "food"],
            response_triggered=True,
            response_by="Protection Civile",
            response_on=datetime.date(2021, 12, 11),
        )
        client.force_login(people.supervisor)
        html = client.get(url("detail", alert.pk)).content.decode()
        for text in ("2021-12-10", "2021-12-09", "Armed attack", "Shelter", "Food", "Protection Civile", "2021-12-11"):
            assert text in html
        assert "Armed men attacked the village at dawn." in html
        assert ">195<" in html  # the people counts' total

    @pytest.mark.parametrize("author", ["monitor", "other_monitor"])
    def test_a_partner_monitor_reads_another_organisation_s_gao_alert_but_acts_on_nothing(
        self, people, region, client, author
    ):
        """The lead's alert, and another partner's: read (and commented on), never edited, submitted or archived."""
        alert = region.lead_alert if author == "monitor" else region.other_partner_alert
        client.force_login(people.partner_monitor)
        response = client.get(url("detail", alert.pk))
        html = response.content.decode()
        assert response.status_code == 200
        assert url("edit", alert.pk) not in html
        assert url("step", alert.pk, "submit") not in html
        assert client.get(url("edit", alert.pk)).status_code == 403
        assert client.post(url("edit", alert.pk), alert_data(version=alert.version)).status_code == 403
        for name in ("submit", "archive"):
            assert step(client, alert, name).status_code == 403
        assert client.post(url("comment", alert.pk), {"comment": "AMSS can send a team."}).status_code == 302
        alert.refresh_from_db()
        assert (alert.status, alert.version, alert.households) == (Status.DRAFT, 1, 40)

    def test_a_partner_supervisor_reads_the_lead_s_submitted_alert_but_may_not_review_it(self, people, region, client):
        alert = submitted(people.monitor)
        client.force_login(region.partner_supervisor)
        html = client.get(url("detail", alert.pk)).content.decode()
        assert url("step", alert.pk, "verify") not in html
        for name in ("verify", "return", "reject"):
            answer = step(client, alert, name, comment="Checked with the village chief.", reason="Duplicate.")
            assert answer.status_code == 403
        alert.refresh_from_db()
        assert alert.status == Status.SUBMITTED

    @pytest.mark.parametrize("role", ["outsider", "viewer"])
    def test_another_region_and_the_viewer_get_404(self, people, region, client, role):
        alert = region.lead_alert
        client.force_login(getattr(people, role))
        assert client.get(url("detail", alert.pk)).status_code == 404
        assert client.get(url("edit", alert.pk)).status_code == 404
        assert step(client, alert, "verify").status_code == 404
        assert client.post(url("comment", alert.pk), {"comment": "Hello"}).status_code == 404

    def test_an_unknown_step_and_an_unknown_alert_are_404(self, people, region, client):
        client.force_login(people.admin)
        assert step(client, region.lead_alert, "publish").status_code == 404
        assert client.get(url("detail", 999_999)).status_code == 404

    def test_an_empty_comment_is_a_400_with_its_message(self, people, region, client):
        client.force_login(people.monitor)
        response = client.post(url("comment", region.lead_alert.pk), {"comment": "  "})
        assert response.status_code == 400
        assert "Write a comment first." in response.content.decode()


class TestCreate:
    def test_a_monitor_raises_an_alert_for_their_organisation(self, people, client):
        client.force_login(people.partner_monitor)
        response = client.post(url("create"), alert_data(urgent="on"))
        assert response.status_code == 302
        alert = FlashAlert.objects.get()
        assert response["Location"] == url("detail", alert.pk)
        assert (alert.organisation, alert.region.pcode, alert.status) == (
            people.partner_monitor.organisation,
            "ML07",
            Status.DRAFT,
        )
        assert alert.urgent
        assert (alert.households, alert.total) == (40, 195)
        assert sorted(alert.needs.values_list("code", flat=True)) == ["protection", "shelter"]
        assert list(RecordEvent.objects.filter(object_id=alert.pk).values_list("action", flat=True)) == ["created"]

    def test_save_and_submit(self, people, client):
        client.force_login(people.monitor)
        assert client.post(url("create"), alert_data(action="submit")).status_code == 302
        assert FlashAlert.objects.get().status == Status.SUBMITTED

    def test_a_response_is_recorded_with_who_and_when(self, people, client):
        client.force_login(people.monitor)
        data = alert_data(response_triggered="on", response_by="NRC", response_on="2021-12-12")
        assert client.post(url("create"), data).status_code == 302
        alert = FlashAlert.objects.get()
        assert (alert.response_triggered, alert.response_by, alert.response_on) == (
            True,
            "NRC",
            datetime.date(2021, 12, 12),
        )

    def test_the_form_has_the_place_picker_needs_checkboxes_and_counts(self, people, client):
        client.force_login(people.monitor)
        response = client.get(url("create"))
        html = response.content.decode()
        assert response.status_code == 200
        assert 'type="checkbox" name="needs"' in html
        for name in ("women", "girls", "men", "boys", "unknown", "households", "place"):
            assert f'name="{name}"' in html
        assert "Gao" in html
        assert 'name="organisation"' not in html  # only admins file under another organisation

    @pytest.mark.parametrize("role", ["viewer", "gbv"])
    def test_viewer_and_gbv_focal_point_may_not_raise_one(self, people, client, role):
        client.force_login(getattr(people, role))
        assert client.get(url("create")).status_code == 403
        assert client.post(url("create"), alert_data()).status_code == 403
        assert not FlashAlert.objects.exists()

    def test_a_place_outside_the_monitor_s_regions_is_refused_on_the_field(self, people, client):
        client.force_login(people.monitor)
        response = client.post(url("create"), alert_data(place=AdminArea.objects.get(pcode=MOPTI).pk))
        assert response.status_code == 400
        assert "Choose a place of your regions from the list." in response.content.decode()
        assert not FlashAlert.objects.exists()

    def test_an_admin_files_an_alert_under_a_partner(self, people, client):
        client.force_login(people.admin)
        partner = people.partner_monitor.organisation
        assert client.post(url("create"), alert_data(organisation=partner.pk)).status_code == 302
        assert FlashAlert.objects.get().organisation == partner


TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

BAD_INPUT = [
    pytest.param(
        {"occurred_on": "2021-12-11"},
        "occurred_on",
        "The event cannot have happened after the day the alert was raised.",
        id="event-after-raised",
    ),
    pytest.param({"reported_on": TOMORROW}, "reported_on", "This date is in the future.", id="raised-in-future"),
    pytest.param(
        {"reported_on": TOMORROW, "occurred_on": TOMORROW},
        "occurred_on",
        "This date is in the future.",
        id="event-in-future",
    ),
    pytest.param(
        {"response_triggered": "on", "response_by": "NRC", "response_on": "2021-12-08"},
        "response_on",
        "The response cannot come before the event.",
        id="response-before-event",
    ),
    pytest.param(
        {"response_triggered": "on", "response_on": TOMORROW},
        "response_on",
        "This date is in the future.",
        id="response-in-future",
    ),
    pytest.param(
        {"response_by": "NRC", "response_on": "2021-12-12"},
        "response_triggered",
        "Tick “response triggered” to say who responded and when, or leave both empty.",
        id="response-not-ticked",
    ),
    pytest.param({"reported_on": "2021-13-45"}, "reported_on", "Enter a valid date.", id="not-a-date"),
    pytest.param({"reported_on": "1850-01-01"}, "reported_on", "Give a date from 1900-01-01 on.", id="before-1900"),
    pytest.param({"women": "-3"}, "women", "greater than or equal to 0", id="negative-count"),
    pytest.param({"households": "many"}, "households", "Enter a whole number.", id="households-not-a-number"),
    pytest.param({"event_type": "999999"}, "event_type", "Select a valid choice.", id="unknown-event-type"),
    pytest.param({"needs": ["999999"]}, "needs", "Select a valid choice.", id="unknown-need"),
    pytest.param({"occurred_on": ""}, "occurred_on", "This field is required.", id="no-event-date"),
]


class TestFormErrors:
    @pytest.mark.parametrize(("fields", "field", "message"), BAD_INPUT)
    def test_on_create_the_message_is_on_the_field_and_what_was_typed_stays(
        self, people, client, fields, field, message
    ):
        client.force_login(people.monitor)
        response = client.post(url("create"), alert_data(**fields))
        html = response.content.decode()
        assert response.status_code == 400
        assert f'id="id_{field}_error"' in html
        assert message in html
        assert "Armed men attacked Tacharane at dawn." in html  # the narrative typed is still there
        assert 'value="45"' in html  # and the counts (girls)
        assert not FlashAlert.objects.exists()

    @pytest.mark.parametrize(("fields", "field", "message"), BAD_INPUT)
    def test_on_edit_the_alert_is_left_as_it_was(self, people, client, fields, field, message):
        alert = AlertFactory(created_by=people.monitor)
        client.force_login(people.monitor)
        response = client.post(url("edit", alert.pk), alert_data(version=alert.version, **fields))
        assert response.status_code == 400
        assert message in response.content.decode()
        alert.refresh_from_db()
        assert (alert.version, alert.narrative) == (1, "Armed men attacked the village at dawn.")


class TestEdit:
    def test_the_history_says_what_changed(self, people, client):
        alert = AlertFactory(created_by=people.monitor, needs=["protection"])
        client.force_login(people.monitor)
        data = alert_data(version=alert.version, households="55", response_triggered="on", response_by="IRC")
        assert client.post(url("edit", alert.pk), data).status_code == 302
        alert.refresh_from_db()
        assert (alert.version, alert.households, alert.response_by) == (2, 55, "IRC")
        changes = RecordEvent.objects.get(object_id=alert.pk, action="changed").changes
        assert changes["households"] == ["40", "55"]
        assert changes["needs"] == ["protection", "protection, shelter"]
        html = client.get(url("detail", alert.pk)).content.decode()
        assert "Estimated households affected" in html  # the history names the field as the form does
        assert "IRC" in html

    def test_a_stale_version_is_a_409_showing_what_changed(self, people, client):
        alert = AlertFactory(created_by=people.monitor)
        client.force_login(people.monitor)
        assert client.post(url("edit", alert.pk), alert_data(version=1, households="41")).status_code == 302
        response = client.post(url("edit", alert.pk), alert_data(version=1, households="42"))
        assert response.status_code == 409
        alert.refresh_from_db()
        assert (alert.version, alert.households) == (2, 41)

    def test_an_edit_without_a_version_is_not_saved(self, people, client):
        alert = AlertFactory(created_by=people.monitor)
        client.force_login(people.monitor)
        assert client.post(url("edit", alert.pk), alert_data(households="41")).status_code == 400
        alert.refresh_from_db()
        assert alert.households == 40

    def test_a_monitor_edits_their_own_alerts_only(self, people, client):
        colleague = make_user("monitor2", "monitor", ["ML07"], people.monitor.organisation)
        alert = AlertFactory(created_by=colleague)
        client.force_login(people.monitor)
        assert client.get(url("detail", alert.pk)).status_code == 200
        assert client.get(url("edit", alert.pk)).status_code == 403

    def test_a_monitor_may_not_edit_their_submitted_alert(self, people, client):
        alert = submitted(people.monitor)
        client.force_login(people.monitor)
        assert client.get(url("edit", alert.pk)).status_code == 409

    def test_the_lead_s_supervisor_may_not_edit_a_partner_s_alert(self, people, region, client):
        # SPEC.md, flash alerts: only the raising organisation edits it (the lead organisation reviews it).
        alert = region.partner_alert
        client.force_login(people.supervisor)
        data = alert_data(version=alert.version, households="60")
        assert client.get(url("edit", alert.pk)).status_code == 403
        assert client.post(url("edit", alert.pk), data).status_code == 403
        alert.refresh_from_db()
        assert alert.households != 60

    def test_the_partner_s_supervisor_edits_their_verified_alert_and_sends_it_back_to_review(
        self, people, region, client
    ):
        alert = region.partner_alert
        alert.status = Status.VERIFIED
        alert.save()
        client.force_login(region.partner_supervisor)
        data = alert_data(version=alert.version, households="60")
        assert client.post(url("edit", alert.pk), data).status_code == 302
        alert.refresh_from_db()
        assert (alert.households, alert.status) == (60, Status.SUBMITTED)

    def test_the_partner_s_own_supervisor_edits_it_too(self, people, region, client):
        alert = submitted(people.partner_monitor)
        client.force_login(region.partner_supervisor)
        assert client.post(url("edit", alert.pk), alert_data(version=alert.version)).status_code == 302


class TestSteps:
    def test_a_monitor_submits_their_draft_but_may_not_verify_it(self, people, client):
        alert = AlertFactory(created_by=people.monitor)
        client.force_login(people.monitor)
        assert step(client, alert, "submit").status_code == 302
        alert.refresh_from_db()
        assert alert.status == Status.SUBMITTED
        assert step(client, alert, "verify").status_code == 403

    def test_the_supervisor_verifies_a_gao_alert_but_not_their_own(self, people, client):
        alert = submitted(people.monitor)
        own = submitted(people.supervisor)
        client.force_login(people.supervisor)
        assert step(client, alert, "verify").status_code == 302
        alert.refresh_from_db()
        assert (alert.status, alert.reviewed_by) == (Status.VERIFIED, people.supervisor)
        assert step(client, own, "verify").status_code == 403

    def test_the_lead_s_supervisor_reviews_a_partner_s_alert(self, people, region, client):
        alert = submitted(people.partner_monitor)
        client.force_login(people.supervisor)
        assert step(client, alert, "return", comment="How many households?").status_code == 302
        alert.refresh_from_db()
        assert alert.status == Status.RETURNED
        assert Notification.objects.filter(recipient=people.partner_monitor).exists()

    def test_the_partner_s_supervisor_verifies_their_own_organisation_s_alert(self, people, region, client):
        alert = submitted(people.partner_monitor)
        client.force_login(region.partner_supervisor)
        assert step(client, alert, "verify").status_code == 302

    def test_the_gbv_focal_point_reads_but_may_not_review(self, people, client):
        alert = submitted(people.monitor)
        client.force_login(people.gbv)
        assert client.get(url("detail", alert.pk)).status_code == 200
        assert step(client, alert, "verify").status_code == 403

    def test_the_admin_archives_and_restores(self, people, client):
        alert = submitted(people.monitor)
        client.force_login(people.admin)
        assert step(client, alert, "archive", confirm="1").status_code == 302
        alert.refresh_from_db()
        assert alert.status == Status.ARCHIVED
        assert step(client, alert, "restore").status_code == 302
        alert.refresh_from_db()
        assert alert.status == Status.SUBMITTED

    def test_a_stale_step_is_a_409(self, people, client):
        alert = submitted(people.monitor)
        client.force_login(people.supervisor)
        assert step(client, alert, "verify", version=alert.version - 1).status_code == 409


class TestUrgentAlerts:
    """An urgent alert notifies the region's supervisors at once when submitted (SPEC.md). Alerts are for
    coordination, read by every organisation of the region: the supervisors told are every active supervisor of
    the region, a partner's included, who reads it (core.access.urgent_record_reviewers); never its author, nor a
    supervisor of another region."""

    def test_submitting_an_urgent_alert_tells_the_region_s_supervisors(self, people, region, client):
        author = make_user("supervisor_author", "supervisor", ["ML07"], people.monitor.organisation)
        alert = AlertFactory(created_by=author, urgent=True)
        client.force_login(author)
        assert step(client, alert, "submit").status_code == 302
        told = set(Notification.objects.values_list("recipient__username", flat=True))
        assert told == {"supervisor", "amss_supervisor"}
        assert all(note.url == url("detail", alert.pk) for note in Notification.objects.all())

    def test_save_and_submit_from_the_form_tells_them_too(self, people, region, client):
        client.force_login(people.partner_monitor)
        assert client.post(url("create"), alert_data(urgent="on", action="submit")).status_code == 302
        assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
            "supervisor",
            "amss_supervisor",
        }

    def test_an_alert_that_is_not_urgent_tells_nobody(self, people, region, client):
        alert = AlertFactory(created_by=people.monitor)
        client.force_login(people.monitor)
        assert step(client, alert, "submit").status_code == 302
        assert not Notification.objects.exists()

    def test_the_supervisor_reads_the_alert_they_were_told_about(self, people, region, client):
        client.force_login(people.partner_monitor)
        client.post(url("create"), alert_data(urgent="on", action="submit"))
        note = Notification.objects.get(recipient=people.supervisor)
        client.force_login(people.supervisor)
        assert client.get(note.url).status_code == 200
