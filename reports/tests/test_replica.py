"""A read replica (DATABASE_REPLICA_URL, issue 14): exports and tallies read it; writes stay on the primary.

The test settings declare a "replica" alias that mirrors the test database; these tests send the reads to it
(VIGIE_READING_DATABASE) and commit their data (transaction=True), since a mirror is another connection."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from core.db import reading_alias, reading_replica
from incidents.models import Incident
from reports import tallies
from reports.exports import five_w_rows, record_rows
from reports.tests.exporting import export

RECORD_TABLES = ("incidents_incident", "incidents_violation", "alerts_flashalert", "activities_")
both_databases = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def on_the_replica(settings: Settings, tmp_path: Path) -> None:
    settings.VIGIE_READING_DATABASE = "replica"
    settings.MEDIA_ROOT = tmp_path


def _record_reads(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if any(t in query["sql"] for t in RECORD_TABLES)]


def test_reads_go_to_the_primary_without_a_replica(settings: Settings) -> None:
    assert reading_alias() == "default"
    settings.VIGIE_READING_DATABASE = "replica"
    assert reading_alias() == "replica"


@pytest.mark.parametrize(("replica_url", "aliases"), [("", ["default"]), ("postgres://u@replica:5432/vigie", None)])
def test_the_replica_alias_comes_from_database_replica_url(replica_url: str, aliases: list[str] | None) -> None:
    environment = {**os.environ, "DATABASE_REPLICA_URL": replica_url, "SECRET_KEY": "x" * 50, "DEBUG": ""}
    code = "import json, config.settings as s; print(json.dumps([sorted(s.DATABASES), s.VIGIE_READING_DATABASE, "
    code += "s.DATABASES.get('replica', {}).get('HOST')]))"
    command = [sys.executable, "-c", code]
    answer = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)  # noqa: S603
    names, reading, host = json.loads(answer.stdout)
    if replica_url:
        assert (names, reading, host) == (["default", "replica"], "replica", "replica")
    else:
        assert (names, reading, host) == (aliases, "default", None)


@both_databases
def test_the_records_export_reads_the_replica(people, data, on_the_replica) -> None:
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        rows = list(record_rows(people.admin, "incidents", "2021-12-01"))
        five_w = list(five_w_rows(people.admin, None))
    assert len(rows) == 11  # the header and December's 10 violations
    assert five_w
    assert _record_reads(replica)
    assert _record_reads(primary) == []


@both_databases
def test_an_export_job_reads_the_replica_and_writes_the_primary(
    people, data, on_the_replica, api_as, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        job = export(api_as, people.admin, django_capture_on_commit_callbacks, kind="records", format="xlsx")
    assert job.result  # the job and its file are the primary's
    assert any("incidents_violation" in sql for sql in _record_reads(replica))
    assert _record_reads(primary) == []  # the Excel sheet's row count too


@both_databases
def test_tallies_read_the_replica(people, data, on_the_replica) -> None:
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        rows = tallies.tallies(user=people.admin, start=datetime.date(2021, 11, 1), end=datetime.date(2022, 1, 1))
    assert any(row["indicator"] == "violations" for row in rows)
    read = " ".join(query["sql"] for query in replica.captured_queries)
    assert all(table in read for table in ("incidents_incident", "incidents_violation", "incidents_gbvreferral"))
    assert _record_reads(primary) == []
    assert not any("incidents_gbvreferral" in query["sql"] for query in primary.captured_queries)


@both_databases
def test_reads_inside_reading_replica_go_to_the_replica_and_writes_do_not(people, data, on_the_replica) -> None:
    """For the figures of open months (reports.publishing's call of monthly_figures): their querysets name no alias."""
    incident = Incident.objects.earliest("pk")
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        with reading_replica():
            count = Incident.objects.count()
            Incident.objects.filter(pk=incident.pk).update(locality="Ansongo")
        Incident.objects.filter(pk=incident.pk).exists()
    assert count == Incident.objects.count()
    assert [query["sql"] for query in replica.captured_queries if "COUNT" in query["sql"]]
    assert not [query["sql"] for query in replica.captured_queries if "UPDATE" in query["sql"]]
    assert [query["sql"] for query in primary.captured_queries if "UPDATE" in query["sql"]]
    assert not [query["sql"] for query in primary.captured_queries if "COUNT" in query["sql"]]
    assert len([query for query in primary.captured_queries if "SELECT" in query["sql"]]) == 1  # the last read


@both_databases
def test_the_figures_of_an_open_month_read_the_replica(people, data, on_the_replica, api_as) -> None:
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        response = api_as(people.admin).get("/api/v1/reports/monthly/", {"month": "2021-12"})
    assert response.status_code == 200
    assert response.json()["incidents"]["count"] == 4
    read = " ".join(query["sql"] for query in replica.captured_queries)
    assert "reports_violationtypecell" in read  # the violations, from the monthly aggregates
    assert "incidents_gbvreferral" in read
    assert _record_reads(primary) == []
    assert not any("cell" in query["sql"] for query in primary.captured_queries)
