"""What /healthz checks: the database always; Redis and a Celery worker when REDIS_URL is set.

The checks run side by side, each on its own thread, and the answer waits for them HEALTH_TIMEOUT_SECONDS at
most in all: a check still running then is a failure ("timed out"), whatever it is stuck on (a database that
does not answer, a Redis behind a dead route)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection, connections

from core.tasks import ping

TIMED_OUT = "timed out"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> None:
    timeout = settings.VIGIE_HEALTH_TIMEOUT_SECONDS
    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout).ping()


def _worker() -> None:
    result = ping.apply_async(retry=False)
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


class _Check(threading.Thread):
    def __init__(self, name: str, check: Callable[[], None]) -> None:
        super().__init__(name=f"healthz-{name}", daemon=True)  # one stuck for good never holds the process
        self.check = check
        self.outcome = TIMED_OUT

    def run(self) -> None:
        try:
            self.check()
        except Exception as exc:  # noqa: BLE001  any failure is the answer, not a crash
            self.outcome = f"{type(exc).__name__}: {exc}"[:200]
        else:
            self.outcome = "ok"
        finally:
            connections.close_all()  # this thread's own connections


def run_checks() -> dict[str, str]:
    """Each check's outcome within HEALTH_TIMEOUT_SECONDS: "ok", or what went wrong (its exception's class and
    message, or "timed out")."""
    running = [_Check(name, check) for name, check in checks().items()]
    for thread in running:
        thread.start()
    deadline = time.monotonic() + settings.VIGIE_HEALTH_TIMEOUT_SECONDS
    for thread in running:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    return {thread.name.removeprefix("healthz-"): thread.outcome for thread in running}
