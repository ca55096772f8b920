"""Demo organisations and one user per role (idempotent). Record types add their demo year as they arrive."""

from django.core.management.base import BaseCommand
from django.db import transaction

from core.choices import Role
from core.models import Organisation, User
from core.services import find_regions, lead_organisation

DEMO_PASSWORD = "Vigie-demo-2026"

PARTNERS = [
    ("AMSS", "Association Malienne pour la Survie au Sahel"),
    ("DRC", "Danish Refugee Council"),
    ("IRC", "International Rescue Committee"),
    ("NRC", "Norwegian Refugee Council"),
]

# user name, role, organisation code (None: the lead organisation), region P-codes (empty: every region)
DEMO_USERS = [
    ("admin", Role.ADMIN, None, []),
    ("monitor_gao", Role.MONITOR, "AMSS", ["ML07"]),
    ("monitor_mopti", Role.MONITOR, "DRC", ["ML05"]),
    ("supervisor_gao", Role.SUPERVISOR, None, ["ML07"]),
    ("supervisor_mopti", Role.SUPERVISOR, None, ["ML05"]),
    ("gbv_gao", Role.GBV_FOCAL_POINT, None, ["ML07"]),
    ("viewer", Role.VIEWER, None, []),
]


class Command(BaseCommand):
    help = "Load demo organisations and users (and, as record types arrive, a year of records). Safe to run twice."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
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
            rows.append((username, role.label, organisation.code, ", ".join(regions) or "all"))
        self._print_logins(rows)

    def _print_logins(self, rows: list[tuple[str, str, str, str]]) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for every one: {DEMO_PASSWORD})"))
        for username, role, organisation, regions in rows:
            self.stdout.write(f"  {username:<18} {role:<16} {organisation:<6} regions: {regions}")
