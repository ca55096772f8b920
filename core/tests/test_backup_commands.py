"""What `manage.py backup` and `restore` say when they cannot work: on SQLite, and without PostgreSQL's tools.
(Backing up and restoring for real: core/tests/test_backup_restore.py, on PostgreSQL.)"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from core import backups

SQLITE = "sqlite_demo"


@pytest.fixture
def sqlite_alias(tmp_path: Path) -> Iterator[str]:
    """An SQLite database, as `make run` has, whatever database the suite itself runs on."""
    connections.settings[SQLITE] = {
        **connections["default"].settings_dict,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "demo.sqlite3"),
    }
    yield SQLITE
    connections[SQLITE].close()
    del connections[SQLITE]
    del connections.settings[SQLITE]


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_on_sqlite_the_commands_say_it_is_not_postgresql_and_fail(
    command: str, sqlite_alias: str, tmp_path: Path
) -> None:
    arguments = [str(tmp_path / "vigie.dump")]
    with pytest.raises(CommandError, match="wrap PostgreSQL's pg_dump and pg_restore.*sqlite.*db.sqlite3"):
        call_command(command, *arguments, database=sqlite_alias)
    assert not (tmp_path / "vigie.dump").exists()


def test_without_postgresql_client_tools_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("core.backups.shutil.which", lambda name: None)
    with pytest.raises(CommandError, match="pg_dump was not found.*postgresql-client"):
        backups.tool("pg_dump")


def test_the_password_goes_to_the_tools_in_their_environment_never_on_their_command_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`ps` shows every user of the machine the command lines; PGPASSWORD is in the tools' environment only."""

    class PostgresConnection:
        vendor = "postgresql"
        settings_dict = {
            "HOST": "db",
            "PORT": 5433,
            "USER": "vigie",
            "PASSWORD": "s3cret-pw",
            "NAME": "vigie",
            "OPTIONS": {"sslmode": "require"},
        }

    calls: list[tuple[list[str], dict[str, str]]] = []

    def run(arguments: list[str], *, env: dict[str, str], **_options: object) -> subprocess.CompletedProcess[str]:
        calls.append((arguments, env))
        return subprocess.CompletedProcess(arguments, 0, stdout="", stderr="")

    monkeypatch.setattr(backups, "connections", {"default": PostgresConnection()})
    monkeypatch.setattr("core.backups.shutil.which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr("core.backups.subprocess.run", run)
    call_command("backup", str(tmp_path / "vigie.dump"), stdout=StringIO())

    assert [Path(arguments[0]).name for arguments, _env in calls] == ["pg_dump", "pg_restore"]
    for arguments, env in calls:
        assert not any("s3cret-pw" in argument for argument in arguments)
        assert env["PGPASSWORD"] == "s3cret-pw"
        assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == ("db", "5433", "vigie", "vigie")
        assert env["PGSSLMODE"] == "require"
    assert "--format=custom" in calls[0][0]
