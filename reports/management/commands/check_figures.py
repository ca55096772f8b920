"""Recount every monthly figure cell from the records and say which stored ones differ (exit status 1 if any)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from reports import rollup


class Command(BaseCommand):
    help = (
        "Recount every monthly figure cell from the verified records and compare it with the stored one; "
        "the exit status is 1 when any differs."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=50, help="Differences printed at most (all are counted).")

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        found = rollup.differences()
        for difference in found[:limit]:
            self.stdout.write(str(difference))
        if found:
            raise CommandError(
                f"{len(found)} monthly figure cell rows differ from the records: run `manage.py rebuild_figures`."
            )
        self.stdout.write("Every monthly figure cell equals a recount of the records.")
