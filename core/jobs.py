"""Background jobs: created by a request, run by a Celery task, followed by the user (API.md's jobs).

A job runs once however often its task is delivered: each run first claims the row (one UPDATE that only a
queued job, or a running job whose runner stopped writing its heartbeat, matches), and every later write of
that run names its claim. A run writes a heartbeat while it works; the stale-job sweeper (beat) runs again a
job whose heartbeat stopped, a bounded number of times, then marks it failed with the reason.
"""

from __future__ import annotations

import contextlib
import datetime
import enum
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import kombu.exceptions
import redis.exceptions
from celery import Task, current_app
from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django_stubs_ext import StrOrPromise

from core import access
from core.errors import QueueUnavailable
from core.models import Job, User

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Work = Callable[[Job, Progress], dict[str, Any] | None]

# What a dead or unreachable broker raises while a task is published (kombu wraps most of redis' errors).
BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)


# Where a job stands, in words for the person waiting on it (pages); the model's choices and the API keep the codes.
STATUS_LABELS: dict[str, StrOrPromise] = {
    Job.Status.QUEUED: gettext_lazy("Waiting to start"),
    Job.Status.RUNNING: gettext_lazy("In progress"),
    Job.Status.DONE: gettext_lazy("Done"),
    Job.Status.FAILED: gettext_lazy("Failed"),
}


def status_label(status: str) -> str:
    """A job's status in the reader's language ("In progress", "En cours"); an unknown code as it is."""
    return str(STATUS_LABELS.get(status, status))


def is_finished(job: Job) -> bool:
    """Done or failed: nothing will change it any more, so a page following it stops asking."""
    return job.status in (Job.Status.DONE, Job.Status.FAILED)


def start_job(
    *, kind: str, user: User, params: dict[str, Any], task: Task[Any, Any], undo: Callable[[], None] | None = None
) -> Job:
    """Record the job and queue its task once the transaction commits (the worker must see the row).

    When the queue cannot be reached, the job row is deleted, `undo` takes back what the request marked for the
    job (a month marked closing is open again), and QueueUnavailable (503) reaches the caller: from here when no
    transaction is open, else from the end of the caller's `transaction.atomic()` block."""
    job = Job.objects.create(kind=kind, user=user, params=params, task=task.name)
    transaction.on_commit(lambda: _send(job, task, undo))
    return job


def _send(job: Job, task: Task[Any, Any], undo: Callable[[], None] | None) -> None:
    if task.app.conf.task_always_eager:  # embedded mode: no queue to miss
        if settings.VIGIE_JOBS_ON_A_THREAD:
            _jobs_thread().put((task, job.pk))
        else:
            task.apply_async((job.pk,))  # in the request; the task's own errors are its own
        return
    try:
        # Bounded by the broker's connection and socket timeouts (settings); never retried inside a request.
        task.apply_async((job.pk,), retry=False)
    except BROKER_ERRORS as error:
        logger.warning("Job %s (%s) not started: the task queue cannot be reached (%s)", job.pk, job.kind, error)
        Job.objects.filter(pk=job.pk).delete()
        if undo is not None:
            undo()
        raise QueueUnavailable(
            _(
                "The task queue cannot be reached, so this was not started and nothing was changed. Try again in "
                "a few minutes; if it keeps failing, tell your administrator."
            )
        ) from error


def _dispatch(task: Task[Any, Any], job_id: int) -> None:
    """Send a job's task again (the sweeper): to the queue, or in embedded mode to the jobs thread."""
    if task.app.conf.task_always_eager and settings.VIGIE_JOBS_ON_A_THREAD:
        _jobs_thread().put((task, job_id))
    else:
        task.apply_async((job_id,), retry=False)


# Embedded mode: how often the jobs thread, when idle, looks for jobs whose run stopped (there is no beat).
EMBEDDED_SWEEP_SECONDS = 60


