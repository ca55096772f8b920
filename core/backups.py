"""Backups of Vigie's database with PostgreSQL's own tools: `manage.py backup` (pg_dump, custom format) and
`manage.py restore` (pg_restore). What a backup holds is the database; export files (the results of jobs) are not
in it: they are made again from the database.

The connection is the Django database's (DATABASE_URL): host, port, user and database name are handed to the tools
through libpq's environment variables, the password too (PGPASSWORD), so none of it shows on a command line that
`ps` lists to every user of the machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.core.management import CommandError
from django.db import DatabaseError, connections

# libpq's variable for each OPTIONS key of Django's PostgreSQL settings that the tools need to connect as Django does.
OPTION_VARIABLES = {
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


# A table's entry in `pg_restore --list`: "215; 1259 16390 TABLE public core_user owner" (not "TABLE DATA", its rows).
TABLE_ENTRY = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(?P<schema>\S+) (?P<name>\S+) ", re.MULTILINE)


@dataclass(frozen=True)
class Target:
    """A PostgreSQL database as Django connects to it, said in words for messages and in variables for the tools."""

    alias: str
    name: str
    host: str
    env: dict[str, str]

    def describe(self) -> str:
        return f"database “{self.name}” on {self.host or 'the local socket'}"


def postgres_target(alias: str) -> Target:
    """The database `alias` of DATABASES; a clear error on anything but PostgreSQL (SQLite for `make run`)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        raise CommandError(
            f"Backup and restore wrap PostgreSQL's pg_dump and pg_restore; database “{alias}” is {connection.vendor} "
            "(DATABASE_URL is not a postgres:// address). An SQLite demo database is one file (db.sqlite3): copy it "
            "while Vigie is stopped."
        )
    settings = connection.settings_dict
    variables = {
        "PGHOST": settings.get("HOST") or "",
        "PGPORT": str(settings.get("PORT") or ""),
        "PGUSER": settings.get("USER") or "",
        "PGPASSWORD": str(settings.get("PASSWORD") or ""),
        "PGDATABASE": settings.get("NAME") or "",
    }
    options = settings.get("OPTIONS") or {}
    variables |= {variable: str(options[key]) for key, variable in OPTION_VARIABLES.items() if options.get(key)}
    # Only what is set: an empty PGPORT or PGHOST would override libpq's defaults with nothing.
    env = {**os.environ, **{name: value for name, value in variables.items() if value}}
    return Target(alias=alias, name=variables["PGDATABASE"], host=variables["PGHOST"], env=env)


def tool(name: str) -> str:
    """The path of pg_dump or pg_restore, or a clear error saying which package brings them."""
    path = shutil.which(name)
    if path is None:
        raise CommandError(
            f"{name} was not found on PATH. Install PostgreSQL's client tools, of the server's major version or "
            "newer (Debian/Ubuntu: apt-get install postgresql-client)."
        )
    return path


def run_tool(arguments: list[str], target: Target) -> str:
    """Run a PostgreSQL tool against `target`; its own error text (never a password: it is not on the command line)
    becomes the command's error."""
    completed = subprocess.run(  # noqa: S603 -- a fixed tool with arguments built here, no shell
        arguments, env=target.env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise CommandError(f"{Path(arguments[0]).name} failed: {completed.stderr.strip() or completed.returncode}")
    return completed.stdout


def archive_tables(archive: Path, target: Target) -> set[str]:
    """The tables a custom-format archive holds, read from `pg_restore --list` (which also proves it is
    readable)."""
    if not archive.is_file():
        raise CommandError(f"No backup file at {archive}.")
    listing = run_tool([tool("pg_restore"), "--list", str(archive)], target)
    return {match["name"] for match in TABLE_ENTRY.finditer(listing)}


def database_tables(target: Target) -> set[str]:
    """The tables the target database has now (empty for a database just made with createdb)."""
    try:
        return set(connections[target.alias].introspection.table_names())
    except DatabaseError as error:
        raise CommandError(f"Cannot read {target.describe()}: {error}") from error
