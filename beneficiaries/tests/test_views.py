"""The household and mixed-movement pages, for each person of the `people` fixture: list, detail, steps, comments,
create and edit, and the possible-duplicates page with its merge."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from beneficiaries.models import Household, Movement
from beneficiaries.tests.factories import HouseholdFactory, MovementFactory
from core.choices import Status
from core.models import AdminArea, RecordEvent

pytestmark = pytest.mark.django_db


def _place(pcode: str) -> int:
    return AdminArea.objects.get(pcode=pcode).pk


def household_data(**fields: Any) -> dict[str, Any]:
    """A filled household form as the page posts it: a head and one child."""
    data = {
        "registered_on": "2021-12-10",
        "registration_number": "GAO-21-90001",
        "head_name": "Fatoumata Maïga",
        "place": _place("ML0701"),
        "specific_needs": "",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-0-full_name": "Fatoumata Maïga",
        "members-0-sex": "female",
        "members-0-birth_year": "1980",
        "members-0-is_head": "on",
        "members-1-full_name": "Ali Maïga",
        "members-1-sex": "male",
        "members-1-birth_year": "2015",
        "action": "draft",
    }
    data.update(fields)
    return data


def movement_data(**fields: Any) -> dict[str, Any]:
    data = {
        "identified_on": "2021-12-10",
        "place": _place("ML0703"),
        "nationality": "CI",
        "origin_country": "CI",
        "destination_country": "DZ",
        "women": "2",
        "girls": "1",
        "men": "9",
        "boys": "0",
        "unknown": "",
        "unaccompanied_children": "1",
        "separated_children": "0",
        "specific_needs": "0",
        "action": "draft",
    }
    data.update(fields)
    return data


@dataclass(frozen=True)
class Case:
    """One record type's pages: its URL names, a factory, the form data and a field whose change is visible."""

    name: str
    model: type
    factory: Any
    data: Any
    field: str
    value: str
    stored: Any
    list_queries: int  # the list page's query budget, whatever the number of rows

    def url(self, page: str, *args: Any) -> str:
        return reverse(f"beneficiaries:{self.name}-{page}", args=args)


CASES = [
    Case("household", Household, HouseholdFactory, household_data, "head_name", "Mariam Cissé", "Mariam Cissé", 13),
    Case("movement", Movement, MovementFactory, movement_data, "men", "15", 15, 11),
]


@pytest.fixture(params=CASES, ids=[case.name for case in CASES])
def case(request) -> Case:
    return request.param


def submitted(case: Case, author) -> Any:
    return case.factory(
        created_by=author, status=Status.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=2)
    )


def in_mopti(case: Case, author) -> Any:
    return case.factory(created_by=author, place=AdminArea.objects.get(pcode="ML0501"))


def step(client, case: Case, record, name: str, **data: Any):
    data.setdefault("version", record.version)
    return client.post(case.url("step", record.pk, name), data)