class _JobsThread(threading.Thread):
    """Embedded mode (no Redis): the server process's one thread that runs background jobs, one after the other,
    so the request that starts a job answers at once. A job's failure is recorded on its row (run_job). It is
    also the sweeper there: when it starts, every job still queued or running was left by an earlier server
    process (stopped in the middle), and is run again; then, when idle, it sweeps as beat would."""

    def __init__(self) -> None:
        super().__init__(name="vigie-jobs", daemon=True)  # the server stops without waiting for a job
        self.waiting: queue.Queue[tuple[Task[Any, Any], int] | None] = queue.Queue()  # None: stop
        self.started_up = threading.Event()  # set once the jobs an earlier process left are handed in again

    def put(self, item: tuple[Task[Any, Any], int] | None) -> None:
        self.waiting.put(item)

    def run(self) -> None:
        self._sweep(left_by_an_earlier_process=True)
        self.started_up.set()
        while True:
            try:
                item = self.waiting.get(timeout=EMBEDDED_SWEEP_SECONDS)
            except queue.Empty:
                self._sweep()
                continue
            if item is None:
                self.waiting.task_done()
                return
            task, job_id = item
            try:
                task.apply((job_id,), throw=True)
            except Exception:
                logger.exception("Job %s failed", job_id)
            finally:
                connections.close_all()  # this thread's own connections
                self.waiting.task_done()

    def _sweep(self, *, left_by_an_earlier_process: bool = False) -> None:
        if not settings.VIGIE_JOBS_ON_A_THREAD:
            return  # no longer embedded mode (a test's settings were restored): the beat task sweeps
        later = datetime.timedelta(seconds=settings.VIGIE_JOB_STALE_SECONDS + 1)
        try:
            requeue_stale_jobs(timezone.now() + later if left_by_an_earlier_process else None)
        except DatabaseError:
            logger.warning("The jobs thread could not look for stopped jobs", exc_info=True)
        finally:
            connections.close_all()


def on_the_jobs_thread() -> bool:
    return isinstance(threading.current_thread(), _JobsThread)


_thread_lock = threading.Lock()
_thread: _JobsThread | None = None


def _jobs_thread() -> _JobsThread:
    global _thread  # noqa: PLW0603  one thread per process, started at the first job
    with _thread_lock:
        if _thread is None or not _thread.is_alive():
            _thread = _JobsThread()
            _thread.start()
        return _thread


def start_jobs_thread(**_signal: Any) -> None:
    """Embedded mode: start the jobs thread with the server (its first request), so that jobs an earlier server
    process left are run again even if nobody starts a new one (a month left closing would refuse every write)."""
    if settings.VIGIE_JOBS_ON_A_THREAD and (_thread is None or not _thread.is_alive()):
        _jobs_thread()


def wait_for_jobs_thread() -> None:
    """Embedded mode: return once every job handed to the jobs thread has run, those an earlier server process left
    included (tests, and a clean shutdown)."""
    if _thread is not None:
        _thread.started_up.wait(timeout=60)
        _thread.waiting.join()


def stop_jobs_thread() -> None:
    """Embedded mode: let the jobs thread finish what it was given, then stop it (tests)."""
    global _thread  # noqa: PLW0603
    with _thread_lock:
        stopping, _thread = _thread, None
    if stopping is not None and stopping.is_alive():
        stopping.put(None)
        stopping.join(timeout=60)


class Outcome(enum.Enum):
    RAN = "ran"  # this delivery did the work (or recorded its failure)
    SKIPPED = "skipped"  # nothing to do: the job is finished, gone, or failed for good
    HELD = "held"  # another run holds the job and was alive a moment ago: ask again later
    LOST = "lost"  # this run's claim was taken over (its worker was thought dead): it stopped


class ClaimLost(Exception):
    """The job was claimed by another run while this one worked: this run stops without writing its outcome."""


def lease_seconds() -> float:
    """How long a running job's heartbeat may be silent before another delivery of its task may take it over."""
    return 3 * settings.VIGIE_JOB_HEARTBEAT_SECONDS


