"""The incident pages: list, detail (history, comments, workflow steps), and the create and edit form.

Reads go through `incidents.selectors` (which apply the user's scope), writes through `incidents.services` and
`core.workflow`; these views only translate their answers: NotInScope → 404, RoleRefused → 403, a conflict →
409 with its message, a ValidationError → the message on the field it names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import access, workflow
from core.access import Action
from core.errors import ConflictError
from core.records import PEOPLE_FIELDS
from core.workflow import STEP_LABELS, STEPS
from incidents import selectors, services
from incidents.forms import (
    CommentForm,
    FollowUpFormSet,
    IncidentForm,
    StepForm,
    ViolationFormSet,
    follow_up_initial,
    grouped_type_choices,
    kept_rows,
    place_picker_data,
    places_for,
    population_group_choices,
    violation_initial,
)
from incidents.models import Incident

PAGE_SIZE = 25
# Steps that take a record out of the figures: asked twice (a confirmation page, or a dialog with scripts on).
CONFIRM_STEPS = frozenset({"archive", "reject"})
LIST_FILTERS = (
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
)


# --- List


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """Incidents in the user's scope, filtered, sorted and paginated; viewers see no individual record."""
    if not access.may(request.user, Action.READ):
        raise PermissionDenied
    filterset = selectors.incident_filterset(user=request.user, filters=request.GET, request=request)
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    _tune_filter_form(filterset.form)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for incident in page:
        _add_list_facts(incident)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset,
        "filter_fields": [filterset.form[name] for name in LIST_FILTERS],
        "page": page,
        "query": query.urlencode(),
        "sort_links": _sort_links(request),
        "filtered": any(request.GET.get(name) for name in LIST_FILTERS if name != "ordering"),
        "may_create": access.may(request.user, Action.CREATE),
    }
    return render(request, "incidents/incident_list.html", context, status=200 if filterset.is_valid() else 400)


def _tune_filter_form(form: forms.Form) -> None:
    """Page-only touches to the filterset the API shares: date pickers, and "any" rather than "unknown"."""
    for name in ("reported_on_after", "reported_on_before"):
        form.fields[name].widget.input_type = "date"
    form.fields["urgent"].widget.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]


def _add_list_facts(incident: Incident) -> None:
    # From the prefetched violations: no query per row.
    violations = list(incident.violations.all())
    incident.people_total = sum(violation.total for violation in violations)
    incident.type_labels = list(dict.fromkeys(violation.type.label for violation in violations))


def _sort_links(request: HttpRequest) -> dict[str, dict[str, str]]:
    """For each sortable column, the link that sorts by it (again: the other way) and the current direction."""
    current = request.GET.get("ordering", "")
    links = {}
    for column in ("id", "reported_on", "status"):
        query = request.GET.copy()
        query.pop("page", None)
        query["ordering"] = f"-{column}" if current == column else column
        direction = "ascending" if current == column else "descending" if current == f"-{column}" else ""
        links[column] = {"url": f"?{query.urlencode()}", "direction": direction}
    return links


# --- Detail


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    return _render_detail(request, incident)


def _render_detail(request: HttpRequest, incident: Incident, *, status: int = 200) -> HttpResponse:
    user = request.user
    allowed = access.allowed_actions(user, incident)
    steps = [name for name, step in STEPS.items() if step.action in allowed and incident.status in step.sources]
    duplicates = selectors.possible_duplicates([incident], user=user).get(incident.pk, []) if "reject" in steps else []
    context = {
        "incident": incident,
        "violations": list(incident.violations.all()),
        "people_total": sum(violation.total for violation in incident.violations.all()),
        "show_narrative": selectors.show_narrative(user, incident),
        "history": _history_rows(incident),
        "steps": [{"name": name, "label": STEP_LABELS[name], "confirm": name in CONFIRM_STEPS} for name in steps],
        "duplicates": duplicates,
        "may_edit": Action.EDIT in allowed and _edit_refusal(user, incident) is None,
        "comment_form": CommentForm(),
    }
    return render(request, "incidents/incident_detail.html", context, status=status)


def _field_label(name: str) -> str:
    if name in ("violations", "follow_ups"):
        return {"violations": _("Violations"), "follow_ups": _("Follow-up actions")}[name]
    try:
        return str(Incident._meta.get_field(name).verbose_name).capitalize()
    except FieldDoesNotExist:  # a field renamed since the change was logged keeps its stored name
        return name


def _history_rows(incident: Incident) -> list[dict[str, Any]]:
    rows = []
    for event in workflow.history(incident):
        changes = [
            {"field": _field_label(name), "old": pair[0], "new": pair[1]}
            for name, pair in (event.changes or {}).items()
        ]
        rows.append({"event": event, "changes": changes})
    return rows


