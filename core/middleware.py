"""Middleware of Vigie's own."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


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
