from celery import shared_task

from incidents.services import gbv_clear_closed_cases, gbv_notify_overdue_follow_ups


@shared_task(name="incidents.notify_overdue_follow_ups", acks_late=True)
def notify_overdue_follow_ups() -> int:
    """Daily (Celery beat): tell the region's GBV focal points about services whose follow-up date has passed."""

    return gbv_notify_overdue_follow_ups()


@shared_task(name="incidents.clear_closed_case_text", acks_late=True)
def clear_closed_case_text() -> int:
    """Daily (Celery beat): clear the free text of GBV cases closed more than VIGIE_GBV_RETENTION_DAYS ago."""
    return gbv_clear_closed_cases()
