"""The review workflow every record type shares: create, edit, submit, verify, return, reject, archive, restore.

    draft → submitted → verified;  submitted → returned (comment) → submitted …;  submitted → rejected (reason);
    any status → archived → back where it was.

Each step takes the row with `select_for_update()` inside a transaction, so two reviewers acting on the same
record at once are serialised, and the second sees the status the first left (and gets a 409, not a silent
overwrite). Every step writes a history line. Who may act is `core.access`'s answer, asked first.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import access, closing, notifications
from core.access import Action
from core.choices import Status
from core.errors import ConflictError
from core.inputs import version_number
from core.models import RecordEvent, User
from core.records import RecordType, ReviewedRecord, record_type_of

R = TypeVar("R", bound=ReviewedRecord)


class WorkflowError(ConflictError):
    """The step is not allowed from the record's current status (409)."""


class StaleVersion(ConflictError):
    """The change was based on an older version of the record than the one saved (409)."""


@dataclass(frozen=True)
class Step:
    name: str
    action: Action
    sources: frozenset[str]
    target: str | None  # None: back to the status before archiving
    event: str
    needs_text: str | None = None  # the field that must carry a comment or reason


_ANY_BUT_ARCHIVED = frozenset(set(Status.values) - {Status.ARCHIVED})
STEPS = {
    step.name: step
    for step in (
        Step("submit", Action.SUBMIT, frozenset({Status.DRAFT, Status.RETURNED}), Status.SUBMITTED, "submitted"),
        Step("verify", Action.REVIEW, frozenset({Status.SUBMITTED}), Status.VERIFIED, "verified"),
        Step("return", Action.REVIEW, frozenset({Status.SUBMITTED}), Status.RETURNED, "returned", "comment"),
        Step("reject", Action.REVIEW, frozenset({Status.SUBMITTED}), Status.REJECTED, "rejected", "reason"),
        Step("archive", Action.ARCHIVE, _ANY_BUT_ARCHIVED, Status.ARCHIVED, "archived"),
        Step("restore", Action.ARCHIVE, frozenset({Status.ARCHIVED}), None, "restored"),
    )
}
STEP_LABELS = {
    "submit": gettext_lazy("Submit for review"),
    "verify": gettext_lazy("Verify"),
    "return": gettext_lazy("Return to the author"),
    "reject": gettext_lazy("Reject"),
    "archive": gettext_lazy("Archive"),
    "restore": gettext_lazy("Restore"),
}


def _lock(record: R) -> R:
    # Serialises concurrent steps on one record: the second waits, then sees the first one's result.
    return type(record)._default_manager.select_for_update().get(pk=record.pk)


def _check_version(record: ReviewedRecord, version: object) -> None:
    """`version` as sent (a JSON number, a form's text, or None); one that is not a whole number is a 400."""
    yours = version_number(version)
    if yours is not None and yours != record.version:
        raise StaleVersion(
            _("Someone else saved this record after you opened it (version %(current)d, yours %(yours)d).")
            % {"current": record.version, "yours": yours},
            current_version=record.version,
        )


def _log(record: ReviewedRecord, *, by: User, action: str, from_status: str = "", **details: Any) -> RecordEvent:
    return RecordEvent.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        action=action,
        actor=by,
        from_status=from_status,
        to_status=record.status if from_status else "",
        **details,
    )


def _check_status(record: ReviewedRecord, step: Step, by: User) -> None:
    if record.status not in step.sources:
        raise WorkflowError(
            _("A record that is “%(status)s” cannot be given this step (%(step)s).")
            % {"status": record.get_status_display(), "step": STEP_LABELS[step.name]}
        )
    if step.action == Action.ARCHIVE:
        # archiving leaves the record's status; restoring returns it to the one it had
        status = record.status if step.name == "archive" else record.status_before_archive
        if not access.may_archive_from(by, status):
            raise WorkflowError(_("Only drafts can be archived by their author; ask a supervisor."))


def steps_open_to(user: User, record: ReviewedRecord, months: MonthStates | None = None) -> list[str]:
    """The steps `user` may take on `record` now — scope, role, status and the record's month all allow it: the
    buttons worth showing (a monitor's Archive on their submitted record, a supervisor's Verify in a closed month
    would only answer 409)."""
    open_steps = []
    months = record_month_states(record) if months is None else months
    for name, step in STEPS.items():
        try:
            access.check_record_action(user, record, step.action)
            _check_status(record, step, user)
        except (access.NotInScope, access.RoleRefused, WorkflowError):
            continue
        if closing.month_refusal(months, record, user, step.action, name) is None:
            open_steps.append(name)
    return open_steps


MonthStates = dict[datetime.date, closing.MonthState]


