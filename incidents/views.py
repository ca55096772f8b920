"""The incident pages, on the pages every record type shares (core.record_pages): the violations and follow-ups
formsets, the narrative shown only to who may read it, possible duplicates and the reject naming one; and the GBV
referral pages (need-to-know, below).

Reads go through `incidents.selectors` (which apply the user's scope), writes through `incidents.services` and
`core.workflow`. NotInScope (404) and RoleRefused (403) go on to core.middleware.DomainErrorMiddleware; these views
answer a conflict (409: its message on the record's page, or what changed on the form) and a ValidationError (the
message on the field it names).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from core import access, record_pages, workflow
from core.access import Action, Family
from core.audit import Channel
from core.errors import ConflictError
from core.http import signed_in
from core.inputs import version_number, whole_number
from core.record_forms import place_picker_data, places_for
from core.record_pages import PAGE_SIZE, RecordForms, RecordPages, field_differences
from core.records import PEOPLE_FIELDS
from core.workflow import STEP_LABELS, STEPS
from incidents import selectors, services
from incidents.choices import CaseStatus, ServiceStatus
from incidents.filtersets import GbvReferralFilterSet, IncidentFilterSet
from incidents.forms import (
    CommentForm,
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
SORT_COLUMNS = ("id", "reported_on", "status")


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


def _write_incident(request: HttpRequest, forms_: IncidentForms, incident: Incident | None) -> Incident:
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


def _tune_urgent_filter(form: forms.Form) -> None:
    """ "Any" rather than "unknown" for the urgent filter."""
    if "urgent" in form.fields:
        form.fields["urgent"].widget.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]


def _incident_list_facts(incidents: list[Incident]) -> None:
    # From the prefetched violations: no query per row.
    for incident in incidents:
        violations = list(incident.violations.all())
        incident.people_total = sum(violation.total for violation in violations)
        incident.type_labels = list(dict.fromkeys(violation.type.label for violation in violations))


def _incident_detail(request: HttpRequest, incident: Incident) -> dict[str, Any]:
    user = signed_in(request)
    violations = list(incident.violations.all())
    rejectable = "reject" in workflow.steps_open_to(user, incident)
    return {
        "violations": violations,
        "people_total": sum(violation.total for violation in violations),
        "show_narrative": selectors.show_narrative(user, incident),
        "may_lift_restriction": incident.narrative_restricted and access.may_read_restricted_narrative(user),
        "duplicates": selectors.possible_duplicates([incident], user=user).get(incident.pk, []) if rejectable else [],
    }


def _run_incident_step(request: HttpRequest, incident: Incident, step: str, text: str, values: dict[str, Any]) -> None:
    """The shared step, but a rejection may name the incident this one repeats."""
    version = values.get("version")
    if step != "reject":
        workflow.take_step(incident, step, by=signed_in(request), text=text, version=version)
        return
    duplicate = None
    if values.get("duplicate_of"):
        duplicate = selectors.incident_list(user=signed_in(request)).filter(pk=values["duplicate_of"]).first()
        if duplicate is None:
            raise ValidationError({"duplicate_of": _("No incident with this number in your scope.")})
    services.incident_reject(
        incident=incident, by=signed_in(request), reason=text, duplicate_of=duplicate, version=version
    )


@login_required
@require_POST
def lift_narrative_restriction(request: HttpRequest, pk: int) -> HttpResponse:
    """A GBV focal point lifts the restriction on an incident's narrative (403 for anyone else)."""
    incident = INCIDENT_PAGES.get(request, pk)
    if record_pages.refused_without_version(request, incident):
        return INCIDENT_PAGES.render_detail(request, incident, status=400)
    version = version_number(request.POST.get("version"))
    try:
        services.incident_lift_narrative_restriction(incident=incident, by=signed_in(request), version=version)
    except ConflictError as error:
        messages.error(request, str(error))
        return INCIDENT_PAGES.render_detail(request, INCIDENT_PAGES.get(request, pk), status=409)
    messages.success(request, _("Everyone who reads incident #%(id)d now reads its narrative.") % {"id": pk})
    return redirect("incidents:detail", pk=pk)