# Stored as its message and values, said in the reader's language (`error_texts`): the sweeper and the worker that
# write it run in the server's language, not the user's.
STOPPED = gettext_noop(
    "The worker running this job stopped %(count)s times, so it is not run again. Try again; if it fails "
    "again, tell your administrator."
)


def _stopped_reason(attempts: int) -> dict[str, Any]:
    return {"text": STOPPED, "values": {"count": attempts}}


def error_texts(errors: list[Any]) -> list[str]:
    """A job's errors in the reader's language: one stored as a message and its values (`_stopped_reason`) is
    translated now; any other (an unexpected exception, as it was raised) is shown as it is."""
    return [_(error["text"]) % error.get("values", {}) if isinstance(error, dict) else str(error) for error in errors]


def claim(job_id: int) -> str | None:
    """Take the job for this run, atomically: a queued job, or a running one whose heartbeat is older than the
    lease (its worker died and the broker delivered the task again). Returns this run's token, or None when the
    job is not free. Two claims at once: the database lets one UPDATE match, the other finds it taken."""
    now = timezone.now()
    token = uuid.uuid4().hex
    free = Q(status=Job.Status.QUEUED) | Q(
        status=Job.Status.RUNNING, heartbeat_at__lt=now - datetime.timedelta(seconds=lease_seconds())
    )
    claimed = Job.objects.filter(free, pk=job_id, attempts__lt=settings.VIGIE_JOB_MAX_ATTEMPTS).update(
        status=Job.Status.RUNNING, runner=token, heartbeat_at=now, progress=0, attempts=F("attempts") + 1
    )
    if claimed:
        return token
    # Free, but run too often already: each run killed its worker. It fails for good, with the reason.
    Job.objects.filter(free, pk=job_id).update(
        status=Job.Status.FAILED,
        runner="",
        errors=[_stopped_reason(settings.VIGIE_JOB_MAX_ATTEMPTS)],
        finished_at=now,
    )
    return None


def _held_by_another_run(job_id: int) -> bool:
    return Job.objects.filter(pk=job_id, status__in=(Job.Status.QUEUED, Job.Status.RUNNING)).exists()


class _RunState:
    """What a run's progress reports and its heartbeat thread share: the progress kept while the work holds a
    read-only transaction, and whether the heartbeat found the job taken over."""

    def __init__(self) -> None:
        self.kept: int | None = None
        self.lost = False


_holding = threading.local()


@contextlib.contextmanager
def progress_kept() -> Iterator[None]:
    """The work runs inside a read-only transaction here (a closing's snapshot), where the job's row cannot be
    written: its progress is kept, and the heartbeat thread writes it on its own connection."""
    before = getattr(_holding, "kept", False)
    _holding.kept = True
    try:
        yield
    finally:
        _holding.kept = before


class _Heartbeat(threading.Thread):
    """Writes the run's heartbeat every JOB_HEARTBEAT_SECONDS while the work goes on, even through a long step
    that reports no progress (rendering a PDF), with the progress kept meanwhile. It dies with its process: a
    killed worker's job falls silent."""

    def __init__(self, job_id: int, token: str, state: _RunState) -> None:
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id, self.token, self.state = job_id, token, state
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.VIGIE_JOB_HEARTBEAT_SECONDS):
                if not self._beat_once():
                    self.state.lost = True
                    return
        finally:
            connections.close_all()  # this thread's own connections

    def _beat_once(self) -> bool:
        """One beat; a database error (a restart, a failover) is logged and the next beat tries again, so a run
        does not fall silent, and lose its job to the sweeper, over one failed write."""
        kept = {"progress": self.state.kept} if self.state.kept is not None else {}
        try:
            return _beat(self.job_id, self.token, **kept)
        except DatabaseError:
            logger.warning("Job %s: the heartbeat could not be written", self.job_id, exc_info=True)
            connections.close_all()  # the next beat opens a new connection
            return True

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


