"""Writes of incidents. Forms and serializers validate, then call these; the workflow steps are core's."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import access, notifications, workflow
from core.access import Action
from core.choices import Role, Status
from core.models import RecordEvent, User
from core.records import PEOPLE_FIELDS, replace_children
from incidents.choices import CaseStatus, ServiceStatus
from incidents.models import GbvReferral, Incident, ServiceReferral, Violation

logger = logging.getLogger(__name__)


def _check_violations(violations: Sequence[Mapping[str, Any]]) -> None:
    if not violations:
        raise ValidationError({"violations": _("Record at least one violation.")})
    for position, violation in enumerate(violations, start=1):
        if sum(int(violation.get(name) or 0) for name in PEOPLE_FIELDS) <= 0:
            raise ValidationError({"violations": _("Violation %(n)d: count at least one person.") % {"n": position}})


def _replace_children(incident: Incident, violations: Sequence[Mapping] | None, follow_ups: Sequence[Mapping] | None):
    if violations is not None:
        _check_violations(violations)
    sexual_violence_before = _sexual_violence_types(incident)
    replace_children(incident, "violations", violations)
    replace_children(incident, "follow_ups", follow_ups)
    if not incident.narrative_restricted and _sexual_violence_types(incident) - sexual_violence_before:
        # A sexual-violence type saved for the first time restricts the narrative; removing it lifts nothing.
        incident.narrative_restricted = True
        incident.save(update_fields=["narrative_restricted"])


def _sexual_violence_types(incident: Incident) -> set[int]:
    if incident.pk is None:
        return set()
    return set(incident.violations.filter(type__sexual_violence=True).values_list("type_id", flat=True))


def restrict_sexual_violence_narratives(incidents: QuerySet[Incident]) -> int:
    """Restrict the narrative of each of `incidents` that has a sexual-violence type: for records written in bulk,
    without the services (the demo, an import). Answers how many were restricted."""
    with_sexual_violence = Violation.objects.filter(incident=OuterRef("pk"), type__sexual_violence=True)
    return incidents.filter(Exists(with_sexual_violence), narrative_restricted=False).update(narrative_restricted=True)


def _check_narrative_unchanged(incident: Incident, fields: Mapping[str, Any], by: User) -> None:
    """Who may not read a restricted narrative may not write it either: they edit the rest of the incident."""
    if "narrative" in fields and incident.narrative_hidden_from(by):
        raise ValidationError(
            {
                "narrative": _(
                    "The narrative of this incident is restricted to GBV focal points: leave it out of your change."
                )
            }
        )


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
    return workflow.create_from_fields(
        Incident, by=by, fields=fields, save_children=lambda saved: _replace_children(saved, violations, follow_ups)
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
        _check_narrative_unchanged(locked, fields, by)
        workflow.set_fields(locked, by=by, fields=fields)
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


@transaction.atomic
def incident_lift_narrative_restriction(*, incident: Incident, by: User, version: int | None = None) -> Incident:
    """A GBV focal point lifts the restriction on an incident's narrative: everyone in scope reads it again.

    Scope first (404), then the role (403): only GBV focal points, who read incidents but do not edit them, so the
    change is checked as a read of the record. It is not an edit: a verified incident stays verified.
    """
    if not access.record_in_scope(by, incident):
        raise access.NotInScope
    if not access.may_read_restricted_narrative(by):
        raise access.RoleRefused

    def lift(locked: Incident) -> None:
        if not locked.narrative_restricted:
            raise workflow.WorkflowError(_("The narrative of this incident is not restricted."))
        locked.narrative_restricted = False

    return workflow.change_record(
        incident,
        by=by,
        version=version,
        apply_changes=lift,
        action=Action.READ,
        # Stored as the English source: the history shows it in its reader's language (core.record_pages).
        comment=gettext_noop("Narrative restriction lifted by a GBV focal point."),
    )


# --- GBV referrals

# Free text a survivor's withdrawal of consent clears (the history keeps that it was cleared, not what it said).
FREE_TEXT = frozenset({"notes"})
# What a history line or notification about a cleared referral says instead of its text.
CLEARED = "…"


def check_services(services: Sequence[Mapping[str, Any]], *, consent_to_referral: bool) -> None:
    """The rules a list of service referrals obeys, each failing with a message on `services`."""
    if services and not consent_to_referral:
        raise ValidationError(
            {"services": _("The survivor did not consent to be referred: no service can be referred.")}
        )
    today = timezone.localdate()
    for position, row in enumerate(services, start=1):
        message = _service_problem(row, today)
        if message:
            raise ValidationError({"services": _("Service %(n)d: %(problem)s") % {"n": position, "problem": message}})


def _service_problem(row: Mapping[str, Any], today) -> str | None:
    status, referred_on, provided_on = (
        row.get("status", ServiceStatus.PENDING),
        row.get("referred_on"),
        row.get("provided_on"),
    )
    follow_up_on = row.get("follow_up_on")
    provided = status == ServiceStatus.PROVIDED
    problems = (  # in order: the first that applies is the one reported
        (referred_on and referred_on > today, _("the date referred is in the future.")),
        (provided and not provided_on, _("give the date the service was provided.")),
        (provided_on and not provided, _("a date provided only goes with the status “provided”.")),
        (
            provided_on and referred_on and provided_on < referred_on,
            _("it cannot have been provided before it was referred."),
        ),
        (provided_on and provided_on > today, _("the date provided is in the future.")),
        (
            follow_up_on and referred_on and follow_up_on < referred_on,
            _("the follow-up date comes before the date referred."),
        ),
    )
    return next((message for applies, message in problems if applies), None)


def _replace_services(referral: GbvReferral, services: Sequence[Mapping[str, Any]] | None) -> None:
    if services is not None:
        check_services(services, consent_to_referral=referral.consent_to_referral)
    replace_children(referral, "services", services)


@transaction.atomic
def gbv_referral_create(
    *, by: User, fields: Mapping[str, Any], services: Sequence[Mapping[str, Any]] = ()
) -> GbvReferral:
    check_services(services, consent_to_referral=bool(fields.get("consent_to_referral")))
    return workflow.create_from_fields(
        GbvReferral, by=by, fields=fields, save_children=lambda saved: _replace_services(saved, services)
    )


@transaction.atomic
def gbv_referral_update(
    *,
    referral: GbvReferral,
    by: User,
    version: int | None,
    fields: Mapping[str, Any],
    services: Sequence[Mapping[str, Any]] | None = None,
) -> GbvReferral:
    """Change a referral; `services`, when given, replace the whole list. Consent is withdrawn with
    `gbv_withdraw_consent`, which also clears free text."""

    def apply_changes(locked: GbvReferral) -> None:
        workflow.set_fields(locked, by=by, fields=fields)
        if services is None and not locked.consent_to_referral and locked.services.exists():
            check_services([{}], consent_to_referral=False)
        _replace_services(locked, services)

    return workflow.update_record(referral, by=by, version=version, apply_changes=apply_changes)


@transaction.atomic
def gbv_withdraw_consent(
    *, referral: GbvReferral, by: User, withdraw_reporting: bool, version: int | None = None
) -> GbvReferral:
    """The survivor withdraws consent: no more referral, free text cleared here and in the history; the record
    still counts in statistics only if consent to reporting stands."""

    def anonymise(locked: GbvReferral) -> None:
        locked.consent_to_referral = False
        if withdraw_reporting:
            locked.consent_to_reporting = False
        _clear_free_text(locked)
        locked.anonymised_at = timezone.now()

    referral = workflow.change_record(
        referral,
        by=by,
        version=version,
        apply_changes=anonymise,
        action=Action.MANAGE_CASE,
        event=RecordEvent.Action.ANONYMISED,
        # Stored as the English source: the history shows it in its reader's language (core.record_pages).
        comment=gettext_noop("Consent withdrawn: free text cleared."),
        redact=FREE_TEXT | {"services"},
    )
    _clear_copies(referral)
    return referral


def _clear_free_text(referral: GbvReferral) -> None:
    """Every free text on the record itself: its notes, the services' notes and receiving organisations, and the
    last review comment or reason (a return's "Survivor M. T., lives behind …")."""
    referral.notes = ""
    referral.review_note = ""
    referral.services.update(notes="", organisation="")


def _clear_copies(referral: GbvReferral) -> None:
    """The copies of that text elsewhere: the history's comments and old → new values, and the notifications the
    referral caused (a return's notification quotes its comment)."""
    for event in workflow.history(referral):
        changes = {
            key: ([CLEARED, CLEARED] if key in FREE_TEXT | {"services"} else pair)
            for key, pair in event.changes.items()
        }
        cleared_comment = CLEARED if event.comment and event.action != RecordEvent.Action.ANONYMISED else event.comment
        if changes != event.changes or cleared_comment != event.comment:
            event.changes, event.comment = changes, cleared_comment
            event.save(update_fields=["changes", "comment"])
    notifications.clear_record_notifications(
        referral, _("GBV referral #%(id)d: the text of this notification was cleared.") % {"id": referral.pk}
    )


def _closed_before(cutoff: datetime.datetime) -> QuerySet[GbvReferral]:
    """Closed cases whose closing (the last "case closed" line of their history) is older than `cutoff`, and
    that still hold free text somewhere: on the record, its services, or its history's comments."""
    content_type = ContentType.objects.get_for_model(GbvReferral)
    events = RecordEvent.objects.filter(content_type=content_type, object_id=OuterRef("pk"))
    last_closed = events.filter(action=RecordEvent.Action.CLOSED).order_by("-at").values("at")[:1]
    text_in_history = events.exclude(comment__in=["", CLEARED]).exclude(action=RecordEvent.Action.ANONYMISED)
    text_in_services = ServiceReferral.objects.filter(referral=OuterRef("pk")).exclude(notes="", organisation="")
    return (
        GbvReferral.objects.filter(case_status=CaseStatus.CLOSED)
        .annotate(closed_at=Subquery(last_closed))
        .filter(closed_at__lte=cutoff)
        .filter(~Q(notes="") | ~Q(review_note="") | Exists(text_in_services) | Exists(text_in_history))
    )


def gbv_clear_closed_cases(now: datetime.datetime | None = None) -> int:
    """Clear the free text of GBV cases closed more than VIGIE_GBV_RETENTION_DAYS ago (SPEC.md: no survivor's
    story kept longer than the case needs it). Their figures stay: sex, age, type, consents and services are
    kept. Each clearing is a history line and a log line; a case with no text left is not touched again."""
    days = settings.VIGIE_GBV_RETENTION_DAYS
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    cleared = 0
    for pk in _closed_before(cutoff).values_list("pk", flat=True):
        _clear_closed_case(pk, days)
        cleared += 1
    return cleared


@transaction.atomic
def _clear_closed_case(pk: int, days: int) -> None:
    # Locked: an edit in flight either lands before (and is cleared) or gets a stale version (and is refused).
    referral = GbvReferral.objects.select_for_update().get(pk=pk)
    closing = workflow.history(referral).filter(action=RecordEvent.Action.CLOSED).last()
    _clear_free_text(referral)
    referral.version += 1
    referral.save(update_fields=["notes", "review_note", "version", "updated_at"])
    # Nobody asked for it: the line names the rule, and the focal point who closed the case stands as its actor.
    workflow.log_event(
        referral,
        by=closing.actor if closing else referral.created_by,
        action=RecordEvent.Action.ANONYMISED,
        comment=_("Closed more than %(days)d days ago: free text cleared (retention period).") % {"days": days},
    )
    _clear_copies(referral)
    logger.info("GBV referral #%d: closed more than %d days ago, free text cleared.", referral.pk, days)


@transaction.atomic
def gbv_request_closure(*, referral: GbvReferral, by: User, version: int | None = None) -> GbvReferral:
    """A focal point asks to close the case; a second focal point approves it (gbv_approve_closure)."""

    def request(locked: GbvReferral) -> None:
        if locked.case_status == CaseStatus.CLOSED:
            raise workflow.WorkflowError(_("This case is already closed."))
        if locked.closure_requested_by_id:
            raise workflow.WorkflowError(_("Closing this case was already requested; another focal point approves it."))
        locked.closure_requested_by = by

    return workflow.change_record(
        referral,
        by=by,
        version=version,
        apply_changes=request,
        action=Action.MANAGE_CASE,
        event=RecordEvent.Action.CLOSURE_REQUESTED,
    )


@transaction.atomic
def gbv_approve_closure(*, referral: GbvReferral, by: User, version: int | None = None) -> GbvReferral:
    def approve(locked: GbvReferral) -> None:
        if not locked.closure_requested_by_id:
            raise workflow.WorkflowError(_("Nobody asked to close this case yet."))
        if locked.closure_requested_by_id == by.pk:
            raise access.RoleRefused
        locked.case_status = CaseStatus.CLOSED

    return workflow.change_record(
        referral,
        by=by,
        version=version,
        apply_changes=approve,
        action=Action.MANAGE_CASE,
        event=RecordEvent.Action.CLOSED,
    )


@transaction.atomic
def gbv_notify_overdue_follow_ups(today: datetime.date | None = None) -> int:
    """Notify the focal points of each pending service whose follow-up date has passed, once per service.

    The message names the referral by number only: notifications may be e-mailed.
    """
    today = today or timezone.localdate()
    overdue = (
        ServiceReferral.objects.select_for_update(of=("self",))
        .filter(
            status__in=[ServiceStatus.PENDING, ServiceStatus.ACCEPTED],
            follow_up_on__lt=today,
            overdue_notified_on__isnull=True,
        )
        .exclude(referral__status__in=[Status.ARCHIVED, Status.REJECTED])
        .select_related("referral", "referral__region", "referral__organisation", "service")
    )
    focal_points = list(User.objects.filter(role=Role.GBV_FOCAL_POINT, is_active=True).prefetch_related("regions"))
    notified = 0
    for service in overdue:
        readers = [user for user in focal_points if access.record_in_scope(user, service.referral)]
        notifications.notify(
            readers,
            _("Follow-up due since %(date)s: GBV referral #%(id)d, %(service)s.")
            % {"date": service.follow_up_on, "id": service.referral_id, "service": service.service.label},
            service.referral,
        )
        service.overdue_notified_on = today
        service.save(update_fields=["overdue_notified_on"])
        notified += 1
    return notified


@transaction.atomic
def gbv_mark_service_provided(
    *, referral: GbvReferral, by: User, service_id: int, provided_on: datetime.date, version: int | None = None
) -> GbvReferral:
    """A follow-up, not a change of what was verified: the service is marked provided and the referral keeps its
    review status (an edit would send a verified referral back for review)."""

    def mark(locked: GbvReferral) -> None:
        service = locked.services.filter(pk=service_id).first()
        if service is None:
            raise workflow.StaleVersion(_("This service is not on the referral any more; open it again."))
        check_services(
            [
                {
                    "status": ServiceStatus.PROVIDED,
                    "referred_on": service.referred_on,
                    "provided_on": provided_on,
                    "follow_up_on": service.follow_up_on,
                }
            ],
            consent_to_referral=True,
        )
        service.status, service.provided_on = ServiceStatus.PROVIDED, provided_on
        service.save(update_fields=["status", "provided_on"])
        getattr(locked, "_prefetched_objects_cache", {}).clear()

    return workflow.change_record(referral, by=by, version=version, apply_changes=mark, action=Action.MANAGE_CASE)
