"""Count every monthly figure cell again from the records (after records were written in bulk, without signals)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from reports import rollup


class Command(BaseCommand):
    help = "Count every monthly figure cell (incidents, violations by type and category) again from the records."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            rollup.rebuild()
        self.stdout.write("Monthly figure cells counted again from the records.")
