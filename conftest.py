"""Fixtures shared by every app's tests: the people of SPEC.md, and how Celery runs."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.cache import cache
from rest_framework.test import APIClient

from config.celery import app as celery_app
from core.models import ApiToken, Organisation
from core.reference import load_initial_data
from core.services import find_regions, user_create

PASSWORD = "Correct-horse-2026"  # noqa: S105 -- the test users' password, in a test database only


NEEDS_SERVICES = ("worker", "postgres")


def _has_worker() -> bool:
    # .ci/run starts a real Celery worker on PostgreSQL and Redis, and says so with VIGIE_CELERY_WORKER=1.
    return os.environ.get("VIGIE_CELERY_WORKER") == "1"


def _needs_services(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(mark) is not None for mark in NEEDS_SERVICES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without CI's services, tests marked `worker` or `postgres` are deselected (never skipped), and said so.

    `make test` already deselects them with `-m "not worker and not postgres"`; this covers a bare `pytest`.
    """
    if _has_worker():
        return
    needing = [item for item in items if _needs_services(item)]
    if needing:
        config.hook.pytest_deselected(items=needing)
        items[:] = [item for item in items if item not in needing]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    deselected = [item for item in terminalreporter.stats.get("deselected", []) if _needs_services(item)]
    if deselected and not _has_worker():
        terminalreporter.write_line(
            f"{len(deselected)} deselected: tests marked 'worker' or 'postgres' need PostgreSQL, Redis and a real "
            "Celery worker; CI runs them (bash .ci/run)."
        )


@pytest.fixture(autouse=True)
def celery_mode(request: pytest.FixtureRequest):
    """Tasks run in-process in every test but those marked `worker`, which send them to the real worker."""
    eager = request.node.get_closest_marker("worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_axes_and_cache():
    cache.clear()


@pytest.fixture
def lead(db):

    # A transactional test (browser, worker) empties the tables after it: put the migrations' data back.
    if not Organisation.objects.filter(is_lead=True).exists():
        load_initial_data(apps)
    return Organisation.objects.get(is_lead=True)


@pytest.fixture
def partner(db):
    return Organisation.objects.create(code="AMSS", name="Association Malienne pour la Survie au Sahel")


def make_user(username: str, role: str, regions: list[str], organisation) -> object:
    return user_create(
        username=username,
        role=role,
        password=PASSWORD,
        organisation=organisation,
        regions=find_regions(regions),
        email=f"{username}@example.org",
    )


@pytest.fixture
def people(db, lead, partner) -> SimpleNamespace:
    """The cast every view is tested with (as healthchecks does with alice, bob and charlie).

    monitor and supervisor work in Gao for the lead organisation; outsider supervises Mopti;
    partner_monitor is a Gao monitor of a partner NGO; gbv is Gao's GBV focal point.
    """
    return SimpleNamespace(
        monitor=make_user("monitor", "monitor", ["ML07"], lead),
        supervisor=make_user("supervisor", "supervisor", ["ML07"], lead),
        outsider=make_user("outsider", "supervisor", ["ML05"], lead),
        partner_monitor=make_user("partner_monitor", "monitor", ["ML07"], partner),
        gbv=make_user("gbv", "gbv_focal_point", ["ML07"], lead),
        admin=make_user("admin", "admin", [], lead),
        viewer=make_user("viewer", "viewer", [], lead),
    )


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(api_client):
    """An API client logged in (by token) as the given user."""

    def login(user):
        _token, key = ApiToken.objects.create(user=user, name="tests")
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api_client

    return login