def _beat(job_id: int, token: str, **fields: Any) -> bool:
    """Write the heartbeat (and `fields`) if this run still holds the job; False when it no longer does."""
    mine = Job.objects.filter(pk=job_id, runner=token, status=Job.Status.RUNNING)
    return bool(mine.update(heartbeat_at=timezone.now(), **fields))


def hold_claim(job: Job) -> None:
    """Inside the transaction that commits a job's result: lock the job's row, check this run still holds it
    (else ClaimLost: the sweeper gave it up or another run took it) and write its heartbeat, so the sweeper
    cannot give it up between this commit and the job's end."""
    held = Job.objects.select_for_update().filter(pk=job.pk, runner=job.runner, status=Job.Status.RUNNING)
    if not held.exists() or not job.runner:
        raise ClaimLost
    held.update(heartbeat_at=timezone.now())


def run_job(job_id: int, work: Work, *, heartbeat: bool = True) -> Outcome:
    """Run `work` for the job if this delivery claims it, recording progress, heartbeat and outcome. A job
    already finished, or held by a live run, is left alone: a task delivered twice does its work once.
    `heartbeat`: write it from a thread while the work runs (a real worker; not in-process runs)."""
    token = claim(job_id)
    if token is None:
        return Outcome.HELD if _held_by_another_run(job_id) else Outcome.SKIPPED
    job = Job.objects.get(pk=job_id)
    state = _RunState()

    def progress(done: int, total: int) -> None:
        value = min(99, int(100 * done / max(total, 1)))
        if getattr(_holding, "kept", False):
            state.kept = value
        else:
            state.kept = None  # written now: the heartbeat must not write an older value over it
            if not _beat(job_id, token, progress=value):
                state.lost = True
        if state.lost:
            raise ClaimLost
        if settings.VIGIE_JOB_STEP_PAUSE_SECONDS > 0:
            time.sleep(settings.VIGIE_JOB_STEP_PAUSE_SECONDS)

    beating = _Heartbeat(job_id, token, state) if heartbeat else None
    if beating is not None:
        beating.start()
    try:
        work(job, progress)
    except ClaimLost:
        logger.warning("Job %s: another run took it over; this one stopped", job_id)
        return Outcome.LOST
    except Exception as error:  # any failure: the job records it for the person waiting on it, then re-raises
        Job.objects.filter(pk=job_id, runner=token).update(
            status=Job.Status.FAILED, errors=[f"{type(error).__name__}: {error}"], finished_at=timezone.now()
        )
        raise
    finally:
        if beating is not None:
            beating.stop()
    Job.objects.filter(pk=job_id, runner=token).update(status=Job.Status.DONE, progress=100, finished_at=timezone.now())
    return Outcome.RAN


def run_job_task(task: Task[Any, Any], job_id: int, work: Work) -> None:
    """The body of a job's Celery task (bound): run the job; when another run holds it, ask again once its lease
    may have run out (a redelivered task whose first worker was killed), a bounded number of times. After that
    the stale-job sweeper owns the job."""
    outcome = run_job(job_id, work, heartbeat=not task.request.is_eager or on_the_jobs_thread())
    if outcome is Outcome.HELD and task.request.retries < 2 * settings.VIGIE_JOB_MAX_ATTEMPTS:
        raise task.retry(countdown=lease_seconds(), max_retries=None)


