from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Assistance and sessions")

    def ready(self) -> None:
        # Django imports models once the app registry is ready, here in ready(), not at the top of apps.py.
        from django.db.models import Sum  # noqa: PLC0415

        from activities import demo as activities_demo  # noqa: PLC0415
        from activities.models import AssistanceEvent, Session  # noqa: PLC0415
        from core import access, demo, navigation  # noqa: PLC0415
        from core.records import RecordType, Tally, register_record_type  # noqa: PLC0415

        # Within a kind, by sector (cash to GBV survivors apart from cash to learners), then by population group
        # within the sector: the seed report's "cash to 51 GBV survivors (2 refugees, 30 IDPs and 19 from the host
        # community)", "174 IDP women and 58 women from the host community".
        sector, group = ("sector",), ("sector", "population_group")
        households, persons = _("Households reached"), _("Persons reached")
        # The page URLs named here are reversed only when a page shows a link, never at start-up.
        register_record_type(
            RecordType(
                slug="assistance",
                model=AssistanceEvent,
                label=_("Assistance event"),
                label_plural=_("Assistance"),
                detail_url_name="activities:assistance-detail",
                list_url_name="activities:assistance-list",
                search_fields=("place__name", "kind__label_en", "kind__label_fr", "currency"),
                tallies=(
                    Tally("assistance.{kind}.households", households, Sum("households"), by="kind"),
                    Tally("assistance.{kind}.persons", persons, by="kind", people=True),
                    Tally("assistance.{kind}.quantity", _("Quantity"), Sum("quantity"), by="kind"),
                    Tally(
                        "assistance.{kind}.{sector}.households",
                        households,
                        Sum("households"),
                        by="kind",
                        then_by=sector,
                    ),
                    Tally("assistance.{kind}.{sector}.persons", persons, people=True, by="kind", then_by=sector),
                    Tally(
                        "assistance.{kind}.{sector}.{population_group}.households",
                        households,
                        Sum("households"),
                        by="kind",
                        then_by=group,
                    ),
                    Tally(
                        "assistance.{kind}.{sector}.{population_group}.persons",
                        persons,
                        people=True,
                        by="kind",
                        then_by=group,
                    ),
                ),
            )
        )
        register_record_type(
            RecordType(
                slug="sessions",
                model=Session,
                label=_("Session"),
                label_plural=_("Sessions"),
                detail_url_name="activities:session-detail",
                list_url_name="activities:session-list",
                search_fields=("topic", "place__name"),
                tallies=(
                    Tally("sessions.{kind}.sessions", _("Sessions"), Sum("sessions"), by="kind"),
                    Tally("sessions.{kind}.participants", _("Participants"), by="kind", people=True),
                    Tally(
                        "sessions.{kind}.{sector}.sessions", _("Sessions"), Sum("sessions"), by="kind", then_by=sector
                    ),
                    Tally(
                        "sessions.{kind}.{sector}.participants",
                        _("Participants"),
                        people=True,
                        by="kind",
                        then_by=sector,
                    ),
                    Tally(
                        "sessions.{kind}.{sector}.{population_group}.sessions",
                        _("Sessions"),
                        Sum("sessions"),
                        by="kind",
                        then_by=group,
                    ),
                    Tally(
                        "sessions.{kind}.{sector}.{population_group}.participants",
                        _("Participants"),
                        people=True,
                        by="kind",
                        then_by=group,
                    ),
                ),
            )
        )

        # Who reads general records sees these entries (viewers do not: they read no individual record).
        def reads_records(user) -> bool:
            return access.may(user, access.Action.READ)

        navigation.register(navigation.NavItem(_("Assistance"), "activities:assistance-list", reads_records, order=32))
        navigation.register(navigation.NavItem(_("Sessions"), "activities:session-list", reads_records, order=33))
        demo.register("assistance and sessions", activities_demo.load, order=40)
