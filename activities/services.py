"""Writes of assistance events and sessions. Forms and serializers validate, then call these; the workflow is
core's, so history, locking and versions work as for every record."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from activities.models import AssistanceEvent, Session
from beneficiaries.models import Household
from core import workflow
from core.models import Sector, User

# The sector (core/reference_data/sectors.csv) whose assistance is never tied to registered households.
GBV_SECTOR = "gbv"


def _check_no_gbv_households(
    sector: Sector | None, households: list[Household] | None, event: AssistanceEvent | None = None
) -> None:
    """A household linked to GBV-sector assistance names its head to every monitor of the region: who the
    survivors are. GBV assistance is counted (households, persons), never tied to registrations. `households`
    None: the event keeps those it has."""
    if sector is None or sector.code != GBV_SECTOR:
        return
    linked = bool(households) if households is not None else event is not None and event.households_assisted.exists()
    if linked:
        raise ValidationError(
            {
                "households_assisted": _(
                    "Assistance of the GBV sector cannot be tied to registered households: it would say who the "
                    "survivors are. Give the number of households and persons only."
                )
            }
        )


def _link_households(event: AssistanceEvent, households: Iterable[Household] | None) -> None:
    if households is None:
        return
    event.households_assisted.set(list(households))
    # The prefetched list is stale now; the next read (history snapshot, answer) goes to the database.
    getattr(event, "_prefetched_objects_cache", {}).clear()


@transaction.atomic
def assistance_create(*, by: User, fields: Mapping[str, Any], households: Iterable[Household] = ()) -> AssistanceEvent:
    """A new draft assistance event, linked to the registered households it reached."""
    households = list(households)
    _check_no_gbv_households(fields.get("sector"), households)
    return workflow.create_from_fields(
        AssistanceEvent, by=by, fields=fields, save_children=lambda saved: _link_households(saved, households)
    )


@transaction.atomic
def assistance_update(
    *,
    event: AssistanceEvent,
    by: User,
    version: int | None,
    fields: Mapping[str, Any],
    households: Iterable[Household] | None = None,
) -> AssistanceEvent:
    """Change an assistance event; `households`, when given, replace the linked registered households."""

    def apply_changes(locked: AssistanceEvent) -> None:
        workflow.set_fields(locked, by=by, fields=fields)
        chosen = None if households is None else list(households)
        _check_no_gbv_households(locked.sector, chosen, locked)
        _link_households(locked, chosen)

    return workflow.update_record(event, by=by, version=version, apply_changes=apply_changes)


@transaction.atomic
def session_create(*, by: User, fields: Mapping[str, Any]) -> Session:
    return workflow.create_from_fields(Session, by=by, fields=fields)


@transaction.atomic
def session_update(*, session: Session, by: User, version: int | None, fields: Mapping[str, Any]) -> Session:
    return workflow.update_from_fields(session, by=by, version=version, fields=fields)