def record_month_states(record: ReviewedRecord) -> MonthStates:
    """The state of the record's month (closing, closed or open), for the pages: none for a type without months."""
    month = record.month_date if record.month_field else None
    return closing.month_states([month]) if month is not None else {}


def month_refusal_message(record: ReviewedRecord, user: User, months: MonthStates | None = None) -> str | None:
    """Why the record's month refuses this user's edits now (closing, or closed to them), or None."""
    months = record_month_states(record) if months is None else months
    refusal = closing.month_refusal(months, record, user)
    return None if refusal is None else str(refusal)


@transaction.atomic
def take_step(record: R, step_name: str, *, by: User, text: str = "", version: int | None = None) -> R:
    """Move the record one step along the workflow; raise NotInScope, RoleRefused, WorkflowError or StaleVersion."""
    step = STEPS[step_name]
    access.check_record_action(by, record, step.action)
    record = _lock(record)
    _check_version(record, version)
    _check_status(record, step, by)
    closing.check_month_open(record, by, action=step.action, step=step.name)
    if step.needs_text and not text.strip():
        raise ValidationError({step.needs_text: _("Say why: this field is required.")})
    from_status = record.status
    _apply_step(record, step, by, text.strip())
    record.version += 1
    record.save()
    _log(record, by=by, action=step.event, from_status=from_status, comment=text.strip())
    _notify_after_step(record, step, by)
    return record


def _apply_step(record: ReviewedRecord, step: Step, by: User, text: str) -> None:
    now = timezone.now()
    if step.name == "archive":
        record.status_before_archive = record.status
    record.status = step.target or record.status_before_archive or Status.DRAFT
    if step.name == "restore":
        record.status_before_archive = ""
    if step.name == "submit":
        record.submitted_at = now
    if step.action == Action.REVIEW:
        record.reviewed_by, record.reviewed_at, record.review_note = by, now, text


def _notify_after_step(record: ReviewedRecord, step: Step, by: User) -> None:
    if step.name == "return" and record.created_by_id != by.pk:
        notifications.notify(
            [record.created_by],
            _("%(type)s #%(id)d was returned to you: %(comment)s")
            % {"type": record_type_of(record).label, "id": record.pk, "comment": record.review_note},
            record,
        )
    if step.name == "submit" and record.urgent:
        notify_supervisors_of_urgent(record)


def notify_supervisors_of_urgent(record: ReviewedRecord) -> None:
    notifications.notify(
        access.urgent_record_reviewers(record),
        _("Urgent: %(type)s #%(id)d in %(region)s waits for review.")
        % {"type": record_type_of(record).label, "id": record.pk, "region": record.region.name},
        record,
    )


def split_fields(record_type: RecordType, fields: Mapping[str, Any], by: User) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a form or serializer validated, as the record's own values and its many-to-many lists. No whitelist:
    the declaration's editable fields are what may be set, and a field it does not know is a programming error
    (said, never dropped: a caller removes its form-only fields first). The organisation is kept only for a user
    who may file a record under another organisation (`access.may_choose_organisation`)."""
    unknown = set(fields) - record_type.editable_fields()
    if unknown:
        raise TypeError(f"{record_type.model.__name__} has no editable field {sorted(unknown)}.")
    lists = {field.name for field in record_type.model._meta.many_to_many}
    settable = {
        key: value for key, value in fields.items() if key != "organisation" or access.may_choose_organisation(by)
    }
    return (
        {key: value for key, value in settable.items() if key not in lists},
        {key: value for key, value in settable.items() if key in lists},
    )


def set_lists(record: ReviewedRecord, lists: Mapping[str, Any]) -> None:
    """Replace the record's many-to-many lists that were sent (API.md: a list, when sent, replaces the list)."""
    for name, items in lists.items():
        getattr(record, name).set(list(items or []))
    # The prefetched lists are stale now; the next read (history snapshot, answer) goes to the database.
    getattr(record, "_prefetched_objects_cache", {}).clear()


def set_fields(record: ReviewedRecord, *, by: User, fields: Mapping[str, Any]) -> None:
    """Put the values a form or serializer validated on the (locked) record, run the model's checks and replace the
    lists sent: an update's `apply_changes`, or its first part where the type saves child rows too."""
    own, lists = split_fields(record_type_of(record), fields, by)
    for key, value in own.items():
        setattr(record, key, value)
    record.full_clean(exclude=["created_by", "region", "organisation"])
    set_lists(record, lists)


@transaction.atomic
def create_from_fields(
    model: type[R], *, by: User, fields: Mapping[str, Any], save_children: Callable[[R], None] | None = None
) -> R:
    """A new draft of `model` from the values a form or serializer validated, lists included; `save_children`
    saves the type's child rows (violations, services, members) once the record has its id."""
    own, lists = split_fields(record_type_of(model), fields, by)

    def save_lists_and_children(saved: R) -> None:
        set_lists(saved, lists)
        if save_children:
            save_children(saved)

    return create_record(model(**own), by=by, save_children=save_lists_and_children)