class TestList:
    def test_monitor_sees_the_records_of_their_scope(self, people, client, case):
        gao = case.factory(created_by=people.monitor)
        mopti = in_mopti(case, people.outsider)
        client.force_login(people.monitor)
        response = client.get(case.url("list"))
        html = response.content.decode()
        assert response.status_code == 200
        assert f">#{gao.pk}<" in html
        assert f">#{mopti.pk}<" not in html

    @pytest.mark.parametrize("role", ["monitor", "supervisor", "gbv", "admin"])
    def test_readers_of_general_records_open_the_list(self, people, client, case, role):
        client.force_login(getattr(people, role))
        assert client.get(case.url("list")).status_code == 200

    def test_viewer_gets_403_and_anonymous_goes_to_login(self, people, client, case):
        assert client.get(case.url("list")).status_code == 302
        client.force_login(people.viewer)
        assert client.get(case.url("list")).status_code == 403

    def test_empty_list_invites_the_first_record(self, people, client, case):
        client.force_login(people.monitor)
        html = client.get(case.url("list")).content.decode()
        assert "Nothing recorded in your regions yet." in html
        assert case.url("create") in html

    def test_sorting_by_number_both_ways(self, people, client, case):
        first, second = case.factory(created_by=people.monitor), case.factory(created_by=people.monitor)
        client.force_login(people.monitor)
        ascending = client.get(case.url("list"), {"ordering": "id"}).content.decode()
        descending = client.get(case.url("list"), {"ordering": "-id"}).content.decode()
        assert ascending.index(f">#{first.pk}<") < ascending.index(f">#{second.pk}<")
        assert descending.index(f">#{second.pk}<") < descending.index(f">#{first.pk}<")
        assert 'aria-sort="descending"' in descending

    def test_a_bad_filter_is_a_400_with_its_message(self, people, client, case):
        client.force_login(people.monitor)
        response = client.get(case.url("list"), {"month": "December"})
        assert response.status_code == 400
        assert "Enter a month as YYYY-MM" in response.content.decode()

    def test_query_count_does_not_grow_with_the_number_of_records(self, people, client, case):
        def count_queries(total: int) -> int:
            case.model.objects.all().delete()
            for _ in range(total):
                case.factory(created_by=people.monitor)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(case.url("list")).status_code == 200
            return len(queries)

        client.force_login(people.monitor)
        # session, user, the user's regions (scope), count, page, (households: their members), the filter form's
        # selects (regions, organisations, households: population groups), unread notifications, the session saved:
        # the same for 5 and 50 rows.
        five = count_queries(5)
        assert five == count_queries(50)
        assert five == case.list_queries


def test_household_search_by_registration_number_and_member_name(people, client):
    wanted = HouseholdFactory(
        created_by=people.monitor,
        registration_number="GAO-21-77777",
        members=[{"full_name": "Oumou Sangaré", "sex": "female", "birth_year": 1990}],
    )
    other = HouseholdFactory(created_by=people.monitor, registration_number="GAO-21-11111")
    client.force_login(people.monitor)
    for query in ("77777", "Oumou Sang", "GAO-21-77777"):
        html = client.get(reverse("beneficiaries:household-list"), {"q": query}).content.decode()
        assert f">#{wanted.pk}<" in html, query
        assert f">#{other.pk}<" not in html, query


class TestDetail:
    def test_monitor_reads_a_record_of_their_region_with_its_history(self, people, client, case):
        record = case.factory(created_by=people.supervisor)
        RecordEvent.objects.create(
            content_type_id=_content_type(case.model), object_id=record.pk, action="created", actor=people.supervisor
        )
        client.force_login(people.monitor)
        response = client.get(case.url("detail", record.pk))
        html = response.content.decode()
        assert response.status_code == 200
        assert "History and comments" in html
        assert "supervisor" in html

    def test_household_page_lists_members_and_counts(self, people, client):
        household = HouseholdFactory(created_by=people.monitor)
        client.force_login(people.monitor)
        html = client.get(reverse("beneficiaries:household-detail", args=[household.pk])).content.decode()
        assert "Moussa Traoré" in html
        assert "Members" in html
        assert ">1</td>" in html  # one woman, one boy

    @pytest.mark.parametrize("role", ["outsider", "viewer"])
    def test_outsider_and_viewer_get_404(self, people, client, case, role):
        record = case.factory(created_by=people.monitor)
        client.force_login(getattr(people, role))
        for page in ("detail", "edit"):
            assert client.get(case.url(page, record.pk)).status_code == 404
        assert step(client, case, record, "verify").status_code == 404
        assert client.post(case.url("comment", record.pk), {"comment": "Hello"}).status_code == 404

    def test_steps_shown_with_the_version(self, people, client, case):
        record = submitted(case, people.monitor)
        client.force_login(people.supervisor)
        html = client.get(case.url("detail", record.pk)).content.decode()
        assert case.url("step", record.pk, "verify") in html
        assert f'name="version" value="{record.version}"' in html
        assert "data-confirm=" in html  # reject and archive are asked twice

    def test_query_budget(self, people, client, case, django_assert_max_num_queries):
        record = submitted(case, people.monitor)
        client.force_login(people.supervisor)
        # session, user, the user's regions, the record (and members), the history, unread notifications, the
        # session saved
        with django_assert_max_num_queries(12):
            client.get(case.url("detail", record.pk))


