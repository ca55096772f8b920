"""The incident pages, for each person of the `people` fixture: list, detail, steps, comments, create and edit."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from core.choices import Status
from core.models import AdminArea, Notification, PopulationGroup, RecordEvent, ViolationType
from incidents import services
from incidents.models import Incident
from incidents.tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def _pk(model, code: str) -> int:
    field = "pcode" if model is AdminArea else "code"
    return model.objects.get(**{field: code}).pk


def violation_row(index: int, type_code: str = "theft_extortion", **counts: int) -> dict[str, Any]:
    row = {"type": _pk(ViolationType, type_code), "population_group": _pk(PopulationGroup, "idp")}
    row.update({name: 0 for name in ("women", "girls", "men", "boys", "unknown", "with_disability")})
    row.update(counts)
    return {f"violations-{index}-{key}": value for key, value in row.items()}


def form_data(*violations: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A filled incident form as the page posts it: one violation (3 men) unless others are given."""
    violations = violations or (violation_row(0, men=3),)
    data = {
        "reported_on": "2021-12-10",
        "occurred_on": "2021-12-08",
        "place": _pk(AdminArea, "ML0703"),
        "locality": "Quartier Château",
        "narrative": "Armed men stopped the bus.",
        "violations-TOTAL_FORMS": str(len(violations)),
        "violations-INITIAL_FORMS": "0",
        "follow_ups-TOTAL_FORMS": "0",
        "follow_ups-INITIAL_FORMS": "0",
        "action": "draft",
    }
    for row in violations:
        data.update(row)
    data.update(fields)
    return data


def submitted(author, **extra: Any) -> Incident:
    return IncidentFactory(
        created_by=author, status=Status.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=3), **extra
    )


def in_mopti(author) -> Incident:
    return IncidentFactory(created_by=author, place=AdminArea.objects.get(pcode="ML0501"))


def step(client, incident: Incident, name: str, **data: Any):
    data.setdefault("version", incident.version)
    return client.post(reverse("incidents:step", args=[incident.pk, name]), data)


class TestList:
    def test_monitor_sees_the_incidents_of_their_scope_with_their_facts(self, people, client):
        gao = IncidentFactory(created_by=people.monitor, urgent=True)
        mopti = in_mopti(people.outsider)
        client.force_login(people.monitor)
        response = client.get(reverse("incidents:list"))
        html = response.content.decode()
        assert response.status_code == 200
        assert f"#{gao.pk}" in html
        assert f"#{mopti.pk}<" not in html
        assert "2021-12-10" in html
        assert "Theft" in html
        assert ">4<" in html
        assert "Urgent" in html

    def test_viewer_sees_no_individual_record(self, people, client):
        client.force_login(people.viewer)
        assert client.get(reverse("incidents:list")).status_code == 403

    def test_gbv_focal_point_may_read_the_list(self, people, client):
        client.force_login(people.gbv)
        assert client.get(reverse("incidents:list")).status_code == 200

    def test_filters_narrow_the_list(self, people, client):
        kept = IncidentFactory(created_by=people.monitor, reported_on=datetime.date(2022, 3, 5), occurred_on=None)
        left_out = IncidentFactory(created_by=people.monitor)
        client.force_login(people.supervisor)
        html = client.get(reverse("incidents:list"), {"month": "2022-03", "region": "ML07"}).content.decode()
        assert f">#{kept.pk}<" in html
        assert f">#{left_out.pk}<" not in html

    def test_an_invalid_filter_shows_its_error_not_a_500(self, people, client):
        IncidentFactory(created_by=people.monitor)
        client.force_login(people.monitor)
        response = client.get(reverse("incidents:list"), {"month": "2022-13", "reported_on_after": "yesterday"})
        html = response.content.decode()
        assert response.status_code == 400
        assert "Enter a month as YYYY-MM" in html
        assert "Enter a valid date" in html

    def test_empty_state_invites_to_record_the_first_incident(self, people, client):
        client.force_login(people.monitor)
        html = client.get(reverse("incidents:list")).content.decode()
        assert "No incident recorded in your regions yet." in html
        assert reverse("incidents:create") in html

    def test_page_links_keep_the_filters(self, people, client):
        for _ in range(30):
            IncidentFactory(created_by=people.monitor)
        client.force_login(people.monitor)
        html = client.get(reverse("incidents:list"), {"status": "draft"}).content.decode()
        assert "30 incidents" in html
        assert "?status=draft&amp;page=2" in html
        assert html.count("<tr>") == 26  # the header row and 25 incidents

    def test_sort_links_reverse_the_current_order(self, people, client):
        older = IncidentFactory(created_by=people.monitor, reported_on=datetime.date(2021, 1, 5), occurred_on=None)
        newer = IncidentFactory(created_by=people.monitor)
        client.force_login(people.monitor)
        html = client.get(reverse("incidents:list"), {"ordering": "reported_on"}).content.decode()
        assert html.index(f">#{older.pk}<") < html.index(f">#{newer.pk}<")
        assert "ordering=-reported_on" in html

    def test_query_count_does_not_grow_with_the_number_of_incidents(self, people, client):
        def count_queries(total: int) -> int:
            Incident.objects.all().delete()
            for _ in range(total):
                IncidentFactory(
                    created_by=people.monitor,
                    violations=[{"type": "theft_extortion", "men": 1}, {"type": "threat", "women": 2}],
                )
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("incidents:list")).status_code == 200
            return len(queries)

        client.force_login(people.monitor)
        # session, user, the user's regions, the count, the page, its violations (with types and groups), unread
        # notifications, the filter form's regions, organisations, violation types, population groups and
        # perpetrators (every filter of the filterset), the session saved (3)
        assert count_queries(5) == count_queries(50) == 15


