"""The pages every record type shares, parameterised by record type: list (filterset, sorting, pagination, empty
state), detail (history, comments, workflow steps), create and edit (formsets, place picker, browser-kept drafts,
the stale-version conflict view), the workflow steps and comments.

A record app subclasses `RecordPages` per type — its model, filterset, forms and templates, and the hooks it needs
(its selector, how it writes, what its pages show beyond the shared parts) — and includes `pages.urls()`. Reads go
through the type's selector (which applies the user's scope), writes through its services and `core.workflow`.
NotInScope (404) and RoleRefused (403) go on to core.middleware.DomainErrorMiddleware; these views answer a conflict
(409: its message on the record's page, or what changed on the form) and a ValidationError (the message on the field
it names). `core` imports no record app.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from core import access, workflow
from core.access import Action, Family
from core.errors import ConflictError
from core.filtersets import RecordFilterSet
from core.http import signed_in
from core.inputs import version_number
from core.models import AdminArea, RecordEvent, User
from core.record_forms import CommentForm, RecordForm, StepForm, place_picker_data, places_for
from core.records import RecordType, ReviewedRecord, record_type_of
from core.workflow import STEP_LABELS, STEPS

PAGE_SIZE = 25
# Steps that take a record out of the figures: asked twice (a confirmation page, or a dialog with scripts on).
CONFIRM_STEPS = frozenset({"archive", "reject"})
CONFIRM_TEXTS = {
    "reject": gettext_lazy("Reject this record? It will no longer count in the figures."),
    "archive": gettext_lazy("Archive this record? It can be restored later."),
}


class RecordForms:
    """A record's form and its formsets; services' errors naming a formset (`children`) go above its rows."""

    main: forms.ModelForm[Any]
    children: tuple[str, ...] = ()
    places: Sequence[AdminArea] = ()

    def __init__(self, request: HttpRequest, record: Any) -> None:
        """A type's forms are built from the request (its posted data and its user) and the record (None: a new
        one); they set `main`, `places` and their formsets."""
        raise NotImplementedError

    def formsets(self) -> list[forms.BaseFormSet[Any]]:
        return [getattr(self, name) for name in self.children]

    def is_valid(self) -> bool:
        # Every part is validated, so each shows its own errors at once.
        return all([self.main.is_valid(), *(formset.is_valid() for formset in self.formsets())])

    def add_errors(self, error: ValidationError) -> None:
        """Put the services' errors on the field they name; the rest above the form."""
        if not hasattr(error, "error_dict"):
            self.main.add_error(None, error)
            return
        for name, messages_ in error.message_dict.items():
            if name in self.children:
                getattr(self, name).service_errors = messages_
            elif name in self.main.fields:
                self.main.add_error(name, messages_)
            else:
                self.main.add_error(None, messages_)

    def differences(self, current: Any) -> list[dict[str, str]]:
        """What is saved now and differs from what this person typed (formsets add theirs by overriding)."""
        return field_differences(self.main, current)


class SingleFormRecordForms(RecordForms):
    """The forms of a record type whose page is one form, no child rows (movements, sessions): subclasses name
    `form_class`, a RecordForm taking the user and the places of their regions."""

    form_class: type[RecordForm]

    def __init__(self, request: HttpRequest, record: Any) -> None:
        data = request.POST if request.method == "POST" else None
        self.places = places_for(signed_in(request))
        self.main = self.form_class(data, instance=record, user=signed_in(request), places=self.places)


def refused_without_version(request: HttpRequest, record: Any) -> bool:
    """An edit posted without the version the person opened (or with one that is not a whole number) is refused
    with a message, never saved over whatever someone else saved since (API.md: `version` on every edit)."""
    if record is None:
        return False
    try:
        version = version_number(request.POST.get("version"))
    except ValidationError:
        version = None
    if version is not None:
        return False
    messages.error(
        request,
        _(
            "This change was sent without the version of the record it is based on, so it was not saved. "
            "Open the record again and make your change there."
        ),
    )
    return True


