"""Writes of incidents. Forms and serializers validate, then call these; the workflow steps are core's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import workflow
from core.models import User
from core.records import PEOPLE_FIELDS
from incidents.models import FollowUp, Incident, Violation

INCIDENT_FIELDS = (
    "reported_on",
    "occurred_on",
    "place",
    "perpetrator",
    "perpetrator_count",
    "source_type",
    "collection_method",
    "credibility",
    "time_of_day",
    "locality",
    "location_type",
    "displaced_persons",
    "narrative",
    "urgent",
    "organisation",
)
VIOLATION_FIELDS = ("type", "population_group", "with_disability", *PEOPLE_FIELDS)
FOLLOW_UP_FIELDS = ("done_on", "action_taken", "referred_to", "done_by")


def _check_violations(violations: Sequence[Mapping[str, Any]]) -> None:
    if not violations:
        raise ValidationError({"violations": _("Record at least one violation.")})
    for position, violation in enumerate(violations, start=1):
        if sum(int(violation.get(name) or 0) for name in PEOPLE_FIELDS) <= 0:
            raise ValidationError({"violations": _("Violation %(n)d: count at least one person.") % {"n": position}})


def _replace_children(incident: Incident, violations: Sequence[Mapping] | None, follow_ups: Sequence[Mapping] | None):
    if violations is not None:
        _check_violations(violations)
        incident.violations.all().delete()
        Violation.objects.bulk_create(
            [
                Violation(incident=incident, **{key: row[key] for key in VIOLATION_FIELDS if key in row})
                for row in violations
            ]
        )
    if follow_ups is not None:
        incident.follow_ups.all().delete()
        FollowUp.objects.bulk_create(
            [
                FollowUp(incident=incident, **{key: row[key] for key in FOLLOW_UP_FIELDS if key in row})
                for row in follow_ups
            ]
        )
    # The prefetched lists are stale now; the next read goes to the database.
    getattr(incident, "_prefetched_objects_cache", {}).clear()


@transaction.atomic
def incident_create(
    *,
    by: User,
    fields: Mapping[str, Any],
    violations: Sequence[Mapping[str, Any]],
    follow_ups: Sequence[Mapping[str, Any]] = (),
) -> Incident:
    """A new draft incident with its violations and follow-ups."""
    _check_violations(violations)
    incident = Incident(**{key: value for key, value in fields.items() if key in INCIDENT_FIELDS})
    return workflow.create_record(
        incident, by=by, save_children=lambda saved: _replace_children(saved, violations, follow_ups)
    )


@transaction.atomic
def incident_update(
    *,
    incident: Incident,
    by: User,
    version: int | None,
    fields: Mapping[str, Any],
    violations: Sequence[Mapping[str, Any]] | None = None,
    follow_ups: Sequence[Mapping[str, Any]] | None = None,
) -> Incident:
    """Change an incident; `violations` or `follow_ups`, when given, replace the whole list."""

    def apply_changes(locked: Incident) -> None:
        for key, value in fields.items():
            if key in INCIDENT_FIELDS and (key != "organisation" or by.role == "admin"):
                setattr(locked, key, value)
        locked.full_clean(exclude=["created_by", "region", "organisation"])
        _replace_children(locked, violations, follow_ups)

    return workflow.update_record(incident, by=by, version=version, apply_changes=apply_changes)


@transaction.atomic
def incident_reject(
    *, incident: Incident, by: User, reason: str, duplicate_of: Incident | None = None, version: int | None = None
) -> Incident:
    """Reject an incident; when it repeats another, link it so the event counts once."""
    incident = workflow.take_step(incident, "reject", by=by, text=reason, version=version)
    if duplicate_of is not None and duplicate_of.pk != incident.pk:
        incident.duplicate_of = duplicate_of
        incident.save(update_fields=["duplicate_of"])
    return incident
