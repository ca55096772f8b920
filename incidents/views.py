"""The incident pages, on the pages every record type shares (core.record_pages): the violations and follow-ups
formsets, the narrative shown only to who may read it, possible duplicates and the reject naming one; and the GBV
referral pages (need-to-know, below).

Each type subclasses RecordPages and overrides its hooks. Reads go through `incidents.selectors` (which apply the
user's scope), writes through `incidents.services` and `core.workflow`. NotInScope (404) and RoleRefused (403) go on
to core.middleware.DomainErrorMiddleware; these views answer a conflict (409: its message on the record's page, or
what changed on the form) and a ValidationError (the message on the field it names).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import access, record_pages, workflow
from core.access import Action, Family
from core.audit import Channel
from core.errors import ConflictError
from core.http import signed_in
from core.inputs import version_number, whole_number
from core.models import User
from core.record_forms import places_for
from core.record_pages import RecordForms, RecordPages, field_differences
from core.records import PEOPLE_FIELDS
from incidents import selectors, services
from incidents.choices import CaseStatus, ServiceStatus
from incidents.filtersets import GbvReferralFilterSet, IncidentFilterSet
from incidents.forms import (
    FollowUpFormSet,
    GbvReferralForm,
    IncidentForm,
    MarkProvidedForm,
    ServiceReferralFormSet,
    StepForm,
    ViolationFormSet,
    WithdrawConsentForm,
    follow_up_initial,
    grouped_type_choices,
    kept_rows,
    population_group_choices,
    service_choices,
    service_rows,
    violation_initial,
)
from incidents.models import GbvReferral, Incident

# A service still waiting for the survivor: counted as open on the list.
OPEN_SERVICE_STATUSES = frozenset({ServiceStatus.PENDING, ServiceStatus.ACCEPTED})


# --- Incidents


class IncidentForms(RecordForms):
    """The incident form and its two formsets, built from the same once-read choices."""

    children = ("violations", "follow_ups")

    def __init__(self, request: HttpRequest, incident: Incident | None) -> None:
        data = request.POST if request.method == "POST" else None
        self.user = signed_in(request)
        self.places = places_for(signed_in(request))
        row_choices = {"type_choices": grouped_type_choices(), "group_choices": population_group_choices()}
        self.main = IncidentForm(data, instance=incident, user=signed_in(request), places=self.places)
        self.violations = ViolationFormSet(
            data,
            prefix="violations",
            form_kwargs=row_choices,
            initial=violation_initial(incident) if incident else None,
        )
        self.follow_ups = FollowUpFormSet(
            data, prefix="follow_ups", initial=follow_up_initial(incident) if incident else None
        )

    def differences(self, current: Incident) -> list[dict[str, str]]:
        rows = field_differences(self.main, current)
        if "narrative" in self.main.fields and current.narrative_hidden_from(self.user):
            # Restricted since this form was opened: the saved narrative is not shown in the conflict either.
            label = self.main.fields["narrative"].label
            rows = [row for row in rows if row["field"] != label]
        typed = sorted(_violation_key(row) for row in kept_rows(self.violations))
        saved = sorted(
            _violation_key({"type": item.type, "population_group": item.population_group, **item.people()})
            for item in current.violations.all()
        )
        if typed != saved:
            rows.append({"field": _("Violations"), "saved": "; ".join(saved), "typed": "; ".join(typed)})
        return rows


def _violation_key(row: dict[str, Any]) -> str:
    counts = ", ".join(f"{name} {row.get(name) or 0}" for name in PEOPLE_FIELDS)
    return f"{row['type']} ({row['population_group']}: {counts})"


def _tune_urgent_filter(form: forms.Form) -> None:
    """ "Any" rather than "unknown" for the urgent filter."""
    if "urgent" in form.fields:
        form.fields["urgent"].widget.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]


@login_required
@require_POST
def lift_narrative_restriction(request: HttpRequest, pk: int) -> HttpResponse:
    """A GBV focal point lifts the restriction on an incident's narrative (403 for anyone else)."""
    incident = INCIDENT_PAGES.get_object(request, pk)
    if record_pages.refused_without_version(request, incident):
        return INCIDENT_PAGES.render_detail(request, incident, status=400)
    version = version_number(request.POST.get("version"))
    try:
        services.incident_lift_narrative_restriction(incident=incident, by=signed_in(request), version=version)
    except ConflictError as error:
        messages.error(request, str(error))
        return INCIDENT_PAGES.render_detail(request, INCIDENT_PAGES.get_object(request, pk), status=409)
    messages.success(request, _("Everyone who reads incident #%(id)d now reads its narrative.") % {"id": pk})
    return redirect("incidents:detail", pk=pk)


