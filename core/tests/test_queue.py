"""The review queue, notifications and "my records": shared pages over every registered record type."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from activities.tests.factories import AssistanceFactory
from beneficiaries.tests.factories import MovementFactory
from conftest import make_user
from core import access
from core.choices import Status
from core.context_processors import navigation_items
from core.models import AdminArea, Notification, User
from core.queue import PAGE_SIZE
from core.records import get_record_type, record_types
from incidents.models import Incident
from incidents.tests.factories import GbvReferralFactory, IncidentFactory

pytestmark = pytest.mark.django_db

QUEUE = "/review/"


def submitted(author: User, days: int = 1, **extra: Any) -> Incident:
    return IncidentFactory(
        created_by=author,
        status=Status.SUBMITTED,
        submitted_at=timezone.now() - datetime.timedelta(days=days, hours=1),
        **extra,
    )


class TestQueue:
    # GBV focal points review GBV referrals there (incidents/tests/test_gbv_views.py).
    @pytest.mark.parametrize("person", ["monitor", "viewer"])
    def test_roles_that_do_not_review_get_403(self, people: SimpleNamespace, client: Client, person: str) -> None:
        client.force_login(getattr(people, person))
        assert client.get(QUEUE).status_code == 403
        assert client.post(QUEUE, {"selected": ["incidents:1:1"]}).status_code == 403

    def test_supervisor_sees_submitted_records_of_their_scope_urgent_first_then_oldest(
        self, people: SimpleNamespace, client: Client
    ) -> None:
        recent = submitted(people.monitor, days=1)
        oldest = submitted(people.monitor, days=9)
        urgent = submitted(people.monitor, days=0, urgent=True)
        draft = IncidentFactory(created_by=people.monitor)
        mopti = submitted(people.outsider, place=AdminArea.objects.get(pcode="ML0501"))
        client.force_login(people.supervisor)
        html = client.get(QUEUE).content.decode()
        positions = [html.index(f"Incident #{record.pk}<") for record in (urgent, oldest, recent)]
        assert positions == sorted(positions)
        assert f"Incident #{draft.pk}<" not in html
        assert f"Incident #{mopti.pk}<" not in html
        assert "waiting 9 days" in html
        assert "3 records waiting" in html

    def test_admin_sees_every_region(self, people: SimpleNamespace, client: Client) -> None:
        mopti = submitted(people.outsider, place=AdminArea.objects.get(pcode="ML0501"))
        client.force_login(people.admin)
        assert f"Incident #{mopti.pk}<" in client.get(QUEUE).content.decode()

    def test_rows_post_their_steps_to_the_records_step_url_with_the_version(
        self, people: SimpleNamespace, client: Client
    ) -> None:
        record = submitted(people.monitor)
        client.force_login(people.supervisor)
        html = client.get(QUEUE).content.decode()
        for step in ("verify", "return", "reject"):
            assert reverse("incidents:step", args=[record.pk, step]) in html
        assert f'name="version" value="{record.version}"' in html
        assert f'name="next" value="{QUEUE}"' in html

    def test_filters_by_region_organisation_type_and_age(self, people: SimpleNamespace, client: Client) -> None:
        old = submitted(people.monitor, days=10)
        new = submitted(people.monitor, days=1)
        partner = submitted(people.partner_monitor, days=10)
        client.force_login(people.supervisor)
        html = client.get(QUEUE, {"min_age": "5", "region": "ML07", "record_type": "incidents"}).content.decode()
        # Rows read "Incident #n"; a possible duplicate shown beside a row reads "#n" alone.
        assert f"Incident #{old.pk}<" in html
        assert f"Incident #{partner.pk}<" in html
        assert f"Incident #{new.pk}<" not in html
        html = client.get(QUEUE, {"organisation": "AMSS"}).content.decode()
        assert f"Incident #{partner.pk}<" in html
        assert f"Incident #{old.pk}<" not in html

    def test_an_invalid_filter_shows_its_error(self, people: SimpleNamespace, client: Client) -> None:
        client.force_login(people.supervisor)
        response = client.get(QUEUE, {"min_age": "-3", "region": "ML05"})
        assert response.status_code == 400
        html = response.content.decode()
        assert "Ensure this value is greater than or equal to 0." in html
        assert "Select a valid choice" in html  # Mopti is not one of this supervisor's regions

    def test_their_own_record_is_shown_without_actions(self, people: SimpleNamespace, client: Client) -> None:
        own = submitted(people.supervisor)
        client.force_login(people.supervisor)
        html = client.get(QUEUE).content.decode()
        assert f"Incident #{own.pk}<" in html
        assert "You entered this record" in html
        assert reverse("incidents:step", args=[own.pk, "verify"]) not in html

    def test_empty_queue(self, people: SimpleNamespace, client: Client) -> None:
        client.force_login(people.supervisor)
        assert "Nothing waits for review in your regions." in client.get(QUEUE).content.decode()

    def test_pagination_keeps_the_filters(self, people: SimpleNamespace, client: Client) -> None:
        for _ in range(27):
            submitted(people.monitor)
        client.force_login(people.supervisor)
        html = client.get(QUEUE, {"region": "ML07"}).content.decode()
        assert "?region=ML07&amp;page=2" in html
        assert html.count('class="queue-item') == 25

    def test_possible_duplicates_are_shown_side_by_side(self, people: SimpleNamespace, client: Client) -> None:
        # The queue asks the incident record type's find_duplicates (nothing patched): the same theft in the same
        # place on the same day, entered by two organisations, is a possible duplicate; a murder a month later is not.
        record = submitted(people.monitor)
        other = submitted(people.partner_monitor)
        unrelated = submitted(
            people.monitor,
            reported_on=datetime.date(2022, 1, 20),
            violations=[{"type": "murder", "men": 1}],
        )
        client.force_login(people.supervisor)
        html = client.get(QUEUE).content.decode()
        assert html.count("Possible duplicate:") == 2  # each of the pair names the other; the murder names none
        assert f'<option value="{other.pk}">' in html  # the reject form offers the link
        assert f'<option value="{record.pk}">' in html
        assert f'<option value="{unrelated.pk}">' not in html
        assert reverse("incidents:detail", args=[record.pk]) in html
        assert "Theft" in html  # the incidents' own facts: their violations

    def test_query_count_does_not_grow_with_the_queue(self, people: SimpleNamespace, client: Client) -> None:
        def count_queries(total: int) -> int:
            Incident.objects.all().delete()
            for _ in range(total):
                submitted(people.monitor)
                submitted(people.partner_monitor)  # a possible duplicate of each
            with CaptureQueriesContext(connection) as queries:
                assert client.get(QUEUE).status_code == 200
            return len(queries)

        client.force_login(people.supervisor)
        # session, user, regions; the queue's count and its page of keys (one ordered query over every record type,
        # whatever their number); the page's records; the duplicate candidates as values with their violation types;
        # the matching incidents; the violations of the matches and of the page's incidents that have one; the
        # page's months against the closed months (1: which rows need an admin); unread notifications; the filter
        # form's regions and organisations; the session saved (3)
        assert count_queries(5) == count_queries(50) == 16


# --- Order and scope on every page, over several record types


QUEUED_TYPES = {"incidents": IncidentFactory, "assistance": AssistanceFactory, "movements": MovementFactory}
ROW = re.compile(r"<h2>(?:<a [^>]*>)?([^<]+?) #(\d+)(?:</a>)?</h2>")


def _waiting_records(people: SimpleNamespace) -> list[Any]:
    """Submitted records of three types in Gao, by the lead organisation and the partner, with ties on the submission
    time within and across types, and some never submitted through the workflow (no time); beside them what no Gao
    reviewer's queue holds: Mopti's, drafts, verified records, a GBV referral.

    The first pages hold incidents only (urgent ones, then the oldest): each type's part of a page is cut at the
    page's last row (core.queue.QueueKeys on PostgreSQL), and only there does a cut in the wrong order show."""
    base = timezone.now() - datetime.timedelta(days=30)
    later = base + datetime.timedelta(days=2)  # the other types, and the last incidents: ties across types
    made: list[Any] = [
        IncidentFactory(
            created_by=people.partner_monitor if n % 2 == 0 else people.monitor,
            status=Status.SUBMITTED,
            urgent=n % 7 == 0,
            submitted_at=None if n in (41, 42) else (base if n < 40 else later) + datetime.timedelta(hours=n % 6),
            reported_on=datetime.date(2021, 1, 1) + datetime.timedelta(days=5 * n),  # no duplicates
        )
        for n in range(60)
    ]
    for slug, factory in QUEUED_TYPES.items():
        made += [
            factory(
                created_by=people.partner_monitor if n % 2 == 0 else people.monitor,
                status=Status.SUBMITTED,
                submitted_at=None if n == 11 and slug == "assistance" else later + datetime.timedelta(hours=n % 6),
            )
            for n in range(12 if slug != "incidents" else 0)
        ]
        mopti = AdminArea.objects.get(pcode="ML0501")
        made.append(factory(created_by=people.outsider, status=Status.SUBMITTED, submitted_at=base, place=mopti))
        made.append(factory(created_by=people.monitor, status=Status.DRAFT))
        made.append(factory(created_by=people.monitor, status=Status.VERIFIED, submitted_at=base))
    made.append(GbvReferralFactory(created_by=people.gbv, status=Status.SUBMITTED, submitted_at=base))
    return made


