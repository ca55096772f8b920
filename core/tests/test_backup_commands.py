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


class FakeRestore:
    """A PostgreSQL database that has `tables`, and pg_restore answering a backup that holds `backed_up`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, tables: list[str], backed_up: list[str]) -> None:
        self.calls: list[list[str]] = []
        self.listing = "".join(f"{n}; 1259 {n} TABLE public {name} vigie\n" for n, name in enumerate(backed_up, 200))
        introspection = type("Introspection", (), {"table_names": lambda _self: tables})()
        connection = type(
            "Connection",
            (),
            {"vendor": "postgresql", "settings_dict": {"NAME": "vigie"}, "introspection": introspection},
        )()
        monkeypatch.setattr(backups, "connections", {"default": connection})
        monkeypatch.setattr("core.backups.shutil.which", lambda name: f"/usr/bin/{name}")
        monkeypatch.setattr("core.backups.subprocess.run", self.run)

    def run(self, arguments: list[str], **_options: object) -> subprocess.CompletedProcess[str]:
        self.calls.append(arguments)
        return subprocess.CompletedProcess(arguments, 0, stdout=self.listing, stderr="")

    def restored(self) -> bool:
        return any("--list" not in arguments for arguments in self.calls)


@pytest.fixture
def backup_file(tmp_path: Path) -> Path:
    path = tmp_path / "vigie.dump"
    path.write_bytes(b"PGDMP")
    return path


@pytest.fixture
def in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """stdin is a terminal; what is typed at the prompt is appended to the returned list by the test."""
    answers: list[str] = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: answers.pop(0))
    return answers


def test_restore_refuses_a_database_with_tables_without_force(
    monkeypatch: pytest.MonkeyPatch, backup_file: Path
) -> None:
    fake = FakeRestore(monkeypatch, tables=["core_user"], backed_up=["core_user"])
    with pytest.raises(CommandError, match="not empty.*--force"):
        call_command("restore", str(backup_file), interactive=False)
    assert not fake.restored()


def test_restore_refuses_even_forced_a_database_with_tables_the_backup_lacks(
    monkeypatch: pytest.MonkeyPatch, backup_file: Path
) -> None:
    fake = FakeRestore(monkeypatch, tables=["core_user", "core_newer"], backed_up=["core_user"])
    with pytest.raises(CommandError, match="tables the backup does not.*core_newer"):
        call_command("restore", str(backup_file), interactive=False, force=True)
    assert not fake.restored()


def test_in_a_terminal_restore_goes_on_only_after_yes(
    monkeypatch: pytest.MonkeyPatch, backup_file: Path, in_a_terminal: list[str]
) -> None:
    fake = FakeRestore(monkeypatch, tables=["core_user"], backed_up=["core_user"])
    in_a_terminal.append("no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(backup_file), force=True)
    assert not fake.restored()

    in_a_terminal.append("yes")
    call_command("restore", str(backup_file), force=True, stdout=StringIO())
    restore = fake.calls[-1]
    assert restore[0] == "/usr/bin/pg_restore"
    assert {"--single-transaction", "--exit-on-error", "--clean", "--if-exists"} <= set(restore)
    assert restore[-2:] == ["--dbname=vigie", str(backup_file)]


def test_an_empty_database_is_restored_without_clean(monkeypatch: pytest.MonkeyPatch, backup_file: Path) -> None:
    fake = FakeRestore(monkeypatch, tables=[], backed_up=["core_user"])
    call_command("restore", str(backup_file), interactive=False, stdout=StringIO())
    assert fake.restored()
    assert "--clean" not in fake.calls[-1]


def test_backup_never_overwrites_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = FakeRestore(monkeypatch, tables=[], backed_up=[])
    existing = tmp_path / "vigie.dump"
    existing.write_text("an older backup")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(existing))
    assert existing.read_text() == "an older backup"
    assert fake.calls == []
