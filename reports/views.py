"""Report pages: the monthly report (with its charts), closing and reopening a month, exports, and the jobs that
close months and make exports."""

from __future__ import annotations

import datetime
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from core import access, audit
from core.access import Capability
from core.api.authentication import ExpiringTokenAuthentication
from core.choices import Status
from core.closing import MonthState, month_state
from core.errors import ConflictError
from core.filtersets import parse_month
from core.http import signed_in
from core.jobs import error_texts, own_jobs, start_job, status_label, visible_job
from core.models import ClosedMonth, Job, User
from incidents.models import Incident
from reports import checklist, jobs, publishing
from reports.closed_months import changed_since_closing, closing_of, published_months
from reports.context import report_context
from reports.exports import ExportError, check_sheet_size, export_details
from reports.forms import CloseMonthForm, ExportForm, ReopenMonthForm, ReportFilterForm
from reports.tasks import close_month_job, export_job

logger = logging.getLogger(__name__)


def _default_month(request: HttpRequest) -> datetime.date:
    """Viewers: the latest closed month. Others: the latest month with verified incidents. Else last month."""

    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    if access.reads_published_figures_only(signed_in(request)):
        closed = ClosedMonth.objects.filter(is_closed=True).order_by("-month").first()
        return closed.month if closed else last_month
    latest = Incident.objects.filter(status=Status.VERIFIED).aggregate(latest=Max("reported_on"))["latest"]
    return latest.replace(day=1) if latest else last_month


@login_required
def monthly_report(request: HttpRequest) -> HttpResponse:
    if not access.has_capability(signed_in(request), Capability.FIGURES):
        raise PermissionDenied
    form = ReportFilterForm(request.GET or None, user=signed_in(request))
    if request.GET and not form.is_valid():
        return render(request, "reports/monthly_report.html", {"form": form}, status=400)
    month = form.cleaned_data["month"] if request.GET else _default_month(request)
    region = form.cleaned_data.get("region") if request.GET else None
    if not request.GET:
        form = ReportFilterForm(initial={"month": month.strftime("%Y-%m")}, user=signed_in(request))
    closed = publishing.is_closed(month)
    viewer = access.reads_published_figures_only(signed_in(request))
    # viewers choose among the published months in the form itself; others get links to the latest closed ones
    context: dict[str, Any] = {"form": form, "month": month, "closed": closed, "closed_months": _closed_months(viewer)}
    try:
        # the page's form asks neither an organisation nor today's figures: only the month is the viewers' rule
        access.check_figures_request(signed_in(request), closed=closed)
    except access.FiguresRefused:
        if not published_months():
            messages.info(request, _("Only the figures of closed months are published, and no month is closed yet."))
        else:
            messages.info(request, _("Only the figures of closed months are published. Choose a published month."))
        return render(request, "reports/monthly_report.html", context)
    try:
        context.update(report_context(signed_in(request), month, region))
    except publishing.NotPublished:
        messages.info(request, _("This month was not published for your regions."))
        return render(request, "reports/monthly_report.html", context)
    context.update(_actions(request, month, closed))
    context.update(_closing(signed_in(request), month, viewer=viewer))
    return render(request, "reports/monthly_report.html", context)


def _closed_months(viewer: bool) -> list[datetime.date]:
    return [] if viewer else published_months()[:24]


def _closing(user: User, month: datetime.date, *, viewer: bool) -> dict[str, Any]:
    """A closed month's closing (when, by whom, notes; its log for staff) and, for admins, the records changed
    since."""
    closing = closing_of(month, with_log=not viewer)
    if closing is None:
        return {}
    changes = changed_since_closing(user, closing) if access.is_admin(user) else None
    return {"closing_facts": closing, "changes": changes}


def _actions(request: HttpRequest, month: datetime.date, closed: bool) -> dict[str, Any]:
    user = signed_in(request)
    query = f"month={month:%Y-%m}"
    closing = month_state(month) is MonthState.CLOSING
    return {
        "closing": closing,
        "may_export_tallies": access.has_capability(user, Capability.TALLIES),
        "may_close": access.has_capability(user, Capability.CLOSE_MONTH),
        "tallies_csv": f"{reverse('api-reports-tallies')}?{query}&format=csv",
        "tallies_xlsx": f"{reverse('api-reports-tallies')}?{query}&format=xlsx",
        "close_url": reverse("reports:close-month", args=[f"{month:%Y-%m}"]) if not closed and not closing else "",
        "reopen_form": ReopenMonthForm() if closed and not closing else None,
    }


def _month_from_path(month: str) -> datetime.date:
    try:
        return parse_month(month)
    except ValidationError as error:
        raise BadRequest(" ".join(error.messages)) from error


