"""Load the shipped reference lists, the admin areas and the lead organisation, so `migrate` alone gives a
working, empty instance.

Frozen: the data are this migration's own copies of the CSVs (`data_0002/`), and the loader below is
written against the models as they stood after 0001. Nothing is imported from `core`, so a later change to
the live models or to `core.reference` cannot break a migration from zero. Later changes to the shipped
lists come as migrations of their own (or through the admin's import).
"""

import csv
from pathlib import Path

from django.conf import settings
from django.db import migrations

DATA = Path(__file__).resolve().parent / "data_0002"

# Types whose narrative only GBV focal points read, as shipped in 0002.
SEXUAL_VIOLENCE_TYPES = {"rape", "sexual_assault", "sexual_exploitation", "forced_pregnancy", "forced_marriage"}

LISTS = {
    "GbvIncidentType": "gbv_incident_types.csv",
    "GbvService": "gbv_services.csv",
    "PopulationGroup": "population_groups.csv",
    "PerpetratorCategory": "perpetrator_categories.csv",
    "AssistanceKind": "assistance_kinds.csv",
    "SessionKind": "session_kinds.csv",
    "Sector": "sectors.csv",
    "SourceType": "source_types.csv",
    "CollectionMethod": "collection_methods.csv",
    "LocationType": "location_types.csv",
}


def rows(filename):
    with (DATA / filename).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def item_fields(row, position):
    fields = {"label_en": row["label_en"], "label_fr": row["label_fr"], "sort_order": position}
    if "unit" in row:
        fields["unit"] = row["unit"]
    return fields


def load_violations(apps):
    category_model = apps.get_model("core", "ViolationCategory")
    type_model = apps.get_model("core", "ViolationType")
    categories = {}
    for position, row in enumerate(rows("violation_types.csv"), start=1):
        code = row["category_code"]
        if code not in categories:
            categories[code], _ = category_model.objects.update_or_create(
                code=code,
                defaults={"label_en": row["category_en"], "label_fr": row["category_fr"], "sort_order": len(categories)},
            )
        type_model.objects.update_or_create(
            code=row["code"],
            defaults={
                **item_fields(row, position),
                "category": categories[code],
                "collective": row["collective"].strip().lower() == "yes",
                "sexual_violence": row["code"] in SEXUAL_VIOLENCE_TYPES,
            },
        )


def load_lists(apps):
    for model_name, filename in LISTS.items():
        model = apps.get_model("core", model_name)
        for position, row in enumerate(rows(filename), start=1):
            model.objects.update_or_create(code=row["code"], defaults=item_fields(row, position))


def load_admin_areas(apps):
    area_model = apps.get_model("core", "AdminArea")
    areas = {}
    # Parents first: level 1, then 2, then 3.
    for row in sorted(rows("admin_areas.csv"), key=lambda row: (int(row["level"]), row["pcode"])):
        parent = areas[row["parent_pcode"]] if row["parent_pcode"] else None
        areas[row["pcode"]], _ = area_model.objects.update_or_create(
            pcode=row["pcode"], defaults={"level": int(row["level"]), "parent": parent, "name": row["name"]}
        )


def load_lead_organisation(apps):
    organisation = apps.get_model("core", "Organisation")
    if not organisation.objects.filter(is_lead=True).exists():
        organisation.objects.create(
            code=settings.VIGIE_LEAD_ORGANISATION_CODE, name=settings.VIGIE_LEAD_ORGANISATION_NAME, is_lead=True
        )


def load(apps, schema_editor):
    load_violations(apps)
    load_lists(apps)
    load_admin_areas(apps)
    load_lead_organisation(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
