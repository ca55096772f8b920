"""Background jobs: created by a request, run by a Celery task, followed by the user (API.md's jobs)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.models import Job, User

logger = logging.getLogger(__name__)


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
    except Exception as error:  # any failure: the job records it for the person waiting on it, then re-raises
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, errors=[f"{type(error).__name__}: {error}"], finished_at=timezone.now()
        )
        raise
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, progress=100, finished_at=timezone.now())


def visible_job(user: User, job_id: int) -> Job | None:
    """A job, and its file, belong to the user who started it: for anyone else (admins and superusers
    included) it does not exist."""
    if not user.is_authenticated or not user.is_active:
        return None
    return Job.objects.filter(pk=job_id, user=user).first()


def own_jobs(user: User) -> QuerySet[Job]:
    """The jobs a user started, newest first: the only jobs any list shows them."""
    if not user.is_authenticated or not user.is_active:
        return Job.objects.none()
    return Job.objects.filter(user=user)


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
