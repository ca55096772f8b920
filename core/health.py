"""What /healthz checks: the database always; Redis and a Celery worker when REDIS_URL is set."""

from __future__ import annotations

from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection

from core.tasks import ping


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> None:
    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=settings.VIGIE_HEALTH_TIMEOUT_SECONDS).ping()


def _worker() -> None:
    result = ping.delay()
    try:
        if result.get(timeout=settings.VIGIE_HEALTH_TIMEOUT_SECONDS) != "pong":
            raise RuntimeError("unexpected answer")
    finally:
        result.forget()


def checks() -> dict[str, Callable[[], None]]:
    found: dict[str, Callable[[], None]] = {"database": _database}
    if settings.REDIS_URL:
        found["redis"] = _redis
        found["worker"] = _worker
    return found


def run_checks() -> dict[str, str]:
    """Each check's outcome: "ok", or what went wrong (its exception's class and message)."""
    outcomes: dict[str, str] = {}
    for name, check in checks().items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001  any failure is the answer, not a crash
            outcomes[name] = f"{type(exc).__name__}: {exc}"[:200]
        else:
            outcomes[name] = "ok"
    return outcomes
