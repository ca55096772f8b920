"""The flash alerts API (docs/api.md) against API.md, for every role, on real records in and out of scope.

An alert is shared in its region: every user whose regions include it reads it, whatever their organisation; only
its own organisation (and the lead organisation) acts on it — another organisation's user gets a 403 on a PATCH or a
step, after scope (404) and before status (409).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from alerts.models import FlashAlert
from alerts.tests.factories import AlertFactory
from beneficiaries.tests.record_api_cases import RecordApiCases
from conftest import make_user
from core.choices import Status
from core.models import AdminArea, AlertEventType, Notification, RecordEvent

URL = "/api/v1/alerts/"
NUL_MESSAGE = "Null characters are not allowed."

# The body of docs/api.md.
BODY: dict[str, Any] = {
    "reported_on": "2021-12-10",
    "occurred_on": "2021-12-08",
    "place": "ML0703",
    "event_type": "armed_attack",
    "urgent": True,
    "households": 40,
    "women": 50,
    "girls": 30,
    "men": 40,
    "boys": 30,
    "unknown": 0,
    "needs": ["protection", "shelter", "food"],
    "response_triggered": True,
    "response_by": "Cluster protection, Gao",
    "response_on": "2021-12-11",
    "narrative": "Armed men attacked the village at night; families fled towards the town.",
}


def body(**overrides: Any) -> dict[str, Any]:
    return {**BODY, **overrides}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def mopti() -> AdminArea:
    return AdminArea.objects.get(pcode="ML0506")


class TestAlertApi(RecordApiCases):
    """What every record type answers (beneficiaries/tests/record_api_cases.py), for flash alerts."""

    url = URL
    factory = AlertFactory
    edit = ("narrative", "The families reached the town; more are expected.")
    # token with its user, the user's regions, count, page (with place, region, organisation, authors, event type),
    # needs; not the user's organisation: every organisation of the region reads alerts
    list_queries = 5

    def body(self, **overrides: Any) -> dict[str, Any]:
        return body(**overrides)

    def test_partner_monitor_sees_only_their_organisations_records(self, people, api_as):
        """Not for alerts: a partner's user reads every alert of their regions (tested below)."""

    def test_the_answer_has_the_body_of_docs_api_md(self, people, api_as):
        response = api_as(people.monitor).post(URL, BODY, format="json")
        assert response.status_code == 201, response.json()
        alert = response.json()
        for key, value in BODY.items():
            if key != "needs":
                assert alert[key] == value, key
        assert sorted(alert["needs"]) == sorted(BODY["needs"])
        assert (alert["status"], alert["region"], alert["organisation"], alert["version"]) == (
            "draft",
            "ML07",
            "UNHCR",
            1,
        )
        assert alert["total"] == 150
        assert alert["created_by"] == "monitor"
        assert (alert["submitted_at"], alert["reviewed_by"]) == (None, None)
        stored = FlashAlert.objects.get(pk=alert["id"])
        assert sorted(stored.needs.values_list("code", flat=True)) == sorted(BODY["needs"])

    def test_only_the_required_fields(self, people, api_as):
        minimal = {"reported_on": "2021-12-10", "occurred_on": "2021-12-10", "place": "ML07", "event_type": "flood"}
        response = api_as(people.monitor).post(URL, minimal, format="json")
        assert response.status_code == 201, response.json()
        alert = response.json()
        assert (alert["households"], alert["total"], alert["needs"], alert["urgent"]) == (None, 0, [], False)
        assert (alert["response_triggered"], alert["response_by"], alert["response_on"]) == (False, "", None)

    def test_missing_required_fields_are_named(self, people, api_as):
        response = api_as(people.monitor).post(URL, {}, format="json")
        assert response.status_code == 400
        assert {"reported_on", "occurred_on", "place", "event_type"} <= set(response.json())

    def test_answers_are_not_cached(self, people, api_as):
        alert = AlertFactory(created_by=people.monitor)
        client = api_as(people.monitor)
        for url in (URL, f"{URL}{alert.pk}/"):
            assert "no-store" in client.get(url)["Cache-Control"]


@pytest.fixture
def partner_supervisor(people):
    return make_user("partner_supervisor", "supervisor", ["ML07"], people.partner_monitor.organisation)


