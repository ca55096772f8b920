from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # Django imports models once the app registry is ready, here in ready(), not at the top of apps.py.
        from django.db.models.signals import post_delete, post_save  # noqa: PLC0415

        from core import access, demo, navigation  # noqa: PLC0415
        from reports import counting, publishing, rollup  # noqa: PLC0415
        from reports import demo as reports_demo  # noqa: PLC0415

        # The monthly figure cells follow every save and delete of incidents and violations (reports.rollup).
        rollup.connect()
        # Closed months' cached answers are forgotten when a record of a closed month or a label changes.
        for record_type in counting.counted_types():
            for signal in (post_save, post_delete):
                signal.connect(
                    publishing.record_written, sender=record_type.model, dispatch_uid=f"published.{record_type.slug}"
                )
        post_save.connect(publishing.labels_written, dispatch_uid="published.labels")
        demo.register("population and funding", reports_demo.load, order=90)
        # The demo writes its records in bulk (no signals): its cells are counted once they are all there.
        demo.register("monthly figure cells", lambda say: rollup.rebuild(), order=1000)
        # Once every record and cell is there: 2021 closed and published, so its December report stays the seed's.
        demo.register(demo.CLOSED_MONTHS, reports_demo.close_year, order=1100)
        navigation.register(
            navigation.NavItem(
                _("Monthly report"),
                "reports:monthly",
                lambda user: access.has_capability(user, access.Capability.FIGURES),
                order=70,
            )
        )
        navigation.register(
            navigation.NavItem(
                _("Exports"),
                "reports:exports",
                lambda user: access.has_capability(user, access.Capability.RECORDS_EXPORT),
                order=75,
            )
        )
