"""Issue 13: background jobs that finish once, and the task queue being down (API.md "Jobs").

- A job runs once however often its task is delivered: each run claims the row first.
- A job whose worker died is run again by the stale-job sweeper a bounded number of times, then failed with the
  reason; its page says so and offers "try again".
- When Redis cannot be reached, starting an export or closing a month answers 503 quickly, leaves no job and
  leaves the month open; /healthz answers 503 within its timeout.
"""

from __future__ import annotations

import csv
import datetime
import io
import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone, translation
from drf_spectacular.generators import SchemaGenerator
from pytest_django import Settings

from config.celery import app as celery_app
from core import jobs
from core.closing import MonthState, month_state
from core.errors import QueueUnavailable
from core.models import ClosedMonth, Job, User
from reports import publishing
from reports.tasks import export_job

EXPORT = {"kind": "records", "month": "2021-12", "format": "csv", "record_type": "incidents"}
EXPORT_PARAMS = {"kind": "records", "month": "2021-12-01", "format": "csv", "record_type": "incidents"}
DECEMBER = datetime.date(2021, 12, 1)
DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: the connection is refused at once


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _forget_broker_connections() -> None:
    # Celery keeps its connection and producer pools once made: the next publish must build them from the URL.
    vars(celery_app)["_pool"] = None
    vars(celery_app.amqp)["_producer_pool"] = None


@pytest.fixture
def dead_broker(settings: Settings) -> Iterator[None]:
    """The app as deployed (tasks go to Redis, not run in-process), with Redis out of reach."""
    conf = celery_app.conf
    saved = {"broker_url": conf.broker_url, "task_always_eager": conf.task_always_eager}
    conf.update(broker_url=DEAD_BROKER, task_always_eager=False)
    settings.REDIS_URL = DEAD_BROKER
    _forget_broker_connections()
    yield
    conf.update(saved)
    _forget_broker_connections()


def _job(user: User, **fields: Any) -> Job:
    values: dict[str, Any] = {"kind": "export_records", "params": EXPORT_PARAMS, "task": export_job.name}
    return Job.objects.create(user=user, **{**values, **fields})


