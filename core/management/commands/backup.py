"""`manage.py backup [FILE]`: the whole database in pg_dump's custom format, readable by `manage.py restore`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from core.backups import archive_tables, postgres_target, run_tool, tool


class Command(BaseCommand):
    help = (
        "Back up Vigie's PostgreSQL database (DATABASE_URL) with pg_dump, in its custom format, to FILE "
        "(default: vigie-YYYYMMDD-HHMMSS.dump here). Everything Vigie knows is in the database: records, their "
        "history, users, published figures. Export files (the results of jobs) are not backed up: they are made "
        "again from the database. The file holds personal and GBV data: it is written readable by its owner only."
    )
    # A backup or a restore is what one runs when something is wrong: it must not wait for the system checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="Where to write the backup; it must not exist yet.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: the one).")

    def handle(self, *args: Any, **options: Any) -> None:
        target = postgres_target(options["database"])
        destination = Path(options["file"] or f"vigie-{timezone.now():%Y%m%d-%H%M%S}.dump")
        if destination.exists():
            raise CommandError(f"{destination} already exists: choose another name, a backup is never overwritten.")
        pg_dump = tool("pg_dump")
        # Written next to its destination under a temporary name (mode 0600), and renamed only once pg_dump
        # finished and pg_restore can read it: a failed backup never leaves a file that looks like a good one.
        handle, partial_name = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent or ".")
        os.close(handle)
        partial = Path(partial_name)
        try:
            run_tool([pg_dump, "--format=custom", "--no-password", f"--file={partial}"], target)
            tables = archive_tables(partial, target)
            partial.replace(destination)
        finally:
            partial.unlink(missing_ok=True)
        size = destination.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {target.describe()}: {len(tables)} tables, {size:,} bytes, in {destination}."
            )
        )
