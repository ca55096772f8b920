"""`manage.py backup` and `manage.py restore` on PostgreSQL: a backup restored into an empty database holds every
record, its history and the published figures of a closed month — every row of every table, compared one by one.

Locally: DATABASE_URL=postgres://postgres@127.0.0.1:5432/vigie_x VIGIE_CELERY_WORKER=1 .venv/bin/python -m pytest
-m postgres core/tests/test_backup_restore.py (the restore target is the test database's name + "_restored").
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connections
from psycopg import sql

from activities.tests.factories import AssistanceFactory, SessionFactory
from beneficiaries.tests.factories import HouseholdFactory, MovementFactory
from core import workflow
from core.choices import Status
from core.models import ClosedMonth, Organisation, RecordEvent
from incidents.models import Incident
from incidents.tests.factories import GbvReferralFactory, IncidentFactory
from reports.publishing import close_month, publish

# Transactional: pg_dump reads the database from its own connection, so the records must be committed.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RESTORED = "restored"
NOVEMBER = datetime.date(2021, 11, 1)


def server_connection(**settings: Any) -> psycopg.Connection[Any]:
    """A connection to the server's maintenance database, to create and drop databases (not inside a transaction)."""
    source = connections["default"].settings_dict
    return psycopg.connect(
        host=source["HOST"] or None,
        port=source["PORT"] or None,
        user=source["USER"] or None,
        password=source["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
        **settings,
    )


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A new, empty database on the same server, reachable as the Django alias `restored`."""
    source = connections["default"].settings_dict
    name = f"{source['NAME']}_restored"
    with server_connection() as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connections.settings[RESTORED] = {**source, "NAME": name}
    # Opened here, by hand: Django's test isolation lets ensure_connection() open only the aliases a test declared
    # when it began, and this one did not exist yet. (The commands and the ORM then use the open connection.)
    connections[RESTORED].connect()
    yield name
    connections[RESTORED].close()
    del connections[RESTORED]
    del connections.settings[RESTORED]
    with server_connection() as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def records(people: Any) -> list[Incident]:
    """A month of records of every kind, with their history, and November closed so that figures are published."""
    incidents = [
        IncidentFactory(created_by=people.monitor, reported_on=NOVEMBER + datetime.timedelta(days=day))
        for day in (2, 9, 20)
    ]
    for incident in incidents:
        workflow.take_step(incident, "submit", by=people.monitor)
    workflow.take_step(incidents[0], "verify", by=people.supervisor)
    workflow.take_step(incidents[1], "return", by=people.supervisor, text="Which village?")
    workflow.add_comment(incidents[2], by=people.supervisor, text="Seen; checking with the team.")
    GbvReferralFactory(created_by=people.gbv)
    HouseholdFactory(created_by=people.monitor)
    MovementFactory(created_by=people.monitor)
    AssistanceFactory(created_by=people.monitor)
    SessionFactory(created_by=people.monitor, status=Status.SUBMITTED)
    close_month(NOVEMBER, by=people.admin, published=publish(NOVEMBER))
    return incidents


def every_row(alias: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table Django knows (many-to-many tables included), in primary-key order."""
    return {
        model._meta.db_table: list(model._base_manager.using(alias).order_by("pk").values_list())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def history(alias: str, record: Incident) -> list[tuple[str, str, str]]:
    events = RecordEvent.objects.using(alias).filter(object_id=record.pk, content_type__model="incident")
    return list(events.order_by("pk").values_list("action", "to_status", "comment"))


def test_a_backup_restored_into_an_empty_database_has_every_record_its_history_and_the_published_figures(
    records: list[Incident], empty_database: str, tmp_path: Path
) -> None:
    backup = tmp_path / "vigie.dump"
    call_command("backup", str(backup), stdout=None)
    assert backup.stat().st_mode & 0o077 == 0, "a backup holds GBV data: its owner alone may read it"

    call_command("restore", str(backup), database=RESTORED, interactive=False)

    original, restored = every_row("default"), every_row(RESTORED)
    assert restored == original
    assert len(restored[Incident._meta.db_table]) == len(records)
    for incident in records:
        assert history(RESTORED, incident) == history("default", incident)
        assert len(history(RESTORED, incident)) >= 2
    november = ClosedMonth.objects.using(RESTORED).get(month=NOVEMBER)
    assert november.is_closed
    assert november.published == ClosedMonth.objects.get(month=NOVEMBER).published
    assert november.published, "November's figures were published before the backup"
    # The restored database is at this code's migrations, and its sequences go on from where they were.
    call_command("migrate", database=RESTORED, check=True, verbosity=0)
    highest = max(pk for pk, *_rest in original[Organisation._meta.db_table])
    assert Organisation.objects.using(RESTORED).create(code="NEW", name="New").pk > highest


def test_restore_refuses_a_database_that_has_tables_and_force_puts_the_backup_back(
    records: list[Incident], empty_database: str, tmp_path: Path
) -> None:
    backup = tmp_path / "vigie.dump"
    call_command("backup", str(backup))
    call_command("restore", str(backup), database=RESTORED, interactive=False)
    Incident.objects.using(RESTORED).filter(pk=records[0].pk).update(narrative="Changed after the backup.")

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(backup), database=RESTORED, interactive=False)
    assert Incident.objects.using(RESTORED).get(pk=records[0].pk).narrative == "Changed after the backup."

    call_command("restore", str(backup), database=RESTORED, interactive=False, force=True)
    assert every_row(RESTORED) == every_row("default")
