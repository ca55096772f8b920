"""Domain errors raised by services; pages and the API translate them (409 for a conflict)."""

from __future__ import annotations

from typing import Any


class ConflictError(Exception):
    """The request cannot be applied to the record as it now is (API.md's 409)."""

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.extra = extra


class QueueUnavailable(Exception):
    """The task queue (Redis) could not be reached to start a background job (API.md's 503). Nothing was left
    behind: the job row is deleted and whatever the request had marked is undone."""
