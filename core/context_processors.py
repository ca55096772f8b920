from typing import Any

from django.http import HttpRequest

from core import navigation, notifications
from core.second_factor import lacks_second_factor


def navigation_items(request: HttpRequest) -> dict[str, Any]:
    """The menu entries the user's role may use, with the current one marked; none before the second factor its
    role needs is passed (every page would send back to it: core.middleware.SecondFactorMiddleware)."""
    if lacks_second_factor(request.user):
        return {"nav_items": [], "unread_notifications": 0, "second_factor_pending": True}
    items = [(item.label, item.url()) for item in navigation.items_for(request.user)]
    # The longest entry the path starts with is the current one (/incidents/gbv/ is not /incidents/).
    matches = [url for _label, url in items if request.path == url or url != "/" and request.path.startswith(url)]
    current = max(matches, key=len, default=None)
    entries = [{"label": label, "url": url, "current": url == current} for label, url in items]
    return {"nav_items": entries, "unread_notifications": _unread_notifications(request)}


def _unread_notifications(request: HttpRequest) -> int:
    """The header's unread count: one query per page, for signed-in users only."""
    if not request.user.is_authenticated:
        return 0
    return notifications.unread_count(request.user)