def _edit_refusal(user, incident: Incident) -> str | None:
    """Why the workflow would refuse this user's edit now (the status rule), or None."""
    try:
        workflow.check_editable(incident, user)
    except workflow.WorkflowError as error:
        return str(error)
    return None


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


# --- Workflow steps and comments


@login_required
@require_POST
def incident_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One workflow step (POST, carrying the version the person saw); archive and reject are confirmed first."""
    if step not in STEPS:
        raise Http404
    incident = selectors.incident_get(user=request.user, pk=pk)
    form = StepForm(request.POST)
    form.is_valid()  # every field is optional; what is invalid is left out of cleaned_data
    values = form.cleaned_data
    try:
        access.check_record_action(request.user, incident, STEPS[step].action)
        text = _step_text(step, values)
        if step in CONFIRM_STEPS and request.POST.get("confirm") != "1":
            return _render_confirm(request, incident, step, values)
        _run_step(request, incident, step, text, values)
    except access.NotInScope as error:
        raise Http404 from error
    except access.RoleRefused as error:
        raise PermissionDenied from error
    except ConflictError as error:
        messages.error(request, str(error))
        return _render_detail(request, selectors.incident_get(user=request.user, pk=pk), status=409)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _render_detail(request, selectors.incident_get(user=request.user, pk=pk), status=400)
    messages.success(request, _("%(step)s: done for incident #%(id)d.") % {"step": STEP_LABELS[step], "id": pk})
    return redirect(_safe_next(request) or reverse("incidents:detail", args=[pk]))


def _step_text(step: str, values: dict[str, Any]) -> str:
    needs = STEPS[step].needs_text
    text = (values.get(needs) or "").strip() if needs else ""
    if needs and not text:
        message = _("Write a comment for the author.") if needs == "comment" else _("Give the reason for rejecting.")
        raise ValidationError({needs: message})
    return text


def _run_step(request: HttpRequest, incident: Incident, step: str, text: str, values: dict[str, Any]) -> None:
    version = values.get("version")
    if step != "reject":
        workflow.take_step(incident, step, by=request.user, text=text, version=version)
        return
    duplicate = None
    if values.get("duplicate_of"):
        duplicate = selectors.incident_list(user=request.user).filter(pk=values["duplicate_of"]).first()
        if duplicate is None:
            raise ValidationError({"duplicate_of": _("No incident with this number in your scope.")})
    services.incident_reject(incident=incident, by=request.user, reason=text, duplicate_of=duplicate, version=version)


def _render_confirm(request: HttpRequest, incident: Incident, step: str, values: dict[str, Any]) -> HttpResponse:
    context = {
        "incident": incident,
        "step": step,
        "step_label": STEP_LABELS[step],
        "values": values,
        "next": _safe_next(request) or "",
    }
    return render(request, "incidents/incident_confirm.html", context)


@login_required
@require_POST
def incident_comment(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    try:
        workflow.add_comment(incident, by=request.user, text=form.data.get("comment", ""))
    except access.NotInScope as error:
        raise Http404 from error
    except access.RoleRefused as error:
        raise PermissionDenied from error
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _render_detail(request, incident, status=400)
    messages.success(request, _("Your comment was added."))
    return redirect(reverse("incidents:detail", args=[pk]) + "#history")


# --- Create and edit


@login_required
def incident_create(request: HttpRequest) -> HttpResponse:
    if not access.may(request.user, Action.CREATE):
        raise PermissionDenied
    return _edit_page(request, incident=None)


@login_required
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    try:
        access.check_record_action(request.user, incident, Action.EDIT)
    except access.RoleRefused as error:
        raise PermissionDenied from error
    refusal = _edit_refusal(request.user, incident)
    if refusal:
        messages.error(request, refusal)
        return _render_detail(request, incident, status=409)
    return _edit_page(request, incident=incident)


class _EditForms:
    """The incident form and its two formsets, built from the same once-read choices."""

    def __init__(self, request: HttpRequest, incident: Incident | None) -> None:
        data = request.POST if request.method == "POST" else None
        self.places = places_for(request.user)
        row_choices = {"type_choices": grouped_type_choices(), "group_choices": population_group_choices()}
        self.incident = IncidentForm(data, instance=incident, user=request.user, places=self.places)
        self.violations = ViolationFormSet(
            data,
            prefix="violations",
            form_kwargs=row_choices,
            initial=violation_initial(incident) if incident else None,
        )
        self.follow_ups = FollowUpFormSet(
            data, prefix="follow_ups", initial=follow_up_initial(incident) if incident else None
        )

    def is_valid(self) -> bool:
        # Every part is validated, so each shows its own errors at once.
        return all([self.incident.is_valid(), self.violations.is_valid(), self.follow_ups.is_valid()])

    def add_errors(self, error: ValidationError) -> None:
        """Put the services' errors on the field they name; the rest above the form."""
        if not hasattr(error, "error_dict"):
            self.incident.add_error(None, error)
            return
        for name, messages_ in error.message_dict.items():
            if name in ("violations", "follow_ups"):
                getattr(self, name).service_errors = messages_
            elif name in self.incident.fields:
                self.incident.add_error(name, messages_)
            else:
                self.incident.add_error(None, messages_)


