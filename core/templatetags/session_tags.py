"""What signed-in pages tell static/js/session.js about the idle session: when it ends and when to warn."""

from __future__ import annotations

from django import template

from core.session_views import idle_seconds, warning_seconds

register = template.Library()


@register.simple_tag
def session_idle_seconds() -> int:
    return idle_seconds()


@register.simple_tag
def session_warning_seconds() -> int:
    return warning_seconds()
