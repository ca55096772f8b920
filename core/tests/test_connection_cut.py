"""A database connection cut in the middle of a workflow step (pg_terminate_backend from another connection, as a
restart or a failover would): the record and its history are as they were — never a status without its history
line — the user gets a clear 503 (page or API), and trying again works. And CONN_HEALTH_CHECKS: a kept connection
that died between two requests is replaced before the second request uses it.

Locally: DATABASE_URL=postgres://postgres@127.0.0.1:5432/vigie_x VIGIE_CELERY_WORKER=1 .venv/bin/python -m pytest
-m postgres core/tests/test_connection_cut.py
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import OperationalError, close_old_connections, connection
from django.db.models.signals import post_save
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import Status
from core.models import RecordEvent
from incidents.models import Incident
from incidents.tests.factories import IncidentFactory

# Transactional: the step commits (or not) for real, and the cut connection is the one the request uses.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def terminate(pid: int) -> None:
    """pg_terminate_backend from another connection, then wait until the backend is gone (the signal is async)."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _attempt in range(100):
            if other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone() is None:
                return
            time.sleep(0.05)
    pytest.fail(f"backend {pid} still alive")


def backend_pid() -> int:
    connection.ensure_connection()
    assert connection.connection is not None
    return int(connection.connection.info.backend_pid)


class Cut:
    """Armed, it cuts the connection once, right after the step's UPDATE of the incident and before its history."""

    def __init__(self) -> None:
        self.armed = False
        self.pids: list[int] = []

    def __call__(self, sender: type[Incident], instance: Incident, created: bool, **_kwargs: Any) -> None:
        if self.armed and not created and not self.pids:
            self.pids.append(backend_pid())
            terminate(self.pids[0])


@pytest.fixture
def cut() -> Iterator[Cut]:
    receiver = Cut()
    post_save.connect(receiver, sender=Incident, dispatch_uid="connection-cut")
    yield receiver
    post_save.disconnect(sender=Incident, dispatch_uid="connection-cut")


def submitted_incident(people: Any) -> Incident:
    incident: Incident = IncidentFactory(created_by=people.monitor, status=Status.SUBMITTED)
    return incident


def state(incident: Incident) -> tuple[str, int, list[str]]:
    """The record and its history as the database has them, read on a fresh connection."""
    fresh = Incident.objects.get(pk=incident.pk)
    events = RecordEvent.objects.filter(object_id=incident.pk, content_type__model="incident").order_by("pk")
    return fresh.status, fresh.version, list(events.values_list("action", flat=True))


def after_the_request() -> None:
    # What Django does when every request ends (request_finished); the test client leaves it out.
    close_old_connections()


def test_a_cut_page_step_leaves_record_and_history_as_they_were_answers_503_and_the_retry_works(
    people: Any, client: Client, cut: Cut
) -> None:
    incident = submitted_incident(people)
    before = state(incident)
    client.force_login(people.supervisor)
    url = reverse("incidents:step", args=[incident.pk, "verify"])

    cut.armed = True
    response = client.post(url, {"version": incident.version})
    after_the_request()

    assert cut.pids, "the connection was cut during the step"
    assert response.status_code == 503
    assert response["Retry-After"]
    page = response.content.decode()
    assert "The connection to the database was lost" in page
    assert "Traceback" not in page
    assert "terminating connection" not in page
    assert state(incident) == before

    retry = client.post(url, {"version": incident.version})
    assert retry.status_code == 302
    status, version, history = state(incident)
    assert (status, version) == (Status.VERIFIED, before[1] + 1)
    assert len(history) == len(before[2]) + 1


def test_a_cut_api_step_answers_503_with_a_detail_and_changes_nothing(people: Any, api_as: Any, cut: Cut) -> None:
    incident = submitted_incident(people)
    before = state(incident)
    api: APIClient = api_as(people.supervisor)

    cut.armed = True
    response = api.post(f"/api/v1/incidents/{incident.pk}/verify/", {"version": incident.version}, format="json")
    after_the_request()

    assert cut.pids
    assert response.status_code == 503
    assert "The connection to the database was lost" in response.json()["detail"]
    assert state(incident) == before
    retry = api.post(f"/api/v1/incidents/{incident.pk}/verify/", {"version": incident.version}, format="json")
    assert retry.status_code == 200
    assert state(incident)[0] == Status.VERIFIED


def test_conn_health_checks_replace_a_kept_connection_that_died_between_requests(people: Any) -> None:
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    pid = backend_pid()
    after_the_request()  # the connection is kept (CONN_MAX_AGE) for the next request
    terminate(pid)

    close_old_connections()  # the next request starts (request_started)
    assert Incident.objects.count() == 0
    assert backend_pid() != pid


def test_without_health_checks_the_same_dead_connection_fails_the_request(people: Any) -> None:
    """Why the setting is on: the same sequence, health checks off for this connection, fails the query."""
    pid = backend_pid()
    connection.health_check_enabled = False  # type: ignore[attr-defined]  # set by connect(), not in the stubs
    after_the_request()
    terminate(pid)
    close_old_connections()
    with pytest.raises(OperationalError):
        Incident.objects.count()
    connection.close()
