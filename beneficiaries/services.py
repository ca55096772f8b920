"""Writes of households and mixed movements. Forms and serializers validate, then call these; the workflow is
core's (create_record, update_record, take_step), so history, locking and versions work as for every record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Household, Movement, Person
from beneficiaries.selectors import normalise_name
from core import access, workflow
from core.access import Action
from core.choices import Status
from core.models import RecordEvent, User
from core.records import PEOPLE_FIELDS, ReviewedRecord, replace_children

HOUSEHOLD_FIELDS = (
    "registered_on",
    "registration_number",
    "head_name",
    "population_group",
    "place",
    "specific_needs",
    "urgent",
    "organisation",
)
MEMBER_FIELDS = ("full_name", "sex", "birth_year", "is_head", "specific_needs")
MOVEMENT_FIELDS = (
    "identified_on",
    "place",
    "nationality",
    "origin_country",
    "destination_country",
    *PEOPLE_FIELDS,
    "unaccompanied_children",
    "separated_children",
    "specific_needs",
    "urgent",
    "organisation",
)


def check_members(members: Sequence[Mapping[str, Any]], *, registered_on=None) -> None:
    """The rules a list of members obeys, each failing with a message on `members`."""
    heads = sum(1 for member in members if member.get("is_head"))
    if heads > 1:
        raise ValidationError(
            {"members": _("A household has one head: %(n)d members are marked as head.") % {"n": heads}}
        )
    latest = (registered_on or timezone.localdate()).year
    for position, member in enumerate(members, start=1):
        if not str(member.get("full_name") or "").strip():
            raise ValidationError({"members": _("Member %(n)d: give a name.") % {"n": position}})
        birth_year = member.get("birth_year")
        if birth_year is not None and birth_year > latest:
            raise ValidationError(
                {"members": _("Member %(n)d: born after the household was registered.") % {"n": position}}
            )


def _replace_members(household: Household, members: Sequence[Mapping[str, Any]] | None) -> None:
    if members is not None:
        check_members(members, registered_on=household.registered_on)
    replace_children(household, "members", members, MEMBER_FIELDS)


@transaction.atomic
def household_create(*, by: User, fields: Mapping[str, Any], members: Sequence[Mapping[str, Any]] = ()) -> Household:
    """A new draft household with its members."""
    household = Household(**workflow.settable_fields(fields, HOUSEHOLD_FIELDS, by))
    check_members(members, registered_on=household.registered_on)
    return workflow.create_record(household, by=by, save_children=lambda saved: _replace_members(saved, members))


@transaction.atomic
def household_update(
    *,
    household: Household,
    by: User,
    version: int | None,
    fields: Mapping[str, Any],
    members: Sequence[Mapping[str, Any]] | None = None,
) -> Household:
    """Change a household; `members`, when given, replace the whole list."""

    def apply_changes(locked: Household) -> None:
        for key, value in workflow.settable_fields(fields, HOUSEHOLD_FIELDS, by).items():
            setattr(locked, key, value)
        locked.full_clean(exclude=["created_by", "region", "organisation"])
        _replace_members(locked, members)

    return workflow.update_record(household, by=by, version=version, apply_changes=apply_changes)


@transaction.atomic
def movement_create(*, by: User, fields: Mapping[str, Any]) -> Movement:
    movement = Movement(**workflow.settable_fields(fields, MOVEMENT_FIELDS, by))
    return workflow.create_record(movement, by=by)


@transaction.atomic
def movement_update(*, movement: Movement, by: User, version: int | None, fields: Mapping[str, Any]) -> Movement:
    def apply_changes(locked: Movement) -> None:
        for key, value in workflow.settable_fields(fields, MOVEMENT_FIELDS, by).items():
            setattr(locked, key, value)
        locked.full_clean(exclude=["created_by", "region", "organisation"])

    return workflow.update_record(movement, by=by, version=version, apply_changes=apply_changes)


# --- merging two registrations of one household


def _check_may_merge(by: User, household: Household, into: Household) -> None:
    """Scope first (404), then role (403: supervisors and admins), then status (409), as API.md orders them."""
    for record in (household, into):
        if not access.record_in_scope(by, record):
            raise access.NotInScope
    if not access.may(by, Action.REVIEW):
        raise access.RoleRefused
    if household.pk == into.pk:
        raise ValidationError({"into": _("A household cannot be merged into itself.")})
    for record in (household, into):
        if record.status in (Status.ARCHIVED, Status.REJECTED):
            raise workflow.WorkflowError(
                _("Household #%(id)d is “%(status)s”: it cannot be merged.")
                % {"id": record.pk, "status": record.get_status_display()}
            )
    if (into.registered_on, into.pk) > (household.registered_on, household.pk):
        raise ValidationError(
            {
                "into": _("Merge the newer registration into the older one: #%(id)d was registered first.")
                % {"id": household.pk}
            }
        )


def _members_to_move(merged: Household, kept: Household) -> list[Person]:
    """The members of the merged household the kept one does not have yet (same name and birth year); the others
    stay on the archived household, so no one is lost."""
    present = {(normalise_name(member.full_name), member.birth_year) for member in kept.members.all()}
    return [
        member
        for member in merged.members.all()
        if (normalise_name(member.full_name), member.birth_year) not in present
    ]


def _move_members(members: list[Person], kept: Household) -> None:
    has_head = any(member.is_head for member in kept.members.all())
    for member in members:
        member.household = kept
        # The kept household keeps its head; a second one would break "one head per household".
        member.is_head = member.is_head and not has_head
        member.save(update_fields=["household", "is_head"])
    getattr(kept, "_prefetched_objects_cache", {}).clear()


def _relink_records(merged: Household, kept: Household, by: User) -> int:
    """Point every record linked to the merged household at the kept one; returns how many records were re-linked.

    The links are found through the model's relations, so a record app that links households (assistance does)
    needs no hook here: `beneficiaries` imports none of them.
    """
    relinked = 0
    for relation in Household._meta.related_objects:
        if isinstance(relation, models.ManyToManyRel):
            relinked += _relink_many_to_many(relation, merged, kept, by)
        elif relation.one_to_many and relation.related_model not in (Person, Household):
            relinked += relation.related_model._default_manager.filter(**{relation.field.name: merged}).update(
                **{relation.field.name: kept}
            )
    return relinked


def _relink_many_to_many(relation: models.ManyToManyRel, merged: Household, kept: Household, by: User) -> int:
    manager = getattr(merged, str(relation.get_accessor_name()))  # None only for related_name="+", not here
    records = list(manager.all())
    for record in records:
        getattr(record, relation.field.name).remove(merged)
        getattr(record, relation.field.name).add(kept)
        if isinstance(record, ReviewedRecord):
            workflow.log_event(
                record,
                by=by,
                action=RecordEvent.Action.MERGED,
                comment=_("Household #%(merged)d was merged into #%(kept)d.") % {"merged": merged.pk, "kept": kept.pk},
            )
    return len(records)


@transaction.atomic
def household_merge(*, household: Household, into: Household, by: User) -> Household:
    """Merge `household` (the newer registration) into `into` (the older): members it lacks move over, every
    linked record (assistance) is re-linked, the merged household is archived through the workflow, and both
    histories say so. Returns the kept household."""
    # Both rows locked in a fixed order: two reviewers merging the same pair at once are serialised.
    locked = {
        record.pk: record
        for record in Household.objects.select_for_update().filter(pk__in=[household.pk, into.pk]).order_by("pk")
    }
    household, into = locked[household.pk], locked[into.pk]
    _check_may_merge(by, household, into)
    members = _members_to_move(household, into)
    relinked = _relink_records(household, into, by)
    note = _(
        "Household #%(merged)d merged into #%(kept)d: %(moved)d members moved, %(relinked)d records re-linked."
    ) % {
        "merged": household.pk,
        "kept": into.pk,
        "moved": len(members),
        "relinked": relinked,
    }
    kept = workflow.change_record(
        into,
        by=by,
        version=None,
        apply_changes=lambda locked_kept: _move_members(members, locked_kept),
        action=Action.ARCHIVE,
        event=RecordEvent.Action.MERGED,
        comment=note,
    )

    def link(locked_merged: Household) -> None:
        locked_merged.merged_into = kept

    merged = workflow.change_record(
        household,
        by=by,
        version=None,
        apply_changes=link,
        action=Action.ARCHIVE,
        event=RecordEvent.Action.MERGED,
        comment=note,
    )
    workflow.take_step(merged, "archive", by=by)
    return kept
