"""Telling people: a notification in the app, and an e-mail when e-mail is configured.

An e-mail never carries the notification's text: a review comment may name a survivor or a victim, and mail leaves
Vigie's protection (forwarded, kept in inboxes, read on shared phones). It says that there is something to read and
links to the notifications page, behind the login. A survivor's withdrawal of consent rewrites the in-app text too.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from core.models import Notification, User
from core.records import ReviewedRecord, record_type_of
from core.tasks import send_notification_email


def _record_url(record: ReviewedRecord) -> str:
    try:
        return reverse(record_type_of(record).detail_url_name, args=[record.pk])
    except (KeyError, NoReverseMatch):
        return ""


def notify(recipients: Iterable[User], message: str, record: ReviewedRecord | None = None) -> list[Notification]:
    url = _record_url(record) if record is not None else ""
    created = Notification.objects.bulk_create(
        [Notification(recipient=user, message=message[:300], url=url) for user in recipients]
    )
    if settings.EMAIL_HOST:
        for notification in created:
            transaction.on_commit(partial(send_notification_email.delay, notification.pk))
    return created


def clear_record_notifications(record: ReviewedRecord, message: str) -> int:
    """Replace the text of every notification about `record` by `message` (free text cleared at a survivor's
    request, or after the retention period): the notification stays, so its reader knows something happened."""
    url = _record_url(record)
    if not url:
        return 0
    return Notification.objects.filter(url=url).exclude(message=message[:300]).update(message=message[:300])


def site_url(path: str) -> str:
    """`path` as a full address for an e-mail: on the first trusted origin, else the first allowed host."""
    origins = [origin for origin in settings.CSRF_TRUSTED_ORIGINS if "*" not in origin]
    if origins:
        return origins[0].rstrip("/") + path
    hosts = [host for host in settings.ALLOWED_HOSTS if host and "*" not in host and not host.startswith(".")]
    return f"https://{hosts[0]}{path}" if hosts else path


def email_text(notification: Notification) -> tuple[str, str]:
    """The subject and body of a notification's e-mail: a generic sentence and a link, never the message."""
    subject = _("Vigie: you have a new notification")
    body = "\n\n".join(
        [
            _("You have a new notification in Vigie. Sign in to read it:"),
            site_url(reverse("notifications")),
            _("For everyone's safety, notifications are not copied into e-mails."),
        ]
    )
    return subject, body


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