def _expected(records: list[Any], reviewer: User) -> list[tuple[str, int]]:
    """The queue as SPEC.md orders it, worked out from the records made: urgent first, then the oldest submission
    (never submitted: last), then the number, then the record types' registration order."""
    order = [item.slug for item in record_types()]
    mine = [
        record
        for record in records
        if record.status == Status.SUBMITTED
        and record.family == access.Family.GENERAL
        and (not reviewer.region_pcodes() or record.region.pcode in reviewer.region_pcodes())
        and (access.sees_every_organisation(reviewer) or record.organisation_id == reviewer.organisation_id)
    ]
    mine.sort(
        key=lambda record: (
            not record.urgent,
            record.submitted_at is None,
            record.submitted_at,  # never compared when None: the line above tells them apart
            record.pk,
            order.index(record.record_type),
        )
    )
    return [(record.record_type, record.pk) for record in mine]


def _queue_pages(client: Client) -> list[tuple[str, int]]:
    """Every row of every page of the queue, in order, as (type, number)."""
    slugs = {str(get_record_type(slug).label): slug for slug in QUEUED_TYPES}
    rows: list[tuple[str, int]] = []
    for number in range(1, 10):
        html = client.get(QUEUE, {"page": number}).content.decode()
        page = [(slugs.get(label, label), int(pk)) for label, pk in ROW.findall(html)]
        rows += page
        if 'rel="next"' not in html:
            return rows
    raise AssertionError("more pages than records")


