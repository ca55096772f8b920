"""Closing is one step in time (SPEC.md "Closed months", API.md "Jobs"; issue 13): from the 202 of a closing until
its job ends, no write enters the month, admins' and GBV focal points' included; a second closing is 409; the
figures are read in one snapshot, so they are those of the records as they stood at the 202."""

from __future__ import annotations

import datetime
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connections, transaction
from django.test import Client
from django.utils import timezone

from core import jobs, workflow
from core.admin_areas import AreaRow, merge_admin_areas
from core.choices import Status
from core.closing import MonthState, month_state
from core.models import AdminArea, ClosedMonth, Job
from incidents.models import GbvReferral, Incident
from incidents.tests.factories import IncidentFactory
from reports import publishing
from reports.figures import figure_numbers
from reports.publishing import Regions
from reports.tasks import close_month_job

DECEMBER = datetime.date(2021, 12, 1)
CLOSE = "/api/v1/reports/months/2021-12/close/"
MONTHLY = "/api/v1/reports/monthly/"
NEW_INCIDENT = {
    "reported_on": "2021-12-06",
    "place": "ML0701",
    "violations": [{"type": "threat", "population_group": "idp", "men": 1}],
}


@pytest.fixture
def queue_kept(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The closing's task is queued but no worker takes it yet (it is run by the test): the month stays closing."""
    sent: list[int] = []
    monkeypatch.setattr(close_month_job, "apply_async", lambda args, **_options: sent.append(args[0]))
    return sent


def run_closing_job(job_id: int) -> None:
    close_month_job.apply((job_id,), throw=True)


def numbers(figures: Any) -> Any:
    """A figures answer without its labels (and region names): what is the same in every language."""
    if isinstance(figures, dict):
        return {key: numbers(value) for key, value in figures.items() if key not in {"label", "name"}}
    if isinstance(figures, list):
        return [numbers(value) for value in figures]
    return figures


@pytest.mark.django_db
class TestWhileClosing:
    @pytest.fixture
    def closing(self, people: SimpleNamespace, api_as: Any, data: None, queue_kept: list[int]) -> Job:
        response = api_as(people.admin).post(CLOSE, {"note": "Published"}, format="json")
        assert response.status_code == 202
        assert month_state(DECEMBER) is MonthState.CLOSING
        return Job.objects.get(pk=response.json()["id"])

    def test_an_admins_edit_is_409(self, people: SimpleNamespace, api_as: Any, closing: Job) -> None:
        incident = Incident.objects.filter(status=Status.VERIFIED, reported_on__month=12).first()
        assert incident is not None
        response = api_as(people.admin).patch(
            f"/api/v1/incidents/{incident.pk}/", {"version": incident.version, "locality": "X"}, format="json"
        )
        assert response.status_code == 409
        assert "being closed" in response.json()["detail"]
        incident.refresh_from_db()
        assert incident.locality != "X"

    def test_a_supervisors_verify_is_409(self, people: SimpleNamespace, api_as: Any, closing: Job) -> None:
        submitted = Incident.objects.get(status=Status.SUBMITTED, reported_on__month=12)
        response = api_as(people.supervisor).post(f"/api/v1/incidents/{submitted.pk}/verify/")
        assert response.status_code == 409
        submitted.refresh_from_db()
        assert submitted.status == Status.SUBMITTED

    def test_a_monitors_new_record_is_409(self, people: SimpleNamespace, api_as: Any, closing: Job) -> None:
        before = Incident.objects.count()
        assert api_as(people.monitor).post("/api/v1/incidents/", NEW_INCIDENT, format="json").status_code == 409
        assert Incident.objects.count() == before

    def test_a_focal_points_case_action_waits_too(self, people: SimpleNamespace, api_as: Any, closing: Job) -> None:
        referral = GbvReferral.objects.get(status=Status.SUBMITTED)
        response = api_as(people.gbv).post(
            f"/api/v1/gbv-referrals/{referral.pk}/withdraw-consent/",
            {"withdraw_reporting": True, "version": referral.version},
            format="json",
        )
        assert response.status_code == 409
        assert "being closed" in response.json()["detail"]

    def test_a_page_write_is_refused_with_the_message(
        self, people: SimpleNamespace, client: Client, closing: Job
    ) -> None:
        submitted = Incident.objects.get(status=Status.SUBMITTED, reported_on__month=12)
        client.force_login(people.supervisor)
        response = client.post(f"/incidents/{submitted.pk}/verify/", {"version": submitted.version}, follow=True)
        assert "being closed" in response.content.decode()
        submitted.refresh_from_db()
        assert submitted.status == Status.SUBMITTED

    def test_a_second_closing_is_409_by_api_and_on_the_page(
        self, people: SimpleNamespace, api_as: Any, client: Client, closing: Job
    ) -> None:
        response = api_as(people.admin).post(CLOSE, {}, format="json")
        assert response.status_code == 409
        assert "being closed already" in response.json()["detail"]
        client.force_login(people.admin)
        page = client.post("/reports/months/2021-12/close/", {"note": ""}, follow=True)
        assert "being closed already" in page.content.decode()
        assert Job.objects.filter(kind="close_month").count() == 1

    def test_other_months_stay_open(self, people: SimpleNamespace, api_as: Any, closing: Job) -> None:
        body = {**NEW_INCIDENT, "reported_on": "2022-01-06"}
        assert api_as(people.monitor).post("/api/v1/incidents/", body, format="json").status_code == 201

    def test_once_the_job_ends_the_closed_months_rule_applies(
        self, people: SimpleNamespace, api_as: Any, closing: Job
    ) -> None:
        run_closing_job(closing.pk)
        closing.refresh_from_db()
        assert closing.status == Job.Status.DONE
        assert month_state(DECEMBER) is MonthState.CLOSED
        submitted = Incident.objects.get(status=Status.SUBMITTED, reported_on__month=12)
        assert api_as(people.supervisor).post(f"/api/v1/incidents/{submitted.pk}/verify/").status_code == 409
        assert api_as(people.admin).post(f"/api/v1/incidents/{submitted.pk}/verify/").status_code == 200
        submitted.refresh_from_db()
        assert submitted.changed_after_closing

    def test_a_closing_whose_job_failed_leaves_the_month_open(
        self, people: SimpleNamespace, api_as: Any, closing: Job
    ) -> None:
        Job.objects.filter(pk=closing.pk).update(status=Job.Status.FAILED, finished_at=timezone.now())
        assert month_state(DECEMBER) is MonthState.OPEN
        submitted = Incident.objects.get(status=Status.SUBMITTED, reported_on__month=12)
        assert api_as(people.supervisor).post(f"/api/v1/incidents/{submitted.pk}/verify/").status_code == 200
        assert api_as(people.admin).post(CLOSE, {}, format="json").status_code == 202  # and may be closed again

    def test_a_replaced_closing_job_stores_nothing(self, people: SimpleNamespace, closing: Job) -> None:
        Job.objects.filter(pk=closing.pk).update(status=Job.Status.FAILED)
        stale = Job.objects.create(
            kind="close_month", user=people.admin, params=closing.params, task=close_month_job.name
        )
        with pytest.raises(Exception, match="replaced or given up"):
            run_closing_job(stale.pk)
        assert not ClosedMonth.objects.get(month=DECEMBER).is_closed

    def test_a_second_run_of_a_closing_that_stored_its_figures_changes_nothing(
        self, people: SimpleNamespace, closing: Job
    ) -> None:
        run_closing_job(closing.pk)
        stored = ClosedMonth.objects.get(month=DECEMBER)
        Job.objects.filter(pk=closing.pk).update(status=Job.Status.QUEUED)  # as if its worker died before "done"
        run_closing_job(closing.pk)
        again = ClosedMonth.objects.get(month=DECEMBER)
        assert (again.closed_at, again.published) == (stored.closed_at, stored.published)


@pytest.mark.django_db
def test_progress_inside_the_snapshot_is_kept_for_the_heartbeat(people: SimpleNamespace) -> None:
    """The closing's figures are read in a read-only transaction: its progress is not written there (it would
    fail, or lock the job's row against its heartbeat) but kept, and the heartbeat writes it."""
    job = Job.objects.create(kind="close_month", user=people.admin, params={}, task=close_month_job.name)
    kept: list[int | None] = []

    def work(job: Job, progress: jobs.Progress) -> None:
        with jobs.progress_kept():
            progress(1, 2)
            kept.append(Job.objects.get(pk=job.pk).progress)
        progress(3, 4)
        kept.append(Job.objects.get(pk=job.pk).progress)

    assert jobs.run_job(job.pk, work, heartbeat=False) is jobs.Outcome.RAN
    assert kept == [0, 75]


# --- on PostgreSQL, with writes and closings at the same moment ------------------------------------------------------


def _in_thread(target: Any, *args: Any) -> threading.Thread:
    def run() -> None:
        try:
            target(*args)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestRaces:
    def test_a_write_under_way_is_waited_for_and_later_ones_are_409(
        self, people: SimpleNamespace, data: None, queue_kept: list[int]
    ) -> None:
        submitted = Incident.objects.get(status=Status.SUBMITTED, reported_on__month=12)
        late = IncidentFactory(
            created_by=people.monitor, status=Status.SUBMITTED, reported_on=datetime.date(2021, 12, 2)
        )
        past_the_check, committed_at = threading.Event(), []

        def verify_slowly() -> None:
            with transaction.atomic():
                workflow.take_step(Incident.objects.get(pk=submitted.pk), "verify", by=people.supervisor)
                past_the_check.set()
                time.sleep(1.0)  # the closing is asked for now, while this write is not committed
            committed_at.append(time.monotonic())

        writer = _in_thread(verify_slowly)
        assert past_the_check.wait(10)
        admin = Client()
        admin.force_login(people.admin)
        response = admin.post(CLOSE, {}, content_type="application/json")
        answered_at = time.monotonic()
        writer.join()
        assert response.status_code == 202
        assert committed_at[0] <= answered_at  # the closing waited for the write under way
        at_the_202 = publishing.publish(DECEMBER)

        # Writes sent while the month is closing: every one 409, the admin's included.
        verified = Incident.objects.filter(status=Status.VERIFIED, reported_on__month=12).exclude(pk=submitted.pk)
        supervisor = Client()
        supervisor.force_login(people.supervisor)
        refused = [
            *(
                admin.post(f"/api/v1/incidents/{incident.pk}/archive/", {"reason": "x"}, "application/json")
                for incident in verified[:2]
            ),
            supervisor.post(f"/api/v1/incidents/{late.pk}/verify/", {}, "application/json"),
        ]
        assert [response.status_code for response in refused] == [409, 409, 409]

        run_closing_job(queue_kept[0])
        stored = ClosedMonth.objects.get(month=DECEMBER)
        assert stored.is_closed
        assert numbers(stored.published) == numbers(at_the_202)
        # The write that was under way at the 202 is in: four verified December incidents, and the fifth.
        everyone = stored.published.get("all") or stored.published["en"]["all"]
        assert everyone["incidents"]["count"] == 5

    def test_two_closings_at_the_same_moment_one_202_one_409(
        self, people: SimpleNamespace, data: None, queue_kept: list[int]
    ) -> None:
        for attempt in range(5):
            ready = threading.Barrier(2)
            statuses: list[int] = []

            def close(ready: threading.Barrier = ready, statuses: list[int] = statuses) -> None:
                admin = Client()
                admin.force_login(people.admin)
                ready.wait()
                statuses.append(admin.post(CLOSE, {}, content_type="application/json").status_code)

            threads = [_in_thread(close) for _ in range(2)]
            for thread in threads:
                thread.join()
            assert sorted(statuses) == [202, 409], attempt
            assert Job.objects.filter(kind="close_month", status=Job.Status.QUEUED).count() == 1
            Job.objects.filter(kind="close_month").update(status=Job.Status.FAILED)  # given up: open again

    def test_the_published_figures_read_the_same_in_english_and_french(
        self, people: SimpleNamespace, data: None, queue_kept: list[int], api_as: Any
    ) -> None:
        admin = Client()
        admin.force_login(people.admin)
        assert admin.post(CLOSE, {}, content_type="application/json").status_code == 202
        run_closing_job(queue_kept[0])
        client = api_as(people.supervisor)
        english = client.get(MONTHLY, {"month": "2021-12"}, HTTP_ACCEPT_LANGUAGE="en").json()
        french = client.get(MONTHLY, {"month": "2021-12"}, HTTP_ACCEPT_LANGUAGE="fr").json()
        assert english["closed"]
        assert french["closed"]
        assert numbers(english) == numbers(french)
        labels = {row["code"]: row["label"] for row in french["violations"]["by_category"]}
        assert labels != {row["code"]: row["label"] for row in english["violations"]["by_category"]}


@pytest.mark.django_db
def test_the_report_page_says_the_month_is_closing_and_offers_no_second_closing(
    people: SimpleNamespace, api_as: Any, client: Client, data: None, queue_kept: list[int]
) -> None:
    response = api_as(people.admin).post(CLOSE, {}, format="json")
    assert response.status_code == 202
    client.force_login(people.admin)
    page = client.get("/reports/monthly/", {"month": "2021-12"}).content.decode()
    assert "This month is being closed" in page
    assert "/reports/months/2021-12/close/" not in page
    assert "/reports/months/2021-12/reopen/" not in page
    run_closing_job(response.json()["id"])
    page = client.get("/reports/monthly/", {"month": "2021-12"}).content.decode()
    assert "This month is being closed" not in page
    assert "/reports/months/2021-12/reopen/" in page


@pytest.mark.django_db
def test_a_month_is_not_reopened_while_its_closing_job_runs(
    people: SimpleNamespace, api_as: Any, data: None, queue_kept: list[int]
) -> None:
    job_id = api_as(people.admin).post(CLOSE, {}, format="json").json()["id"]
    ClosedMonth.objects.filter(month=DECEMBER).update(is_closed=True)  # figures stored, the job not yet ended
    response = api_as(people.admin).post(
        "/api/v1/reports/months/2021-12/reopen/", {"reason": "Wrong figures"}, format="json"
    )
    assert response.status_code == 409
    assert Job.objects.get(pk=job_id).status == Job.Status.QUEUED


@pytest.mark.django_db
def test_a_closing_the_sweeper_gave_up_on_stores_nothing(
    people: SimpleNamespace, api_as: Any, data: None, settings: Any
) -> None:
    """A run still alive after the sweeper failed its job (its heartbeat fell silent) must not close the month: the
    month was open again meanwhile, and a write went in that its figures do not hold."""
    response = api_as(people.admin).post(CLOSE, {"note": "n"}, format="json")
    job = Job.objects.get(pk=response.json()["id"])
    assert jobs.claim(job.pk)
    job.refresh_from_db()
    figures = publishing.publish(DECEMBER)  # the run reads its figures...
    Job.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1), attempts=settings.VIGIE_JOB_MAX_ATTEMPTS
    )
    assert jobs.requeue_stale_jobs()["failed"] == [job.pk]  # ...the sweeper gives it up: the month is open
    submitted = Incident.objects.get(status=Status.SUBMITTED, reported_on__month=12)
    assert api_as(people.supervisor).post(f"/api/v1/incidents/{submitted.pk}/verify/").status_code == 200
    with pytest.raises(jobs.ClaimLost):
        publishing.close_month(DECEMBER, by=people.admin, published=figures, note="n", job=job)
    assert month_state(DECEMBER) is MonthState.OPEN


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "field"),
    [("/api/v1/reports/months/2021-12/close/", "note"), ("/api/v1/reports/months/2021-12/reopen/", "reason")],
)
def test_a_nul_character_in_the_note_or_reason_is_a_400(
    people: SimpleNamespace, api_as: Any, path: str, field: str, queue_kept: list[int]
) -> None:
    """PostgreSQL cannot store a NUL: the field's 400, never a 500 (API.md)."""
    if field == "reason":
        publishing.close_month(DECEMBER, by=people.admin, published={})
    response = api_as(people.admin).post(path, {field: "a\x00b"}, format="json")
    assert response.status_code == 400
    assert response.json()[field]
    assert month_state(DECEMBER) is (MonthState.CLOSED if field == "reason" else MonthState.OPEN)


@pytest.mark.django_db
def test_records_of_a_region_that_is_no_longer_one_still_count_in_the_whole_operation(
    people: SimpleNamespace, data: None
) -> None:
    """An admin-areas import that makes a region a cercle leaves its records outside every region's cell: the
    whole operation's published figures are then computed directly, never short of them."""
    merge_admin_areas([AreaRow(pcode="ML06", level=2, parent_pcode="ML07", name="Tombouctou")], AdminArea)
    everyone = publishing.publish(DECEMBER)["all"]
    directly = figure_numbers(user=Regions(frozenset()), month=DECEMBER)
    assert everyone["incidents"]["count"] == directly["incidents"]["count"]
    assert everyone["incidents"]["count"] == 4
