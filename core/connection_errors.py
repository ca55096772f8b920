"""A database connection lost in the middle of a request: a clear 503, never Django's bare 500.

Every write of Vigie is one transaction (the workflow's steps, create_from_fields, update_from_fields, …): when the
connection dies inside it (database restarted, failover, pg_terminate_backend), PostgreSQL rolls it back, so the
record and its history are either both written or both as they were. What is left is to say so to the user, who
can try again: the next request opens a new connection (CONN_HEALTH_CHECKS checks a kept one before using it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again: a restarted database or a failover is back in a few.
RETRY_AFTER_SECONDS = 5


def lost_connection_message() -> str:
    return _(
        "The connection to the database was lost before your request was answered. A change is saved whole or not "
        "at all: open the record again to see whether it was saved, then try again."
    )


class DatabaseUnavailableMiddleware:
    """OperationalError and InterfaceError (connection terminated, server gone, SQLite busy) from a view → 503 with
    Retry-After: a page for pages, API.md's {"detail"} for the API (DRF's handler leaves them to Django)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable during %s %s", request.method, request.path, exc_info=exception)
        message = lost_connection_message()
        response: HttpResponseBase
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            # Rendered without the request: its context processors (navigation, the user) would ask the database.
            response = HttpResponse(render_to_string("database_unavailable.html", {"message": message}), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