class TestQueueOrderAndScopeOnEveryPage:
    """Each type's part of a page is read in the queue's order from its own index and cut at the page's last row
    (core.queue.QueueKeys, on PostgreSQL): every page must still hold the right records in the right order."""

    @pytest.mark.parametrize("reviewer", ["supervisor", "partner_supervisor", "admin"])
    def test_every_page_holds_the_reviewers_records_urgent_first_then_oldest(
        self, people: SimpleNamespace, partner: Any, client: Client, reviewer: str
    ) -> None:
        make_user("partner_supervisor", "supervisor", ["ML07"], partner)
        records = _waiting_records(people)
        user = User.objects.get(username=reviewer)  # the cast's usernames are their names
        client.force_login(user)
        expected = _expected(records, user)
        assert len(expected) > PAGE_SIZE  # the test needs several pages
        assert _queue_pages(client) == expected


class TestVerifySelected:
    def test_asks_for_confirmation_listing_the_records(self, people: SimpleNamespace, client: Client) -> None:
        first, second = submitted(people.monitor), submitted(people.monitor)
        client.force_login(people.supervisor)
        response = client.post(QUEUE, {"selected": [f"incidents:{first.pk}:1", f"incidents:{second.pk}:1"]})
        html = response.content.decode()
        assert response.status_code == 200
        assert "Verify 2 records" in html
        assert f"Incident #{first.pk}" in html
        assert 'name="confirm" value="1"' in html
        first.refresh_from_db()
        assert first.status == Status.SUBMITTED

    def test_verifies_each_and_says_why_one_failed(self, people: SimpleNamespace, client: Client) -> None:
        theirs = submitted(people.monitor)
        own = submitted(people.supervisor)
        stale = submitted(people.monitor)
        client.force_login(people.supervisor)
        selected = [
            f"incidents:{theirs.pk}:1",
            f"incidents:{own.pk}:1",
            f"incidents:{stale.pk}:7",
            "incidents:999999:1",
        ]
        response = client.post(
            QUEUE, {"selected": selected, "confirm": "1", "next": f"{QUEUE}?region=ML07"}, follow=True
        )
        html = response.content.decode()
        assert response.redirect_chain[-1][0] == f"{QUEUE}?region=ML07"
        assert f"Incident #{theirs.pk}: verified." in html
        assert f"Incident #{own.pk}: you entered it, so another reviewer must verify it." in html
        assert f"Incident #{stale.pk}: Someone else saved this record" in html
        assert "Incident #999999: not found." in html
        statuses = {record.pk: record.status for record in Incident.objects.all()}
        assert statuses == {theirs.pk: Status.VERIFIED, own.pk: Status.SUBMITTED, stale.pk: Status.SUBMITTED}

    def test_a_record_out_of_scope_is_not_found(self, people: SimpleNamespace, client: Client) -> None:
        mopti = submitted(people.outsider, place=AdminArea.objects.get(pcode="ML0501"))
        client.force_login(people.supervisor)
        response = client.post(QUEUE, {"selected": [f"incidents:{mopti.pk}:1"], "confirm": "1"}, follow=True)
        assert f"Incident #{mopti.pk}: not found." in response.content.decode()
        mopti.refresh_from_db()
        assert mopti.status == Status.SUBMITTED

    def test_nothing_selected(self, people: SimpleNamespace, client: Client) -> None:
        client.force_login(people.supervisor)
        response = client.post(QUEUE, {"next": "https://example.com/"}, follow=True)
        assert response.redirect_chain[-1][0] == QUEUE
        assert "Select the records to verify first." in response.content.decode()