@login_required
@require_http_methods(["GET", "POST"])
def close_month(request: HttpRequest, month: str) -> HttpResponse:
    """GET: the close page, the closing checklist above the form. POST: close the month; when the checklist has
    findings (counted again now: records may have moved since the page was read), only with the admin's word that
    they close anyway."""
    user = signed_in(request)
    if not access.has_capability(user, Capability.CLOSE_MONTH):
        raise PermissionDenied
    first_day = _month_from_path(month)
    report = f"{reverse('reports:monthly')}?month={first_day:%Y-%m}"
    state = month_state(first_day)
    if state is not MonthState.OPEN:
        messages.error(
            request,
            _("This month is being closed already.")
            if state is MonthState.CLOSING
            else _("This month is already closed."),
        )
        return redirect(report)
    found = checklist.closing_checklist(user=user, month=first_day, with_suppression=False)
    form = CloseMonthForm(request.POST or None, needs_acknowledgement=found["needs_acknowledgement"])
    if request.method == "POST" and form.is_valid():
        summary = {**found["findings"], "acknowledged": bool(form.cleaned_data.get("acknowledge"))}
        try:
            job = publishing.begin_closing(
                first_day, by=user, note=form.cleaned_data["note"], task=close_month_job, checklist=summary
            )
        except ConflictError as error:
            messages.error(request, str(error))
            return redirect(report)
        return redirect("reports:job", pk=job.pk)
    if request.GET.get("suppression"):  # without scripts: worked out in the page (checklist.js fetches it otherwise)
        found["suppression"] = checklist.suppressed_cells(checklist.Scope(user), first_day, closed=False)
    context = {"month": first_day, "checklist": found, "form": form, "report_url": report}
    return render(request, "reports/close_month.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def close_month_suppression(request: HttpRequest, month: str) -> HttpResponse:
    """The close page's "what viewers will not see", on its own: deciding it takes as long as a closing's decision,
    so the page fetches it once shown (checklist.js)."""
    user = signed_in(request)
    if not access.has_capability(user, Capability.CLOSE_MONTH):
        raise PermissionDenied
    first_day = _month_from_path(month)
    suppressed = checklist.suppressed_cells(checklist.Scope(user), first_day, closed=publishing.is_closed(first_day))
    return render(request, "reports/_close_suppression.html", {"suppressed": suppressed})


@login_required
@require_POST
def reopen_month(request: HttpRequest, month: str) -> HttpResponse:
    if not access.has_capability(signed_in(request), Capability.CLOSE_MONTH):
        raise PermissionDenied
    first_day = _month_from_path(month)
    form = ReopenMonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the month is reopened."))
    else:
        try:
            publishing.reopen_month(
                first_day, by=signed_in(request), reason=form.cleaned_data["reason"], request=request
            )
            messages.success(request, _("%(month)s is open again.") % {"month": f"{first_day:%Y-%m}"})
        except ConflictError as error:
            messages.error(request, str(error))
    return redirect(f"{reverse('reports:monthly')}?month={first_day:%Y-%m}")


def _job_context(job: Job) -> dict[str, Any]:
    context: dict[str, Any] = {
        "job": job,
        "errors": error_texts(job.errors),
        "about": jobs.summary(job),
        "retention_days": settings.VIGIE_EXPORT_RETENTION_DAYS,
        # Where the page's script (static/js/job_progress.js) follows the job: API.md's job, by session.
        "job_url": reverse("api-job", args=[job.pk]),
        "progress_words": {
            "statuses": {status: status_label(status) for status in Job.Status.values},
            "percent": _("%(percent)s%%") % {"percent": "{n}"},  # the page's own words for "40 %"
        },
    }
    if job.kind == "close_month" and job.status == Job.Status.FAILED and job.params.get("month"):
        context["month_open"] = month_state(datetime.date.fromisoformat(job.params["month"])) is MonthState.OPEN
    return context


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A background job's progress and its download link when ready, for the user who started it only. Until the
    job ends the page follows it: its script asks the job's JSON every few seconds, and without scripts the page
    refreshes itself."""
    job = visible_job(signed_in(request), pk)
    if job is None:
        raise Http404
    return render(request, "reports/job_detail.html", _job_context(job))


def _token_user(request: HttpRequest) -> User | None:
    """The user of an `Authorization: Token …` header (API.md: result_url downloads by token too), else None."""
    try:
        found = ExpiringTokenAuthentication().authenticate(Request(request))
    except AuthenticationFailed:
        return None
    return found[0] if found else None


def job_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A finished job's file, for the user who started it only (session or API token); 410 once the retention
    task has deleted it."""
    user = request.user if isinstance(request.user, User) and request.user.is_authenticated else _token_user(request)
    if user is None:
        if "HTTP_AUTHORIZATION" in request.META:
            return HttpResponse(_("Invalid or expired token."), status=401, content_type="text/plain; charset=utf-8")
        return redirect_to_login(request.get_full_path())
    job = visible_job(user, pk)
    if job is None:
        raise Http404
    if job.expired_at is not None:
        return render(
            request,
            "reports/job_detail.html",
            _job_context(job),
            status=410,
        )
    if not job.result:
        raise Http404
    logger.info("Export downloaded: job %s by %s", job.pk, user.username)
    audit.record(
        audit.Action.EXPORT_DOWNLOADED,
        request=request,
        actor=user,
        obj=job,
        details={"kind": job.kind, "channel": audit.Channel.PAGE if request.user == user else audit.Channel.API},
    )
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=Path(job.result.name or "export").name)


def _fits_its_format(form: ExportForm, user: User) -> bool:
    """Whether the export fits its file (an Excel sheet's rows); if not, the form says so."""
    try:
        check_sheet_size(form.cleaned_data["params"], user)
    except ExportError as error:
        form.refuse(error)
        return False
    return True


@login_required
def exports(request: HttpRequest) -> HttpResponse:
    """Admins start an export here; the job page follows it and offers the file. Earlier exports are listed."""
    if not access.has_capability(signed_in(request), Capability.RECORDS_EXPORT):
        raise PermissionDenied
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _fits_its_format(form, signed_in(request)):
        params = {**form.cleaned_data["params"], "language": translation.get_language() or "en"}
        job = start_job(kind=f"export_{params['kind']}", user=signed_in(request), task=export_job, params=params)
        audit.record(audit.Action.EXPORT_STARTED, request=request, obj=job, details=export_details(params, "page"))
        return redirect("reports:job", pk=job.pk)
    recent = [jobs.summary(job) for job in own_jobs(signed_in(request)).filter(kind__startswith="export_")[:20]]
    return render(
        request,
        "reports/exports.html",
        {"form": form, "recent": recent, "retention_days": settings.VIGIE_EXPORT_RETENTION_DAYS},
        status=400 if request.method == "POST" else 200,
    )