INCIDENT_PAGES = RecordPages(
    slug="incidents",
    namespace="incidents",
    name="incident",
    url_name_prefix="",  # the namespace is the type's own: "incidents:detail"
    selector=lambda user: selectors.incident_list(user=user),
    filterset_class=IncidentFilterSet,
    list_filters=(
        "q",
        "region",
        "status",
        "organisation",
        "month",
        "type",
        "reported_on_after",
        "reported_on_before",
        "urgent",
        "ordering",
    ),
    sort_columns=SORT_COLUMNS,
    build_forms=IncidentForms,
    write=_write_incident,
    template_prefix="incidents/incident",
    new_label=gettext_lazy("New incident"),
    detail_extra=_incident_detail,
    list_facts=_incident_list_facts,
    run_step=_run_incident_step,
    step_form_class=StepForm,
    confirm_texts={
        "reject": gettext_lazy("Reject this incident? It will no longer count in the figures."),
        "archive": gettext_lazy("Archive this incident? It can be restored later."),
    },
    confirm_template="incidents/incident_confirm.html",
    step_done_text=gettext_lazy("%(step)s: done for incident #%(id)d."),
    tune_filters=_tune_urgent_filter,
    extra_urls=(
        path(
            "<int:pk>/lift-narrative-restriction/",
            lift_narrative_restriction,
            name="lift-narrative-restriction",
        ),
    ),
)


# --- Helpers the GBV referral pages keep


def _tune_filter_form(form: forms.Form) -> None:
    """Page-only touches to the filterset the API shares: date pickers, and "any" rather than "unknown"."""
    record_pages.tune_filter_form(form)
    _tune_urgent_filter(form)


def _sort_links(request: HttpRequest) -> dict[str, dict[str, str]]:
    return record_pages.sort_links(request, SORT_COLUMNS)