def _content_type(model) -> int:
    return ContentType.objects.get_for_model(model).pk


class TestSteps:
    def test_monitor_submits_their_draft_but_cannot_verify(self, people, client, case):
        record = case.factory(created_by=people.monitor)
        client.force_login(people.monitor)
        assert step(client, case, record, "submit").status_code == 302
        record.refresh_from_db()
        assert record.status == Status.SUBMITTED
        assert step(client, case, record, "verify").status_code == 403

    def test_supervisor_verifies_a_gao_record_but_not_their_own(self, people, client, case):
        record = submitted(case, people.monitor)
        own = submitted(case, people.supervisor)
        client.force_login(people.supervisor)
        assert step(client, case, record, "verify").status_code == 302
        record.refresh_from_db()
        assert record.status == Status.VERIFIED
        assert record.reviewed_by == people.supervisor
        assert step(client, case, own, "verify").status_code == 403

    def test_gbv_focal_point_reads_but_may_not_review(self, people, client, case):
        record = submitted(case, people.monitor)
        client.force_login(people.gbv)
        assert client.get(case.url("detail", record.pk)).status_code == 200
        assert step(client, case, record, "verify").status_code == 403

    def test_admin_verifies_any(self, people, client, case):
        record = submitted(case, people.admin)
        client.force_login(people.admin)
        assert step(client, case, record, "verify").status_code == 302

    def test_wrong_status_and_stale_version_are_409(self, people, client, case):
        draft = case.factory(created_by=people.monitor)
        record = submitted(case, people.monitor)
        client.force_login(people.supervisor)
        assert step(client, case, draft, "verify").status_code == 409
        response = step(client, case, record, "verify", version=record.version + 5)
        assert response.status_code == 409
        assert "Someone else saved this record" in response.content.decode()
        record.refresh_from_db()
        assert record.status == Status.SUBMITTED

    def test_return_needs_a_comment(self, people, client, case):
        record = submitted(case, people.monitor)
        client.force_login(people.supervisor)
        assert step(client, case, record, "return").status_code == 400
        assert step(client, case, record, "return", comment="Check the date").status_code == 302
        record.refresh_from_db()
        assert record.status == Status.RETURNED
        assert record.review_note == "Check the date"

    def test_reject_asks_first_then_rejects(self, people, client, case):
        record = submitted(case, people.monitor)
        client.force_login(people.supervisor)
        response = step(client, case, record, "reject", reason="Counted twice")
        assert response.status_code == 200
        assert 'name="confirm" value="1"' in response.content.decode()
        assert step(client, case, record, "reject", reason="Counted twice", confirm="1").status_code == 302
        record.refresh_from_db()
        assert record.status == Status.REJECTED

    def test_queue_posts_return_to_the_queue(self, people, client, case):
        record = submitted(case, people.monitor)
        client.force_login(people.supervisor)
        queue = client.get(reverse("review-queue")).content.decode()
        assert case.url("step", record.pk, "verify") in queue
        response = step(client, case, record, "verify", next="/review/")
        assert response.status_code == 302
        assert response["Location"] == "/review/"

    def test_comment_is_added_to_the_history(self, people, client, case):
        record = case.factory(created_by=people.monitor)
        client.force_login(people.supervisor)
        response = client.post(case.url("comment", record.pk), {"comment": "Seen in the field."})
        assert response.status_code == 302
        assert RecordEvent.objects.filter(object_id=record.pk, action="commented").exists()
        assert client.post(case.url("comment", record.pk), {"comment": " "}).status_code == 400


