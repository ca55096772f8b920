"""Background jobs: created by a request, run by a Celery task, followed by the user (API.md's jobs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.models import Job, User


def start_job(*, kind: str, user: User, params: dict[str, Any], task: Any) -> Job:
    """Record the job and queue its task once the transaction commits (the worker must see the row)."""
    job = Job.objects.create(kind=kind, user=user, params=params)
    transaction.on_commit(lambda: task.delay(job.pk))
    return job


def run_job(job_id: int, work: Callable[[Job, Callable[[int, int], None]], dict[str, Any] | None]) -> None:
    """Run `work` for a queued job, recording progress and the outcome; a job already finished is left alone
    (a task delivered twice does its work once)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status in (Job.Status.DONE, Job.Status.FAILED):
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, progress=0)

    def progress(done: int, total: int) -> None:
        Job.objects.filter(pk=job.pk).update(progress=min(99, int(100 * done / max(total, 1))))

    try:
        work(job, progress)
    except Exception as error:  # noqa: BLE001  the job records any failure for the person waiting on it
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, errors=[f"{type(error).__name__}: {error}"], finished_at=timezone.now()
        )
        raise
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, progress=100, finished_at=timezone.now())


def visible_job(user: User, job_id: int) -> Job | None:
    """The user who started a job and admins follow it; for anyone else it does not exist."""
    from core.access import is_admin

    job = Job.objects.filter(pk=job_id).first()
    if job is None or (job.user_id != user.pk and not is_admin(user)):
        return None
    return job
