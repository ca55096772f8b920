"""Load the shipped reference lists, the admin areas and the lead organisation, so `migrate` alone gives a
working, empty instance."""

from django.db import migrations


def load(apps, schema_editor):
    from core.reference import load_initial_data

    load_initial_data(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
