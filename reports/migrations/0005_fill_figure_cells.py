"""Count the monthly figure cells of the records already there (issue 14); from now on every write keeps them."""

from typing import Any

from django.db import migrations

from reports import rollup


def fill(apps: Any, schema_editor: Any) -> None:
    rollup.rebuild(rollup.CellModels.of(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_narrative_restricted_set_by_services"),
        ("reports", "0004_figure_cells"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
