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
from core import access, closing, workflow
from core.access import Action
from core.choices import Status
from core.models import RecordEvent, User
from core.records import ReviewedRecord, replace_children


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
    replace_children(household, "members", members)


@transaction.atomic
def household_create(*, by: User, fields: Mapping[str, Any], members: Sequence[Mapping[str, Any]] = ()) -> Household:
    """A new draft household with its members."""
    check_members(members, registered_on=fields.get("registered_on"))
    return workflow.create_from_fields(
        Household, by=by, fields=fields, save_children=lambda saved: _replace_members(saved, members)
    )


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
        workflow.set_fields(locked, by=by, fields=fields)
        _replace_members(locked, members)

    return workflow.update_record(household, by=by, version=version, apply_changes=apply_changes)


@transaction.atomic
def movement_create(*, by: User, fields: Mapping[str, Any]) -> Movement:
    return workflow.create_from_fields(Movement, by=by, fields=fields)


@transaction.atomic
def movement_update(*, movement: Movement, by: User, version: int | None, fields: Mapping[str, Any]) -> Movement:
    return workflow.update_from_fields(movement, by=by, version=version, fields=fields)


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
    needs no hook here: `beneficiaries` imports none of them. A reviewed record is changed through the workflow,
    as any edit is: locked, its version bumped, its closed month obeyed and a history line (household old → new).
    """
    comment = _("Household #%(merged)d was merged into #%(kept)d.") % {"merged": merged.pk, "kept": kept.pk}
    relinked = 0
    for relation in Household._meta.related_objects:
        model = relation.related_model
        if model in (Person, Household):
            # Members move with the households' own change; earlier merges keep pointing at the registration they
            # were merged into.
            continue
        name = relation.field.name
        pks = set(model._default_manager.filter(**{name: merged}).values_list("pk", flat=True))
        if not pks:
            continue
        if not issubclass(model, ReviewedRecord):
            relinked += _relink_plain(relation, pks, merged, kept)
            continue
        # Locked in id order, so two merges re-linking one record wait for each other instead of deadlocking.
        for record in model._default_manager.select_for_update().filter(pk__in=pks).order_by("pk"):
            _relink_one(record, relation, merged=merged, kept=kept, by=by, comment=comment)
        relinked += len(pks)
    return relinked


def _point_at(record: models.Model, relation: models.ForeignObjectRel, merged: Household, kept: Household) -> None:
    name = relation.field.name
    if isinstance(relation, models.ManyToManyRel):
        links = getattr(record, name)
        links.remove(merged)
        links.add(kept)
        # The prefetched list is stale now; the history's snapshot reads the links afresh.
        getattr(record, "_prefetched_objects_cache", {}).clear()
    else:
        setattr(record, name, kept)


def _relink_one(
    record: ReviewedRecord,
    relation: models.ForeignObjectRel,
    *,
    merged: Household,
    kept: Household,
    by: User,
    comment: str,
) -> None:
    try:
        workflow.change_record(
            record,
            by=by,
            version=None,
            apply_changes=lambda locked: _point_at(locked, relation, merged, kept),
            # A merge is a review act, as for the households: the record keeps its status (a verified one is not
            # sent back for review, an archived one is re-linked too).
            action=Action.ARCHIVE,
            event=RecordEvent.Action.MERGED,
            comment=comment,
            # The reviewer may merge both households; the records pointing at them follow, seen or not.
            access_checked=True,
        )
    except closing.MonthClosed as error:
        month = record.month_date
        raise closing.MonthClosed(
            _(
                "A record this merge re-links (%(type)s) belongs to %(month)s, a closed month: its figures are "
                "published. Ask an admin to merge these households."
            )
            % {"month": month.strftime("%Y-%m") if month else "", "type": record._meta.verbose_name}
        ) from error


def _relink_plain(relation: models.ForeignObjectRel, pks: set[int], merged: Household, kept: Household) -> int:
    """A linked model outside the workflow (none today) has no version, month or history to keep."""
    model = relation.related_model
    if isinstance(relation, models.ManyToManyRel):
        for record in model._default_manager.filter(pk__in=pks):
            _point_at(record, relation, merged, kept)
        return len(pks)
    return int(model._default_manager.filter(pk__in=pks).update(**{relation.field.name: kept}))


def _check_versions(*pairs: tuple[Household, int | None]) -> None:
    """The versions the reviewer's page showed, checked on the locked rows before anything changes: a stale one
    is a 409 naming the household (either may have been edited since)."""
    for household, version in pairs:
        if version is not None and version != household.version:
            raise workflow.StaleVersion(
                _(
                    "Someone else saved household #%(id)d after you opened this page (version %(current)d, yours "
                    "%(yours)d). Check both households again before merging."
                )
                % {"id": household.pk, "current": household.version, "yours": version},
                household=household.pk,
                current_version=household.version,
            )


@transaction.atomic
def household_merge(
    *,
    household: Household,
    into: Household,
    by: User,
    version: int | None = None,
    into_version: int | None = None,
) -> Household:
    """Merge `household` (the newer registration) into `into` (the older): members it lacks move over, every
    linked record (assistance) is re-linked, the merged household is archived through the workflow, and every
    history says so. `version` and `into_version` are the versions the reviewer saw (None: not checked).
    Returns the kept household.

    One transaction: a refusal (a stale version, a record of a closed month for a non-admin) changes nothing."""
    # Both rows locked in a fixed order: two reviewers merging the same pair at once are serialised.
    locked = {
        record.pk: record
        for record in Household.objects.select_for_update().filter(pk__in=[household.pk, into.pk]).order_by("pk")
    }
    household, into = locked[household.pk], locked[into.pk]
    _check_may_merge(by, household, into)
    _check_versions((household, version), (into, into_version))
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
    kept = into

    def retire(locked_merged: Household) -> None:
        # The kept household's change runs inside the merged one's, so each history shows its own members before
        # and after the move.
        nonlocal kept
        kept = workflow.change_record(
            into,
            by=by,
            version=None,
            apply_changes=lambda locked_kept: _move_members(members, locked_kept),
            action=Action.ARCHIVE,
            event=RecordEvent.Action.MERGED,
            comment=note,
        )
        locked_merged.merged_into = kept

    merged = workflow.change_record(
        household,
        by=by,
        version=None,
        apply_changes=retire,
        action=Action.ARCHIVE,
        event=RecordEvent.Action.MERGED,
        comment=note,
    )
    workflow.take_step(merged, "archive", by=by)
    return kept