class TestNotifications:
    def test_lists_them_and_marks_them_read_on_opening(self, people: SimpleNamespace, client: Client) -> None:
        Notification.objects.create(recipient=people.monitor, message="Incident #4 was returned to you", url="/x/")
        Notification.objects.create(recipient=people.supervisor, message="Not for the monitor")
        client.force_login(people.monitor)
        home = client.get("/").content.decode()
        assert 'class="badge"' in home  # the header's unread count
        html = client.get(reverse("notifications")).content.decode()
        assert "Incident #4 was returned to you" in html
        assert "Not for the monitor" not in html
        assert "New" in html
        assert not Notification.objects.filter(recipient=people.monitor, read_at__isnull=True).exists()
        assert 'class="badge"' not in client.get("/").content.decode()

    def test_empty(self, people: SimpleNamespace, client: Client) -> None:
        client.force_login(people.viewer)
        assert "No notification yet." in client.get(reverse("notifications")).content.decode()

    def test_the_header_count_is_one_query(
        self, people: SimpleNamespace, client: Client, django_assert_num_queries: DjangoAssertNumQueries
    ) -> None:

        request = RequestFactory().get("/")
        request.user = people.monitor
        with django_assert_num_queries(1):
            assert navigation_items(request)["unread_notifications"] == 0


class TestMyRecords:
    def test_returned_records_come_first_with_the_reviewers_comment(
        self, people: SimpleNamespace, client: Client
    ) -> None:
        draft = IncidentFactory(created_by=people.monitor)
        returned = IncidentFactory(created_by=people.monitor, status=Status.RETURNED, review_note="Add the date.")
        IncidentFactory(created_by=people.supervisor)
        client.force_login(people.monitor)
        html = client.get(reverse("my-records")).content.decode()
        assert html.index(f"#{returned.pk}<") < html.index(f"#{draft.pk}<")
        assert "Returned with this comment:" in html
        assert "Add the date." in html
        assert html.count(">Incident #") == 2  # the monitor's two records, not the supervisor's

    def test_filter_by_status(self, people: SimpleNamespace, client: Client) -> None:
        draft = IncidentFactory(created_by=people.monitor)
        verified = IncidentFactory(created_by=people.monitor, status=Status.VERIFIED)
        client.force_login(people.monitor)
        html = client.get(reverse("my-records"), {"status": "verified"}).content.decode()
        assert f"#{verified.pk}<" in html
        assert f"#{draft.pk}<" not in html

    def test_a_viewer_has_none(self, people: SimpleNamespace, client: Client) -> None:
        client.force_login(people.viewer)
        assert "You have not entered any record yet." in client.get(reverse("my-records")).content.decode()