class IncidentPages(RecordPages[Incident, IncidentForms]):
    """The shared pages, with the narrative shown only to who may read it, possible duplicates, and a reject that
    may name the incident this one repeats."""

    model = Incident
    namespace = "incidents"
    name = "incident"
    url_name_prefix = ""  # the namespace is the type's own: "incidents:detail"
    filterset_class = IncidentFilterSet
    forms_class = IncidentForms
    template_prefix = "incidents/incident"
    new_label = gettext_lazy("New incident")
    step_form_class = StepForm
    confirm_texts = {
        "reject": gettext_lazy("Reject this incident? It will no longer count in the figures."),
        "archive": gettext_lazy("Archive this incident? It can be restored later."),
    }
    confirm_template = "incidents/incident_confirm.html"
    step_done_text = gettext_lazy("%(step)s: done for incident #%(id)d.")

    def get_queryset(self, user: User) -> QuerySet[Incident]:
        return selectors.incident_list(user=user)

    def tune_filters(self, form: forms.Form) -> None:
        super().tune_filters(form)
        _tune_urgent_filter(form)

    def list_facts(self, incidents: list[Incident]) -> None:
        # From the prefetched violations: no query per row.
        for incident in incidents:
            violations = list(incident.violations.all())
            incident.people_total = sum(violation.total for violation in violations)
            incident.type_labels = list(dict.fromkeys(violation.type.label for violation in violations))

    def detail_extra(self, request: HttpRequest, incident: Incident) -> dict[str, Any]:
        user = signed_in(request)
        violations = list(incident.violations.all())
        rejectable = "reject" in workflow.steps_open_to(user, incident)
        return {
            "violations": violations,
            "people_total": sum(violation.total for violation in violations),
            "show_narrative": selectors.show_narrative(user, incident),
            "may_lift_restriction": incident.narrative_restricted and access.may_read_restricted_narrative(user),
            "duplicates": selectors.possible_duplicates([incident], user=user).get(incident.pk, [])
            if rejectable
            else [],
        }

    def write(self, request: HttpRequest, forms_: IncidentForms, incident: Incident | None) -> Incident:
        fields = dict(forms_.main.cleaned_data)
        if fields.get("organisation", True) is None:
            fields.pop("organisation")  # an admin who leaves it empty reports for their own organisation
        violations, follow_ups = kept_rows(forms_.violations), kept_rows(forms_.follow_ups)
        if incident is None:
            return services.incident_create(
                by=signed_in(request), fields=fields, violations=violations, follow_ups=follow_ups
            )
        return services.incident_update(
            incident=incident,
            by=signed_in(request),
            version=version_number(request.POST.get("version")),
            fields=fields,
            violations=violations,
            follow_ups=follow_ups,
        )

    def run_step(self, request: HttpRequest, incident: Incident, step: str, text: str, values: dict[str, Any]) -> None:
        """The shared step, but a rejection may name the incident this one repeats."""
        version = values.get("version")
        if step != "reject":
            super().run_step(request, incident, step, text, values)
            return
        duplicate = None
        if values.get("duplicate_of"):
            duplicate = self.get_queryset(signed_in(request)).filter(pk=values["duplicate_of"]).first()
            if duplicate is None:
                raise ValidationError({"duplicate_of": _("No incident with this number in your scope.")})
        services.incident_reject(
            incident=incident, by=signed_in(request), reason=text, duplicate_of=duplicate, version=version
        )

    def extra_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/lift-narrative-restriction/",
                lift_narrative_restriction,
                name="lift-narrative-restriction",
            )
        ]


INCIDENT_PAGES = IncidentPages()


# --- GBV referrals: need-to-know (SPEC.md). Only GBV focal points of the record's region read them: anyone else
# gets 403 on the collection pages (list, form, board) and 404 on any record page, whatever their other powers
# (RecordPages asks access of the type's family). Every referral a page shows is written to the access log.

BOARD_PAGE_SIZE = 100


class GbvReferralForms(RecordForms):
    """The referral form and its services formset."""

    children = ("services",)

    def __init__(self, request: HttpRequest, referral: GbvReferral | None) -> None:
        data = request.POST if request.method == "POST" else None
        self.places = places_for(signed_in(request))
        self.main = GbvReferralForm(data, instance=referral, user=signed_in(request), places=self.places)
        self.services = ServiceReferralFormSet(
            data,
            prefix="services",
            form_kwargs={"service_choices": service_choices()},
            initial=service_rows(referral) if referral else None,
        )

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if self.services.is_valid():
            # The services' rules (consent, dates, status) at once with the other errors, not after them.
            consent = bool(self.main.cleaned_data.get("consent_to_referral"))
            try:
                services.check_services(kept_rows(self.services), consent_to_referral=consent)
            except ValidationError as error:
                self.add_errors(error)
                return False
        return valid

    def differences(self, current: GbvReferral) -> list[dict[str, str]]:
        rows = field_differences(self.main, current)
        typed = sorted(_service_key(row) for row in kept_rows(self.services))
        saved = sorted(_service_key(row) for row in service_rows(current))
        if typed != saved:
            rows.append({"field": _("Services"), "saved": "; ".join(saved), "typed": "; ".join(typed)})
        return rows


