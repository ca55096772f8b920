from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Flash alerts")

    def ready(self) -> None:
        # Django imports models once the app registry is ready, here in ready(), not at the top of apps.py.
        from django.db.models import Count  # noqa: PLC0415

        from alerts import demo as alerts_demo  # noqa: PLC0415
        from alerts.models import FlashAlert  # noqa: PLC0415
        from core import access, demo, navigation  # noqa: PLC0415
        from core.records import RecordType, Tally, register_record_type  # noqa: PLC0415

        register_record_type(
            RecordType(
                slug="alerts",
                model=FlashAlert,
                label=_("Flash alert"),
                label_plural=_("Flash alerts"),
                detail_url_name="alerts:detail",
                list_url_name="alerts:list",
                search_fields=("place__name", "narrative", "response_by"),
                sort_columns=("id", "reported_on", "occurred_on", "status"),
                tallies=(
                    Tally("alerts", _("Flash alerts"), Count("id")),
                    Tally("alerts.{event_type}", _("Flash alerts by event type"), Count("id"), by="event_type"),
                    Tally("alerts.persons_affected", _("Persons affected (estimated)"), people=True),
                ),
            )
        )

        # Who reads general records sees this entry (viewers do not: they read no individual record).
        def reads_records(user) -> bool:
            return access.may(user, access.Action.READ)

        navigation.register(navigation.NavItem(_("Flash alerts"), "alerts:list", reads_records, order=15))
        # After the households and movements (30) and assistance (40): the same demo teams raise the alerts.
        demo.register("flash alerts", alerts_demo.load, order=50)
