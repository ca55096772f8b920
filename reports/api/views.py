"""`/api/v1/reports/monthly/` and `/api/v1/reports/tallies/` exactly as in API.md."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import access, audit
from core.access import Capability
from core.choices import AdminLevel
from core.filtersets import FIRST_MONTH, LAST_MONTH, month_bounds, parse_month
from core.http import body_object, body_text, signed_in
from core.inputs import whole_number
from core.jobs import error_texts, start_job, visible_job
from core.models import AdminArea, Job, Organisation
from reports import checklist, publishing
from reports.api.serializers import ChecklistSerializer, CloseMonthSerializer, MonthlyFiguresSerializer
from reports.exports import ExportError, check_sheet_size, export_details, validate_export
from reports.renderers import TalliesCSVRenderer, TalliesXLSXRenderer
from reports.suppression import Reference, suppress_alone
from reports.tallies import tallies
from reports.tasks import close_month_job, export_job


def _month(value: str | None, name: str = "month") -> datetime.date:
    try:
        return parse_month(value or "")
    except DjangoValidationError as error:
        raise exceptions.ValidationError({name: error.messages}) from error


def _region(request: Request) -> AdminArea | None:
    pcode = request.query_params.get("region")
    if not pcode:
        return None
    region = AdminArea.objects.filter(pcode=pcode, level=AdminLevel.REGION).first()
    if region is None:
        raise exceptions.ValidationError({"region": [_("Give a region's P-code (level 1), e.g. ML07.")]})
    if not access.covers_region(signed_in(request), region.pcode):
        raise Http404
    return region


def _organisation(request: Request) -> Organisation | None:
    code = request.query_params.get("organisation")
    if not code:
        return None
    organisation = Organisation.objects.filter(code__iexact=code).first()
    if organisation is None:
        raise exceptions.ValidationError({"organisation": [_("Unknown organisation code.")]})
    return organisation


def _is_viewer(request: Request) -> bool:
    return access.reads_published_figures_only(signed_in(request))


def _viewer_may(request: Request, *months: datetime.date) -> None:
    """A 403 unless the user may ask these months' figures with these parameters (`access.check_figures_request`:
    viewers read published months only, never narrowed by organisation, never today's figures)."""
    closed = all(publishing.is_closed(month) for month in months)
    try:
        access.check_figures_request(signed_in(request), closed=closed, parameters=request.query_params.keys())
    except access.FiguresRefused as refused:
        raise exceptions.PermissionDenied(refused.message) from refused


def _json(content: bytes) -> HttpResponse:
    """A JSON answer rendered once and cached (`publishing.figures_json`), written as it is. Content negotiation
    has run already: the view renders JSON only."""
    return HttpResponse(content, content_type=JSONRenderer.media_type)


class MonthlyFiguresView(APIView):
    """The monthly figures of API.md, within the requesting user's scope."""

    @extend_schema(
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, required=True, description="YYYY-MM"),
            OpenApiParameter("region", OpenApiTypes.STR, description="A level-1 P-code"),
            OpenApiParameter("organisation", OpenApiTypes.STR, description="An organisation code"),
            OpenApiParameter("current", OpenApiTypes.BOOL, description="Today's figures of a closed month"),
        ],
        responses={200: MonthlyFiguresSerializer},
    )
    def get(self, request: Request) -> HttpResponse:
        if not access.has_capability(signed_in(request), Capability.FIGURES):
            raise exceptions.PermissionDenied
        month = _month(request.query_params.get("month"))
        region, organisation = _region(request), _organisation(request)
        current = request.query_params.get("current", "").lower() in {"1", "true", "yes"}
        if _is_viewer(request):
            _viewer_may(request, month)
            try:
                return _json(publishing.viewer_figures_json(user=signed_in(request), month=month, region=region))
            except publishing.NotPublished as error:
                raise exceptions.PermissionDenied(_("This month was not published for your regions.")) from error
        if organisation is None and not current:
            published = publishing.figures_json(user=signed_in(request), month=month, region=region)
            if published is not None:
                return _json(published)
        figures = publishing.figures_for(
            user=signed_in(request), month=month, region=region, organisation=organisation, current=current
        )
        return Response(figures)