def _add_comment(
    request: HttpRequest, record: Any, detail_url_name: str, invalid: Callable[[], HttpResponse]
) -> HttpResponse:
    form = CommentForm(request.POST)
    try:
        workflow.add_comment(record, by=signed_in(request), text=form.data.get("comment", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return invalid()
    messages.success(request, _("Your comment was added."))
    return redirect(reverse(detail_url_name, args=[record.pk]) + "#history")


@dataclass(frozen=True)
class _EditFlow:
    """How one record type's form page saves: write, re-read after a conflict, compare, say it was saved."""

    write: Callable[[HttpRequest, Any, Any], Any]
    current: Callable[[HttpRequest, int], Any]
    differences: Callable[[Any, Any], list[dict[str, str]]]
    render_form: Callable[[HttpRequest, Any, dict[str, Any], int], HttpResponse]
    detail_url_name: str
    saved_text: StrOrPromise
    submitted_text: StrOrPromise


def _record_edit_page(
    request: HttpRequest, forms_: RecordForms, record: Any, flow: _EditFlow, context_name: str
) -> HttpResponse:
    context: dict[str, Any] = {context_name: record, "version": record.version if record else ""}
    status = 200
    if request.method == "POST":
        if record_pages.refused_without_version(request, record):
            status = 400
        elif forms_.is_valid():
            response, status = _save(request, forms_, record, context, flow)
            if response is not None:
                return response
        else:
            status = 400
    return flow.render_form(request, forms_, context, status)


def _save(
    request: HttpRequest, forms_: RecordForms, record: Any, context: dict[str, Any], flow: _EditFlow
) -> tuple[HttpResponse | None, int]:
    """Save (and submit, when asked); on failure, say why and keep what was typed."""
    try:
        saved = flow.write(request, forms_, record)
    except workflow.StaleVersion as error:
        current = flow.current(request, record.pk)
        context.update(conflict=str(error), differences=flow.differences(forms_, current), version=current.version)
        return None, 409
    except ConflictError as error:
        messages.error(request, str(error))
        return None, 409
    except ValidationError as error:
        forms_.add_errors(error)
        return None, 400
    return _after_save(request, saved, flow), 302


def _after_save(request: HttpRequest, record: Any, flow: _EditFlow) -> HttpResponse:
    if request.POST.get("action") == "submit" and record.status in STEPS["submit"].sources:
        try:
            workflow.take_step(record, "submit", by=signed_in(request), version=record.version)
        except (ConflictError, access.RoleRefused) as error:
            messages.warning(request, _("Saved, but not submitted: %(why)s") % {"why": str(error) or _("not allowed")})
            return redirect(flow.detail_url_name, pk=record.pk)
        messages.success(request, flow.submitted_text % {"id": record.pk})
    else:
        messages.success(request, flow.saved_text % {"id": record.pk})
    return redirect(flow.detail_url_name, pk=record.pk)


# --- GBV referrals: need-to-know (SPEC.md). Only GBV focal points of the record's region read them: anyone else
# gets 403 on the collection pages (list, form, board) and 404 on any record page, whatever their other powers.
# Every referral a page shows is written to the access log.

GBV_LIST_FILTERS = (
    "q",
    "region",
    "status",
    "case_status",
    "incident_type",
    "organisation",
    "month",
    "reported_on_after",
    "reported_on_before",
    "ordering",
)
BOARD_PAGE_SIZE = 100
_GBV_CONFIRM_TEXTS = {
    "reject": gettext_lazy("Reject this GBV referral? It will no longer count in the figures."),
    "archive": gettext_lazy("Archive this GBV referral? It can be restored later."),
}


def _require_gbv(user: Any, action: Action = Action.READ) -> None:
    if not access.may(user, action, Family.GBV):
        raise PermissionDenied


def _gbv_get(request: HttpRequest, pk: int) -> GbvReferral:
    """The referral, if this user may read it (404 otherwise); the read is logged."""
    return selectors.gbv_referral_get(user=signed_in(request), pk=pk, channel=Channel.PAGE, request=request)


@login_required
def gbv_referral_list(request: HttpRequest) -> HttpResponse:
    _require_gbv(signed_in(request))
    referrals_in_scope = selectors.gbv_referral_list(user=signed_in(request))
    filterset = GbvReferralFilterSet(request.GET, queryset=referrals_in_scope, request=request)
    queryset = filterset.qs if filterset.is_valid() else referrals_in_scope.none()
    _tune_filter_form(filterset.form)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    referrals = list(page.object_list)
    access.log_record_access(signed_in(request), referrals, Channel.PAGE, request=request)
    for referral in referrals:
        # From the prefetched services: no query per row.
        referral.service_list = list(referral.services.all())
        referral.open_services = sum(item.status in OPEN_SERVICE_STATUSES for item in referral.service_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset,
        "filter_fields": [filterset.form[name] for name in GBV_LIST_FILTERS],
        "page": page,
        "referrals": referrals,
        "query": query.urlencode(),
        "sort_links": _sort_links(request),
        "filtered": any(request.GET.get(name) for name in GBV_LIST_FILTERS if name != "ordering"),
        "may_create": access.may(signed_in(request), Action.CREATE, Family.GBV),
    }
    return render(request, "incidents/gbv_referral_list.html", context, status=200 if filterset.is_valid() else 400)


@login_required
def gbv_follow_up_board(request: HttpRequest) -> HttpResponse:
    """Services still pending past their follow-up date, by region, the oldest follow-up first."""
    _require_gbv(signed_in(request))
    today = timezone.localdate()
    page = Paginator(selectors.overdue_services(user=signed_in(request), today=today), BOARD_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    overdue = list(page.object_list)
    shown = {item.referral_id: item.referral for item in overdue}
    access.log_record_access(signed_in(request), list(shown.values()), Channel.PAGE, request=request)
    for item in overdue:
        follow_up_on = cast(datetime.date, item.follow_up_on)  # overdue: a follow-up date before today
        item.days_overdue = (today - follow_up_on).days
    context = {"page": page, "overdue": overdue, "today": today, "query": ""}
    return render(request, "incidents/gbv_follow_up_board.html", context)


@login_required
def gbv_referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_gbv_detail(request, _gbv_get(request, pk))


def _render_gbv_detail(request: HttpRequest, referral: GbvReferral, *, status: int = 200) -> HttpResponse:
    user = signed_in(request)
    allowed = access.allowed_actions(user, referral)
    may_edit = Action.EDIT in allowed and record_pages.edit_refusal(user, referral) is None
    today = timezone.localdate()
    context = {
        "referral": referral,
        "services": list(referral.services.all()),
        "history": record_pages.history_rows(referral, signed_in(request)),
        "steps": record_pages.step_rows(
            referral, workflow.steps_open_to(user, referral), "incidents:gbv-step", _GBV_CONFIRM_TEXTS
        ),
        "may_edit": may_edit,
        "case": _case_actions(user, referral, Action.MANAGE_CASE in allowed),
        "comment_form": CommentForm(),
        "consent_form": WithdrawConsentForm(initial={"version": referral.version}),
        "today": today,
        "pep_until": _post_exposure_deadline(referral, today),
    }
    return render(request, "incidents/gbv_referral_detail.html", context, status=status)


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
@require_POST
def gbv_referral_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    referral = _gbv_get(request, pk)
    return record_pages.take_step(
        request,
        referral,
        step,
        run=lambda text, values: workflow.take_step(
            referral, step, by=signed_in(request), text=text, version=values.get("version")
        ),
        confirm=lambda values: _render_gbv_confirm(request, referral, step, values),
        detail=lambda status: _render_gbv_detail(request, _gbv_get(request, pk), status=status),
        done=_("%(step)s: done for GBV referral #%(id)d.") % {"step": STEP_LABELS[step], "id": pk},
        detail_url=reverse("incidents:gbv-detail", args=[pk]),
    )


def _render_gbv_confirm(request: HttpRequest, referral: GbvReferral, step: str, values: dict[str, Any]) -> HttpResponse:
    context = {
        "referral": referral,
        "step": step,
        "step_label": STEP_LABELS[step],
        "values": values,
        "next": record_pages.safe_next(request) or "",
        "action_url": reverse("incidents:gbv-step", args=[referral.pk, step]),
    }
    return render(request, "incidents/gbv_referral_confirm.html", context)


@login_required
@require_POST
def gbv_referral_comment(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _gbv_get(request, pk)
    return _add_comment(
        request, referral, "incidents:gbv-detail", lambda: _render_gbv_detail(request, referral, status=400)
    )


def _gbv_case_change(
    request: HttpRequest, referral: GbvReferral, change: Callable[[], object], done: str
) -> HttpResponse:
    """A change made from the referral's page (closure, consent, a service provided), its refusals as the steps'."""
    try:
        change()
    except access.RoleRefused:
        if referral.closure_requested_by_id != signed_in(request).pk:
            raise  # DomainErrorMiddleware's 403
        # The only refusal a focal point of the region meets: approving the closure they asked for themselves.
        messages.error(request, _("You asked to close this case: another focal point must approve it."))
        return _render_gbv_detail(request, _gbv_get(request, referral.pk), status=403)
    except ConflictError as error:
        messages.error(request, str(error))
        return _render_gbv_detail(request, _gbv_get(request, referral.pk), status=409)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _render_gbv_detail(request, _gbv_get(request, referral.pk), status=400)
    messages.success(request, done)
    return redirect("incidents:gbv-detail", pk=referral.pk)


def _posted_version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return whole_number(value)


@login_required
@require_POST
def gbv_referral_closure(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """A focal point asks to close the case (`request`); a second one approves it (`approve`)."""
    service = {"request": services.gbv_request_closure, "approve": services.gbv_approve_closure}.get(decision)
    if service is None:
        raise Http404
    referral = _gbv_get(request, pk)
    if decision == "request":
        done = _("Closing GBV referral #%(id)d was requested; another focal point approves it.") % {"id": pk}
    else:
        done = _("GBV referral #%(id)d: the case is closed.") % {"id": pk}
    return _gbv_case_change(
        request,
        referral,
        lambda: service(referral=referral, by=signed_in(request), version=_posted_version(request)),
        done,
    )


@login_required
@require_POST
def gbv_referral_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """The survivor withdraws consent: asked first (a dialog, or a confirmation page without scripts)."""
    referral = _gbv_get(request, pk)
    form = WithdrawConsentForm(request.POST)
    form.is_valid()
    values = form.cleaned_data
    access.check_record_action(signed_in(request), referral, Action.MANAGE_CASE)
    if request.POST.get("confirm") != "1":
        context = {"referral": referral, "values": values, "consent": True}
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
    referral = _gbv_get(request, pk)
    form = MarkProvidedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date the service was provided."))
        return _render_gbv_detail(request, referral, status=400)
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


# --- GBV referral form


@login_required
def gbv_referral_create(request: HttpRequest) -> HttpResponse:
    _require_gbv(signed_in(request), Action.CREATE)
    return _record_edit_page(request, _GbvForms(request, None), None, _GBV_FLOW, "referral")


@login_required
def gbv_referral_edit(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _gbv_get(request, pk)
    access.check_record_action(signed_in(request), referral, Action.EDIT)
    refusal = record_pages.edit_refusal(signed_in(request), referral)
    if refusal:
        messages.error(request, refusal)
        return _render_gbv_detail(request, referral, status=409)
    return _record_edit_page(request, _GbvForms(request, referral), referral, _GBV_FLOW, "referral")


class _GbvForms(RecordForms):
    """The referral form and its services formset."""

    children = ("services",)

    def __init__(self, request: HttpRequest, referral: GbvReferral | None) -> None:
        data = request.POST if request.method == "POST" else None
        self.places = places_for(signed_in(request))
        self.referral = self.main = GbvReferralForm(
            data, instance=referral, user=signed_in(request), places=self.places
        )
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
            consent = bool(self.referral.cleaned_data.get("consent_to_referral"))
            try:
                services.check_services(kept_rows(self.services), consent_to_referral=consent)
            except ValidationError as error:
                self.add_errors(error)
                return False
        return valid


def _gbv_write(request: HttpRequest, forms_: _GbvForms, referral: GbvReferral | None) -> GbvReferral:
    fields, rows = dict(forms_.referral.cleaned_data), kept_rows(forms_.services)
    if referral is None:
        created = services.gbv_referral_create(by=signed_in(request), fields=fields, services=rows)
        # Its author has it in hand: in the access log like every referral a page gives (edits read it first).
        access.log_record_access(signed_in(request), created, Channel.PAGE, request=request)
        return created
    return services.gbv_referral_update(
        referral=referral,
        by=signed_in(request),
        version=version_number(request.POST.get("version")),
        fields=fields,
        services=rows,
    )


def _gbv_differences(forms_: _GbvForms, current: GbvReferral) -> list[dict[str, str]]:
    rows = record_pages.field_differences(forms_.referral, current)
    typed = sorted(_service_key(row) for row in kept_rows(forms_.services))
    saved = sorted(_service_key(row) for row in service_rows(current))
    if typed != saved:
        rows.append({"field": _("Services"), "saved": "; ".join(saved), "typed": "; ".join(typed)})
    return rows


def _service_key(row: dict[str, Any]) -> str:
    status = ServiceStatus(row.get("status") or ServiceStatus.PENDING).label
    return f"{row['service']} → {row.get('organisation') or '—'} ({status})"


def _render_gbv_form(request: HttpRequest, forms_: _GbvForms, context: dict[str, Any], status: int) -> HttpResponse:
    context.update(
        form=forms_.referral,
        services=forms_.services,
        place_areas=place_picker_data(forms_.places),
        service_errors=getattr(forms_.services, "service_errors", []),
    )
    return render(request, "incidents/gbv_referral_form.html", context, status=status)


_GBV_FLOW = _EditFlow(
    write=_gbv_write,
    current=_gbv_get,
    differences=_gbv_differences,
    render_form=_render_gbv_form,
    detail_url_name="incidents:gbv-detail",
    saved_text=gettext_lazy("GBV referral #%(id)d was saved."),
    submitted_text=gettext_lazy("GBV referral #%(id)d was saved and submitted for review."),
)
