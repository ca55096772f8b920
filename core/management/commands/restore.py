"""`manage.py restore FILE`: a backup made by `manage.py backup` (pg_dump's custom format) into the database."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from core.backups import Target, archive_tables, database_tables, postgres_target, run_tool, tool

# How many of the tables that stop a restore its message names.
NAMED_TABLES = 5


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into Vigie's PostgreSQL database (DATABASE_URL). The database "
        "should be empty (createdb); one that has tables is refused unless --force, which replaces what the backup "
        "holds, in one transaction. Run `manage.py migrate` afterwards. Export files (the results of jobs) are not "
        "in a backup: users start their exports again."
    )
    # A backup or a restore is what one runs when something is wrong: it must not wait for the system checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A backup file made by `manage.py backup`.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: the one).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore into a database that has tables: the backup's tables replace them.",
        )
        parser.add_argument(
            "--no-input", "--noinput", dest="interactive", action="store_false", help="Do not ask for confirmation."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = postgres_target(options["database"])
        archive = Path(options["file"])
        pg_restore = tool("pg_restore")
        backed_up = archive_tables(archive, target)
        present = database_tables(target)
        if present and not options["force"]:
            raise CommandError(
                f"{target.describe()} is not empty ({len(present)} tables). Restore into an empty database "
                "(createdb), or give --force to replace its contents with the backup's."
            )
        if extra := sorted(present - backed_up):
            # pg_restore --clean drops only what the archive holds: tables of a newer Vigie would stay, beside an
            # older django_migrations that `migrate` would then contradict.
            named = ", ".join(extra[:NAMED_TABLES]) + (", …" if len(extra) > NAMED_TABLES else "")
            raise CommandError(
                f"{target.describe()} has tables the backup does not ({named}): restore into an empty database "
                "(dropdb, createdb)."
            )
        if options["interactive"] and sys.stdin.isatty():
            self._confirm(archive, target, replacing=bool(present))
        arguments = [pg_restore, "--no-password", "--exit-on-error", "--single-transaction"]
        # Objects belong to the user restoring, and grants are left out: the roles of the old server may not exist.
        arguments += ["--no-owner", "--no-privileges"]
        if present:
            arguments += ["--clean", "--if-exists"]
        run_tool([*arguments, f"--dbname={target.name}", str(archive)], target)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {archive} into {target.describe()} ({len(backed_up)} tables). Now run "
                "`manage.py migrate`; export files are not in backups: exports are started again."
            )
        )

    def _confirm(self, archive: Path, target: Target, *, replacing: bool) -> None:
        what = "replacing everything it holds" if replacing else "which is empty"
        answer = input(f"Restore {archive} into {target.describe()}, {what}? Type 'yes' to go on: ")
        if answer.strip().lower() != "yes":
            raise CommandError("Restore cancelled: nothing was changed.")