@pytest.fixture
def partner_admin(people):
    """An admin of the partner organisation, of every region."""
    return make_user("partner_admin", "admin", [], people.partner_monitor.organisation)


class TestSharedInTheRegion:
    """Every user of the region reads the alert; only its organisation (or the lead organisation) acts on it."""

    def test_a_partners_user_reads_another_organisations_alert_in_their_region(self, people, api_as):
        lead_alert = AlertFactory(created_by=people.monitor, status=Status.SUBMITTED)
        own = AlertFactory(created_by=people.partner_monitor)
        AlertFactory(created_by=people.outsider, place=mopti())
        client = api_as(people.partner_monitor)
        assert sorted(ids(client.get(URL))) == sorted([lead_alert.pk, own.pk])
        response = client.get(f"{URL}{lead_alert.pk}/")
        assert response.status_code == 200
        assert (response.json()["organisation"], response.json()["narrative"]) == ("UNHCR", lead_alert.narrative)
        assert client.get(URL, {"organisation": "UNHCR"}).json()["count"] == 1

    def test_but_may_not_edit_it(self, people, api_as):
        lead_alert = AlertFactory(created_by=people.monitor)
        narrative = lead_alert.narrative
        response = api_as(people.partner_monitor).patch(
            f"{URL}{lead_alert.pk}/", {"version": 1, "narrative": "Changed by a partner"}, format="json"
        )
        assert response.status_code == 403
        lead_alert.refresh_from_db()
        assert (lead_alert.version, lead_alert.narrative) == (1, narrative)

    @pytest.mark.parametrize("step", ["submit", "archive", "restore"])
    def test_nor_take_a_monitors_step_on_it(self, people, api_as, step):
        lead_alert = AlertFactory(created_by=people.monitor)
        assert api_as(people.partner_monitor).post(f"{URL}{lead_alert.pk}/{step}/").status_code == 403
        assert not RecordEvent.objects.filter(object_id=lead_alert.pk).exclude(action="created").exists()

    @pytest.mark.parametrize("step", ["verify", "return", "reject", "archive"])
    def test_a_partners_supervisor_may_not_review_another_organisations_alert(
        self, people, api_as, partner_supervisor, step
    ):
        lead_alert = AlertFactory(created_by=people.monitor, status=Status.SUBMITTED)
        client = api_as(partner_supervisor)
        assert client.get(f"{URL}{lead_alert.pk}/").status_code == 200
        response = client.post(f"{URL}{lead_alert.pk}/{step}/", {"comment": "x", "reason": "x"}, format="json")
        assert response.status_code == 403
        lead_alert.refresh_from_db()
        assert lead_alert.status == Status.SUBMITTED

    def test_role_before_status_for_another_organisation(self, people, api_as, partner_supervisor):
        """Verifying a lead's draft would be a 409 for the lead's supervisor; for a partner's it is a 403 first."""
        draft = AlertFactory(created_by=people.monitor)
        assert api_as(partner_supervisor).post(f"{URL}{draft.pk}/verify/").status_code == 403
        assert api_as(people.supervisor).post(f"{URL}{draft.pk}/verify/").status_code == 409

    def test_a_partners_supervisor_reviews_their_own_organisations_alert(self, people, api_as, partner_supervisor):
        own = AlertFactory(created_by=people.partner_monitor, status=Status.SUBMITTED)
        response = api_as(partner_supervisor).post(f"{URL}{own.pk}/verify/")
        assert response.status_code == 200
        assert response.json()["status"] == "verified"

    def test_the_lead_organisation_reviews_a_partners_alert_but_only_the_partner_edits_it(self, people, api_as):
        partners = AlertFactory(created_by=people.partner_monitor, status=Status.SUBMITTED)
        client = api_as(people.supervisor)
        response = client.patch(f"{URL}{partners.pk}/", {"version": 1, "urgent": True}, format="json")
        assert response.status_code == 403  # SPEC.md: only the raising organisation edits it
        assert client.post(f"{URL}{partners.pk}/verify/").json()["status"] == "verified"

    def test_a_partners_admin_reads_every_region_and_acts_on_their_own_only(self, people, api_as, partner_admin):
        lead_mopti = AlertFactory(created_by=people.outsider, place=mopti(), status=Status.SUBMITTED)
        own = AlertFactory(created_by=people.partner_monitor, status=Status.SUBMITTED)
        client = api_as(partner_admin)
        assert sorted(ids(client.get(URL))) == sorted([lead_mopti.pk, own.pk])
        assert client.get(f"{URL}{lead_mopti.pk}/").status_code == 200
        assert client.patch(f"{URL}{lead_mopti.pk}/", {"version": 1}, format="json").status_code == 403
        assert client.post(f"{URL}{lead_mopti.pk}/verify/").status_code == 403
        assert client.post(f"{URL}{own.pk}/verify/").status_code == 200

    def test_out_of_the_users_regions_it_does_not_exist(self, people, api_as, partner_supervisor):
        in_mopti = AlertFactory(created_by=people.outsider, place=mopti(), status=Status.SUBMITTED)
        for user in (people.partner_monitor, partner_supervisor, people.monitor, people.supervisor, people.gbv):
            client = api_as(user)
            assert client.get(f"{URL}{in_mopti.pk}/").status_code == 404
            assert client.patch(f"{URL}{in_mopti.pk}/", {"version": 1}, format="json").status_code == 404
            for step in ("submit", "verify", "return", "reject", "archive", "restore"):
                assert client.post(f"{URL}{in_mopti.pk}/{step}/").status_code == 404, (user, step)
            assert in_mopti.pk not in ids(client.get(URL))

    def test_a_gbv_focal_point_reads_alerts_and_takes_no_step(self, people, api_as):
        submitted = AlertFactory(created_by=people.monitor, status=Status.SUBMITTED)
        client = api_as(people.gbv)
        assert client.get(f"{URL}{submitted.pk}/").status_code == 200
        assert client.patch(f"{URL}{submitted.pk}/", {"version": 1}, format="json").status_code == 403
        for step in ("submit", "verify", "return", "reject", "archive", "restore"):
            assert client.post(f"{URL}{submitted.pk}/{step}/").status_code == 403, step

    def test_a_viewer_reads_no_alert(self, people, api_as):
        alert = AlertFactory(created_by=people.monitor, status=Status.VERIFIED)
        client = api_as(people.viewer)
        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}{alert.pk}/").status_code == 404
        assert client.post(f"{URL}{alert.pk}/archive/").status_code == 404

    def test_no_credentials_is_401_everywhere(self, people, api_client):
        alert = AlertFactory(created_by=people.monitor)
        assert api_client.get(URL).status_code == 401
        assert api_client.get(f"{URL}{alert.pk}/").status_code == 401
        assert api_client.patch(f"{URL}{alert.pk}/", {"version": 1}, format="json").status_code == 401
        assert api_client.post(f"{URL}{alert.pk}/submit/").status_code == 401

    def test_an_admin_may_file_under_another_organisation_nobody_else(self, people, api_as):
        by_admin = api_as(people.admin).post(URL, body(organisation="AMSS"), format="json")
        assert by_admin.json()["organisation"] == "AMSS"
        by_monitor = api_as(people.monitor).post(URL, body(organisation="AMSS"), format="json")
        assert by_monitor.json()["organisation"] == "UNHCR"

    def test_an_urgent_alert_notifies_the_regions_supervisors_when_submitted(self, people, api_as, partner_supervisor):
        client = api_as(people.monitor)
        created = client.post(URL, body(urgent=True), format="json").json()
        assert not Notification.objects.exists()
        assert client.post(f"{URL}{created['id']}/submit/").status_code == 200
        notified = set(Notification.objects.values_list("recipient__username", flat=True))
        # Every supervisor who reads it (coordination: the partner's too), not Mopti's.
        assert notified == {"supervisor", "partner_supervisor"}


