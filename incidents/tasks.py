from celery import shared_task


@shared_task(name="incidents.notify_overdue_follow_ups", acks_late=True)
def notify_overdue_follow_ups() -> int:
    """Daily (Celery beat): tell the region's GBV focal points about services whose follow-up date has passed."""
    from incidents.services import gbv_notify_overdue_follow_ups

    return gbv_notify_overdue_follow_ups()
