"""The reports' background jobs (closing a month, the exports) as the person who started them reads them: what the
job is, what it holds and where it stands, in the reader's language. The job's row and the API keep the codes
(`export_report_pdf`, `done`); only pages go through here."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from core.jobs import is_finished, status_label
from core.models import Job
from core.records import record_types
from reports.exports import as_period, export_period

# A job's `kind` is set where it starts: publishing.begin_closing, and `export_<kind>` for an export.
KIND_LABELS: dict[str, StrOrPromise] = {
    "close_month": gettext_lazy("Closing of a month"),
    "export_records": gettext_lazy("Export of records"),
    "export_report_pdf": gettext_lazy("Monthly report as PDF"),
    "export_5w": gettext_lazy("5W activity table"),
}
# What a file format is called; the same in every language.
FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel", "pdf": "PDF"}


def kind_label(kind: str) -> str:
    """A job's kind in the reader's language ("Monthly report as PDF"); a kind nobody named stays its code."""
    return str(KIND_LABELS.get(kind, kind))


def _period_words(params: Mapping[str, Any]) -> str:
    period = export_period(params)
    if period is None:
        return _("every month")
    if params.get("from"):
        last = period.end - datetime.timedelta(days=1)
        return _("%(start)s to %(end)s") % {"start": f"{period.start:%Y-%m}", "end": f"{last:%Y-%m}"}
    return period.label  # "2022-03", "2021"


def _record_type_label(slug: object) -> str:
    labels = {record_type.slug: str(record_type.label_plural) for record_type in record_types()}
    return labels.get(str(slug), str(slug))


def _what(job: Job) -> list[str]:
    """The job's parameters in words: the month it closes; an export's record type, period and file format."""
    params = job.params or {}
    if job.kind == "close_month":
        month = as_period(params.get("month"))
        return [month.label] if month else []
    if not job.kind.startswith("export_"):
        return []
    words = [_record_type_label(params.get("record_type"))] if params.get("kind") == "records" else []
    words.append(_period_words(params))
    if params.get("format"):
        words.append(FORMAT_NAMES.get(params["format"], params["format"]))
    return words


@dataclass(frozen=True)
class JobSummary:
    """One job as a page shows it."""

    job: Job
    kind: str  # "Monthly report as PDF"
    details: str  # "Incidents · 2021 · Excel"
    status: str  # "In progress"
    finished: bool  # done or failed: the page stops following it


def summary(job: Job) -> JobSummary:
    return JobSummary(
        job=job,
        kind=kind_label(job.kind),
        details=" · ".join(_what(job)),
        status=status_label(job.status),
        finished=is_finished(job),
    )
