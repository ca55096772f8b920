"""The API cases every record type on the shared workflow answers the same way (API.md), for every role.

A record type's test_api.py subclasses `RecordApiCases`, naming its collection URL, a valid body, a factory and a
field it edits; its own rules (bad input, nested lists, warnings) are tested beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from core.choices import Status
from core.models import AdminArea, RecordEvent


class RecordApiCases:
    url: ClassVar[str]
    factory: ClassVar[Callable[..., Any]]
    edit: ClassVar[tuple[str, Any]]  # a field a PATCH changes, and its new value
    list_queries: ClassVar[int]

    def body(self, **overrides: Any) -> dict[str, Any]:
        raise NotImplementedError

    def make(self, user, **kwargs: Any):
        return type(self).factory(created_by=user, **kwargs)

    # --- create

    def test_monitor_creates_a_draft_with_region_organisation_and_version(self, people, api_as):
        response = api_as(people.partner_monitor).post(self.url, self.body(), format="json")
        assert response.status_code == 201, response.json()
        record = response.json()
        assert (record["status"], record["region"], record["organisation"], record["version"]) == (
            "draft",
            "ML07",
            "AMSS",
            1,
        )
        assert RecordEvent.objects.filter(object_id=record["id"], action="created").exists()

    @pytest.mark.parametrize("role", ["supervisor", "admin"])
    def test_supervisors_and_admins_create(self, people, api_as, role):
        assert api_as(getattr(people, role)).post(self.url, self.body(), format="json").status_code == 201

    @pytest.mark.parametrize("role", ["gbv", "viewer"])
    def test_other_roles_may_not_create(self, people, api_as, role):
        assert api_as(getattr(people, role)).post(self.url, self.body(), format="json").status_code == 403

    def test_no_credentials_is_401(self, db, api_client):
        assert api_client.post(self.url, self.body(), format="json").status_code == 401

    def test_a_place_outside_the_users_regions_is_400(self, people, api_as):
        response = api_as(people.monitor).post(self.url, self.body(place="ML0502"), format="json")
        assert response.status_code == 400
        assert "outside your regions" in str(response.json()["place"])

    def test_an_unknown_place_is_400(self, people, api_as):
        response = api_as(people.monitor).post(self.url, self.body(place="ML9999"), format="json")
        assert response.status_code == 400
        assert "Unknown code" in str(response.json()["place"])

    # --- workflow

    def test_monitor_submits_own_draft(self, people, api_as):
        draft = self.make(people.monitor)
        response = api_as(people.monitor).post(f"{self.url}{draft.pk}/submit/")
        assert response.status_code == 200
        assert response.json()["status"] == "submitted"

    def test_monitor_cannot_verify(self, people, api_as):
        submitted = self.make(people.monitor, status=Status.SUBMITTED)
        assert api_as(people.monitor).post(f"{self.url}{submitted.pk}/verify/").status_code == 403

    def test_supervisor_verifies_a_record_of_their_region(self, people, api_as):
        submitted = self.make(people.monitor, status=Status.SUBMITTED)
        response = api_as(people.supervisor).post(f"{self.url}{submitted.pk}/verify/")
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["reviewed_by"]) == ("verified", "supervisor")
        event = RecordEvent.objects.get(object_id=submitted.pk, action="verified")
        assert (event.actor, event.from_status, event.to_status) == (people.supervisor, "submitted", "verified")

    def test_supervisor_cannot_verify_their_own(self, people, api_as):
        own = self.make(people.supervisor, status=Status.SUBMITTED)
        assert api_as(people.supervisor).post(f"{self.url}{own.pk}/verify/").status_code == 403

    def test_admin_may_verify_their_own(self, people, api_as):
        own = self.make(people.admin, status=Status.SUBMITTED)
        assert api_as(people.admin).post(f"{self.url}{own.pk}/verify/").status_code == 200

    def test_supervisor_of_another_region_gets_404(self, people, api_as):
        submitted = self.make(people.monitor, status=Status.SUBMITTED)
        client = api_as(people.outsider)
        assert client.get(f"{self.url}{submitted.pk}/").status_code == 404
        assert client.post(f"{self.url}{submitted.pk}/verify/").status_code == 404
        assert client.patch(f"{self.url}{submitted.pk}/", {"version": 1}, format="json").status_code == 404

    def test_verifying_a_draft_is_409(self, people, api_as):
        draft = self.make(people.monitor)
        assert api_as(people.supervisor).post(f"{self.url}{draft.pk}/verify/").status_code == 409

    def test_return_needs_a_comment(self, people, api_as):
        submitted = self.make(people.monitor, status=Status.SUBMITTED)
        client = api_as(people.supervisor)
        assert client.post(f"{self.url}{submitted.pk}/return/", {"comment": ""}, format="json").status_code == 400
        response = client.post(f"{self.url}{submitted.pk}/return/", {"comment": "Which site?"}, format="json")
        assert response.status_code == 200
        assert response.json()["status"] == "returned"

    def test_reject_needs_a_reason(self, people, api_as):
        submitted = self.make(people.monitor, status=Status.SUBMITTED)
        client = api_as(people.supervisor)
        assert client.post(f"{self.url}{submitted.pk}/reject/", {}, format="json").status_code == 400
        response = client.post(f"{self.url}{submitted.pk}/reject/", {"reason": "Counted twice"}, format="json")
        assert response.json()["status"] == "rejected"

    def test_archive_and_restore_put_back_the_status(self, people, api_as):
        submitted = self.make(people.monitor, status=Status.SUBMITTED)
        client = api_as(people.supervisor)
        assert client.post(f"{self.url}{submitted.pk}/archive/").json()["status"] == "archived"
        assert client.post(f"{self.url}{submitted.pk}/archive/").status_code == 409
        assert client.post(f"{self.url}{submitted.pk}/restore/").json()["status"] == "submitted"

    # --- edit

    def test_monitor_edits_own_draft_and_the_history_keeps_old_and_new(self, people, api_as):
        draft = self.make(people.monitor)
        name, value = self.edit
        response = api_as(people.monitor).patch(f"{self.url}{draft.pk}/", {"version": 1, name: value}, format="json")
        assert response.status_code == 200, response.json()
        assert (response.json()[name], response.json()["version"]) == (value, 2)
        change = RecordEvent.objects.get(object_id=draft.pk, action="changed")
        assert name in change.changes

    def test_monitor_editing_own_submitted_record_is_409(self, people, api_as):
        submitted = self.make(people.monitor, status=Status.SUBMITTED)
        name, value = self.edit
        response = api_as(people.monitor).patch(
            f"{self.url}{submitted.pk}/", {"version": 1, name: value}, format="json"
        )
        assert response.status_code == 409

    def test_monitor_editing_someone_elses_draft_is_403(self, people, api_as):
        draft = self.make(people.supervisor)
        name, value = self.edit
        response = api_as(people.monitor).patch(f"{self.url}{draft.pk}/", {"version": 1, name: value}, format="json")
        assert response.status_code == 403

    def test_a_stale_version_is_409(self, people, api_as):
        draft = self.make(people.monitor)
        name, value = self.edit
        client = api_as(people.monitor)
        assert client.patch(f"{self.url}{draft.pk}/", {"version": 1, name: value}, format="json").status_code == 200
        response = client.patch(f"{self.url}{draft.pk}/", {"version": 1, name: value}, format="json")
        assert response.status_code == 409
        assert response.json()["current_version"] == 2

    def test_version_is_required_on_patch(self, people, api_as):
        draft = self.make(people.monitor)
        name, value = self.edit
        response = api_as(people.monitor).patch(f"{self.url}{draft.pk}/", {name: value}, format="json")
        assert response.status_code == 400
        assert "version" in response.json()

    def test_editing_a_verified_record_sends_it_back_to_submitted(self, people, api_as):
        verified = self.make(people.monitor, status=Status.VERIFIED)
        name, value = self.edit
        response = api_as(people.supervisor).patch(
            f"{self.url}{verified.pk}/", {"version": 1, name: value}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["status"] == "submitted"

    def test_put_and_delete_are_not_offered(self, people, api_as):
        draft = self.make(people.monitor)
        client = api_as(people.admin)
        assert client.delete(f"{self.url}{draft.pk}/").status_code == 405
        assert client.put(f"{self.url}{draft.pk}/", self.body(), format="json").status_code == 405

    # --- read

    def test_viewer_sees_no_individual_record(self, people, api_as):
        record = self.make(people.monitor)
        client = api_as(people.viewer)
        assert client.get(self.url).status_code == 403
        assert client.get(f"{self.url}{record.pk}/").status_code == 404

    def test_gbv_focal_point_reads_records_of_their_region(self, people, api_as):
        record = self.make(people.monitor)
        client = api_as(people.gbv)
        assert client.get(self.url).json()["count"] == 1
        assert client.get(f"{self.url}{record.pk}/").status_code == 200

    def test_partner_monitor_sees_only_their_organisations_records(self, people, api_as):
        self.make(people.monitor)
        own = self.make(people.partner_monitor)
        ids = [row["id"] for row in api_as(people.partner_monitor).get(self.url).json()["results"]]
        assert ids == [own.pk]

    def test_supervisor_sees_their_region_admin_sees_all(self, people, api_as):
        gao = self.make(people.monitor)
        mopti = self.make(people.outsider, place=AdminArea.objects.get(pcode="ML0506"))
        assert [row["id"] for row in api_as(people.supervisor).get(self.url).json()["results"]] == [gao.pk]
        assert api_as(people.admin).get(self.url).json()["count"] == 2
        assert api_as(people.admin).get(f"{self.url}{mopti.pk}/").status_code == 200

    def test_month_filters_and_newest_first(self, people, api_as):
        month_field = type(self).factory._meta.model.month_field
        older = self.make(people.monitor, **{month_field: "2021-11-03"})
        newer = self.make(people.monitor, **{month_field: "2021-12-03"})
        client = api_as(people.monitor)
        assert [row["id"] for row in client.get(self.url).json()["results"]] == [newer.pk, older.pk]
        assert [row["id"] for row in client.get(self.url, {"month": "2021-11"}).json()["results"]] == [older.pk]
        assert [
            row["id"] for row in client.get(self.url, {f"{month_field}_after": "2021-12-03"}).json()["results"]
        ] == [newer.pk]
        assert [
            row["id"] for row in client.get(self.url, {f"{month_field}_before": "2021-11-03"}).json()["results"]
        ] == [older.pk]
        assert client.get(self.url, {"region": "ML07", "status": "draft", "organisation": "UNHCR"}).json()["count"] == 2
        assert client.get(self.url, {"month": "2021-13"}).status_code == 400

    @pytest.mark.parametrize("rows", [5, 50])
    def test_list_runs_a_fixed_number_of_queries(self, people, api_as, django_assert_num_queries, rows):
        for _ in range(rows):
            self.make(people.monitor)
        client = api_as(people.supervisor)
        # The number is the record type's `list_queries`; its test class names each query.
        with django_assert_num_queries(self.list_queries):
            response = client.get(self.url, {"page_size": 200})
        assert response.json()["count"] == rows

    def test_detail_runs_a_fixed_number_of_queries(self, people, api_as, django_assert_num_queries):
        record = self.make(people.monitor)
        client = api_as(people.supervisor)
        # The list's queries but the count: the record read with its related rows, and its prefetched lists.
        with django_assert_num_queries(self.list_queries - 1):
            assert client.get(f"{self.url}{record.pk}/").status_code == 200