class TestNeeds:
    """Needs are codes of the `alert-needs` list; a list sent replaces the whole list."""

    def test_a_list_replaces_the_whole_list(self, people, api_as):
        alert = AlertFactory(created_by=people.monitor, needs=["shelter", "food"])
        client = api_as(people.monitor)
        response = client.patch(f"{URL}{alert.pk}/", {"version": 1, "needs": ["wash", "health"]}, format="json")
        assert response.status_code == 200, response.json()
        assert sorted(response.json()["needs"]) == ["health", "wash"]
        assert sorted(alert.needs.values_list("code", flat=True)) == ["health", "wash"]
        change = RecordEvent.objects.get(object_id=alert.pk, action="changed")
        assert "needs" in change.changes

    def test_an_empty_list_clears_them_and_no_list_keeps_them(self, people, api_as):
        alert = AlertFactory(created_by=people.monitor, needs=["shelter", "food"])
        client = api_as(people.monitor)
        kept = client.patch(f"{URL}{alert.pk}/", {"version": 1, "urgent": True}, format="json").json()
        assert sorted(kept["needs"]) == ["food", "shelter"]
        cleared = client.patch(f"{URL}{alert.pk}/", {"version": 2, "needs": []}, format="json").json()
        assert cleared["needs"] == []

    def test_answered_as_codes_in_list_and_detail(self, people, api_as):
        alert = AlertFactory(created_by=people.monitor, needs=["cash"])
        client = api_as(people.monitor)
        assert client.get(f"{URL}{alert.pk}/").json()["needs"] == ["cash"]
        assert client.get(URL).json()["results"][0]["needs"] == ["cash"]


