"""The e-mail sent for an in-app notification (core.tasks sends it; core.notifications queues it).

It never carries the notification's text: a review comment may name a survivor or a victim, and mail leaves
Vigie's protection. It says that there is something to read and links to the notifications page, behind the login.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import Notification


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
