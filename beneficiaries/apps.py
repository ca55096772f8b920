from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BeneficiariesConfig(AppConfig):
    name = "beneficiaries"
    verbose_name = _("Beneficiaries and mixed movements")

    def ready(self) -> None:
        # Django imports models once the app registry is ready, here in ready(), not at the top of apps.py.
        from django.db.models import Count  # noqa: PLC0415

        from beneficiaries import demo as beneficiaries_demo  # noqa: PLC0415
        from beneficiaries import selectors  # noqa: PLC0415
        from beneficiaries.models import Household, Movement  # noqa: PLC0415
        from core import access, demo, navigation  # noqa: PLC0415
        from core.records import RecordType, Tally, register_record_type  # noqa: PLC0415

        # The page URLs named here are reversed only when a page shows a link, never at start-up.
        register_record_type(
            RecordType(
                slug="households",
                model=Household,
                label=_("Household"),
                label_plural=_("Households"),
                detail_url_name="beneficiaries:household-detail",
                list_url_name="beneficiaries:household-list",
                find_duplicates=selectors.queue_duplicates,
                # And the names of members (HouseholdFilterSet).
                search_fields=("registration_number", "head_name"),
                sort_columns=("id", "registered_on", "registration_number", "status"),
                exportable=False,  # names of heads of household: not in the records export
            )
        )
        register_record_type(
            RecordType(
                slug="movements",
                model=Movement,
                label=_("Mixed-movement identification"),
                label_plural=_("Mixed movements"),
                detail_url_name="beneficiaries:movement-detail",
                list_url_name="beneficiaries:movement-list",
                # And countries by code or name (MovementFilterSet).
                search_fields=("place__name",),
                tallies=(
                    Tally("movements.identifications", _("Identifications"), Count("id")),
                    Tally("movements.persons", _("Persons on the move"), people=True),
                ),
            )
        )

        # Who reads general records sees these entries (viewers do not: they read no individual record).
        def reads_records(user) -> bool:
            return access.may(user, access.Action.READ)

        navigation.register(
            navigation.NavItem(_("Households"), "beneficiaries:household-list", reads_records, order=30)
        )
        navigation.register(navigation.NavItem(_("Movements"), "beneficiaries:movement-list", reads_records, order=31))
        demo.register("households and mixed movements", beneficiaries_demo.load, order=30)
