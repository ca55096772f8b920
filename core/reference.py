"""The reference lists Vigie ships (copied from the operation's lists into `reference_data/`) and their loader.

The loader takes an app registry so the data migration can call it with historical models.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from core.admin_areas import merge_admin_areas, parse_admin_areas

REFERENCE_DATA_DIR = Path(__file__).resolve().parent / "reference_data"

# Types whose narrative only GBV focal points read (SPEC.md, protection incidents).
SEXUAL_VIOLENCE_TYPES = frozenset(
    {"rape", "sexual_assault", "sexual_exploitation", "forced_pregnancy", "forced_marriage"}
)


@dataclass(frozen=True)
class ReferenceList:
    """A reference list as the API names it (`/api/v1/reference/<slug>/`) and the model that holds it."""

    slug: str
    model_name: str
    filename: str


REFERENCE_LISTS: tuple[ReferenceList, ...] = (
    ReferenceList("violation-types", "ViolationType", "violation_types.csv"),
    ReferenceList("gbv-incident-types", "GbvIncidentType", "gbv_incident_types.csv"),
    ReferenceList("gbv-services", "GbvService", "gbv_services.csv"),
    ReferenceList("population-groups", "PopulationGroup", "population_groups.csv"),
    ReferenceList("perpetrators", "PerpetratorCategory", "perpetrator_categories.csv"),
    ReferenceList("assistance-kinds", "AssistanceKind", "assistance_kinds.csv"),
    ReferenceList("session-kinds", "SessionKind", "session_kinds.csv"),
    ReferenceList("sectors", "Sector", "sectors.csv"),
    ReferenceList("source-types", "SourceType", "source_types.csv"),
    ReferenceList("collection-methods", "CollectionMethod", "collection_methods.csv"),
    ReferenceList("location-types", "LocationType", "location_types.csv"),
    ReferenceList("violation-categories", "ViolationCategory", "violation_types.csv"),
    ReferenceList("alert-event-types", "AlertEventType", "alert_event_types.csv"),
    ReferenceList("alert-needs", "AlertNeed", "alert_needs.csv"),
)
REFERENCE_LISTS_BY_SLUG = {ref.slug: ref for ref in REFERENCE_LISTS}


def read_rows(filename: str) -> list[dict[str, str]]:
    with (REFERENCE_DATA_DIR / filename).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _item_fields(row: dict[str, str], position: int) -> dict[str, Any]:
    fields: dict[str, Any] = {"label_en": row["label_en"], "label_fr": row["label_fr"], "sort_order": position}
    if "unit" in row:
        fields["unit"] = row["unit"]
    return fields


def _load_violations(apps: Any) -> None:
    category_model = apps.get_model("core", "ViolationCategory")
    type_model = apps.get_model("core", "ViolationType")
    categories: dict[str, Any] = {}
    for position, row in enumerate(read_rows("violation_types.csv"), start=1):
        code = row["category_code"]
        if code not in categories:
            categories[code], _ = category_model.objects.update_or_create(
                code=code,
                defaults={
                    "label_en": row["category_en"],
                    "label_fr": row["category_fr"],
                    "sort_order": len(categories),
                },
            )
        type_model.objects.update_or_create(
            code=row["code"],
            defaults={
                **_item_fields(row, position),
                "category": categories[code],
                "collective": row["collective"].strip().lower() == "yes",
                "sexual_violence": row["code"] in SEXUAL_VIOLENCE_TYPES,
            },
        )


def load_reference_lists(apps: Any) -> None:
    """Create or update every shipped reference list entry (idempotent; never deletes an admin's additions)."""
    _load_violations(apps)
    for ref in REFERENCE_LISTS:
        if ref.filename == "violation_types.csv":
            continue
        model = apps.get_model("core", ref.model_name)
        for position, row in enumerate(read_rows(ref.filename), start=1):
            model.objects.update_or_create(code=row["code"], defaults=_item_fields(row, position))


def load_initial_data(apps: Any) -> None:
    """Reference lists, the shipped admin areas and the lead organisation: what `migrate` gives a new instance."""

    load_reference_lists(apps)
    text = (REFERENCE_DATA_DIR / "admin_areas.csv").read_text(encoding="utf-8")
    merge_admin_areas(parse_admin_areas(text), apps.get_model("core", "AdminArea"))
    organisation = apps.get_model("core", "Organisation")
    if not organisation.objects.filter(is_lead=True).exists():
        organisation.objects.create(
            code=settings.VIGIE_LEAD_ORGANISATION_CODE, name=settings.VIGIE_LEAD_ORGANISATION_NAME, is_lead=True
        )
