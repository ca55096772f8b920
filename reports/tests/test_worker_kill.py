"""Issue 13, "Done when": a worker killed in the middle of an export. Each test starts its OWN prefork worker on its
OWN queue (never CI's), on the test database, and kills it:

- Case A: the child process dies mid-export. Its message is rejected back to the queue (acks_late,
  reject_on_worker_lost) and delivered again; the new delivery takes the job over once its heartbeat falls silent.
- Case B: the whole worker gets SIGKILL. Nothing redelivers before the visibility timeout: the stale-job sweeper
  (JOB_STALE_SECONDS=5) queues the job again, and a new worker completes it.

Either way the export completes exactly once: one file, one "done" job, the right row count. JOB_STEP_PAUSE_SECONDS
makes every reported step of the export last seconds, so "in the middle" does not depend on the machine's speed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.db import connection
from pytest_django import Settings

from config.celery import app as celery_app
from core import jobs
from core.models import Job

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PROJECT = Path(__file__).resolve().parents[2]
EXPORT = {"kind": "records", "month": "2021-12", "format": "csv", "record_type": "incidents"}
DECEMBER_ROWS = 10  # the reports `data` fixture: one row per violation of December's incidents
CHUNK_ROWS = 4  # the export reports (and pauses) after rows 0, 4 and 8: "halfway" is after its second chunk
STEP_PAUSE_SECONDS = 2
STALE_SECONDS = 5


def _wait_for(what: str, condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


class Worker:
    """A prefork worker (one child) of this test only, on the test's queue and database."""

    def __init__(self, queue: str, media: Path, log: Path) -> None:
        self.queue, self.log = queue, log
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "DATABASE_URL": _database_url(),
            "CELERY_QUEUE": queue,
            "MEDIA_ROOT": str(media),
            "JOB_HEARTBEAT_SECONDS": "0.5",
            "JOB_STALE_SECONDS": str(STALE_SECONDS),
            "JOB_STEP_PAUSE_SECONDS": str(STEP_PAUSE_SECONDS),
            "EXPORT_CHUNK_ROWS": str(CHUNK_ROWS),
        }
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1"]
        command += ["-Q", queue, "-n", f"{queue}-{uuid.uuid4().hex[:6]}@%h", "--loglevel=INFO"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        with log.open("a") as output:
            self.process = subprocess.Popen(  # noqa: S603  our own command line
                command, cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        _wait_for("the worker to start", lambda: " ready." in log.read_text() or self.process.poll() is not None)
        assert self.process.poll() is None, log.read_text()

    def kill_child(self) -> None:
        children = _children(self.process.pid)
        assert len(children) == 1, children
        os.kill(children[0], signal.SIGKILL)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # the worker and its child, at once
            self.process.wait(timeout=10)


@pytest.fixture
def own_queue(settings: Settings, tmp_path: Path) -> Iterator[SimpleNamespace]:
    """A queue of this test: the app here sends its tasks there, its workers take them from there."""
    queue = f"vigie-kill-test-{uuid.uuid4().hex[:10]}"
    settings.MEDIA_ROOT = tmp_path / "media"
    conf, amqp = celery_app.conf, celery_app.amqp
    saved = conf.task_default_queue
    conf.task_default_queue = queue
    amqp.__dict__.pop("default_queue", None)  # cached from the setting on first use
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(queue, settings.MEDIA_ROOT, tmp_path / "worker.log")
        started.append(worker)
        return worker

    yield SimpleNamespace(start=start, log=tmp_path / "worker.log")
    for worker in started:
        worker.kill()
    conf.task_default_queue = saved
    amqp.__dict__.pop("default_queue", None)
    _forget_queue(queue)


def _forget_queue(queue: str) -> None:
    """Delete the queue and a killed worker's unacknowledged messages of it from Redis, so nothing of this test is
    delivered later (after the visibility timeout) to anyone."""
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, payload in client.hgetall("unacked").items():
        _message, _exchange, routing_key = json.loads(payload)  # as kombu's Redis transport keeps them
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def _start_export(api_as: Any, admin: Any) -> Job:
    response = api_as(admin).post("/api/v1/exports/", EXPORT, format="json")
    assert response.status_code == 202, response.content
    return Job.objects.get(pk=response.json()["id"])


def _wait_until_mid_export(job: Job) -> None:
    # Inside the pause after its second chunk (rows 1-5 of 10 written: progress 50 %), once the heartbeat has
    # written it (the progress is written at each chunk).
    _wait_for("the export to be halfway", lambda: Job.objects.get(pk=job.pk).progress >= 50)
    time.sleep(STEP_PAUSE_SECONDS / 4)


def _assert_exported_once(job: Job, media: Path) -> None:
    job.refresh_from_db()
    assert (job.status, job.progress, job.errors) == ("done", 100, [])
    assert job.attempts == 2  # the killed run, and the one that finished
    assert Job.objects.count() == 1
    files = [path for path in media.rglob("*") if path.is_file()]
    assert [path.name for path in files] == [Path(job.result.name or "").name]
    with job.result.open("rb") as handle:
        assert len(list(csv.DictReader(io.StringIO(handle.read().decode("utf-8-sig"))))) == DECEMBER_ROWS


def test_case_a_a_child_killed_mid_export_is_redelivered_and_exports_once(
    people: SimpleNamespace, api_as: Any, data: None, own_queue: SimpleNamespace, settings: Settings
) -> None:
    worker = own_queue.start()
    job = _start_export(api_as, people.admin)
    _wait_until_mid_export(job)
    worker.kill_child()
    _wait_for("the redelivered export to finish", lambda: Job.objects.get(pk=job.pk).status == "done", timeout=90)
    _assert_exported_once(job, settings.MEDIA_ROOT)
    assert "WorkerLostError" in own_queue.log.read_text()


def test_case_b_a_worker_killed_whole_is_requeued_by_the_sweeper_and_a_new_worker_exports_once(
    people: SimpleNamespace, api_as: Any, data: None, own_queue: SimpleNamespace, settings: Settings
) -> None:
    settings.VIGIE_JOB_STALE_SECONDS = STALE_SECONDS
    first = own_queue.start()
    job = _start_export(api_as, people.admin)
    _wait_until_mid_export(job)
    first.kill()
    # The job stays "running" until its heartbeat is older than JOB_STALE_SECONDS; the sweeper leaves it till then.
    assert jobs.requeue_stale_jobs() == {"resent": [], "requeued": [], "failed": []}
    time.sleep(STALE_SECONDS + 1)
    assert jobs.requeue_stale_jobs() == {"resent": [], "requeued": [job.pk], "failed": []}
    own_queue.start()
    _wait_for("the new worker to finish the export", lambda: Job.objects.get(pk=job.pk).status == "done", timeout=90)
    _assert_exported_once(job, settings.MEDIA_ROOT)