@transaction.atomic
def update_from_fields(record: R, *, by: User, version: int | None, fields: Mapping[str, Any]) -> R:
    """Change a record with the values a form or serializer validated (a partial update sends some of them)."""
    return update_record(
        record, by=by, version=version, apply_changes=lambda locked: set_fields(locked, by=by, fields=fields)
    )


def check_place(user: User, record: ReviewedRecord) -> None:
    """Derive the record's region from its place; a place outside the user's regions is refused on `place`."""
    record.region = record.place.region
    if not access.may_place_record(user, record.region.pcode):
        raise ValidationError({"place": _("This place is outside your regions.")})


@transaction.atomic
def create_record(record: R, *, by: User, save_children: Callable[[R], None] | None = None) -> R:
    """Save a new record as a draft of the user's organisation, with its children, and log its creation."""
    if not access.may(by, Action.CREATE, record.family):
        raise access.RoleRefused
    check_place(by, record)
    record.created_by = by
    if not record.organisation_id or not access.may_choose_organisation(by):
        record.organisation = by.organisation  # type: ignore[assignment]  # None only without a lead organisation
    record.status, record.version = Status.DRAFT, 1
    record.full_clean(exclude=["created_by", "region", "organisation"])
    closing.check_month_open(record, by, action=Action.CREATE)
    record.save()
    if save_children:
        save_children(record)
    _log(record, by=by, action=RecordEvent.Action.CREATED)
    return record


@transaction.atomic
def change_record(
    record: R,
    *,
    by: User,
    version: int | None,
    apply_changes: Callable[[R], None],
    action: Action = Action.EDIT,
    event: str = RecordEvent.Action.CHANGED,
    comment: str = "",
    redact: frozenset[str] = frozenset(),
    access_checked: bool = False,
) -> R:
    """Apply `apply_changes` to the locked record, bump its version and log what changed (old → new).

    `redact` names values the history must not keep (free text cleared at a survivor's request).
    `access_checked`: the caller has already decided that `by` may make this change, which follows from another
    one (a household merge re-links records that point at the merged household, some of which the reviewer may
    not read); scope, role and place are then not asked again. Version, closed month and history still apply.
    """
    if not access_checked:
        access.check_record_action(by, record, action)
    record = _lock(record)
    _check_version(record, version)
    if action == Action.EDIT:
        check_editable(record, by)
    before = record.snapshot()
    month_before = record.month_date if record.month_field else None
    apply_changes(record)
    if not access_checked:
        check_place(by, record)
    closing.check_month_open(record, by, month_before, record.month_date if record.month_field else None, action=action)
    after = record.snapshot()
    changes = {
        key: ["…", "…"] if key in redact else [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
    from_status = record.status
    if action == Action.EDIT and record.status == Status.VERIFIED:
        # A verified record that changes needs another look before it counts again.
        record.status = Status.SUBMITTED
    record.version += 1
    record.save()
    _log(
        record,
        by=by,
        action=event,
        from_status=from_status if from_status != record.status else "",
        changes=changes,
        comment=comment,
    )
    return record


def update_record(record: R, *, by: User, version: int | None, apply_changes: Callable[[R], None]) -> R:
    """Edit a record. Monitors edit their own drafts and returned records; reviewers edit any record in scope but
    archived or rejected ones, and editing a verified record sends it back to `submitted` for another look."""
    return change_record(record, by=by, version=version, apply_changes=apply_changes)


def log_event(record: ReviewedRecord, *, by: User, action: str, comment: str = "") -> RecordEvent:
    return _log(record, by=by, action=action, comment=comment)


def check_editable(record: ReviewedRecord, by: User) -> None:
    if not access.may_edit_in_status(by, record.status):
        raise WorkflowError(
            _("This record is “%(status)s”: it can no longer be changed by its author.")
            % {"status": record.get_status_display()}
        )
    if not record.is_editable_status():
        raise WorkflowError(
            _("A record that is “%(status)s” cannot be changed; restore it first.")
            % {"status": record.get_status_display()}
        )


def add_comment(record: ReviewedRecord, *, by: User, text: str) -> RecordEvent:
    access.check_record_action(by, record, Action.READ)
    if not text.strip():
        raise ValidationError({"comment": _("Write a comment first.")})
    return _log(record, by=by, action=RecordEvent.Action.COMMENTED, comment=text.strip())


def history(record: ReviewedRecord) -> QuerySet[RecordEvent]:
    """The record's history, oldest first, with who did each step."""
    return RecordEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("actor")