class TestDetail:
    def test_shows_violations_follow_ups_history_and_the_authors_steps(self, people, client):
        incident = IncidentFactory(created_by=people.monitor)
        incident.follow_ups.create(done_on=datetime.date(2021, 12, 11), action_taken="Referred to the health centre")
        RecordEvent.objects.create(
            content_type_id=_content_type(), object_id=incident.pk, action="created", actor=people.monitor
        )
        client.force_login(people.monitor)
        html = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
        assert "Theft" in html
        assert "Referred to the health centre" in html
        assert "Armed men stopped the bus" in html
        assert "Created" in html
        assert "monitor" in html
        assert reverse("incidents:step", args=[incident.pk, "submit"]) in html
        assert reverse("incidents:step", args=[incident.pk, "verify"]) not in html
        assert f'name="version" value="{incident.version}"' in html

    def test_supervisor_sees_the_review_steps_but_not_submit(self, people, client):
        incident = submitted(people.monitor)
        client.force_login(people.supervisor)
        html = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
        for name in ("verify", "return", "reject"):
            assert reverse("incidents:step", args=[incident.pk, name]) in html
        assert reverse("incidents:step", args=[incident.pk, "submit"]) not in html

    @pytest.mark.parametrize("person", ["outsider", "viewer", "partner_monitor"])
    def test_a_record_out_of_scope_does_not_exist(self, people, client, person):
        incident = IncidentFactory(created_by=people.monitor)
        client.force_login(getattr(people, person))
        assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 404

    def test_admin_sees_every_record(self, people, client):
        incident = in_mopti(people.outsider)
        client.force_login(people.admin)
        assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 200

    def test_sexual_violence_narrative_is_for_gbv_focal_points_only(self, people, client):
        incident = IncidentFactory(created_by=people.monitor, violations=[{"type": "rape", "women": 1}])
        client.force_login(people.supervisor)
        html = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
        assert "Armed men stopped the bus" not in html
        assert "restricted to GBV focal points" in html
        client.force_login(people.gbv)
        assert (
            "Armed men stopped the bus" in client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
        )

    def test_possible_duplicates_are_offered_when_rejecting(self, people, client):
        incident = submitted(people.monitor)
        other = submitted(people.partner_monitor)
        client.force_login(people.supervisor)
        html = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
        assert f'<option value="{other.pk}">' in html
        assert "Possible duplicate" in html

    def test_query_budget(self, people, client, django_assert_max_num_queries):
        incident = submitted(people.monitor, violations=[{"type": "threat", "men": 1}, {"type": "rape", "women": 1}])
        client.force_login(people.supervisor)
        # session, user, the user's regions, the incident, its violations, its follow-ups, the history (with actors),
        # possible duplicates (candidates and their violations), unread notifications, the session saved (3)
        with django_assert_max_num_queries(14):
            client.get(reverse("incidents:detail", args=[incident.pk]))


