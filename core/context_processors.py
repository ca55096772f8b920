from django.http import HttpRequest

from core import navigation


def navigation_items(request: HttpRequest) -> dict:
    """The menu entries the user's role may use, with the current one marked."""
    entries = []
    for item in navigation.items_for(request.user):
        url = item.url()
        current = request.path == url or (url != "/" and request.path.startswith(url))
        entries.append({"label": item.label, "url": url, "current": current})
    return {"nav_items": entries}
