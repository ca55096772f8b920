from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings

from core.jobs import delete_expired_results, run_job_task
from reports.exports import run_export
from reports.publishing import close_month, publish, snapshot


# Job tasks are acknowledged late and run their job once however often they are delivered (core.jobs.run_job_task).
@shared_task(name="reports.close_month", bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def close_month_job(self, job_id: int) -> None:
    """Store the month's figures as published and close the month (begin_closing marked it closing; the job's end
    lets writes in again)."""

    def work(job, progress) -> None:
        month = datetime.date.fromisoformat(job.params["month"])
        with snapshot():  # every scope's figures from the same moment; no write enters the month meanwhile
            published = publish(month, progress)
        close_month(month, by=job.user, published=published, note=job.params.get("note", ""), job=job)

    run_job_task(self, job_id, work)


@shared_task(name="reports.export", bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def export_job(self, job_id: int) -> None:
    """Build an export file (records, PDF report, 5W) and attach it to its job."""

    run_job_task(self, job_id, run_export)


@shared_task(name="reports.delete_old_exports", acks_late=True)
def delete_old_exports() -> list[int]:
    """Beat, hourly: delete the export files older than EXPORT_RETENTION_DAYS (their jobs say "expired")."""
    return delete_expired_results(settings.VIGIE_EXPORT_RETENTION_DAYS)
