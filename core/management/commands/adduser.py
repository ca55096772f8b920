from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.choices import Role
from core.services import find_organisation, find_regions, user_add


class Command(BaseCommand):
    help = "Create a Vigie user with a role, an organisation and regions (API.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--regions", default="", help="Comma-separated region P-codes; none means every region.")
        parser.add_argument("--organisation", default="", help="Code or name; none means the lead organisation.")
        parser.add_argument("--password", default="", help="None: the user sets one through password reset.")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            # The shell has a superuser's power: any role (a GBV focal point's peers are told), logged as such.
            user = user_add(
                by=None,
                username=options["username"],
                role=options["role"],
                password=options["password"] or None,
                organisation=find_organisation(options["organisation"]),
                regions=find_regions(options["regions"].split(",")),
                email=options["email"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        regions = ", ".join(user.region_pcodes()) or "all regions"
        organisation = user.organisation.code if user.organisation else "no organisation"
        self.stdout.write(f"Created {user.username} ({user.role}, {organisation}, {regions}).")
