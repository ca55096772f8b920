"""Demo organisations and one user per role (idempotent). Record types add their demo year as they arrive."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from core import demo
from core.choices import Role
from core.models import Organisation, User
from core.services import find_regions, lead_organisation

DEMO_PASSWORD = "Vigie-demo-2026"  # noqa: S105  the demo users' password, published in the README

PARTNERS = [
    ("AMSS", "Association Malienne pour la Survie au Sahel"),
    ("DRC", "Danish Refugee Council"),
    ("IRC", "International Rescue Committee"),
    ("NRC", "Norwegian Refugee Council"),
    ("INTERSOS", "INTERSOS"),
]

# user name, role, organisation code (None: the lead organisation), region P-codes (empty: every region)
DEMO_USERS = [
    ("admin", Role.ADMIN, None, []),
    ("monitor_gao", Role.MONITOR, "AMSS", ["ML07"]),
    ("monitor_mopti", Role.MONITOR, "DRC", ["ML05"]),
    ("supervisor_gao", Role.SUPERVISOR, None, ["ML07"]),
    ("supervisor_mopti", Role.SUPERVISOR, None, ["ML05"]),
    ("gbv_gao", Role.GBV_FOCAL_POINT, None, ["ML07"]),
    ("gbv_gao_2", Role.GBV_FOCAL_POINT, "AMSS", ["ML07"]),
    ("gbv_mopti", Role.GBV_FOCAL_POINT, None, ["ML05"]),
    ("gbv_mopti_2", Role.GBV_FOCAL_POINT, None, ["ML05"]),
    ("viewer", Role.VIEWER, None, []),
    # Field teams of the other regions, whose records fill the demo year.
    ("monitor_tombouctou", Role.MONITOR, "NRC", ["ML06"]),
    ("monitor_segou", Role.MONITOR, "DRC", ["ML04"]),
    ("monitor_menaka", Role.MONITOR, "IRC", ["ML10"]),
    ("monitor_kidal", Role.MONITOR, "INTERSOS", ["ML08"]),
    ("monitor_south", Role.MONITOR, None, ["ML01", "ML02", "ML03", "ML09"]),
    ("supervisor_north", Role.SUPERVISOR, None, ["ML06", "ML08", "ML10"]),
    ("supervisor_south", Role.SUPERVISOR, None, ["ML01", "ML02", "ML03", "ML04", "ML09"]),
]


class Command(BaseCommand):
    help = (
        "Load demo organisations and users, a year of records (2021, closed and published) and the first months of "
        "the next (open). Safe to run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--keep-open",
            action="store_true",
            help="Leave the demo year's months open (to try closing them yourself, or for tests of the records).",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        for code, name in PARTNERS:
            Organisation.objects.get_or_create(code=code, defaults={"name": name})
        lead = lead_organisation()
        rows = []
        for username, role, organisation_code, regions in DEMO_USERS:
            organisation = Organisation.objects.get(code=organisation_code) if organisation_code else lead
            user, _created = User.objects.get_or_create(username=username)
            user.role, user.organisation, user.is_active = role, organisation, True
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.regions.set(find_regions(regions))
            rows.append((username, str(role.label), organisation.code, ", ".join(regions) or "all"))
        for name, loader in demo.loaders():
            if options["keep_open"] and name == demo.CLOSED_MONTHS:
                continue
            self.stdout.write(f"Demo {name}:")
            loader(lambda line: self.stdout.write(f"  {line}"))
        self._print_logins(rows)

    def _print_logins(self, rows: list[tuple[str, str, str, str]]) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for every one: {DEMO_PASSWORD})"))
        for username, role, organisation, regions in rows:
            self.stdout.write(f"  {username:<18} {role:<16} {organisation:<9} regions: {regions}")