def requeue_stale_jobs(now: datetime.datetime | None = None) -> dict[str, list[int]]:
    """The sweeper (beat, every minute): a running job whose heartbeat is older than JOB_STALE_SECONDS lost its
    worker. It is queued again and its task sent again while it has runs left (JOB_MAX_ATTEMPTS), else marked
    failed with the reason. Each change is conditional, so a run that wakes up meanwhile keeps its job. A queued
    job that no worker took is sent again (its message may be lost)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.VIGIE_JOB_STALE_SECONDS)
    stale = Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff)
    # First the queued ones: a job queued again just below must not be sent twice by the same sweep.
    found: dict[str, list[int]] = {"resent": _resend_waiting_jobs(now, cutoff), "requeued": [], "failed": []}
    for job in stale.only("pk", "task", "attempts", "runner", "heartbeat_at"):
        still_stale = Job.objects.filter(
            pk=job.pk, runner=job.runner, status=Job.Status.RUNNING, heartbeat_at__lt=cutoff
        )
        if job.attempts >= settings.VIGIE_JOB_MAX_ATTEMPTS or job.task not in current_app.tasks:
            if still_stale.update(
                status=Job.Status.FAILED, runner="", errors=[_stopped_reason(job.attempts)], finished_at=now
            ):
                logger.warning("Job %s failed: its worker stopped %s times", job.pk, job.attempts)
                found["failed"].append(job.pk)
            continue
        # heartbeat_at of a queued job is when it was last sent (_resend_waiting_jobs)
        if still_stale.update(status=Job.Status.QUEUED, runner="", progress=0, heartbeat_at=now) and _resend(job):
            found["requeued"].append(job.pk)
    return found


def _resend_waiting_jobs(now: datetime.datetime, cutoff: datetime.datetime) -> list[int]:
    """A job queued for JOB_STALE_SECONDS that no run took may have lost its message (Redis restarted without its
    data): its task is sent again, at most once per JOB_STALE_SECONDS (`heartbeat_at` of a queued job is when it
    was last sent). A message that was not lost after all does no harm: the first run claims the job, the other
    finds it taken."""
    waiting = Job.objects.filter(status=Job.Status.QUEUED).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )
    resent: list[int] = []
    for job in waiting.only("pk", "task", "heartbeat_at"):
        if job.task not in current_app.tasks:
            continue
        mine = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED, heartbeat_at=job.heartbeat_at)
        if not mine.update(heartbeat_at=now):
            continue  # taken meanwhile, or sent by another sweep
        try:
            _dispatch(current_app.tasks[job.task], job.pk)
        except BROKER_ERRORS:
            logger.exception("Queued job %s could not be sent again; a later sweep tries again", job.pk)
            continue
        logger.warning(
            "Job %s sent again: queued for over %s s and taken by no worker", job.pk, settings.VIGIE_JOB_STALE_SECONDS
        )
        resent.append(job.pk)
    return resent


def _resend(job: Job) -> bool:
    try:
        _dispatch(current_app.tasks[job.task], job.pk)
    except BROKER_ERRORS:
        logger.exception("Job %s could not be queued again; the next sweep tries again", job.pk)
        # Back to running with its old heartbeat: still stale, so the next sweep finds it.
        Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, heartbeat_at=job.heartbeat_at
        )
        return False
    logger.warning("Job %s queued again: its worker stopped (run %s)", job.pk, job.attempts)
    return True


def visible_job(user: User, job_id: int) -> Job | None:
    """A job the user may follow (core.access.visible_jobs: their own), else None: a 404 for anyone else."""
    return access.visible_jobs(user).filter(pk=job_id).first()


def own_jobs(user: User) -> QuerySet[Job]:
    """The jobs a user started, newest first: the only jobs any list shows them."""
    return access.visible_jobs(user)


def delete_expired_results(retention_days: int, now: datetime.datetime | None = None) -> list[int]:
    """Delete the files of jobs finished more than `retention_days` ago; each job stays, marked expired (its
    download then answers 410). Returns the jobs whose file was deleted; each is logged."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=retention_days)
    old = (
        Job.objects.exclude(result="")
        .filter(expired_at__isnull=True)
        .filter(Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff))
    )
    deleted: list[int] = []
    for job in old.iterator():
        name = job.result.name or ""
        if name:
            job.result.storage.delete(name)
        Job.objects.filter(pk=job.pk).update(result="", expired_at=timezone.now())
        logger.info("Deleted the export file of job %s (%s), started by %s", job.pk, name, job.user_id)
        deleted.append(job.pk)
    logger.info("Deleted %s export file(s) older than %s days", len(deleted), retention_days)
    return deleted
