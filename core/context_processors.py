from django.http import HttpRequest

from core import navigation, notifications


def navigation_items(request: HttpRequest) -> dict:
    """The menu entries the user's role may use, with the current one marked."""
    entries = [{"label": item.label, "url": item.url()} for item in navigation.items_for(request.user)]
    # The longest entry the path starts with is the current one (/incidents/gbv/ is not /incidents/).
    matches = [
        entry["url"]
        for entry in entries
        if request.path == entry["url"] or entry["url"] != "/" and request.path.startswith(entry["url"])
    ]
    current = max(matches, key=len, default=None)
    for entry in entries:
        entry["current"] = entry["url"] == current
    return {"nav_items": entries, "unread_notifications": _unread_notifications(request)}


def _unread_notifications(request: HttpRequest) -> int:
    """The header's unread count: one query per page, for signed-in users only."""
    if not request.user.is_authenticated:
        return 0
    return notifications.unread_count(request.user)