def _content_type() -> int:
    return ContentType.objects.get_for_model(Incident).pk


class TestSteps:
    def test_monitor_submits_their_draft(self, people, client):
        incident = IncidentFactory(created_by=people.monitor)
        client.force_login(people.monitor)
        response = step(client, incident, "submit")
        assert response.status_code == 302
        assert response["Location"] == reverse("incidents:detail", args=[incident.pk])
        incident.refresh_from_db()
        assert incident.status == Status.SUBMITTED
        assert incident.version == 2

    def test_monitor_cannot_verify(self, people, client):
        incident = submitted(people.partner_monitor, organisation=people.monitor.organisation)
        client.force_login(people.monitor)
        assert step(client, incident, "verify").status_code == 403

    def test_supervisor_verifies_a_gao_record_and_the_history_says_so(self, people, client):
        incident = submitted(people.monitor)
        client.force_login(people.supervisor)
        assert step(client, incident, "verify").status_code == 302
        incident.refresh_from_db()
        assert incident.status == Status.VERIFIED
        assert incident.reviewed_by == people.supervisor
        html = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
        assert "Verified" in html
        assert "Submitted → Verified" in html

    def test_supervisor_cannot_verify_their_own_record(self, people, client):
        incident = submitted(people.supervisor)
        client.force_login(people.supervisor)
        assert step(client, incident, "verify").status_code == 403
        incident.refresh_from_db()
        assert incident.status == Status.SUBMITTED

    def test_outsider_gets_404(self, people, client):
        incident = submitted(people.monitor)
        client.force_login(people.outsider)
        assert step(client, incident, "verify").status_code == 404

    def test_a_step_from_the_wrong_status_is_a_conflict(self, people, client):
        incident = IncidentFactory(created_by=people.monitor)
        client.force_login(people.supervisor)
        response = step(client, incident, "verify")
        assert response.status_code == 409
        assert "cannot be given this step" in response.content.decode()

    def test_a_stale_version_is_a_conflict_and_changes_nothing(self, people, client):
        incident = submitted(people.monitor)
        client.force_login(people.supervisor)
        response = step(client, incident, "verify", version=incident.version - 1 or 99)
        assert response.status_code == 409
        assert "Someone else saved this record" in response.content.decode()
        incident.refresh_from_db()
        assert incident.status == Status.SUBMITTED

    def test_return_needs_a_comment_and_notifies_the_author(self, people, client):
        incident = submitted(people.monitor)
        client.force_login(people.supervisor)
        response = step(client, incident, "return")
        assert response.status_code == 400
        assert "Write a comment for the author." in response.content.decode()
        assert step(client, incident, "return", comment="Add the locality, please.").status_code == 302
        incident.refresh_from_db()
        assert incident.status == Status.RETURNED
        assert incident.review_note == "Add the locality, please."
        assert Notification.objects.filter(recipient=people.monitor, message__contains="Add the locality").exists()

    def test_reject_is_confirmed_first_then_links_the_duplicate(self, people, client):
        incident = submitted(people.monitor)
        original = submitted(people.partner_monitor)
        client.force_login(people.supervisor)
        response = step(client, incident, "reject", reason="Same event as the AMSS report.", duplicate_of=original.pk)
        assert response.status_code == 200
        assert "Reject incident" in response.content.decode()
        incident.refresh_from_db()
        assert incident.status == Status.SUBMITTED
        response = step(client, incident, "reject", reason="Same event.", duplicate_of=original.pk, confirm="1")
        assert response.status_code == 302
        incident.refresh_from_db()
        assert incident.status == Status.REJECTED
        assert incident.duplicate_of == original

    def test_reject_without_a_reason_says_so(self, people, client):
        incident = submitted(people.monitor)
        client.force_login(people.supervisor)
        response = step(client, incident, "reject", confirm="1")
        assert response.status_code == 400
        assert "Give the reason for rejecting." in response.content.decode()

    def test_monitor_archives_their_draft_after_confirming(self, people, client):
        incident = IncidentFactory(created_by=people.monitor)
        client.force_login(people.monitor)
        assert step(client, incident, "archive").status_code == 200
        assert step(client, incident, "archive", confirm="1").status_code == 302
        incident.refresh_from_db()
        assert incident.status == Status.ARCHIVED

    def test_an_unknown_step_is_404(self, people, client):
        incident = IncidentFactory(created_by=people.monitor)
        client.force_login(people.monitor)
        assert step(client, incident, "publish").status_code == 404

    def test_next_leads_back_to_the_queue_but_never_elsewhere(self, people, client):
        first, second = submitted(people.monitor), submitted(people.monitor)
        client.force_login(people.supervisor)
        assert step(client, first, "verify", next="/review/?region=ML07")["Location"] == "/review/?region=ML07"
        location = step(client, second, "verify", next="https://example.com/")["Location"]
        assert location == reverse("incidents:detail", args=[second.pk])