R = TypeVar("R", bound=ReviewedRecord)
F = TypeVar("F", bound=RecordForms)


class RecordPages(Generic[R, F]):
    """One record type's pages, as Django's class-based views and NetBox's generic views are: a type subclasses it,
    names its model, filterset, forms and templates, and overrides the hooks it needs (`get_queryset`, `write`,
    `detail_extra`, `list_facts`, `run_step`, `shown`, …); one instance of it gives the type's URL patterns.

    `name` ("household") makes the URL names `<namespace>:<name>-list`, `-create`, `-detail`, `-edit`, `-step`,
    `-comment` (the review queue derives `-step` from `-detail`, see core.queue); templates are
    `<template_prefix>_list.html`, `_detail.html`, `_form.html` (extending templates/core/record_*). What the type
    is — its label, family, sortable columns — is read from its declaration (core.records.RecordType)."""

    model: type[R]
    namespace: str
    name: str
    # URL names are `<name>-<page>` unless given: "" for a type that owns its namespace ("incidents:detail").
    url_name_prefix: str | None = None
    filterset_class: type[RecordFilterSet]
    forms_class: type[F]  # built with (request, record or None)
    template_prefix: str
    new_label: StrOrPromise  # the entry form's title and the list's button: "New household"
    step_form_class: type[forms.Form] = StepForm  # the posted step's fields (incidents: also `duplicate_of`)
    confirm_texts: Mapping[str, StrOrPromise] = CONFIRM_TEXTS  # the dialogs' questions
    confirm_template: str = "core/record_confirm.html"
    # The messages after a step or a save; the shared wording (naming the type's label) when None.
    step_done_text: StrOrPromise | None = None  # "%(step)s: done for incident #%(id)d."
    saved_text: StrOrPromise | None = None  # "GBV referral #%(id)d was saved."
    submitted_text: StrOrPromise | None = None  # "GBV referral #%(id)d was saved and submitted for review."

    # --- hooks a type overrides

    def get_queryset(self, user: User) -> QuerySet[R]:
        """The records this user may read, with what the pages show (the type's selector applies the scope)."""
        raise NotImplementedError

    def shown(self, request: HttpRequest, records: Sequence[R]) -> None:
        """Called with every record a page gives this person (the list's rows, the record a page opens, the record
        they just created): need-to-know types write it down in the access log."""

    def list_facts(self, records: list[R]) -> None:
        """Per-row facts the list shows, from what the selector prefetched (no query per row)."""

    def detail_extra(self, request: HttpRequest, record: R) -> dict[str, Any]:
        """What the type's detail template shows beyond the shared facts, history and steps."""
        return {}

    def form_extra(self, forms_: F) -> dict[str, Any]:
        """What the type's form template needs beyond the form, its formsets and the place picker."""
        return {}

    def tune_filters(self, form: forms.Form) -> None:
        """Page-only touches to the filter form the API shares (date pickers for the date range)."""
        tune_filter_form(form)

    def write(self, request: HttpRequest, forms_: F, record: R | None) -> R:
        """Save what the forms validated: a new record, or an edit carrying the version the person opened. A type
        with child rows or rules of its own overrides it and calls its services."""
        fields = dict(forms_.main.cleaned_data)
        if record is None:
            return workflow.create_from_fields(self.model, by=signed_in(request), fields=fields)
        version = version_number(request.POST.get("version"))
        return workflow.update_from_fields(record, by=signed_in(request), version=version, fields=fields)

    def run_step(self, request: HttpRequest, record: R, step: str, text: str, values: dict[str, Any]) -> None:
        """Take one workflow step (raising what workflow.take_step raises); incidents' reject also names a
        duplicate."""
        workflow.take_step(record, step, by=signed_in(request), text=text, version=values.get("version"))

    def extra_urls(self) -> list[URLPattern]:
        """The type's own pages (a household merge, a referral's case actions), placed before the step pattern."""
        return []

    # --- names

    @property
    def record_type(self) -> RecordType:
        return record_type_of(self.model)

    @property
    def family(self) -> Family:
        return self.record_type.family

    def page_name(self, page: str) -> str:
        prefix = f"{self.name}-" if self.url_name_prefix is None else self.url_name_prefix
        return f"{prefix}{page}"

    def url_name(self, page: str) -> str:
        return f"{self.namespace}:{self.page_name(page)}"

    def url_names(self) -> dict[str, str]:
        return {page: self.url_name(page) for page in ("list", "create", "detail", "edit", "step", "comment")}

    def template(self, page: str) -> str:
        return f"{self.template_prefix}_{page}.html"

    def urls(self, prefix: str) -> list[URLPattern]:
        """The URL patterns, under `prefix` ("households/"); `extra_urls()` come before the step pattern."""
        return [
            path(prefix, login_required(self.list_view), name=self.page_name("list")),
            path(f"{prefix}new/", login_required(self.create_view), name=self.page_name("create")),
            *self.extra_urls(),
            path(f"{prefix}<int:pk>/", login_required(self.detail_view), name=self.page_name("detail")),
            path(f"{prefix}<int:pk>/edit/", login_required(self.edit_view), name=self.page_name("edit")),
            path(
                f"{prefix}<int:pk>/comment/",
                login_required(require_POST(self.comment_view)),
                name=self.page_name("comment"),
            ),
            path(
                f"{prefix}<int:pk>/<slug:step>/",
                login_required(require_POST(self.step_view)),
                name=self.page_name("step"),
            ),
        ]

    def base_context(self) -> dict[str, Any]:
        return {"record_type": self.record_type, "urls": self.url_names(), "new_label": self.new_label}

    def record_context(self, record: R | None) -> dict[str, Any]:
        return {"record": record}

    # --- list

    def list_view(self, request: HttpRequest) -> HttpResponse:
        """Records in the user's scope, filtered, sorted and paginated; viewers see no individual record."""
        user = signed_in(request)
        if not access.may(user, Action.READ, self.family):
            raise PermissionDenied
        in_scope = self.get_queryset(user)
        filterset = self.filterset_class(request.GET, queryset=in_scope, request=request)
        valid = filterset.is_valid()
        queryset = filterset.qs if valid else in_scope.none()
        self.tune_filters(filterset.form)
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        records = list(page.object_list)
        self.shown(request, records)
        self.list_facts(records)
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            **self.base_context(),
            "filterset": filterset,
            # Every filter the filterset declares, in its order: what the API accepts, the page offers.
            "filter_fields": list(filterset.form),
            "page": page,
            "records": records,
            "query": query.urlencode(),
            "sort_links": sort_links(request, self.record_type.sorting()),
            "filtered": any(request.GET.get(name) for name in filterset.filters if name != "ordering"),
            "may_create": access.may(user, Action.CREATE, self.family),
            "may_review": access.may(user, Action.REVIEW, self.family),
        }
        return render(request, self.template("list"), context, status=200 if valid else 400)

    # --- detail

    def get_object(self, request: HttpRequest, pk: int) -> R:
        """The record, if this user may read it; 404 otherwise (never say it exists)."""
        record = self.get_queryset(signed_in(request)).filter(pk=pk).first()
        if record is None:
            raise Http404
        self.shown(request, [record])
        return record

    def detail_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_detail(request, self.get_object(request, pk))

    def render_detail(self, request: HttpRequest, record: R, *, status: int = 200) -> HttpResponse:
        user = signed_in(request)
        allowed = access.allowed_actions(user, record)
        months = workflow.record_month_states(record)
        steps = workflow.steps_open_to(user, record, months)
        month_refusal = workflow.month_refusal_message(record, user, months)
        context = {
            **self.base_context(),
            **self.record_context(record),
            "history": history_rows(record, user),
            "steps": step_rows(record, steps, self.url_name("step"), self.confirm_texts),
            "may_edit": Action.EDIT in allowed and edit_refusal(user, record, months) is None,
            # a closed month: said once, instead of buttons that would answer 409 (admins are never refused)
            "month_refusal": month_refusal if allowed else None,
            "comment_form": CommentForm(),
            "comment_url": reverse(self.url_name("comment"), args=[record.pk]),
            **self.detail_extra(request, record),
        }
        return render(request, self.template("detail"), context, status=status)

    # --- workflow steps and comments

    def step_view(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        """One workflow step (POST, carrying the version the person saw): a conflict → 409 with its message, a
        missing comment or reason → 400 (NotInScope and RoleRefused: DomainErrorMiddleware's 404 and 403); archive
        and reject ask first when scripts did not."""
        if step not in STEPS:
            raise Http404
        record = self.get_object(request, pk)
        form = self.step_form_class(request.POST)
        form.is_valid()  # every field is optional; what is invalid is left out of cleaned_data
        values = dict(form.cleaned_data)
        if "version" in request.POST:
            # As posted: the workflow refuses (400) a version that is not a whole number instead of ignoring it.
            values["version"] = request.POST["version"]
        try:
            access.check_record_action(signed_in(request), record, STEPS[step].action)
            text = step_text(step, values)
            if step in CONFIRM_STEPS and request.POST.get("confirm") != "1":
                return self.render_confirm(request, record, step, values)
            self.run_step(request, record, step, text, values)
        except ConflictError as error:
            messages.error(request, str(error))
            return self.render_detail(request, self.get_object(request, pk), status=409)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return self.render_detail(request, self.get_object(request, pk), status=400)
        messages.success(request, self.step_done_message(step, pk))
        return redirect(safe_next(request) or reverse(self.url_name("detail"), args=[pk]))

    def step_done_message(self, step: str, pk: int) -> str:
        if self.step_done_text:
            return str(self.step_done_text) % {"step": STEP_LABELS[step], "id": pk}
        return _("%(step)s: done for %(type)s #%(id)d.") % {
            "step": STEP_LABELS[step],
            "type": self.record_type.label,
            "id": pk,
        }

    def render_confirm(self, request: HttpRequest, record: R, step: str, values: dict[str, Any]) -> HttpResponse:
        context = {
            **self.base_context(),
            **self.record_context(record),
            "step": step,
            "step_label": STEP_LABELS[step],
            "values": values,
            "next": safe_next(request) or "",
            "action_url": reverse(self.url_name("step"), args=[record.pk, step]),
        }
        return render(request, self.confirm_template, context)

    def comment_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = self.get_object(request, pk)
        form = CommentForm(request.POST)
        try:
            workflow.add_comment(record, by=signed_in(request), text=form.data.get("comment", ""))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return self.render_detail(request, record, status=400)
        messages.success(request, _("Your comment was added."))
        return redirect(reverse(self.url_name("detail"), args=[record.pk]) + "#history")

    # --- create and edit

    def create_view(self, request: HttpRequest) -> HttpResponse:
        if not access.may(signed_in(request), Action.CREATE, self.family):
            raise PermissionDenied
        return self._edit_page(request, None)

    def edit_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = self.get_object(request, pk)
        access.check_record_action(signed_in(request), record, Action.EDIT)
        refusal = edit_refusal(signed_in(request), record)
        if refusal:
            messages.error(request, refusal)
            return self.render_detail(request, record, status=409)
        return self._edit_page(request, record)

    def _edit_page(self, request: HttpRequest, record: R | None) -> HttpResponse:
        forms_ = self.forms_class(request, record)
        context: dict[str, Any] = {**self.record_context(record), "version": record.version if record else ""}
        status = 200
        if request.method == "POST":
            if refused_without_version(request, record):
                status = 400
            elif forms_.is_valid():
                response, status = self._save(request, forms_, record, context)
                if response is not None:
                    return response
            else:
                status = 400
        return self._render_form(request, forms_, context, status)

    def _save(
        self, request: HttpRequest, forms_: F, record: R | None, context: dict[str, Any]
    ) -> tuple[HttpResponse | None, int]:
        """Save (and submit, when asked); on failure, say why and keep what was typed."""
        try:
            saved = self.write(request, forms_, record)
        except workflow.StaleVersion as error:
            if record is None:  # only an edit carries a version that can be stale
                raise
            current = self.get_object(request, record.pk)
            context.update(conflict=str(error), differences=forms_.differences(current), version=current.version)
            return None, 409
        except ConflictError as error:
            messages.error(request, str(error))
            return None, 409
        except ValidationError as error:
            forms_.add_errors(error)
            return None, 400
        return self._after_save(request, saved), 302

    def _after_save(self, request: HttpRequest, record: R) -> HttpResponse:
        if request.POST.get("action") == "submit" and record.status in STEPS["submit"].sources:
            try:
                workflow.take_step(record, "submit", by=signed_in(request), version=record.version)
            except (ConflictError, access.RoleRefused) as error:
                why = str(error) or _("not allowed")
                messages.warning(request, _("Saved, but not submitted: %(why)s") % {"why": why})
            else:
                messages.success(request, self.saved_message(record, submitted=True))
        else:
            messages.success(request, self.saved_message(record, submitted=False))
        return redirect(self.url_name("detail"), pk=record.pk)

    def saved_message(self, record: R, *, submitted: bool) -> str:
        own_text = self.submitted_text if submitted else self.saved_text
        if own_text:
            return str(own_text) % {"id": record.pk}
        if submitted:
            text = _("%(type)s #%(id)d was saved and submitted for review.")
        else:
            text = _("%(type)s #%(id)d was saved.")
        return text % {"type": self.record_type.label, "id": record.pk}

    def _render_form(self, request: HttpRequest, forms_: F, context: dict[str, Any], status: int) -> HttpResponse:
        formsets = {name: getattr(forms_, name) for name in forms_.children}
        context.update(
            self.base_context(),
            form=forms_.main,
            forms=forms_,
            place_areas=place_picker_data(forms_.places),
            has_errors=bool(
                forms_.main.errors
                or any(
                    formset.total_error_count() or getattr(formset, "service_errors", None)
                    for formset in formsets.values()
                )
            ),
            draft_key=f"vigie-draft:{signed_in(request).pk}:{request.path}",
            **formsets,
            **self.form_extra(forms_),
        )
        return render(request, self.template("form"), context, status=status)


# --- helpers the pages share


def tune_filter_form(form: forms.Form) -> None:
    """Page-only touches to the filterset the API shares: date pickers for the date range."""
    for name, form_field in form.fields.items():
        if name.endswith(("_after", "_before")):
            form_field.widget.input_type = "date"


def sort_links(request: HttpRequest, columns: Sequence[str]) -> dict[str, dict[str, str]]:
    """For each sortable column, the link that sorts by it (again: the other way) and the current direction."""
    current = request.GET.get("ordering", "")
    links = {}
    for column in columns:
        query = request.GET.copy()
        query.pop("page", None)
        query["ordering"] = f"-{column}" if current == column else column
        direction = "ascending" if current == column else "descending" if current == f"-{column}" else ""
        links[column] = {"url": f"?{query.urlencode()}", "direction": direction}
    return links


def step_rows(
    record: Any, steps: list[str], url_name: str, confirm_texts: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """What templates/core/_step_forms.html shows for each step this user may take now."""
    texts = confirm_texts or CONFIRM_TEXTS
    return [
        {
            "name": name,
            "label": STEP_LABELS[name],
            "url": reverse(url_name, args=[record.pk, name]),
            "confirm": name in CONFIRM_STEPS,
            "confirm_text": texts.get(name, ""),
        }
        for name in steps
    ]


def _field_label(model: type[Model], name: str) -> str:
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a field renamed since the change was logged keeps its stored name
        return name
    if hasattr(model_field, "verbose_name"):
        return str(model_field.verbose_name).capitalize()
    # A list of child rows (members): named after what it holds.
    return str(model_field.related_model._meta.verbose_name_plural).capitalize()


def history_rows(record: Any, user: Any) -> list[dict[str, Any]]:
    """The record's history as `user` may read it: a field the record hides from them (a restricted narrative)
    shows that it changed, never its old or new value."""
    hidden = record.hidden_history_fields(user)
    return [_history_row(event, type(record), hidden) for event in workflow.history(record)]


def history_rows_since(records: Sequence[Any], user: Any, since: datetime.datetime) -> dict[int, list[dict[str, Any]]]:
    """The history lines of several records of one type written at or after `since`, as `user` may read them (as
    `history_rows` says), by record: one query."""
    if not records:
        return {}
    model = type(records[0])
    events = RecordEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=[record.pk for record in records],
        at__gte=since,
    ).select_related("actor")
    hidden = {record.pk: record.hidden_history_fields(user) for record in records}
    rows: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        rows.setdefault(event.object_id, []).append(_history_row(event, model, hidden[event.object_id]))
    return rows


def _history_row(event: RecordEvent, model: type[Model], hidden: frozenset[str]) -> dict[str, Any]:
    changes = [
        {"field": _field_label(model, name), "hidden": True}
        if name in hidden
        else {"field": _field_label(model, name), "old": pair[0], "new": pair[1]}
        for name, pair in (event.changes or {}).items()
    ]
    return {"event": event, "changes": changes, "comment": _comment_text(event)}


# History lines whose comment the system writes, never a user: it is stored as its English source (gettext_noop)
# and translated here, so each reader sees it in their language. A line stored translated before is shown as is.
SYSTEM_COMMENT_ACTIONS = frozenset({RecordEvent.Action.CHANGED, RecordEvent.Action.ANONYMISED})


def _comment_text(event: RecordEvent) -> str:
    if event.comment and event.action in SYSTEM_COMMENT_ACTIONS:
        return _(event.comment)
    return event.comment


def edit_refusal(user: Any, record: Any, months: workflow.MonthStates | None = None) -> str | None:
    """Why the workflow would refuse this user's edit now (the status rule, then the record's month), or None."""
    try:
        workflow.check_editable(record, user)
    except workflow.WorkflowError as error:
        return str(error)
    return workflow.month_refusal_message(record, user, months)


def safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def step_text(step: str, values: dict[str, Any]) -> str:
    needs = STEPS[step].needs_text
    text = (values.get(needs) or "").strip() if needs else ""
    if needs and not text:
        message = _("Write a comment for the author.") if needs == "comment" else _("Give the reason for rejecting.")
        raise ValidationError({needs: message})
    return text


def field_differences(form: forms.BaseForm, current: Any) -> list[dict[str, str]]:
    """What is saved now and differs from what this person typed: the conflict they must settle."""
    rows = []
    # Only the record's own columns: lists (members, linked households) are compared by the type's forms.
    columns = {model_field.name for model_field in current._meta.concrete_fields}
    for name, typed in form.cleaned_data.items():
        if name not in form.fields or name not in columns:
            continue
        saved = getattr(current, name)
        form_field = form.fields[name]
        if display(typed) != display(saved):
            rows.append(
                {
                    "field": str(form_field.label or name),
                    "saved": display(saved, form_field),
                    "typed": display(typed, form_field),
                }
            )
    return rows


def display(value: Any, form_field: forms.Field | None = None) -> str:
    """A value as a person reads it: a choice's label, Yes/No, a dash for nothing."""
    if isinstance(form_field, forms.TypedChoiceField) and value:
        choices = cast("Iterable[tuple[Any, Any]]", form_field.choices)  # a flat list once the field is built
        return str(dict(choices).get(value, value))
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)
