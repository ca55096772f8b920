"""The incidents API against API.md, for every role."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.choices import Status
from core.models import RecordEvent
from incidents.models import Incident
from incidents.tests.factories import IncidentFactory

URL = "/api/v1/incidents/"


def body(**overrides) -> dict:
    data = {
        "reported_on": "2023-05-04",
        "occurred_on": "2023-05-02",
        "place": "ML0701",
        "perpetrator": "armed_group",
        "narrative": "Two men threatened a family at the well.",
        "violations": [
            {"type": "threat", "population_group": "host", "women": 1, "men": 2},
            {"type": "theft_extortion", "population_group": "idp", "boys": 1},
        ],
    }
    data.update(overrides)
    return data


@pytest.fixture
def submitted(people):
    return IncidentFactory(created_by=people.monitor, status=Status.SUBMITTED)


class TestCreate:
    def test_monitor_creates_a_draft_with_region_organisation_and_version(self, people, api_as):
        response = api_as(people.partner_monitor).post(URL, body(), format="json")
        assert response.status_code == 201, response.json()
        record = response.json()
        assert (record["status"], record["region"], record["organisation"], record["version"]) == (
            "draft",
            "ML07",
            "AMSS",
            1,
        )
        assert [v["type"] for v in record["violations"]] == ["threat", "theft_extortion"]
        assert RecordEvent.objects.filter(object_id=record["id"], action="created").exists()

    @pytest.mark.parametrize("role", ["supervisor", "admin"])
    def test_supervisors_and_admins_create(self, people, api_as, role):
        assert api_as(getattr(people, role)).post(URL, body(), format="json").status_code == 201

    @pytest.mark.parametrize("role", ["gbv", "viewer"])
    def test_other_roles_may_not_create(self, people, api_as, role):
        assert api_as(getattr(people, role)).post(URL, body(), format="json").status_code == 403
        assert not Incident.objects.exists()

    def test_no_credentials_is_401(self, db, api_client):
        assert api_client.post(URL, body(), format="json").status_code == 401

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"place": "ML9999"}, "place", "Unknown code “ML9999”."),
            ({"place": "ML0502"}, "place", "This place is outside your regions."),
            ({"violations": []}, "violations", "Record at least one violation."),
            ({"violations": [{"type": "flying", "population_group": "idp", "men": 1}]}, "violations", "Unknown code"),
            ({"violations": [{"type": "threat", "population_group": "idp"}]}, "violations", "at least one person"),
            ({"violations": [{"type": "threat", "population_group": "idp", "men": -1}]}, "violations", "greater than"),
            ({"occurred_on": "2023-05-06"}, "occurred_on", "cannot have happened after"),
            ({"reported_on": "2099-01-01", "occurred_on": None}, "reported_on", "in the future"),
            ({"reported_on": "04/05/2023"}, "reported_on", "wrong format"),
        ],
    )
    def test_invalid_input_is_400_with_a_message_on_the_field(self, people, api_as, overrides, field, message):
        response = api_as(people.monitor).post(URL, body(**overrides), format="json")
        assert response.status_code == 400
        errors = response.json()
        assert field in errors, errors
        assert message in str(errors[field])
        assert not Incident.objects.exists()

    def test_missing_required_fields_are_named(self, people, api_as):
        response = api_as(people.monitor).post(URL, {}, format="json")
        assert response.status_code == 400
        assert {"reported_on", "place", "violations"} <= set(response.json())


class TestWorkflow:
    def test_monitor_submits_own_draft(self, people, api_as):
        incident = IncidentFactory(created_by=people.monitor)
        response = api_as(people.monitor).post(f"{URL}{incident.pk}/submit/", {}, format="json")
        assert response.status_code == 200
        assert response.json()["status"] == "submitted"

    def test_monitor_cannot_verify(self, people, api_as, submitted):
        assert api_as(people.monitor).post(f"{URL}{submitted.pk}/verify/").status_code == 403

    def test_supervisor_verifies_a_record_of_their_region(self, people, api_as, submitted):
        response = api_as(people.supervisor).post(f"{URL}{submitted.pk}/verify/")
        assert response.status_code == 200
        assert response.json()["status"] == "verified"
        assert response.json()["reviewed_by"] == "supervisor"

    def test_supervisor_cannot_verify_their_own(self, people, api_as):
        own = IncidentFactory(created_by=people.supervisor, status=Status.SUBMITTED)
        assert api_as(people.supervisor).post(f"{URL}{own.pk}/verify/").status_code == 403

    def test_admin_may_verify_their_own(self, people, api_as):
        own = IncidentFactory(created_by=people.admin, status=Status.SUBMITTED)
        assert api_as(people.admin).post(f"{URL}{own.pk}/verify/").status_code == 200

    def test_supervisor_of_another_region_gets_404(self, people, api_as, submitted):
        client = api_as(people.outsider)
        assert client.get(f"{URL}{submitted.pk}/").status_code == 404
        assert client.post(f"{URL}{submitted.pk}/verify/").status_code == 404
        assert client.patch(f"{URL}{submitted.pk}/", {"version": 1}, format="json").status_code == 404

    def test_verifying_a_draft_is_409(self, people, api_as):
        draft = IncidentFactory(created_by=people.monitor)
        assert api_as(people.supervisor).post(f"{URL}{draft.pk}/verify/").status_code == 409

    def test_return_needs_a_comment_and_notifies_the_author(self, people, api_as, submitted):
        client = api_as(people.supervisor)
        assert client.post(f"{URL}{submitted.pk}/return/", {"comment": " "}, format="json").status_code == 400
        response = client.post(f"{URL}{submitted.pk}/return/", {"comment": "Which village?"}, format="json")
        assert response.status_code == 200
        assert response.json()["status"] == "returned"
        assert response.json()["review_note"] == "Which village?"
        assert people.monitor.notifications.get().message.endswith("Which village?")

    def test_reject_needs_a_reason_and_may_link_the_duplicate(self, people, api_as, submitted):
        original = IncidentFactory(created_by=people.partner_monitor, status=Status.VERIFIED)
        client = api_as(people.supervisor)
        assert client.post(f"{URL}{submitted.pk}/reject/", {}, format="json").status_code == 400
        response = client.post(
            f"{URL}{submitted.pk}/reject/", {"reason": "Same event", "duplicate_of": original.pk}, format="json"
        )
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["duplicate_of"]) == ("rejected", original.pk)

    def test_archive_and_restore_put_back_the_status(self, people, api_as, submitted):
        client = api_as(people.supervisor)
        assert client.post(f"{URL}{submitted.pk}/archive/").json()["status"] == "archived"
        assert client.post(f"{URL}{submitted.pk}/archive/").status_code == 409
        assert client.post(f"{URL}{submitted.pk}/restore/").json()["status"] == "submitted"

    def test_monitor_archives_own_draft_only(self, people, api_as, submitted):
        draft = IncidentFactory(created_by=people.monitor)
        client = api_as(people.monitor)
        assert client.post(f"{URL}{draft.pk}/archive/").status_code == 200
        assert client.post(f"{URL}{submitted.pk}/archive/").status_code == 409

    def test_history_records_each_step(self, people, api_as, submitted):
        api_as(people.supervisor).post(f"{URL}{submitted.pk}/verify/")
        event = RecordEvent.objects.get(object_id=submitted.pk, action="verified")
        assert (event.actor, event.from_status, event.to_status) == (people.supervisor, "submitted", "verified")


class TestEdit:
    def test_monitor_edits_own_draft(self, people, api_as):
        draft = IncidentFactory(created_by=people.monitor)
        response = api_as(people.monitor).patch(
            f"{URL}{draft.pk}/", {"version": 1, "locality": "Tacharane"}, format="json"
        )
        assert response.status_code == 200
        assert (response.json()["locality"], response.json()["version"]) == ("Tacharane", 2)
        change = RecordEvent.objects.get(object_id=draft.pk, action="changed")
        assert change.changes["locality"] == ["", "Tacharane"]

    def test_monitor_editing_own_submitted_record_is_409(self, people, api_as, submitted):
        response = api_as(people.monitor).patch(f"{URL}{submitted.pk}/", {"version": 1, "locality": "X"}, format="json")
        assert response.status_code == 409

    def test_monitor_editing_another_monitors_draft_is_403(self, people, api_as):
        draft = IncidentFactory(created_by=people.supervisor)
        response = api_as(people.monitor).patch(f"{URL}{draft.pk}/", {"version": 1, "locality": "X"}, format="json")
        assert response.status_code == 403

    def test_a_stale_version_is_409_and_overwrites_nothing(self, people, api_as):
        draft = IncidentFactory(created_by=people.monitor, locality="Tacharane")
        client = api_as(people.monitor)
        assert client.patch(f"{URL}{draft.pk}/", {"version": 1, "locality": "First"}, format="json").status_code == 200
        response = client.patch(f"{URL}{draft.pk}/", {"version": 1, "locality": "Second"}, format="json")
        assert response.status_code == 409
        assert response.json()["current_version"] == 2
        draft.refresh_from_db()
        assert draft.locality == "First"

    def test_version_is_required_on_patch(self, people, api_as):
        draft = IncidentFactory(created_by=people.monitor)
        response = api_as(people.monitor).patch(f"{URL}{draft.pk}/", {"locality": "X"}, format="json")
        assert response.status_code == 400
        assert "version" in response.json()

    def test_sent_violations_replace_the_whole_list(self, people, api_as):
        draft = IncidentFactory(created_by=people.monitor)
        violations = [{"type": "murder", "population_group": "idp", "men": 1}]
        response = api_as(people.monitor).patch(
            f"{URL}{draft.pk}/", {"version": 1, "violations": violations}, format="json"
        )
        assert [v["type"] for v in response.json()["violations"]] == ["murder"]

    def test_editing_a_verified_record_sends_it_back_to_submitted(self, people, api_as):
        verified = IncidentFactory(created_by=people.monitor, status=Status.VERIFIED)
        response = api_as(people.supervisor).patch(
            f"{URL}{verified.pk}/", {"version": 1, "locality": "X"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["status"] == "submitted"

    def test_put_and_delete_are_not_offered(self, people, api_as):
        draft = IncidentFactory(created_by=people.monitor)
        client = api_as(people.admin)
        assert client.delete(f"{URL}{draft.pk}/").status_code == 405
        assert client.put(f"{URL}{draft.pk}/", body(), format="json").status_code == 405


class TestRead:
    def test_viewer_sees_no_individual_record(self, people, api_as, submitted):
        client = api_as(people.viewer)
        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}{submitted.pk}/").status_code == 404

    def test_partner_monitor_sees_only_their_organisations_records(self, people, api_as, submitted):
        own = IncidentFactory(created_by=people.partner_monitor)
        ids = [row["id"] for row in api_as(people.partner_monitor).get(URL).json()["results"]]
        assert ids == [own.pk]

    def test_lead_supervisor_sees_every_organisations_records_of_their_region(self, people, api_as, submitted):
        partner_record = IncidentFactory(created_by=people.partner_monitor)
        mopti = IncidentFactory(created_by=people.outsider, place=people.outsider.regions.get().children.first())
        ids = {row["id"] for row in api_as(people.supervisor).get(URL).json()["results"]}
        assert ids == {submitted.pk, partner_record.pk}
        assert mopti.pk not in ids

    def test_admin_sees_all(self, people, api_as, submitted):
        mopti = IncidentFactory(created_by=people.outsider, place=people.outsider.regions.get().children.first())
        assert api_as(people.admin).get(URL).json()["count"] == 2
        assert api_as(people.admin).get(f"{URL}{mopti.pk}/").status_code == 200

    def test_newest_first_and_filters(self, people, api_as):
        older = IncidentFactory(created_by=people.monitor, reported_on=datetime.date(2021, 11, 3))
        newer = IncidentFactory(
            created_by=people.monitor, reported_on=datetime.date(2021, 12, 3), violations=[{"type": "murder", "men": 1}]
        )
        client = api_as(people.monitor)
        assert [r["id"] for r in client.get(URL).json()["results"]] == [newer.pk, older.pk]
        assert [r["id"] for r in client.get(URL, {"month": "2021-11"}).json()["results"]] == [older.pk]
        assert [r["id"] for r in client.get(URL, {"type": "murder"}).json()["results"]] == [newer.pk]
        assert client.get(URL, {"reported_on_after": "2021-12-01"}).json()["count"] == 1
        assert client.get(URL, {"reported_on_before": "2021-11-03"}).json()["count"] == 1
        assert client.get(URL, {"region": "ML07", "status": "draft", "organisation": "UNHCR"}).json()["count"] == 2
        assert client.get(URL, {"q": "bus"}).json()["count"] == 2

    def test_a_malformed_month_is_400(self, people, api_as):
        response = api_as(people.monitor).get(URL, {"month": "2021-13"})
        assert response.status_code == 400
        assert "month" in response.json()

    def test_pagination_shape_and_page_size(self, people, api_as):
        for _ in range(3):
            IncidentFactory(created_by=people.monitor)
        page = api_as(people.monitor).get(URL, {"page_size": 2}).json()
        assert set(page) == {"count", "next", "previous", "results"}
        assert page["count"] == 3
        assert len(page["results"]) == 2
        assert page["next"]

    def test_sexual_violence_narrative_only_for_gbv_focal_points(self, people, api_as):
        incident = IncidentFactory(created_by=people.monitor, violations=[{"type": "rape", "women": 1}])
        assert api_as(people.supervisor).get(f"{URL}{incident.pk}/").json()["narrative"] is None
        assert api_as(people.gbv).get(f"{URL}{incident.pk}/").json()["narrative"] == incident.narrative

    @pytest.mark.parametrize("rows", [5, 50])
    def test_list_runs_a_fixed_number_of_queries(self, people, api_as, django_assert_num_queries, rows):
        for _ in range(rows):
            IncidentFactory(
                created_by=people.monitor, violations=[{"type": "threat", "men": 1}, {"type": "murder", "men": 1}]
            )
        client = api_as(people.supervisor)
        # token with its user, the user's regions, the user's organisation, count, page, violations (with
        # types and groups), follow-ups
        with django_assert_num_queries(7):
            response = client.get(URL, {"page_size": 200})
        assert response.json()["count"] == rows


def test_reported_on_today_is_accepted(people, api_as):
    today = timezone.localdate().isoformat()
    response = api_as(people.monitor).post(URL, body(reported_on=today, occurred_on=today), format="json")
    assert response.status_code == 201