def _service_key(row: dict[str, Any]) -> str:
    status = ServiceStatus(row.get("status") or ServiceStatus.PENDING).label
    return f"{row['service']} → {row.get('organisation') or '—'} ({status})"


class GbvReferralPages(RecordPages[GbvReferral, GbvReferralForms]):
    """The shared pages, need-to-know: every referral shown is logged; the detail page carries the case (closure
    asked by one focal point and approved by another, consent, services provided) and the post-exposure window."""

    model = GbvReferral
    namespace = "incidents"
    name = "gbv"
    filterset_class = GbvReferralFilterSet
    forms_class = GbvReferralForms
    template_prefix = "incidents/gbv_referral"
    new_label = gettext_lazy("New GBV referral")
    confirm_texts = {
        "reject": gettext_lazy("Reject this GBV referral? It will no longer count in the figures."),
        "archive": gettext_lazy("Archive this GBV referral? It can be restored later."),
    }
    confirm_template = "incidents/gbv_referral_confirm.html"
    step_done_text = gettext_lazy("%(step)s: done for GBV referral #%(id)d.")
    saved_text = gettext_lazy("GBV referral #%(id)d was saved.")
    submitted_text = gettext_lazy("GBV referral #%(id)d was saved and submitted for review.")

    def get_queryset(self, user: User) -> QuerySet[GbvReferral]:
        return selectors.gbv_referral_list(user=user)

    def shown(self, request: HttpRequest, referrals: Sequence[GbvReferral]) -> None:
        access.log_record_access(signed_in(request), referrals, Channel.PAGE, request=request)

    def list_facts(self, referrals: list[GbvReferral]) -> None:
        for referral in referrals:
            # From the prefetched services: no query per row.
            referral.service_list = list(referral.services.all())
            referral.open_services = sum(item.status in OPEN_SERVICE_STATUSES for item in referral.service_list)

    def detail_extra(self, request: HttpRequest, referral: GbvReferral) -> dict[str, Any]:
        user = signed_in(request)
        may_manage = Action.MANAGE_CASE in access.allowed_actions(user, referral)
        today = timezone.localdate()
        return {
            "services": list(referral.services.all()),
            "case": _case_actions(user, referral, may_manage),
            "consent_form": WithdrawConsentForm(initial={"version": referral.version}),
            "today": today,
            "pep_until": _post_exposure_deadline(referral, today),
        }

    def form_extra(self, forms_: GbvReferralForms) -> dict[str, Any]:
        return {"service_errors": getattr(forms_.services, "service_errors", [])}

    def write(self, request: HttpRequest, forms_: GbvReferralForms, referral: GbvReferral | None) -> GbvReferral:
        fields, rows = dict(forms_.main.cleaned_data), kept_rows(forms_.services)
        if referral is None:
            created = services.gbv_referral_create(by=signed_in(request), fields=fields, services=rows)
            # Its author has it in hand: in the access log like every referral a page gives (edits read it first).
            self.shown(request, [created])
            return created
        return services.gbv_referral_update(
            referral=referral,
            by=signed_in(request),
            version=version_number(request.POST.get("version")),
            fields=fields,
            services=rows,
        )

    def extra_urls(self) -> list[URLPattern]:
        return [
            path("gbv/follow-up/", gbv_follow_up_board, name="gbv-board"),
            path("gbv/<int:pk>/withdraw-consent/", gbv_referral_consent, name="gbv-consent"),
            path("gbv/<int:pk>/closure/<slug:decision>/", gbv_referral_closure, name="gbv-closure"),
            path("gbv/<int:pk>/services/<int:service_pk>/provided/", gbv_service_provided, name="gbv-service-provided"),
        ]


GBV_REFERRAL_PAGES = GbvReferralPages()


def _post_exposure_deadline(referral: GbvReferral, today: datetime.date) -> datetime.date | None:
    """The last day of the 72-hour window for post-exposure care, while it is still open."""
    if referral.incident_date is None:
        return None
    deadline = referral.incident_date + datetime.timedelta(days=3)
    return deadline if today <= deadline else None


def _case_actions(user: Any, referral: GbvReferral, may_manage: bool) -> dict[str, bool]:
    """Which case buttons to show: closing is asked by one focal point and approved by another."""
    is_open = referral.case_status == CaseStatus.OPEN
    requested = bool(referral.closure_requested_by_id)
    mine = referral.closure_requested_by_id == user.pk
    return {
        "may_request": may_manage and is_open and not requested,
        "may_approve": may_manage and is_open and requested and not mine,
        "waiting_for_another": is_open and requested and mine,
        "may_withdraw_consent": may_manage and (referral.consent_to_referral or referral.consent_to_reporting),
    }


