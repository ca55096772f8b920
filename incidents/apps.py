from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Protection incidents")

    def ready(self) -> None:
        # Django imports models once the app registry is ready, here in ready(), not at the top of apps.py.
        from core import access, demo, navigation  # noqa: PLC0415
        from core.records import PEOPLE_FIELDS, RecordType, register_record_type  # noqa: PLC0415
        from incidents import demo as incidents_demo  # noqa: PLC0415
        from incidents import demo_gbv, selectors  # noqa: PLC0415
        from incidents.models import GbvReferral, Incident  # noqa: PLC0415

        register_record_type(
            RecordType(
                slug="incidents",
                model=Incident,
                label=_("Incident"),
                label_plural=_("Protection incidents"),
                detail_url_name="incidents:detail",
                list_url_name="incidents:list",
                find_duplicates=selectors.queue_duplicates,
                # Who may not read restricted narratives searches them as if empty (IncidentFilterSet).
                search_fields=("narrative", "locality", "place__name"),
                # Exported one row per violation; never the narrative (it may be restricted) nor free text.
                export_columns=("occurred_on", "perpetrator"),
                export_rows_per="violations",
                export_child_columns=(
                    ("violation_category", "type.category.code"),
                    ("violation_type", "type.code"),
                    ("collective", "type.collective"),
                    ("population_group", "population_group.code"),
                    *((name, name) for name in PEOPLE_FIELDS),
                    ("total", "total"),
                ),
            )
        )
        register_record_type(
            RecordType(
                slug="gbv-referrals",
                model=GbvReferral,
                label=_("GBV referral"),
                label_plural=_("GBV referrals"),
                detail_url_name="incidents:gbv-detail",
                list_url_name="incidents:gbv-list",
                search_fields=("survivor_code",),
                exportable=False,  # need-to-know: admins read GBV data as aggregates only, never as records
            )
        )
        navigation.register(
            navigation.NavItem(
                _("Incidents"), "incidents:list", lambda user: access.may(user, access.Action.READ), order=10
            )
        )

        # Need-to-know: only those who read GBV referrals see these entries.
        def reads_gbv(user) -> bool:
            return access.may(user, access.Action.READ, access.Family.GBV)

        navigation.register(navigation.NavItem(_("GBV referrals"), "incidents:gbv-list", reads_gbv, order=20))
        navigation.register(navigation.NavItem(_("Follow-up board"), "incidents:gbv-board", reads_gbv, order=21))
        demo.register("protection incidents", incidents_demo.load, order=10)
        demo.register("GBV referrals", demo_gbv.load, order=20)
