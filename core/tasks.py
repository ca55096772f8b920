from celery import shared_task
from django.core.mail import send_mail

from core import jobs, tokens
from core.models import Notification
from core.notification_email import email_text


@shared_task(name="core.ping", acks_late=False)
def ping() -> str:
    """Answers at once: /healthz sends it to learn that a worker takes tasks."""
    return "pong"


@shared_task(name="core.send_notification_email")
def send_notification_email(notification_id: int) -> None:
    """E-mail one in-app notification to its recipient (when they have an address)."""

    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None or not notification.recipient.email:
        return
    # Never the message itself (it may quote a review comment): a generic sentence and a link.
    subject, body = email_text(notification)
    send_mail(subject, body, None, [notification.recipient.email])


@shared_task(name="core.delete_expired_tokens")
def delete_expired_tokens() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): remove API tokens past their expiry that nobody has sent since."""
    return tokens.delete_expired_tokens()


@shared_task(name="core.requeue_stale_jobs")
def requeue_stale_jobs() -> dict[str, list[int]]:
    """Every minute (CELERY_BEAT_SCHEDULE): run again the jobs whose worker died, or fail them with the reason."""
    return jobs.requeue_stale_jobs()