class TalliesView(APIView):
    """Month × region × indicator tallies, as JSON, CSV (with an HXL row) or Excel, answered at once."""

    renderer_classes = [JSONRenderer, TalliesCSVRenderer, TalliesXLSXRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM (or give year)"),
            OpenApiParameter("year", OpenApiTypes.INT, description="YYYY: one row per month of the year"),
            OpenApiParameter("region", OpenApiTypes.STR),
            OpenApiParameter("suppress_small_counts", OpenApiTypes.BOOL),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        if not access.has_capability(signed_in(request), Capability.TALLIES):
            raise exceptions.PermissionDenied(_("Your role may not export the tallies."))
        start, end = self._period(request)
        months = _months_between(start, end)
        region = _region(request)
        if _is_viewer(request):
            _viewer_may(request, *months)
            return self._answer(request, publishing.published_tally_rows(signed_in(request), months, region))
        organisation = _organisation(request)
        suppress = request.query_params.get("suppress_small_counts", "").lower() in {"1", "true"}
        if suppress and organisation is None and all(publishing.is_closed(month) for month in months):
            # a shared export of published months: the published tallies and the hidden set decided at closing
            return self._answer(request, publishing.published_tally_rows(signed_in(request), months, region))
        rows = tallies(user=signed_in(request), start=start, end=end, region=region, organisation=organisation)
        if suppress:
            reference = Reference.load()
            rows = suppress_alone(rows, set(reference.categories), reference)
        return self._answer(request, rows)

    def handle_exception(self, exc: Exception) -> Response:
        """An error is a JSON message whatever `format=` asked for (API.md: a message per field): the CSV and Excel
        renderers write rows, and would serve the error's Python repr as a file."""
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    def _answer(self, request: Request, rows: list[dict[str, Any]]) -> Response:
        response = Response(rows)
        if request.accepted_renderer.format in {"csv", "xlsx"}:
            name = f"vigie-tallies-{request.query_params.get('month') or request.query_params.get('year')}"
            response["Content-Disposition"] = f'attachment; filename="{name}.{request.accepted_renderer.format}"'
        return response

    def _period(self, request: Request) -> tuple[datetime.date, datetime.date]:
        asked = request.query_params.get("year")
        if asked and not request.query_params.get("month"):
            # The months of that year, within the one range every month obeys (API.md: 1900 to 2100).
            year = whole_number(asked)
            if year is None or not FIRST_MONTH.year <= year <= LAST_MONTH.year:
                raise exceptions.ValidationError({"year": [_("Give a year as YYYY, e.g. 2021.")]})
            return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
        return month_bounds(_month(request.query_params.get("month")))


def _months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, current = [], start
    while current < end:
        months.append(current)
        current = month_bounds(current)[1]
    return months


def _admin_only(request: Request) -> None:
    if not access.has_capability(signed_in(request), Capability.CLOSE_MONTH):
        raise exceptions.PermissionDenied(_("Only admins close and reopen months."))


class CloseMonthView(APIView):
    """`POST /api/v1/reports/months/YYYY-MM/close/`: a job stores the published figures, then closes the month."""

    may_conflict = True  # the month is already closed (409, declared in the schema)
    starts_job = True  # 503 when the task queue cannot be reached (declared in the schema)

    @extend_schema(request=CloseMonthSerializer, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, month: str) -> Response:
        _admin_only(request)
        first_day = _month(month)
        note = body_text(request, "note")[: publishing.NOTE_LENGTH]
        acknowledged = _acknowledged(request)
        found = checklist.closing_checklist(user=signed_in(request), month=first_day, with_suppression=False)
        job = publishing.begin_closing(
            first_day,
            by=signed_in(request),
            note=note,
            task=close_month_job,
            checklist={**found["findings"], "acknowledged": acknowledged},
        )
        return Response({"id": job.pk, "status": job.status}, status=202)


def _acknowledged(request: Request) -> bool:
    """The optional `acknowledged` of a closing: true when the client read the checklist and closes anyway. Clients
    written before the checklist send nothing and close as they did; what the checklist found is logged either way."""
    body = CloseMonthSerializer(data={"acknowledged": body_object(request).get("acknowledged", False)})
    body.is_valid(raise_exception=True)
    return bool(body.validated_data["acknowledged"])


class ChecklistView(APIView):
    """`GET /api/v1/reports/months/YYYY-MM/checklist/[?region=ML07]`: the closing checklist (admins, within their
    scope): what is still waiting, who did not report, unusual figures, what viewers will not see, late records."""

    @extend_schema(
        parameters=[OpenApiParameter("region", OpenApiTypes.STR, description="A level-1 P-code")],
        responses={200: ChecklistSerializer},
    )
    def get(self, request: Request, month: str) -> Response:
        if not access.has_capability(signed_in(request), Capability.CLOSE_MONTH):
            raise exceptions.PermissionDenied(_("Only admins read the closing checklist."))
        first_day = _month(month)
        region = _region(request)
        return Response(checklist.closing_checklist(user=signed_in(request), month=first_day, region=region))


class ReopenMonthView(APIView):
    """`POST /api/v1/reports/months/YYYY-MM/reopen/` with a reason (required, logged)."""

    may_conflict = True  # the month is not closed (409, declared in the schema)

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, month: str) -> Response:
        _admin_only(request)
        first_day = _month(month)
        publishing.reopen_month(
            first_day,
            by=signed_in(request),
            reason=body_text(request, "reason"),
            request=request._request,
        )
        return Response({"month": first_day.strftime("%Y-%m"), "closed": False})


class JobView(APIView):
    """`GET /api/v1/jobs/{id}/`: for the user who started it only (404 for anyone else, admins included)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> Response:
        job = visible_job(signed_in(request), pk)
        if job is None:
            raise Http404
        return Response(job_answer(request, job))


def job_answer(request: Request, job: Job) -> dict[str, Any]:
    """API.md's job; once the retention task deleted its file, `result_url` is null and `expired` true."""
    expired = job.expired_at is not None
    result_url = (
        request.build_absolute_uri(reverse("reports:job-download", args=[job.pk]))
        if job.result and not expired
        else None
    )
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "progress": job.progress,
        "result_url": result_url,
        "errors": error_texts(job.errors),
        "expired": expired,
    }


class ExportView(APIView):
    """`POST /api/v1/exports/` (admins): the records, the monthly report as PDF, or the 5W, built in the
    background; answers 202 with the job to follow."""

    starts_job = True  # 503 when the task queue cannot be reached (declared in the schema)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        if not access.has_capability(signed_in(request), Capability.RECORDS_EXPORT):
            raise exceptions.PermissionDenied(_("Only admins export records and reports."))
        try:
            params = validate_export(dict(body_object(request)))
            check_sheet_size(params, signed_in(request))
        except ExportError as error:
            raise exceptions.ValidationError(error.errors) from error
        params["language"] = translation.get_language() or "en"
        job = start_job(kind=f"export_{params['kind']}", user=signed_in(request), task=export_job, params=params)
        audit.record(
            audit.Action.EXPORT_STARTED, request=request._request, obj=job, details=export_details(params, "api")
        )
        return Response({"id": job.pk, "status": job.status}, status=202)