def _ago(seconds: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


def _exported_rows(job: Job) -> list[dict[str, str]]:
    with job.result.open("rb") as handle:
        return list(csv.DictReader(io.StringIO(handle.read().decode("utf-8-sig"))))


# --- the queue is down ----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the job is sent once its row is committed, as in production
class TestQueueDown:
    def test_starting_an_export_by_api_is_503_quickly_and_leaves_no_job(
        self, people: SimpleNamespace, api_as: Any, dead_broker: None
    ) -> None:
        started = time.monotonic()
        response = api_as(people.admin).post("/api/v1/exports/", EXPORT, format="json")
        assert time.monotonic() - started < 5
        assert response.status_code == 503
        assert "task queue cannot be reached" in response.json()["detail"]
        assert not Job.objects.exists()

    def test_starting_an_export_on_the_page_is_503_with_the_message(
        self, people: SimpleNamespace, client: Client, dead_broker: None
    ) -> None:
        client.force_login(people.admin)
        started = time.monotonic()
        response = client.post("/reports/exports/", EXPORT)
        assert time.monotonic() - started < 5
        assert response.status_code == 503
        assert "task queue cannot be reached" in response.content.decode()
        assert not Job.objects.exists()

    def test_closing_a_month_by_api_is_503_and_the_month_stays_open(
        self, people: SimpleNamespace, api_as: Any, data: None, dead_broker: None
    ) -> None:
        started = time.monotonic()
        response = api_as(people.admin).post("/api/v1/reports/months/2021-12/close/", {"note": "x"}, format="json")
        assert time.monotonic() - started < 5
        assert response.status_code == 503
        assert "task queue cannot be reached" in response.json()["detail"]
        assert not Job.objects.exists()
        assert not publishing.is_closed(DECEMBER)
        assert month_state(DECEMBER) is MonthState.OPEN  # not left closing: writes go into December again
        assert not ClosedMonth.objects.filter(month=DECEMBER, is_closed=True).exists()

    def test_closing_a_month_on_the_page_is_503_and_the_month_stays_open(
        self, people: SimpleNamespace, client: Client, data: None, dead_broker: None
    ) -> None:
        client.force_login(people.admin)
        started = time.monotonic()
        response = client.post("/reports/months/2021-12/close/", {"note": "", "acknowledge": "on"})
        assert time.monotonic() - started < 5
        assert response.status_code == 503
        assert "task queue cannot be reached" in response.content.decode()
        assert not Job.objects.exists()
        assert not publishing.is_closed(DECEMBER)

    def test_what_the_request_marked_for_the_job_is_undone(self, people: SimpleNamespace, dead_broker: None) -> None:
        undone: list[bool] = []
        with pytest.raises(QueueUnavailable):
            jobs.start_job(
                kind="close_month", user=people.admin, params={}, task=export_job, undo=lambda: undone.append(True)
            )
        assert undone == [True]
        assert not Job.objects.exists()

    def test_the_schema_declares_the_503_of_starting_a_job(self) -> None:
        generated = SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
        paths = generated["paths"]
        for path in ("/api/v1/exports/", "/api/v1/reports/months/{month}/close/"):
            assert "503" in paths[path]["post"]["responses"], path
        assert "503" not in paths["/api/v1/reports/months/{month}/reopen/"]["post"]["responses"]

    def test_healthz_is_503_within_its_timeout(self, client: Client, settings: Settings, dead_broker: None) -> None:
        settings.VIGIE_HEALTH_TIMEOUT_SECONDS = 1
        started = time.monotonic()
        response = client.get("/healthz")
        assert time.monotonic() - started < 1.5
        assert response.status_code == 503
        assert {"redis", "worker"} <= set(response.json()["failed"])
        assert response.json()["checks"]["redis"] == "failed"  # anonymous: no error text


# --- a job runs once --------------------------------------------------------------------------------------------


class Counting:
    """Work that counts its runs and reports a step (as an export reports a chunk)."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self, job: Job, progress: jobs.Progress) -> None:
        self.runs += 1
        progress(1, 2)


def test_a_job_delivered_twice_runs_once(people: SimpleNamespace) -> None:
    job, work = _job(people.admin), Counting()
    assert jobs.run_job(job.pk, work, heartbeat=False) is jobs.Outcome.RAN
    assert jobs.run_job(job.pk, work, heartbeat=False) is jobs.Outcome.SKIPPED
    job.refresh_from_db()
    assert (work.runs, job.status, job.progress, job.attempts) == (1, "done", 100, 1)


def test_a_delivery_while_a_live_run_holds_the_job_waits(people: SimpleNamespace) -> None:
    job, work = (
        _job(people.admin, status="running", runner="alive", heartbeat_at=timezone.now(), attempts=1),
        Counting(),
    )
    assert jobs.run_job(job.pk, work, heartbeat=False) is jobs.Outcome.HELD
    job.refresh_from_db()
    assert (work.runs, job.status, job.runner) == (0, "running", "alive")


def test_a_redelivered_task_takes_over_a_run_that_fell_silent(people: SimpleNamespace, settings: Settings) -> None:
    settings.VIGIE_JOB_HEARTBEAT_SECONDS = 1
    job = _job(people.admin, status="running", runner="killed", heartbeat_at=_ago(10), attempts=1, progress=50)
    work = Counting()
    assert jobs.run_job(job.pk, work, heartbeat=False) is jobs.Outcome.RAN
    job.refresh_from_db()
    assert (work.runs, job.status, job.attempts) == (1, "done", 2)


def test_a_run_whose_job_was_taken_over_stops_without_an_outcome(people: SimpleNamespace) -> None:
    job = _job(people.admin)

    def overtaken(job: Job, progress: jobs.Progress) -> None:
        Job.objects.filter(pk=job.pk).update(runner="another run")  # the sweeper thought this run dead
        progress(1, 2)
        raise AssertionError("the run must stop at its next step")  # pragma: no cover

    assert jobs.run_job(job.pk, overtaken, heartbeat=False) is jobs.Outcome.LOST
    job.refresh_from_db()
    assert (job.status, job.runner, job.finished_at) == ("running", "another run", None)


def test_a_job_that_killed_its_worker_too_often_fails_with_the_reason(
    people: SimpleNamespace, settings: Settings
) -> None:
    settings.VIGIE_JOB_HEARTBEAT_SECONDS = 1
    job = _job(people.admin, status="running", heartbeat_at=_ago(60), attempts=settings.VIGIE_JOB_MAX_ATTEMPTS)
    work = Counting()
    assert jobs.run_job(job.pk, work, heartbeat=False) is jobs.Outcome.SKIPPED
    job.refresh_from_db()
    assert (work.runs, job.status) == (0, "failed")
    assert "stopped 3 times" in jobs.error_texts(job.errors)[0]


def test_progress_writes_the_heartbeat(people: SimpleNamespace) -> None:
    job = _job(people.admin)
    seen: list[datetime.datetime | None] = []

    def work(job: Job, progress: jobs.Progress) -> None:
        Job.objects.filter(pk=job.pk).update(heartbeat_at=_ago(600))
        progress(1, 4)
        seen.append(Job.objects.get(pk=job.pk).heartbeat_at)

    jobs.run_job(job.pk, work, heartbeat=False)
    assert seen[0] is not None
    assert seen[0] > _ago(60)


def test_the_heartbeat_thread_beats_while_a_step_reports_nothing(
    people: SimpleNamespace, settings: Settings, transactional_db: None
) -> None:
    settings.VIGIE_JOB_HEARTBEAT_SECONDS = 0.2
    job = _job(people.admin)
    beats: list[datetime.datetime | None] = []

    def long_step(job: Job, progress: jobs.Progress) -> None:
        Job.objects.filter(pk=job.pk).update(heartbeat_at=_ago(600))
        time.sleep(1)  # rendering a PDF: no progress to report
        beats.append(Job.objects.get(pk=job.pk).heartbeat_at)

    jobs.run_job(job.pk, long_step, heartbeat=True)
    assert beats[0] is not None
    assert beats[0] > _ago(5)


# --- the stale-job sweeper --------------------------------------------------------------------------------------


def test_the_sweeper_runs_a_job_whose_worker_died_again(
    people: SimpleNamespace, data: None, settings: Settings
) -> None:
    settings.VIGIE_JOB_STALE_SECONDS = 5
    stale = _job(people.admin, status="running", runner="dead", heartbeat_at=_ago(6), attempts=1, progress=50)
    alive = _job(people.admin, status="running", runner="alive", heartbeat_at=_ago(1), attempts=1)
    found = jobs.requeue_stale_jobs()
    assert found == {"resent": [], "requeued": [stale.pk], "failed": []}
    # In-process here, so the task sent again has already run: once, to the end.
    stale.refresh_from_db()
    assert (stale.status, stale.progress, stale.attempts) == ("done", 100, 2)
    assert len(_exported_rows(stale)) == 10
    alive.refresh_from_db()
    assert (alive.status, alive.runner) == ("running", "alive")


def test_the_sweeper_fails_a_job_after_its_last_run_and_its_page_offers_to_try_again(
    people: SimpleNamespace, data: None, settings: Settings, client: Client
) -> None:
    settings.VIGIE_JOB_STALE_SECONDS = 5
    job = _job(people.admin, status="running", heartbeat_at=_ago(6), attempts=settings.VIGIE_JOB_MAX_ATTEMPTS)
    assert jobs.requeue_stale_jobs() == {"resent": [], "requeued": [], "failed": [job.pk]}
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.finished_at is not None
    assert "worker running this job stopped 3 times" in jobs.error_texts(job.errors)[0]

    client.force_login(people.admin)
    page = client.get(f"/reports/jobs/{job.pk}/").content.decode()
    assert "worker running this job stopped 3 times" in page
    assert "Try again" in page
    # "Try again" posts the same export through the exports form (its checks run again): a new job.
    for name, value in EXPORT.items():
        assert f'name="{name}" value="{value}"' in page
    again = client.post("/reports/exports/", {**EXPORT})
    assert again.status_code == 302
    retried = Job.objects.exclude(pk=job.pk).get()
    assert retried.params == {**EXPORT_PARAMS, "language": "en"}


def test_a_failed_closing_offers_to_close_the_month_again(
    people: SimpleNamespace, data: None, settings: Settings, client: Client
) -> None:
    settings.VIGIE_JOB_STALE_SECONDS = 5
    job = _job(
        people.admin,
        kind="close_month",
        task="reports.close_month",
        params={"month": "2021-12-01", "note": "Published"},
        status="running",
        heartbeat_at=_ago(6),
        attempts=settings.VIGIE_JOB_MAX_ATTEMPTS,
    )
    jobs.requeue_stale_jobs()
    client.force_login(people.admin)
    page = client.get(f"/reports/jobs/{job.pk}/").content.decode()
    assert 'action="/reports/months/2021-12/close/"' in page
    assert 'value="Published"' in page


def test_the_sweeper_sends_again_a_queued_job_no_worker_took(
    people: SimpleNamespace, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A queued job's message may be lost (Redis restarted without its data): the sweeper sends it again, once per
    JOB_STALE_SECONDS; a fresh queued job is left to its message."""
    settings.VIGIE_JOB_STALE_SECONDS = 5
    sent: list[int] = []
    monkeypatch.setattr(export_job, "apply_async", lambda args, **_options: sent.append(args[0]))
    lost, fresh = _job(people.admin), _job(people.admin)
    Job.objects.filter(pk=lost.pk).update(created_at=_ago(6))
    assert jobs.requeue_stale_jobs() == {"resent": [lost.pk], "requeued": [], "failed": []}
    assert jobs.requeue_stale_jobs()["resent"] == []  # not again before JOB_STALE_SECONDS
    later = jobs.requeue_stale_jobs(now=timezone.now() + datetime.timedelta(seconds=6))
    assert sorted(later["resent"]) == [lost.pk, fresh.pk]
    assert sorted(sent) == [lost.pk, lost.pk, fresh.pk]
    assert Job.objects.get(pk=lost.pk).status == "queued"


def test_another_users_failed_job_is_404(people: SimpleNamespace, client: Client) -> None:
    job = _job(people.admin, status="failed", errors=["x"])
    client.force_login(people.supervisor)
    assert client.get(f"/reports/jobs/{job.pk}/").status_code == 404


def test_the_sweeper_keeps_a_job_when_the_queue_is_down(
    people: SimpleNamespace, settings: Settings, dead_broker: None
) -> None:
    settings.VIGIE_JOB_STALE_SECONDS = 5
    job = _job(people.admin, status="running", heartbeat_at=_ago(6), attempts=1)
    assert jobs.requeue_stale_jobs() == {"resent": [], "requeued": [], "failed": []}
    job.refresh_from_db()
    assert job.status == "running"  # still stale: the next sweep tries again


# --- two deliveries at the same moment, on PostgreSQL -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_the_same_moment_run_the_job_once(people: SimpleNamespace) -> None:
    for _ in range(10):
        job = _job(people.admin)
        runs: list[int] = []
        outcomes: list[jobs.Outcome] = []
        ready = threading.Barrier(2)

        def work(job: Job, progress: jobs.Progress, runs: list[int] = runs) -> None:
            runs.append(job.pk)
            time.sleep(0.2)  # still running when the other delivery looks
            progress(1, 1)

        def deliver(ready: threading.Barrier = ready, job_id: int = job.pk, outcomes: list[Any] = outcomes) -> None:
            try:
                ready.wait()
                outcomes.append(jobs.run_job(job_id, work, heartbeat=False))
            finally:
                connections.close_all()

        workers = [threading.Thread(target=deliver) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert len(runs) == 1
        assert sorted(outcome.value for outcome in outcomes) == ["held", "ran"]
        job.refresh_from_db()
        assert (job.status, job.attempts) == ("done", 1)


# --- embedded mode (`make run`, no Redis): jobs on a thread of the server -------------------------------------------


@pytest.fixture
def jobs_thread(settings: Settings) -> Iterator[None]:
    """Embedded mode, as `make run` (the test settings run jobs in the request); the thread stops with the test."""
    settings.VIGIE_JOBS_ON_A_THREAD = True
    yield
    jobs.stop_jobs_thread()


@pytest.mark.django_db(transaction=True)  # the jobs thread reads what the request committed
@pytest.mark.usefixtures("jobs_thread")
@pytest.mark.parametrize("channel", ["api", "page"])
def test_in_embedded_mode_starting_an_export_answers_at_once(
    people: SimpleNamespace,
    api_as: Any,
    client: Client,
    data: None,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    channel: str,
) -> None:
    real_claim = jobs.claim

    def slow_claim(job_id: int) -> str | None:
        # The job takes two seconds before it touches the database: the test database lives in memory, where
        # SQLite has neither WAL nor a busy timeout, so a job writing while the request writes would fail here
        # (`make run`'s file database is in WAL mode, with a busy timeout).
        time.sleep(2)
        return real_claim(job_id)

    monkeypatch.setattr(jobs, "claim", slow_claim)
    client.force_login(people.admin)
    api = api_as(people.admin)
    assert api.get("/api/v1/jobs/0/").status_code == 404  # the first request of the process loads what the API needs
    started = time.monotonic()
    if channel == "api":
        response = api.post("/api/v1/exports/", EXPORT, format="json")
        assert response.status_code == 202
    else:
        response = client.post("/reports/exports/", EXPORT)
        assert response.status_code == 302
    assert time.monotonic() - started < 1
    job = Job.objects.get()
    assert job.status in {"queued", "running"}
    jobs.wait_for_jobs_thread()
    job.refresh_from_db()
    assert (job.status, job.progress) == ("done", 100)
    assert len(_exported_rows(job)) == 10


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("jobs_thread")
def test_in_embedded_mode_a_closing_the_server_stopped_is_run_again_when_it_starts(
    people: SimpleNamespace, data: None
) -> None:
    """`make run` stopped in the middle of a closing: the month is left closing (every write 409). The next server
    process's jobs thread, started by its first request, runs the closing again; no beat is needed."""
    job = _job(
        people.admin,
        kind="close_month",
        task="reports.close_month",
        params={"month": "2021-12-01", "note": ""},
        status="running",
        runner="the-stopped-server",
        heartbeat_at=timezone.now(),
        attempts=1,
    )
    ClosedMonth.objects.create(month=DECEMBER, closing_job=job)
    assert month_state(DECEMBER) is MonthState.CLOSING
    Client().get("/healthz")  # the new server's first request
    jobs.wait_for_jobs_thread()
    assert Job.objects.get(pk=job.pk).status == "done"
    assert month_state(DECEMBER) is MonthState.CLOSED


def test_a_job_queued_again_by_the_sweeper_is_not_sent_again_by_the_next_sweep(
    people: SimpleNamespace, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.VIGIE_JOB_STALE_SECONDS = 300
    sent: list[int] = []
    monkeypatch.setattr(export_job, "apply_async", lambda args, **_options: sent.append(args[0]))
    job = _job(people.admin, status="running", runner="dead", heartbeat_at=_ago(310), attempts=1)
    assert jobs.requeue_stale_jobs()["requeued"] == [job.pk]
    a_minute_later = jobs.requeue_stale_jobs(now=timezone.now() + datetime.timedelta(seconds=60))
    assert a_minute_later == {"resent": [], "requeued": [], "failed": []}
    assert sent == [job.pk]


def test_the_reason_a_job_stopped_is_said_in_the_readers_language(
    people: SimpleNamespace, settings: Settings, client: Client, api_as: Any
) -> None:
    """The sweeper writes the reason in the server's language (English here); a French reader reads it in French,
    on the job's page and in the API; an English reader in English."""
    settings.VIGIE_JOB_STALE_SECONDS = 5
    job = _job(people.admin, status="running", heartbeat_at=_ago(6), attempts=settings.VIGIE_JOB_MAX_ATTEMPTS)
    with translation.override("en"):
        assert jobs.requeue_stale_jobs()["failed"] == [job.pk]
    client.force_login(people.admin)
    french = client.get(f"/reports/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "arrêté 3 fois" in french
    assert "stopped 3 times" not in french
    api = api_as(people.admin)
    assert "arrêté 3 fois" in api.get(f"/api/v1/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="fr").json()["errors"][0]
    assert "stopped 3 times" in api.get(f"/api/v1/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["errors"][0]
