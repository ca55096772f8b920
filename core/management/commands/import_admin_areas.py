from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.admin_areas import AdminAreaImportError, merge_admin_areas, parse_admin_areas
from core.models import AdminArea


class Command(BaseCommand):
    help = (
        "Add and update admin areas from an OCHA-style CSV (pcode,level,parent_pcode,name or ADM1_PCODE,ADM1_FR,…). "
        "Nothing is deleted unless --prune is given, and never an area a record or a user's scope uses."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--prune", action="store_true", help="Delete areas missing from the file (deactivate the ones in use)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        try:
            summary = merge_admin_areas(parse_admin_areas(text), AdminArea, prune=options["prune"])
        except AdminAreaImportError as error:
            raise CommandError("Nothing was imported:\n  " + "\n  ".join(error.errors)) from error
        self.stdout.write(
            f"{len(summary.created)} created, {len(summary.updated)} updated, {summary.unchanged} unchanged, "
            f"{len(summary.deleted)} deleted, {len(summary.deactivated)} deactivated (in use)."
        )
        if summary.missing_kept:
            self.stdout.write(f"Not in the file, kept: {', '.join(summary.missing_kept)}")