class TestForm:
    @pytest.mark.parametrize(
        ("role", "expected"), [("monitor", 200), ("supervisor", 200), ("admin", 200), ("gbv", 403), ("viewer", 403)]
    )
    def test_who_opens_the_entry_form(self, people, client, case, role, expected):
        client.force_login(getattr(people, role))
        assert client.get(case.url("create")).status_code == expected

    def test_monitor_creates_a_draft_then_submits_it(self, people, client, case):
        client.force_login(people.monitor)
        response = client.post(case.url("create"), case.data())
        assert response.status_code == 302, response.content.decode()[:3000]
        record = case.model.objects.get()
        assert record.status == Status.DRAFT
        assert record.created_by == people.monitor
        response = client.post(case.url("create"), case.data(action="submit", registration_number="GAO-21-90002"))
        assert response.status_code == 302
        assert case.model.objects.filter(status=Status.SUBMITTED).count() == 1

    def test_monitor_edits_their_draft(self, people, client, case):
        client.force_login(people.monitor)
        client.post(case.url("create"), case.data())
        record = case.model.objects.get()
        data = case.data(version=record.version, **{case.field: case.value})
        response = client.post(case.url("edit", record.pk), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        record.refresh_from_db()
        assert getattr(record, case.field) == case.stored
        assert record.version == 2

    def test_monitor_may_not_edit_another_persons_record(self, people, client, case):
        record = case.factory(created_by=people.supervisor)
        client.force_login(people.monitor)
        assert client.get(case.url("edit", record.pk)).status_code == 403

    def test_monitor_may_not_edit_a_submitted_record(self, people, client, case):
        record = submitted(case, people.monitor)
        client.force_login(people.monitor)
        assert client.get(case.url("edit", record.pk)).status_code == 409

    def test_stale_version_shows_the_conflict_and_keeps_the_typing(self, people, client, case):
        client.force_login(people.monitor)
        client.post(case.url("create"), case.data())
        record = case.model.objects.get()
        before = getattr(record, case.field)
        case.model.objects.filter(pk=record.pk).update(version=record.version + 1)  # someone saved meanwhile
        response = client.post(case.url("edit", record.pk), case.data(version=1, **{case.field: case.value}))
        html = response.content.decode()
        assert response.status_code == 409
        assert "Someone else changed this record" in html
        assert case.value in html
        record.refresh_from_db()
        assert getattr(record, case.field) == before  # nothing overwritten

    def test_a_place_outside_the_regions_is_refused_on_the_field(self, people, client, case):
        client.force_login(people.monitor)
        response = client.post(case.url("create"), case.data(place=_place("ML0501")))
        html = response.content.decode()
        assert response.status_code == 400
        assert "Choose a place of your regions from the list." in html
        assert case.model.objects.count() == 0


class TestHouseholdForm:
    def test_missing_head_and_future_date_are_shown_on_their_fields_and_the_typing_kept(self, people, client):
        client.force_login(people.monitor)
        future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
        response = client.post(
            reverse("beneficiaries:household-create"), household_data(head_name="", registered_on=future)
        )
        html = response.content.decode()
        assert response.status_code == 400
        assert 'id="id_head_name_error"' in html
        assert 'value="Ali Maïga"' in html
        assert 'value="GAO-21-90001"' in html
        response = client.post(reverse("beneficiaries:household-create"), household_data(registered_on=future))
        assert response.status_code == 400
        assert 'id="id_registered_on_error"' in response.content.decode()
        assert Household.objects.count() == 0

    def test_two_heads_are_refused_above_the_members(self, people, client):
        client.force_login(people.monitor)
        response = client.post(reverse("beneficiaries:household-create"), household_data(**{"members-1-is_head": "on"}))
        assert response.status_code == 400
        assert "A household has one head" in response.content.decode()

    def test_members_are_saved_and_a_removed_one_goes(self, people, client):
        client.force_login(people.monitor)
        client.post(reverse("beneficiaries:household-create"), household_data())
        household = Household.objects.get()
        assert sorted(member.full_name for member in household.members.all()) == ["Ali Maïga", "Fatoumata Maïga"]
        data = household_data(version=household.version, **{"members-INITIAL_FORMS": "2", "members-1-DELETE": "on"})
        assert client.post(reverse("beneficiaries:household-edit", args=[household.pk]), data).status_code == 302
        assert [member.full_name for member in household.members.all()] == ["Fatoumata Maïga"]


class TestMovementForm:
    def test_more_children_alone_than_children_is_shown_on_the_field(self, people, client):
        client.force_login(people.monitor)
        response = client.post(reverse("beneficiaries:movement-create"), movement_data(unaccompanied_children="5"))
        html = response.content.decode()
        assert response.status_code == 400
        assert 'id="id_separated_children_error"' in html
        assert 'value="5"' in html

    def test_nobody_counted_is_refused(self, people, client):
        client.force_login(people.monitor)
        data = movement_data(women="0", girls="0", men="0", unaccompanied_children="0")
        response = client.post(reverse("beneficiaries:movement-create"), data)
        assert response.status_code == 400
        assert "Count at least one person" in response.content.decode()


class TestDuplicates:
    def _pair(self, people) -> tuple[Household, Household]:
        older = HouseholdFactory(created_by=people.monitor, registered_on=datetime.date(2021, 10, 1))
        newer = HouseholdFactory(
            created_by=people.monitor,
            registered_on=datetime.date(2021, 12, 1),
            head_name="Aminata Traore",
            members=[
                {"full_name": "Aminata Traore", "sex": "female", "birth_year": 1985, "is_head": True},
                {"full_name": "Awa Traoré", "sex": "female", "birth_year": 2018},
            ],
        )
        return older, newer

    @pytest.mark.parametrize(
        ("role", "expected"), [("supervisor", 200), ("admin", 200), ("monitor", 403), ("gbv", 403), ("viewer", 403)]
    )
    def test_who_reviews_duplicates(self, people, client, role, expected):
        client.force_login(getattr(people, role))
        assert client.get(reverse("beneficiaries:household-duplicates")).status_code == expected

    def test_supervisor_sees_the_pair_and_merges_the_newer_into_the_older(self, people, client):
        older, newer = self._pair(people)
        client.force_login(people.supervisor)
        html = client.get(reverse("beneficiaries:household-duplicates")).content.decode()
        merge_url = reverse("beneficiaries:household-merge", args=[newer.pk])
        assert merge_url in html
        assert f'name="into" value="{older.pk}"' in html
        confirm = client.post(merge_url, {"into": older.pk})
        assert confirm.status_code == 200
        assert 'name="confirm" value="1"' in confirm.content.decode()
        newer.refresh_from_db()
        assert newer.status == Status.DRAFT  # nothing happens before the confirmation
        response = client.post(merge_url, {"into": older.pk, "confirm": "1"})
        assert response.status_code == 302
        assert response["Location"] == reverse("beneficiaries:household-detail", args=[older.pk])
        newer.refresh_from_db()
        assert newer.status == Status.ARCHIVED
        assert newer.merged_into_id == older.pk
        assert "Awa Traoré" in [member.full_name for member in older.members.all()]

    def test_merging_the_older_into_the_newer_is_refused(self, people, client):
        older, newer = self._pair(people)
        client.force_login(people.supervisor)
        url = reverse("beneficiaries:household-merge", args=[older.pk])
        response = client.post(url, {"into": newer.pk, "confirm": "1"}, follow=True)
        assert "Merge the newer registration into the older one" in response.content.decode()
        older.refresh_from_db()
        assert older.status == Status.DRAFT

    def test_monitor_may_not_merge_and_outsider_gets_404(self, people, client):
        older, newer = self._pair(people)
        url = reverse("beneficiaries:household-merge", args=[newer.pk])
        client.force_login(people.monitor)
        assert client.post(url, {"into": older.pk, "confirm": "1"}).status_code == 403
        client.force_login(people.outsider)
        assert client.post(url, {"into": older.pk, "confirm": "1"}).status_code == 404
