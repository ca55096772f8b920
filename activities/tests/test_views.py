"""The assistance and session pages, for each person of the `people` fixture: list, detail, steps, comments,
create and edit; assistance linked to registered households and its repeat-assistance warnings."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import AssistanceEvent, Session
from activities.tests.factories import AssistanceFactory, SessionFactory
from beneficiaries.tests.factories import HouseholdFactory
from core.choices import Status
from core.models import AdminArea, AssistanceKind, RecordEvent, Sector, SessionKind

pytestmark = pytest.mark.django_db


def _pk(model, code: str) -> int:
    field = "pcode" if model is AdminArea else "code"
    return model.objects.get(**{field: code}).pk


def assistance_data(**fields: Any) -> dict[str, Any]:
    """A filled assistance form as the page posts it: NFI kits to 12 households."""
    data = {
        "delivered_on": "2021-12-10",
        "place": _pk(AdminArea, "ML0701"),
        "kind": _pk(AssistanceKind, "nfi_kit"),
        "sector": _pk(Sector, "shelter_nfi"),
        "households": "12",
        "women": "20",
        "girls": "",
        "men": "10",
        "boys": "",
        "unknown": "",
        "registration_numbers": "",
        "action": "draft",
    }
    data.update(fields)
    return data


def session_data(**fields: Any) -> dict[str, Any]:
    data = {
        "held_on": "2021-12-10",
        "place": _pk(AdminArea, "ML0701"),
        "kind": _pk(SessionKind, "awareness"),
        "topic": "Birth registration",
        "sessions": "3",
        "women": "26",
        "men": "5",
        "action": "draft",
    }
    data.update(fields)
    return data


@dataclass(frozen=True)
class Case:
    name: str
    model: type
    factory: Any
    data: Any
    field: str
    value: str
    stored: Any
    list_queries: int  # the list page's query budget, whatever the number of rows

    def url(self, page: str, *args: Any) -> str:
        return reverse(f"activities:{self.name}-{page}", args=args)


CASES = [
    # Assistance: + its sector (an optional reference, prefetched: core.records.read_relations).
    Case("assistance", AssistanceEvent, AssistanceFactory, assistance_data, "households", "40", 40, 16),
    Case("session", Session, SessionFactory, session_data, "topic", "Early marriage", "Early marriage", 14),
]


@pytest.fixture(params=CASES, ids=[case.name for case in CASES])
def case(request) -> Case:
    return request.param


def submitted(case: Case, author) -> Any:
    return case.factory(
        created_by=author, status=Status.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=2)
    )


def step(client, case: Case, record, name: str, **data: Any):
    data.setdefault("version", record.version)
    return client.post(case.url("step", record.pk, name), data)


class TestList:
    def test_monitor_sees_the_records_of_their_scope(self, people, client, case):
        gao = case.factory(created_by=people.monitor)
        mopti = case.factory(created_by=people.outsider, place=AdminArea.objects.get(pcode="ML0501"))
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

    def test_filter_by_kind(self, people, client, case):
        record = case.factory(created_by=people.monitor)
        client.force_login(people.monitor)
        kind = record.kind.code
        assert f">#{record.pk}<" in client.get(case.url("list"), {"kind": kind}).content.decode()
        other = "cash" if case.name == "assistance" else "training"
        html = client.get(case.url("list"), {"kind": other}).content.decode()
        assert f">#{record.pk}<" not in html
        assert "No record matches these filters." in html

    def test_query_count_does_not_grow_with_the_number_of_records(self, people, client, case):
        def count_queries(total: int) -> int:
            case.model.objects.all().delete()
            for _ in range(total):
                case.factory(created_by=people.monitor)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(case.url("list")).status_code == 200
            return len(queries)

        client.force_login(people.monitor)
        # session, user, the user's regions (scope), count, page, (assistance: linked households' ids), the filter
        # form's selects (regions, organisations, kinds, sectors, population groups), unread notifications, the
        # session saved: the same for 5 and 50 rows.
        five = count_queries(5)
        assert five == count_queries(50)
        assert five == case.list_queries


class TestDetail:
    @pytest.mark.parametrize("role", ["outsider", "viewer"])
    def test_outsider_and_viewer_get_404(self, people, client, case, role):
        record = case.factory(created_by=people.monitor)
        client.force_login(getattr(people, role))
        for page in ("detail", "edit"):
            assert client.get(case.url(page, record.pk)).status_code == 404
        assert step(client, case, record, "verify").status_code == 404
        assert client.post(case.url("comment", record.pk), {"comment": "Hello"}).status_code == 404

    def test_facts_and_steps_with_the_version(self, people, client, case):
        record = submitted(case, people.monitor)
        client.force_login(people.supervisor)
        html = client.get(case.url("detail", record.pk)).content.decode()
        assert record.kind.label in html
        assert case.url("step", record.pk, "verify") in html
        assert f'name="version" value="{record.version}"' in html

    def test_query_budget(self, people, client, case, django_assert_max_num_queries):
        record = submitted(case, people.monitor)
        client.force_login(people.supervisor)
        # session, user, the user's regions, the record (assistance: linked households, those readable, repeat
        # warnings), the history, unread notifications, the session saved
        with django_assert_max_num_queries(13):
            client.get(case.url("detail", record.pk))


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
        assert step(client, case, record, "verify", version=record.version + 1).status_code == 409
        record.refresh_from_db()
        assert record.status == Status.SUBMITTED

    def test_monitor_archives_their_draft_after_confirming(self, people, client, case):
        record = case.factory(created_by=people.monitor)
        client.force_login(people.monitor)
        assert 'name="confirm" value="1"' in step(client, case, record, "archive").content.decode()
        assert step(client, case, record, "archive", confirm="1").status_code == 302
        record.refresh_from_db()
        assert record.status == Status.ARCHIVED

    def test_queue_return_with_a_comment_goes_back_to_the_queue(self, people, client, case):
        record = submitted(case, people.monitor)
        client.force_login(people.supervisor)
        assert case.url("step", record.pk, "return") in client.get(reverse("review-queue")).content.decode()
        response = step(client, case, record, "return", comment="Which village?", next="/review/")
        assert response.status_code == 302
        assert response["Location"] == "/review/"
        record.refresh_from_db()
        assert record.status == Status.RETURNED

    def test_comment(self, people, client, case):
        record = case.factory(created_by=people.monitor)
        client.force_login(people.gbv)
        assert client.post(case.url("comment", record.pk), {"comment": "Noted"}).status_code == 302
        assert RecordEvent.objects.filter(object_id=record.pk, action="commented").exists()


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
        assert client.post(case.url("create"), case.data(action="submit")).status_code == 302
        assert case.model.objects.filter(status=Status.SUBMITTED).count() == 1

    def test_monitor_edits_their_draft(self, people, client, case):
        client.force_login(people.monitor)
        client.post(case.url("create"), case.data())
        record = case.model.objects.get()
        response = client.post(case.url("edit", record.pk), case.data(version=1, **{case.field: case.value}))
        assert response.status_code == 302, response.content.decode()[:3000]
        record.refresh_from_db()
        assert getattr(record, case.field) == case.stored
        assert record.version == 2

    def test_supervisor_edits_a_verified_record_which_goes_back_to_review(self, people, client, case):
        record = case.factory(created_by=people.monitor, status=Status.VERIFIED)
        client.force_login(people.supervisor)
        html = client.get(case.url("edit", record.pk)).content.decode()
        assert "Save changes" in html
        assert "Save draft" not in html
        data = case.data(version=record.version, action="save", **{case.field: case.value})
        assert client.post(case.url("edit", record.pk), data).status_code == 302
        record.refresh_from_db()
        assert record.status == Status.SUBMITTED

    def test_stale_version_shows_the_conflict_and_keeps_the_typing(self, people, client, case):
        client.force_login(people.monitor)
        client.post(case.url("create"), case.data())
        record = case.model.objects.get()
        before = getattr(record, case.field)
        case.model.objects.filter(pk=record.pk).update(version=2)
        response = client.post(case.url("edit", record.pk), case.data(version=1, **{case.field: case.value}))
        html = response.content.decode()
        assert response.status_code == 409
        assert "Someone else changed this record" in html
        assert case.value in html
        record.refresh_from_db()
        assert getattr(record, case.field) == before

    def test_a_future_date_is_shown_on_its_field_and_the_typing_kept(self, people, client, case):
        client.force_login(people.monitor)
        future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
        date_field = "delivered_on" if case.name == "assistance" else "held_on"
        response = client.post(case.url("create"), case.data(**{date_field: future, case.field: case.value}))
        html = response.content.decode()
        assert response.status_code == 400
        assert f'id="id_{date_field}_error"' in html
        assert "This date is in the future." in html
        assert f'value="{case.value}"' in html
        assert case.model.objects.count() == 0


class TestAssistanceForm:
    def test_amount_without_currency_is_shown_on_the_currency(self, people, client):
        client.force_login(people.monitor)
        response = client.post(reverse("activities:assistance-create"), assistance_data(amount="50000"))
        html = response.content.decode()
        assert response.status_code == 400
        assert 'id="id_currency_error"' in html
        assert 'value="50000"' in html

    def test_nothing_reached_is_refused(self, people, client):
        client.force_login(people.monitor)
        data = assistance_data(households="", women="", men="")
        response = client.post(reverse("activities:assistance-create"), data)
        assert response.status_code == 400
        assert "Say what was reached" in response.content.decode()

    def test_households_linked_from_the_list_and_by_number_and_repeat_warnings_shown(self, people, client):
        first = HouseholdFactory(created_by=people.monitor, registration_number="GAO-21-00100")
        second = HouseholdFactory(created_by=people.monitor, registration_number="GAO-21-00200")
        earlier = AssistanceFactory(created_by=people.monitor, delivered_on=datetime.date(2021, 12, 1))
        earlier.households_assisted.set([first])
        client.force_login(people.monitor)
        form = client.get(reverse("activities:assistance-create")).content.decode()
        assert "GAO-21-00100" in form
        assert "GAO-21-00200" in form
        data = assistance_data(households_assisted=[first.pk], registration_numbers="gao-21-00200")
        response = client.post(reverse("activities:assistance-create"), data, follow=True)
        html = response.content.decode()
        event = AssistanceEvent.objects.exclude(pk=earlier.pk).get()
        assert sorted(item.pk for item in event.households_assisted.all()) == [first.pk, second.pk]
        assert f"Household #{first.pk} already received" in html
        assert f"Household #{second.pk} already received" not in html

    def test_an_unknown_or_out_of_scope_registration_number_is_shown_on_the_field(self, people, client):
        HouseholdFactory(
            created_by=people.outsider, registration_number="MOP-21-00001", place=AdminArea.objects.get(pcode="ML0501")
        )
        client.force_login(people.monitor)
        data = assistance_data(registration_numbers="MOP-21-00001 NOPE-1")
        response = client.post(reverse("activities:assistance-create"), data)
        html = response.content.decode()
        assert response.status_code == 400
        assert 'id="id_registration_numbers_error"' in html
        assert "MOP-21-00001, NOPE-1" in html
        assert AssistanceEvent.objects.count() == 0


class TestSessionForm:
    def test_zero_sessions_is_refused_on_the_field(self, people, client):
        client.force_login(people.monitor)
        response = client.post(reverse("activities:session-create"), session_data(sessions="0"))
        assert response.status_code == 400
        assert 'id="id_sessions_error"' in response.content.decode()