def _edit_page(request: HttpRequest, *, incident: Incident | None) -> HttpResponse:
    forms_ = _EditForms(request, incident)
    context: dict[str, Any] = {"incident": incident, "version": incident.version if incident else ""}
    status = 200
    if request.method == "POST":
        if forms_.is_valid():
            response, status = _save(request, forms_, incident, context)
            if response is not None:
                return response
        else:
            status = 400
    return _render_form(request, forms_, context, status)


def _save(
    request: HttpRequest, forms_: _EditForms, incident: Incident | None, context: dict[str, Any]
) -> tuple[HttpResponse | None, int]:
    """Save (and submit, when asked); on failure, say why and keep what was typed."""
    try:
        saved = _write(request, forms_, incident)
    except access.NotInScope as error:
        raise Http404 from error
    except access.RoleRefused as error:
        raise PermissionDenied from error
    except workflow.StaleVersion as error:
        current = selectors.incident_get(user=request.user, pk=incident.pk)
        context.update(conflict=str(error), differences=_differences(forms_, current), version=current.version)
        return None, 409
    except ConflictError as error:
        messages.error(request, str(error))
        return None, 409
    except ValidationError as error:
        forms_.add_errors(error)
        return None, 400
    return _after_save(request, saved), 302


def _write(request: HttpRequest, forms_: _EditForms, incident: Incident | None) -> Incident:
    fields = dict(forms_.incident.cleaned_data)
    if fields.get("organisation", True) is None:
        fields.pop("organisation")  # an admin who leaves it empty reports for their own organisation
    violations, follow_ups = kept_rows(forms_.violations), kept_rows(forms_.follow_ups)
    if incident is None:
        return services.incident_create(by=request.user, fields=fields, violations=violations, follow_ups=follow_ups)
    return services.incident_update(
        incident=incident,
        by=request.user,
        version=request.POST.get("version") or None,
        fields=fields,
        violations=violations,
        follow_ups=follow_ups,
    )


def _after_save(request: HttpRequest, incident: Incident) -> HttpResponse:
    if request.POST.get("action") == "submit" and incident.status in STEPS["submit"].sources:
        try:
            workflow.take_step(incident, "submit", by=request.user, version=incident.version)
        except (ConflictError, access.RoleRefused) as error:
            messages.warning(request, _("Saved, but not submitted: %(why)s") % {"why": str(error) or _("not allowed")})
            return redirect("incidents:detail", pk=incident.pk)
        messages.success(request, _("Incident #%(id)d was saved and submitted for review.") % {"id": incident.pk})
    else:
        messages.success(request, _("Incident #%(id)d was saved.") % {"id": incident.pk})
    return redirect("incidents:detail", pk=incident.pk)


def _differences(forms_: _EditForms, current: Incident) -> list[dict[str, str]]:
    """What is saved now and differs from what this person typed: the conflict they must settle."""
    rows = []
    for name, typed in forms_.incident.cleaned_data.items():
        saved = getattr(current, name)
        field = forms_.incident.fields[name]
        if _display(typed) != _display(saved):
            rows.append({"field": field.label, "saved": _display(saved, field), "typed": _display(typed, field)})
    typed_violations = sorted(_violation_key(row) for row in kept_rows(forms_.violations))
    saved_violations = sorted(
        _violation_key({"type": item.type, "population_group": item.population_group, **item.people()})
        for item in current.violations.all()
    )
    if typed_violations != saved_violations:
        rows.append(
            {"field": _("Violations"), "saved": "; ".join(saved_violations), "typed": "; ".join(typed_violations)}
        )
    return rows


def _violation_key(row: dict[str, Any]) -> str:
    counts = ", ".join(f"{name} {row.get(name) or 0}" for name in PEOPLE_FIELDS)
    return f"{row['type']} ({row['population_group']}: {counts})"


def _display(value: Any, field: forms.Field | None = None) -> str:
    """A value as a person reads it: a choice's label, Yes/No, a dash for nothing."""
    if isinstance(field, forms.TypedChoiceField) and value:
        return str(dict(field.choices).get(value, value))
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def _render_form(request: HttpRequest, forms_: _EditForms, context: dict[str, Any], status: int) -> HttpResponse:
    context.update(
        form=forms_.incident,
        violations=forms_.violations,
        follow_ups=forms_.follow_ups,
        place_areas=place_picker_data(forms_.places),
        violation_errors=getattr(forms_.violations, "service_errors", []),
        follow_up_errors=getattr(forms_.follow_ups, "service_errors", []),
        draft_key=f"vigie-draft:{request.user.pk}:{request.path}",
    )
    return render(request, "incidents/incident_form.html", context, status=status)
