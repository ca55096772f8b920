from django.http import HttpRequest

from core import navigation, notifications


def navigation_items(request: HttpRequest) -> dict:
    """The menu entries the user's role may use, with the current one marked."""
    entries = []
    for item in navigation.items_for(request.user):
        url = item.url()
        current = request.path == url or (url != "/" and request.path.startswith(url))
        entries.append({"label": item.label, "url": url, "current": current})
    return {"nav_items": entries, "unread_notifications": _unread_notifications(request)}


def _unread_notifications(request: HttpRequest) -> int:
    """The header's unread count: one query per page, for signed-in users only."""
    if not request.user.is_authenticated:
        return 0
    return notifications.unread_count(request.user)
