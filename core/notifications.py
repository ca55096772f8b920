"""Telling people: a notification in the app, and an e-mail when e-mail is configured."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from core.models import Notification, User


def _record_url(record: object) -> str:
    from core.records import record_type_of

    try:
        return reverse(record_type_of(record).detail_url_name, args=[record.pk])
    except (KeyError, NoReverseMatch):
        return ""


def notify(recipients: Iterable[User], message: str, record: object | None = None) -> list[Notification]:
    url = _record_url(record) if record is not None else ""
    created = Notification.objects.bulk_create(
        [Notification(recipient=user, message=message[:300], url=url) for user in recipients]
    )
    if settings.EMAIL_HOST:
        from core.tasks import send_notification_email

        for notification in created:
            transaction.on_commit(lambda pk=notification.pk: send_notification_email.delay(pk))
    return created


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