class TestBadInput:
    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"event_type": "meteorite"}, "event_type", "Unknown code"),
            ({"event_type": None}, "event_type", "may not be null"),
            ({"event_type": ["flood"]}, "event_type", "Enter a code"),
            ({"needs": ["food", "jetpacks"]}, "needs", "Unknown code"),
            ({"needs": "food"}, "needs", "Expected a list"),
            ({"needs": {"food": True}}, "needs", "Expected a list"),
            ({"needs": [["food"]]}, "needs", "Enter a code"),
            ({"place": "ML0502"}, "place", "outside your regions"),
            ({"reported_on": "2021-02-30"}, "reported_on", "wrong format"),
            ({"reported_on": "10/12/2021"}, "reported_on", "wrong format"),
            ({"reported_on": "1899-12-31", "occurred_on": "1899-12-30"}, "reported_on", "1900-01-01"),
            ({"reported_on": "2101-01-01"}, "reported_on", "in the future"),
            ({"occurred_on": "2021-12-11"}, "occurred_on", "after the day the alert was raised"),
            ({"response_on": "2021-12-01"}, "response_on", "before the event"),
            ({"response_triggered": False}, "response_triggered", "response triggered"),
            ({"response_triggered": False, "response_by": ""}, "response_triggered", "response triggered"),
            ({"response_triggered": False, "response_on": None}, "response_triggered", "response triggered"),
            ({"response_triggered": "maybe"}, "response_triggered", "valid boolean"),
            ({"urgent": "perhaps"}, "urgent", "valid boolean"),
            ({"women": 1_000_001}, "women", "less than or equal to 1000000"),
            ({"households": 1_000_001}, "households", "less than or equal to 1000000"),
            ({"households": -1}, "households", "greater than or equal to 0"),
            ({"boys": -2}, "boys", "greater than or equal to 0"),
            ({"unknown": 2**63}, "unknown", "less than or equal to 1000000"),
            ({"men": "many"}, "men", "valid integer"),
            ({"narrative": "Attack\x00"}, "narrative", NUL_MESSAGE),
            ({"response_by": "Cluster\x00"}, "response_by", NUL_MESSAGE),
            ({"response_by": "x" * 201}, "response_by", "no more than 200"),
            ({"event_type": "flood\x00"}, "event_type", NUL_MESSAGE),
            ({"needs": ["food\x00"]}, "needs", NUL_MESSAGE),
            ({"place": "ML07\x00"}, "place", NUL_MESSAGE),
        ],
    )
    def test_invalid_input_is_400_with_a_message_on_the_field(self, people, api_as, overrides, field, message):
        response = api_as(people.monitor).post(URL, body(**overrides), format="json")
        assert response.status_code == 400, response.content
        assert message in str(response.json().get(field)), response.json()
        assert not FlashAlert.objects.exists()

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            # The model's rules read the values the alert will have: the stored ones for what a PATCH leaves out.
            ({"occurred_on": "2021-12-11"}, "occurred_on"),
            ({"response_by": "Cluster protection"}, "response_triggered"),
            ({"response_on": "2021-12-09"}, "response_triggered"),
            ({"reported_on": "2021-12-07"}, "occurred_on"),
            ({"needs": ["nope"]}, "needs"),
            ({"needs": "food"}, "needs"),
            ({"households": 1_000_001}, "households"),
            ({"narrative": "\x00"}, "narrative"),
            ({"version": "two"}, "version"),
            ({"version": 0}, "version"),
        ],
    )
    def test_a_patch_is_checked_against_the_stored_alert(self, people, api_as, change, field):
        alert = AlertFactory(created_by=people.monitor)
        response = api_as(people.monitor).patch(f"{URL}{alert.pk}/", {"version": 1, **change}, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json(), response.json()
        alert.refresh_from_db()
        assert alert.version == 1

    def test_a_triggered_response_may_be_untriggered_with_its_fields_emptied(self, people, api_as):
        alert = AlertFactory(
            created_by=people.monitor, response_triggered=True, response_by="WFP", response_on="2021-12-09"
        )
        client = api_as(people.monitor)
        url = f"{URL}{alert.pk}/"
        assert client.patch(url, {"version": 1, "response_triggered": False}, format="json").status_code == 400
        response = client.patch(
            url, {"version": 1, "response_triggered": False, "response_by": "", "response_on": None}, format="json"
        )
        assert response.status_code == 200, response.json()

    @pytest.mark.parametrize(
        "text",
        ["[]", '"x"', "null", "1e309", '{"needs": ', "[" * 5000 + "]" * 5000, '{"reported_on": "2021-12-10"'],
    )
    def test_a_body_that_is_not_the_object_expected_is_400(self, people, api_as, text):
        alert = AlertFactory(created_by=people.monitor)
        client = api_as(people.monitor)
        for method, url in (("post", URL), ("patch", f"{URL}{alert.pk}/"), ("post", f"{URL}{alert.pk}/submit/")):
            response = getattr(client, method)(url, data=text, content_type="application/json")
            assert response.status_code == 400, (method, url, text[:20], response.content[:200])
        alert.refresh_from_db()
        assert (alert.version, alert.status) == (1, Status.DRAFT)

    @pytest.mark.parametrize("step", ["return", "reject"])
    def test_a_nul_in_a_steps_text_is_400(self, people, api_as, step):
        submitted = AlertFactory(created_by=people.monitor, status=Status.SUBMITTED)
        field = "comment" if step == "return" else "reason"
        response = api_as(people.supervisor).post(f"{URL}{submitted.pk}/{step}/", {field: "a\x00b"}, format="json")
        assert response.status_code == 400
        assert field in response.json()

    def test_a_write_into_a_closed_month_is_409_for_a_non_admin(self, people, api_as):
        from core.models import ClosedMonth  # noqa: PLC0415  # only this test needs it

        alert = AlertFactory(created_by=people.monitor)
        ClosedMonth.objects.create(month="2021-12-01", is_closed=True, closed_by=people.admin)
        client = api_as(people.monitor)
        assert client.patch(f"{URL}{alert.pk}/", {"version": 1, "urgent": True}, format="json").status_code == 409
        assert client.post(URL, body(), format="json").status_code == 409
        november = body(reported_on="2021-11-30", occurred_on="2021-11-29", response_on=None, response_triggered=False)
        assert client.post(URL, {**november, "response_by": ""}, format="json").status_code == 201

    def test_garbage_parameters_are_answered_without_a_server_error(self, people, api_as):
        AlertFactory(created_by=people.monitor, needs=["food"])
        client = api_as(people.admin)
        for params in (
            {"page": "abc"},
            {"page": "99999"},
            {"page_size": "-1"},
            {"ordering": "bogus"},
            {"region": "XX"},
            {"month": "2021-99"},
            {"month": "1899-12"},
            {"event_type": "nope"},
            {"need": "nope"},
            {"urgent": "perhaps"},
            {"response_triggered": "perhaps"},
            {"organisation": "ZZZ"},
            {"reported_on_after": "yesterday"},
            {"status": "lost"},
            {"q": "é" * 500},
        ):
            assert client.get(URL, params).status_code < 500, params
        assert client.get(f"{URL}abc/").status_code == 404
        assert client.get(f"{URL}99999999/").status_code == 404

    @pytest.mark.parametrize("params", [{"q": "a\x00"}, {"event_type": "\x00"}, {"need": "\x00"}])
    def test_a_nul_in_a_filter_is_400(self, people, api_as, params):
        assert api_as(people.monitor).get(URL, params).status_code == 400


class TestFilters:
    @pytest.fixture
    def alerts(self, people) -> dict[str, FlashAlert]:
        flood = AlertEventType.objects.get(code="flood")
        return {
            "displacement": AlertFactory(
                created_by=people.monitor, needs=["shelter", "food"], reported_on="2021-12-10", urgent=True
            ),
            "flood": AlertFactory(
                created_by=people.partner_monitor,
                event_type=flood,
                occurred_on="2021-11-02",
                reported_on="2021-11-03",
                needs=["wash"],
                response_triggered=True,
                response_by="Croix-Rouge malienne",
                narrative="The river rose over the market.",
            ),
            "mopti": AlertFactory(created_by=people.outsider, place=mopti(), reported_on="2021-12-01"),
        }

    def test_each_filter(self, people, api_as, alerts):
        client = api_as(people.admin)
        displacement, flood, in_mopti = (alerts[name].pk for name in ("displacement", "flood", "mopti"))
        assert ids(client.get(URL)) == [displacement, in_mopti, flood]  # newest first
        assert ids(client.get(URL, {"event_type": "flood"})) == [flood]
        assert ids(client.get(URL, {"event_type": "fire"})) == []
        assert ids(client.get(URL, {"need": "food"})) == [displacement]
        assert ids(client.get(URL, {"need": "wash"})) == [flood]
        assert ids(client.get(URL, {"response_triggered": "true"})) == [flood]
        assert ids(client.get(URL, {"response_triggered": "false"})) == [displacement, in_mopti]
        assert ids(client.get(URL, {"urgent": "true"})) == [displacement]
        assert ids(client.get(URL, {"month": "2021-11"})) == [flood]
        assert ids(client.get(URL, {"month": "2021-12", "region": "ML05"})) == [in_mopti]
        assert ids(client.get(URL, {"region": "ML07"})) == [displacement, flood]
        assert ids(client.get(URL, {"organisation": "AMSS"})) == [flood]
        assert ids(client.get(URL, {"reported_on_after": "2021-12-01", "reported_on_before": "2021-12-09"})) == [
            in_mopti
        ]
        assert ids(client.get(URL, {"q": "river"})) == [flood]  # narrative
        assert ids(client.get(URL, {"q": "croix-rouge"})) == [flood]  # the responding organisation
        assert ids(client.get(URL, {"status": "draft", "event_type": "armed_attack"})) == [
            displacement,
            in_mopti,
        ]

    def test_a_need_filter_lists_an_alert_once(self, people, api_as, alerts):
        alerts["displacement"].needs.add(*alerts["flood"].needs.all())
        response = api_as(people.admin).get(URL, {"need": "wash"})
        assert sorted(ids(response)) == sorted([alerts["displacement"].pk, alerts["flood"].pk])
        assert response.json()["count"] == 2

    def test_ordering(self, people, api_as, alerts):
        client = api_as(people.admin)
        displacement, flood, in_mopti = (alerts[name].pk for name in ("displacement", "flood", "mopti"))
        assert ids(client.get(URL, {"ordering": "reported_on"})) == [flood, in_mopti, displacement]
        assert ids(client.get(URL, {"ordering": "-occurred_on"}))[-1] == flood
        assert ids(client.get(URL, {"ordering": "id"})) == sorted([displacement, flood, in_mopti])

    def test_filters_stay_within_the_users_scope(self, people, api_as, alerts):
        client = api_as(people.partner_monitor)
        assert ids(client.get(URL, {"region": "ML05"})) == []
        assert ids(client.get(URL, {"event_type": "armed_attack"})) == [alerts["displacement"].pk]

    @pytest.mark.parametrize("params", [{"event_type": "meteorite"}, {"need": "jetpacks"}, {"month": "2021-13"}])
    def test_an_unknown_code_in_a_filter_is_400(self, people, api_as, params):
        response = api_as(people.monitor).get(URL, params)
        assert response.status_code == 400
        assert set(params) <= set(response.json())


class TestReferenceLists:
    @pytest.mark.parametrize(
        ("slug", "codes"),
        [
            (
                "alert-event-types",
                [
                    "armed_attack",
                    "intercommunal_violence",
                    "mass_displacement",
                    "return_movement",
                    "flood",
                    "fire",
                    "epidemic",
                    "other",
                ],
            ),
            ("alert-needs", ["protection", "shelter", "nfi", "food", "wash", "health", "education", "cash"]),
        ],
    )
    def test_served_as_code_and_label_in_the_users_language(self, people, api_as, slug, codes):
        client = api_as(people.monitor)
        entries = client.get(f"/api/v1/reference/{slug}/").json()
        assert [entry["code"] for entry in entries] == codes
        assert set(entries[0]) == {"code", "label"}
        french = client.get(f"/api/v1/reference/{slug}/", HTTP_ACCEPT_LANGUAGE="fr").json()
        labels = {entry["code"]: entry["label"] for entry in french}
        assert labels.get("flood", labels.get("wash")) in ("Inondation", "Eau, hygiène et assainissement (EHA)")


def test_the_step_answers_carry_the_alert(people, api_as):
    """Each step answers 200 with the whole alert, needs included."""
    alert = AlertFactory(created_by=people.monitor, needs=["food"])
    monitor, supervisor = api_as(people.monitor), None
    submitted = monitor.post(f"{URL}{alert.pk}/submit/").json()
    assert (submitted["status"], submitted["needs"], submitted["version"]) == ("submitted", ["food"], 2)
    supervisor = api_as(people.supervisor)
    returned = supervisor.post(f"{URL}{alert.pk}/return/", {"comment": "Which village?"}, format="json").json()
    assert (returned["status"], returned["review_note"]) == ("returned", "Which village?")
    assert json.loads(json.dumps(returned))["event_type"] == "armed_attack"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    generated: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
    return generated


class TestSchema:
    """`/api/schema/` describes what the alerts endpoint answers (docs/api.md), errors included (core/api/schema.py)."""

    def test_the_alert_component(self, schema):
        properties = schema["components"]["schemas"]["Alert"]["properties"]
        assert properties["needs"] == {"type": "array", "items": {"type": "string"}}
        nullable = {name for name, spec in properties.items() if spec.get("nullable")}
        assert nullable == {"households", "response_on", "submitted_at", "reviewed_by"}
        assert properties["women"]["maximum"] == properties["households"]["maximum"] == 1_000_000
        assert properties["response_by"]["maxLength"] == 200
        required = set(schema["components"]["schemas"]["Alert"]["required"])
        assert {"reported_on", "occurred_on", "place", "event_type"} <= required

    def test_a_draft_answers_null_only_where_the_schema_says(self, people, api_as, schema):
        alert = AlertFactory(created_by=people.monitor, households=None)
        answer = api_as(people.monitor).get(f"{URL}{alert.pk}/").json()
        properties = schema["components"]["schemas"]["Alert"]["properties"]
        assert set(answer) == set(properties)
        assert [name for name, value in answer.items() if value is None and not properties[name].get("nullable")] == []

    @pytest.mark.parametrize(
        ("path", "method", "codes"),
        [
            ("/api/v1/alerts/", "get", {"200", "400", "401", "403", "404"}),
            ("/api/v1/alerts/", "post", {"201", "400", "401", "403", "404", "409", "415"}),
            ("/api/v1/alerts/{id}/", "get", {"200", "401", "403", "404"}),
            ("/api/v1/alerts/{id}/", "patch", {"200", "400", "401", "403", "404", "409", "415"}),
            *(
                (f"/api/v1/alerts/{{id}}/{step}/", "post", {"200", "400", "401", "403", "404", "409", "415"})
                for step in ("submit", "verify", "return", "reject", "archive", "restore")
            ),
        ],
    )
    def test_every_operation_declares_its_errors(self, schema, path, method, codes):
        responses = schema["paths"][path][method]["responses"]
        assert codes <= set(responses)
        errors = [code for code in responses if code.startswith("4")]
        assert all("content" in responses[code] for code in errors)

    def test_the_filters_are_declared(self, schema):
        parameters = {parameter["name"] for parameter in schema["paths"]["/api/v1/alerts/"]["get"]["parameters"]}
        assert {"event_type", "need", "response_triggered", "urgent", "month", "region", "q", "ordering"} <= parameters
