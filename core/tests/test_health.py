import os
import time
from types import SimpleNamespace

import pytest
from django.db import OperationalError
from django.test import Client
from pytest_django import Settings

from core import health
from core.tasks import ping


def test_healthz_is_200_when_the_database_answers(db: None, client: Client, settings: Settings) -> None:
    settings.REDIS_URL = ""  # CI sets one; without it only the database is checked
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok"}


def test_healthz_is_503_naming_the_database_when_it_fails(
    db: None, client: Client, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    settings.REDIS_URL = ""

    def broken() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "_database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
    # Anonymous callers read ok or failed: never the error's text (it can name hosts, ports and users).
    assert response.json()["checks"] == {"database": "failed"}
    assert "connection refused" not in response.content.decode()


@pytest.mark.parametrize("role", ["monitor", "supervisor", "gbv", "viewer"])
def test_healthz_hides_error_text_from_every_role_but_admins(
    people: SimpleNamespace, client: Client, monkeypatch: pytest.MonkeyPatch, settings: Settings, role: str
) -> None:
    settings.REDIS_URL = ""

    def broken() -> None:
        raise OperationalError("connection refused by db.internal:5432")

    monkeypatch.setattr(health, "_database", broken)
    client.force_login(getattr(people, role))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "failed"}
    client.force_login(people.admin)
    assert "db.internal" in client.get("/healthz").json()["checks"]["database"]


def test_healthz_answers_within_its_timeout_when_a_check_hangs(
    db: None, client: Client, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    settings.REDIS_URL = ""
    settings.VIGIE_HEALTH_TIMEOUT_SECONDS = 0.5
    monkeypatch.setattr(health, "_database", lambda: time.sleep(5))  # a database that never answers
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]


def test_healthz_checks_redis_and_worker_when_configured(db: None, client: Client, settings: Settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.VIGIE_HEALTH_TIMEOUT_SECONDS = 0.5
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert "redis" in response.json()["failed"]


@pytest.mark.worker
def test_healthz_is_200_with_redis_and_a_real_worker(db: None, client: Client, settings: Settings) -> None:
    settings.REDIS_URL = os.environ["REDIS_URL"]
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "worker": "ok"}


@pytest.mark.worker
def test_healthz_is_503_naming_the_worker_when_no_worker_takes_the_ping(
    db: None, client: Client, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:

    settings.REDIS_URL = os.environ["REDIS_URL"]
    settings.VIGIE_HEALTH_TIMEOUT_SECONDS = 1
    # A queue no worker listens to stands for a worker that is down.
    send = ping.apply_async
    monkeypatch.setattr(ping, "apply_async", lambda *args, **kwargs: send(*args, queue="nobody-listens-here", **kwargs))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["worker"]