class TestComments:
    def test_a_comment_goes_into_the_history(self, people, client):
        incident = IncidentFactory(created_by=people.monitor)
        client.force_login(people.supervisor)
        response = client.post(reverse("incidents:comment", args=[incident.pk]), {"comment": "Call the witness."})
        assert response.status_code == 302
        html = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
        assert "Call the witness." in html

    def test_an_empty_comment_is_refused(self, people, client):
        incident = IncidentFactory(created_by=people.monitor)
        client.force_login(people.supervisor)
        response = client.post(reverse("incidents:comment", args=[incident.pk]), {"comment": "  "})
        assert response.status_code == 400
        assert "Write a comment first." in response.content.decode()

    def test_outsider_cannot_comment(self, people, client):
        incident = IncidentFactory(created_by=people.monitor)
        client.force_login(people.outsider)
        assert client.post(reverse("incidents:comment", args=[incident.pk]), {"comment": "Hi"}).status_code == 404


class TestCreate:
    def test_monitor_saves_a_draft_with_two_violations_and_a_follow_up(self, people, client):
        client.force_login(people.monitor)
        data = form_data(violation_row(0, men=3, with_disability=1), violation_row(1, "threat", women=2, girls=1))
        data.update(
            {
                "follow_ups-TOTAL_FORMS": "1",
                "follow_ups-0-done_on": "2021-12-11",
                "follow_ups-0-action_taken": "Referred to the health centre",
            }
        )
        response = client.post(reverse("incidents:create"), data)
        incident = Incident.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("incidents:detail", args=[incident.pk])
        assert incident.status == Status.DRAFT
        assert incident.created_by == people.monitor
        assert incident.region.pcode == "ML07"
        assert incident.organisation == people.monitor.organisation
        assert sorted(violation.total for violation in incident.violations.all()) == [3, 3]
        assert incident.follow_ups.get().action_taken == "Referred to the health centre"

    def test_submit_saves_then_submits(self, people, client):
        client.force_login(people.monitor)
        assert client.post(reverse("incidents:create"), form_data(action="submit")).status_code == 302
        incident = Incident.objects.get()
        assert incident.status == Status.SUBMITTED
        assert incident.submitted_at is not None

    def test_blank_extra_rows_are_ignored(self, people, client):
        client.force_login(people.monitor)
        data = form_data(violation_row(0, men=3))
        data.update(
            {
                "violations-TOTAL_FORMS": "2",
                **violation_row(1),
                "violations-1-type": "",
                "violations-1-population_group": "",
            }
        )
        assert client.post(reverse("incidents:create"), data).status_code == 302
        assert Incident.objects.get().violations.count() == 1

    @pytest.mark.parametrize("person", ["viewer", "gbv"])
    def test_roles_that_do_not_create_get_403(self, people, client, person):
        client.force_login(getattr(people, person))
        assert client.get(reverse("incidents:create")).status_code == 403
        assert client.post(reverse("incidents:create"), form_data()).status_code == 403
        assert not Incident.objects.exists()

    def test_only_places_of_the_users_regions_are_offered(self, people, client):
        client.force_login(people.monitor)
        html = client.get(reverse("incidents:create")).content.decode()
        assert "Gao › Ansongo" in html
        assert "Bandiagara" not in html
        assert 'id="place-areas"' in html  # the region → cercle → commune picker's data

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"place": "999999"}, "place", "Choose a place of your regions from the list."),
            ({"place": "ML0501"}, "place", "Choose a place of your regions from the list."),
            ({"reported_on": "2021-12-01"}, "occurred_on", "cannot have happened after the day it was reported"),
            ({"reported_on": "2999-01-01"}, "reported_on", "This date is in the future."),
            ({"occurred_on": "2999-01-01"}, "occurred_on", "This date is in the future."),
            ({"reported_on": ""}, "reported_on", "This field is required."),
        ],
    )
    def test_invalid_input_is_shown_on_its_field_and_typing_is_kept(self, people, client, changes, field, message):
        if changes.get("place", "").startswith("ML"):
            changes = {"place": _pk(AdminArea, changes["place"])}
        client.force_login(people.monitor)
        response = client.post(reverse("incidents:create"), form_data(**changes))
        html = response.content.decode()
        assert response.status_code == 400
        assert f'<p class="error" id="id_{field}_error">' in html
        assert message in html
        assert 'value="Quartier Château"' in html
        assert "Armed men stopped the bus." in html
        assert not Incident.objects.exists()

    def test_a_violation_without_people_is_refused_on_its_row(self, people, client):
        client.force_login(people.monitor)
        response = client.post(reverse("incidents:create"), form_data(violation_row(0, with_disability=0)))
        html = response.content.decode()
        assert response.status_code == 400
        assert "Count at least one person" in html
        assert "formset-row has-error" in html
        assert 'value="Quartier Château"' in html

    def test_an_incident_without_violations_is_refused(self, people, client):
        client.force_login(people.monitor)
        data = form_data()
        data.update({"violations-TOTAL_FORMS": "1", "violations-0-type": "", "violations-0-population_group": ""})
        data["violations-0-men"] = "0"
        response = client.post(reverse("incidents:create"), data)
        assert response.status_code == 400
        assert "Record at least one violation." in response.content.decode()

    @pytest.mark.parametrize(
        ("error", "where"),
        [
            ({"place": ["This place is outside your regions."]}, '<p class="error" id="id_place_error">'),
            (
                {"occurred_on": ["The incident cannot have happened after"]},
                '<p class="error" id="id_occurred_on_error">',
            ),
            ({"violations": ["Violation 2: count at least one person."]}, '<p class="error">Violation 2'),
            ({"created_by": ["Something only the service knows."]}, '<div class="error-summary" role="alert">'),
        ],
    )
    def test_the_services_errors_land_on_the_field_they_name(self, people, client, monkeypatch, error, where):

        def refuse(**kwargs):
            raise ValidationError(error)

        monkeypatch.setattr(services, "incident_create", refuse)
        client.force_login(people.monitor)
        response = client.post(reverse("incidents:create"), form_data())
        html = response.content.decode()
        assert response.status_code == 400
        assert where in html
        assert next(iter(error.values()))[0] in html
        assert 'value="Quartier Château"' in html

    def test_admin_may_report_for_another_organisation(self, people, client):
        client.force_login(people.admin)
        response = client.post(
            reverse("incidents:create"), form_data(organisation=people.partner_monitor.organisation.pk)
        )
        assert response.status_code == 302
        assert Incident.objects.get().organisation == people.partner_monitor.organisation

    def test_the_form_is_kept_as_an_unsent_draft_in_the_browser(self, people, client):
        client.force_login(people.monitor)
        html = client.get(reverse("incidents:create")).content.decode()
        assert f'data-draft-key="vigie-draft:{people.monitor.pk}:/incidents/new/"' in html
        assert 'data-draft-offer="1"' in html