@login_required
def gbv_follow_up_board(request: HttpRequest) -> HttpResponse:
    """Services still pending past their follow-up date, by region, the oldest follow-up first."""
    if not access.may(signed_in(request), Action.READ, Family.GBV):
        raise PermissionDenied
    today = timezone.localdate()
    page = Paginator(selectors.overdue_services(user=signed_in(request), today=today), BOARD_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    overdue = list(page.object_list)
    shown = {item.referral_id: item.referral for item in overdue}
    GBV_REFERRAL_PAGES.shown(request, list(shown.values()))
    for item in overdue:
        follow_up_on = cast(datetime.date, item.follow_up_on)  # overdue: a follow-up date before today
        item.days_overdue = (today - follow_up_on).days
    context = {"page": page, "overdue": overdue, "today": today, "query": ""}
    return render(request, "incidents/gbv_follow_up_board.html", context)


def _gbv_case_change(
    request: HttpRequest, referral: GbvReferral, change: Callable[[], object], done: str
) -> HttpResponse:
    """A change made from the referral's page (closure, consent, a service provided), its refusals as the steps'."""
    pages = GBV_REFERRAL_PAGES
    try:
        change()
    except access.RoleRefused:
        if referral.closure_requested_by_id != signed_in(request).pk:
            raise  # DomainErrorMiddleware's 403
        # The only refusal a focal point of the region meets: approving the closure they asked for themselves.
        messages.error(request, _("You asked to close this case: another focal point must approve it."))
        return pages.render_detail(request, pages.get_object(request, referral.pk), status=403)
    except ConflictError as error:
        messages.error(request, str(error))
        return pages.render_detail(request, pages.get_object(request, referral.pk), status=409)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return pages.render_detail(request, pages.get_object(request, referral.pk), status=400)
    messages.success(request, done)
    return redirect("incidents:gbv-detail", pk=referral.pk)


@login_required
@require_POST
def gbv_referral_closure(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """A focal point asks to close the case (`request`); a second one approves it (`approve`)."""
    service = {"request": services.gbv_request_closure, "approve": services.gbv_approve_closure}.get(decision)
    if service is None:
        raise Http404
    referral = GBV_REFERRAL_PAGES.get_object(request, pk)
    if decision == "request":
        done = _("Closing GBV referral #%(id)d was requested; another focal point approves it.") % {"id": pk}
    else:
        done = _("GBV referral #%(id)d: the case is closed.") % {"id": pk}
    version = whole_number(request.POST.get("version", ""))
    return _gbv_case_change(
        request, referral, lambda: service(referral=referral, by=signed_in(request), version=version), done
    )


@login_required
@require_POST
def gbv_referral_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """The survivor withdraws consent: asked first (a dialog, or a confirmation page without scripts)."""
    referral = GBV_REFERRAL_PAGES.get_object(request, pk)
    form = WithdrawConsentForm(request.POST)
    form.is_valid()
    values = form.cleaned_data
    access.check_record_action(signed_in(request), referral, Action.MANAGE_CASE)
    if request.POST.get("confirm") != "1":
        pages = GBV_REFERRAL_PAGES
        context = {**pages.base_context(), **pages.record_context(referral), "values": values, "consent": True}
        return render(request, "incidents/gbv_referral_confirm.html", context)
    withdraw_reporting = bool(values.get("withdraw_reporting"))
    return _gbv_case_change(
        request,
        referral,
        lambda: services.gbv_withdraw_consent(
            referral=referral,
            by=signed_in(request),
            withdraw_reporting=withdraw_reporting,
            version=values.get("version"),
        ),
        _("Consent withdrawn: GBV referral #%(id)d was anonymised.") % {"id": pk},
    )


@login_required
@require_POST
def gbv_service_provided(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    """Mark one service provided: a follow-up that keeps the referral's review status."""
    referral = GBV_REFERRAL_PAGES.get_object(request, pk)
    form = MarkProvidedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date the service was provided."))
        return GBV_REFERRAL_PAGES.render_detail(request, referral, status=400)
    service = next((item for item in referral.services.all() if item.pk == service_pk), None)
    label = service.service.label if service else ""
    return _gbv_case_change(
        request,
        referral,
        lambda: services.gbv_mark_service_provided(
            referral=referral,
            by=signed_in(request),
            service_id=service_pk,
            provided_on=form.cleaned_data["provided_on"],
            version=form.cleaned_data["version"],
        ),
        _("%(service)s: marked provided.") % {"service": label},
    )
