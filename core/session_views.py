"""An idle session ends after SESSION_IDLE_MINUTES; signed-in pages warn a little before (static/js/session.js).
"Stay signed in" renews the session here, and a page whose session ran out comes to `session_ended` for the
login page and a message."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

# The warning shows this long before the end, at most: half the idle time when that is shorter (a short setting).
WARNING_SECONDS = 120


def idle_seconds() -> int:
    return int(settings.SESSION_COOKIE_AGE)


def warning_seconds() -> int:
    return min(WARNING_SECONDS, idle_seconds() // 2)


@never_cache
@require_POST
def keepalive(request: HttpRequest) -> HttpResponse:
    """`POST` (with CSRF) renews a signed-in session: saving it (SESSION_SAVE_EVERY_REQUEST) restarts its idle
    time. Answers when it now ends; 401 once it has ended (a script's fetch, not a page: no redirect)."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("Your session has ended. Sign in again.")}, status=401)
    request.session.modified = True
    seconds = idle_seconds()
    ends = timezone.now() + timedelta(seconds=seconds)
    return JsonResponse({"expires_in": seconds, "expires_at": ends.isoformat()})


@never_cache
@require_GET
def session_ended(request: HttpRequest) -> HttpResponse:
    """Where a page goes when its idle time is up: the login page, saying why, then back to the page. A session
    still alive (renewed in another tab) goes straight back to the page."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = resolve_url(settings.LOGIN_REDIRECT_URL)
    if request.user.is_authenticated:
        return HttpResponseRedirect(target)
    minutes = max(1, idle_seconds() // 60)
    message = ngettext(
        "You were signed out after %(minutes)s minute without activity. Sign in again to continue.",
        "You were signed out after %(minutes)s minutes without activity. Sign in again to continue.",
        minutes,
    )
    messages.info(request, message % {"minutes": minutes})
    return redirect_to_login(target)