class TestEdit:
    def test_monitor_edits_their_draft_and_the_history_shows_old_and_new(self, people, client):
        incident = IncidentFactory(created_by=people.monitor, locality="Old town")
        client.force_login(people.monitor)
        html = client.get(reverse("incidents:edit", args=[incident.pk])).content.decode()
        assert 'value="Old town"' in html
        response = client.post(reverse("incidents:edit", args=[incident.pk]), form_data(version=incident.version))
        assert response.status_code == 302
        incident.refresh_from_db()
        assert incident.locality == "Quartier Château"
        assert incident.version == 2
        html = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
        assert "Old town" in html
        assert "Quartier Château" in html

    def test_the_edit_form_shows_the_saved_violations(self, people, client):
        incident = IncidentFactory(created_by=people.monitor)
        client.force_login(people.monitor)
        html = client.get(reverse("incidents:edit", args=[incident.pk])).content.decode()
        assert 'name="violations-TOTAL_FORMS" value="2"' in html  # the saved one and a blank row
        assert 'name="violations-0-men" value="3"' in html

    def test_saved_violations_left_as_they_were_are_kept(self, people, client):
        incident = IncidentFactory(
            created_by=people.monitor,
            violations=[
                {"type": "theft_extortion", "men": 3},
                {"type": "threat", "women": 1},
                {"type": "arson", "boys": 2},
            ],
        )
        client.force_login(people.monitor)
        data = form_data(
            violation_row(0, "theft_extortion", men=3),  # as saved
            violation_row(1, "threat", women=5),  # changed
            violation_row(2, "arson", boys=2, DELETE="on"),  # removed
            version=incident.version,
        )
        data.update({"violations-TOTAL_FORMS": "4", "violations-INITIAL_FORMS": "3"})
        data.update({"violations-3-type": "", "violations-3-population_group": ""})  # the blank row
        assert client.post(reverse("incidents:edit", args=[incident.pk]), data).status_code == 302
        saved = sorted((violation.type.code, violation.total) for violation in incident.violations.all())
        assert saved == [("theft_extortion", 3), ("threat", 5)]

    def test_monitor_cannot_edit_their_submitted_record(self, people, client):
        incident = submitted(people.monitor)
        client.force_login(people.monitor)
        response = client.get(reverse("incidents:edit", args=[incident.pk]))
        assert response.status_code == 409
        assert "can no longer be changed by its author" in response.content.decode()
        response = client.post(reverse("incidents:edit", args=[incident.pk]), form_data(version=incident.version))
        assert response.status_code == 409

    def test_another_monitors_record_is_403(self, people, client):
        colleague = make_user("colleague", "monitor", ["ML07"], people.monitor.organisation)
        incident = IncidentFactory(created_by=colleague)
        client.force_login(people.monitor)
        assert client.get(reverse("incidents:edit", args=[incident.pk])).status_code == 403
        assert client.post(reverse("incidents:edit", args=[incident.pk]), form_data(version=1)).status_code == 403

    def test_outsider_gets_404(self, people, client):
        incident = IncidentFactory(created_by=people.monitor)
        client.force_login(people.outsider)
        assert client.get(reverse("incidents:edit", args=[incident.pk])).status_code == 404

    def test_supervisor_editing_a_verified_record_sends_it_back_for_review(self, people, client):
        incident = IncidentFactory(created_by=people.monitor, status=Status.VERIFIED)
        client.force_login(people.supervisor)
        response = client.post(
            reverse("incidents:edit", args=[incident.pk]), form_data(version=incident.version, action="save")
        )
        assert response.status_code == 302
        incident.refresh_from_db()
        assert incident.status == Status.SUBMITTED

    def test_a_stale_version_keeps_the_typing_and_says_what_changed(self, people, client):
        incident = IncidentFactory(created_by=people.monitor, locality="Old town")
        Incident.objects.filter(pk=incident.pk).update(version=2, locality="Set by someone else")
        client.force_login(people.monitor)
        response = client.post(
            reverse("incidents:edit", args=[incident.pk]), form_data(version=1, locality="My typing")
        )
        html = response.content.decode()
        assert response.status_code == 409
        assert "Someone else changed this incident" in html
        assert "Set by someone else" in html
        assert 'value="My typing"' in html
        assert 'name="version" value="2"' in html  # saving again, knowingly, replaces the saved values
        incident.refresh_from_db()
        assert incident.locality == "Set by someone else"
