"""Load the shipped reference lists, the admin areas and the lead organisation, so `migrate` alone gives a
working, empty instance."""

from django.conf import settings
from django.db import migrations


def load(apps, schema_editor):
    from core.admin_areas import merge_admin_areas, parse_admin_areas
    from core.reference import REFERENCE_DATA_DIR, load_reference_lists

    load_reference_lists(apps)
    text = (REFERENCE_DATA_DIR / "admin_areas.csv").read_text(encoding="utf-8")
    merge_admin_areas(parse_admin_areas(text), apps.get_model("core", "AdminArea"))
    organisation = apps.get_model("core", "Organisation")
    if not organisation.objects.filter(is_lead=True).exists():
        organisation.objects.create(
            code=settings.VIGIE_LEAD_ORGANISATION_CODE, name=settings.VIGIE_LEAD_ORGANISATION_NAME, is_lead=True
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
