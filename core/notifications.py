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


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
