"""Middleware of Vigie's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from core.access import NotInScope, RoleRefused
from core.errors import ConflictError, QueueUnavailable
from core.models import User
from core.second_factor import has_device, lacks_second_factor


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every answer to a signed-in user, page or API (API.md: answers that hold
    records or figures are never kept by a browser or a proxy). Signed in by session or, for the API, by token:
    DRF sets the request's user once it has authenticated it. Static files are served before this runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        # An `Authorization` header outside /api/ too: an export's result_url downloads by token (API.md, Jobs).
        if (
            (user is not None and user.is_authenticated)
            or request.path.startswith("/api/")
            or "HTTP_AUTHORIZATION" in request.META
        ):
            add_never_cache_headers(response)
        return response


# The pages a session without its second factor may still open: signing in and out, the second factor's own pages,
# the language switch, the health check, the password-reset pages (whose link the user may be holding), and the
# idle-session warning's keep-alive and end (they read no data; the verification page shows that warning too).
OPEN_WITHOUT_SECOND_FACTOR = frozenset(
    {
        "login",
        "logout",
        "session-keepalive",
        "session-ended",
        "second-factor",
        "second-factor-verify",
        "set_language",
        "healthz",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
)


class SecondFactorMiddleware:
    """A signed-in session that has not passed the second factor its role needs (OTP_REQUIRED_ROLES) is sent to
    verification, or to enrolment when the user has no authenticator yet, from every page, Django's admin included.

    The API is left to core.api.authentication, which answers 403 (a redirect means nothing to a script). Runs
    after django-otp's middleware, which tells whether this session passed its second factor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        user = getattr(request, "user", None)
        if not isinstance(user, User) or not lacks_second_factor(user):
            return None
        match = request.resolver_match
        view_name = match.view_name if match is not None else ""
        # The API answers for itself (403, core.api.authentication); its documentation is a page like the others.
        if request.path_info.startswith("/api/") and view_name != "api-docs":
            return None
        if view_name in OPEN_WITHOUT_SECOND_FACTOR:
            return None
        where = reverse("second-factor-verify" if has_device(user) else "second-factor")
        # Back to the page asked for once verified; a form posted without the second factor is not replayed.
        if request.method == "GET":
            where = f"{where}?{urlencode({'next': request.get_full_path()})}"
        return HttpResponseRedirect(where)


class DomainErrorMiddleware:
    """On pages, the domain errors that services and the workflow raise become the pages' answers, as
    core.api.errors does for the API: NotInScope → 404, RoleRefused → 403, a conflict (ConflictError: the workflow's
    refusals, a stale version, a closed month) → 409 with its message; the task queue out of reach (QueueUnavailable)
    → 503 with its message.

    A view catches one of them itself only to answer differently: a conflict shown on the record's own page or form
    (with what changed meanwhile), a refusal said in a message. The API is DRF's: its views answer their own
    exceptions (core.api.errors), and whatever else reaches here from /api/ is left as it is."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        if isinstance(exception, NotInScope):
            # Django's 404 page, as for a page that does not exist: it never says the record exists, nor why.
            raise Http404 from exception
        if isinstance(exception, RoleRefused):
            raise PermissionDenied from exception
        if isinstance(exception, ConflictError):
            # The message is written for the user (the API shows it too); nothing else of the error is.
            return render(request, "409.html", {"message": str(exception)}, status=409)
        if isinstance(exception, QueueUnavailable):
            return render(request, "503.html", {"message": str(exception)}, status=503)
        return None
