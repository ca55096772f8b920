"""The stored restriction on an incident's narrative (SPEC.md, "Access and data protection"): set for every incident
that has a sexual-violence violation today; from now on the services set it when such a type is first saved."""

from typing import Any

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def restrict_existing(apps: Any, schema_editor: Any) -> None:
    incident_model = apps.get_model("incidents", "Incident")
    violation_model = apps.get_model("incidents", "Violation")
    with_sexual_violence = violation_model.objects.filter(incident=OuterRef("pk"), type__sexual_violence=True)
    incident_model.objects.filter(Exists(with_sexual_violence)).update(narrative_restricted=True)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("incidents", "0002_gbv_referrals"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="narrative_restricted",
            field=models.BooleanField(
                default=False,
                help_text="Set when a sexual-violence type is saved on the incident; only a GBV focal point lifts it.",
                verbose_name="narrative restricted",
            ),
        ),
        # Lifting it again is a GBV focal point's decision, not a migration's: going back only drops the column.
        migrations.RunPython(restrict_existing, migrations.RunPython.noop),
    ]
