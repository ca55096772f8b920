"""Background exports (API.md's jobs): the records themselves (CSV or Excel, streamed row by row so memory
stays flat), the monthly report as PDF, and the 5W activity table. Admins only; GBV records are never
exported (admins read GBV data as aggregates only)."""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models import DateField, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import translation
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from core import access
from core.choices import AdminLevel
from core.filtersets import month_bounds, parse_month
from core.models import Job, ReferenceItem, User
from core.records import RecordType, get_record_type, people_total_expression, record_types
from core.spreadsheets import CsvTable, XlsxTable

EXPORT_KINDS = ("records", "report_pdf", "5w")
FORMATS = {"records": ("csv", "xlsx"), "5w": ("csv", "xlsx"), "report_pdf": ("pdf",)}
LIST_SEPARATOR = "; "  # the codes of a record's reference list (an alert's needs) in one cell


def chunk_rows() -> int:
    """Rows read per query and written between two progress reports (EXPORT_CHUNK_ROWS): each report is a
    heartbeat, and the step pause of tests (JOB_STEP_PAUSE_SECONDS), so an export's pace is set, not the machine's."""
    return max(1, settings.VIGIE_EXPORT_CHUNK_ROWS)


def exportable_types() -> list[RecordType]:
    """The record types a records export may hold: their declaration says `exportable` (GBV referrals never are:
    need-to-know)."""
    return [record_type for record_type in record_types() if record_type.exportable]


def exportable_slugs() -> list[str]:
    return [record_type.slug for record_type in exportable_types()]


def exportable_choices() -> list[tuple[str, StrOrPromise]]:
    """The export form's record types, as the declarations name them."""
    return [(record_type.slug, record_type.label_plural) for record_type in exportable_types()]


class ExportError(ValueError):
    """Bad export parameters, keyed by field like a serializer's errors."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def validate_export(params: dict[str, Any]) -> dict[str, Any]:
    """Check kind, month, format and record type; return the normalised parameters."""

    errors: dict[str, list[str]] = {}
    kind = params.get("kind")
    if not isinstance(kind, str) or kind not in EXPORT_KINDS:  # a list or an object is no kind either (400)
        errors["kind"] = [_("Choose records, report_pdf or 5w.")]
        kind = ""
    month = params.get("month")
    try:
        month_value = parse_month(month).isoformat() if month else None
    except (ValidationError, TypeError, ValueError):  # not "YYYY-MM", not text, or no such date: one message
        errors["month"] = [_("Enter a month as YYYY-MM, e.g. 2022-03.")]
        month_value = None
    if kind == "report_pdf" and not month:
        errors["month"] = [_("The report needs a month.")]
    fmt = params.get("format") or (FORMATS.get(kind, ("csv",))[0])
    if kind in FORMATS and fmt not in FORMATS[kind]:
        errors["format"] = [_("This export is made as %(formats)s.") % {"formats": ", ".join(FORMATS[kind])}]
    record_type = params.get("record_type") or "incidents"
    if kind == "records" and (not isinstance(record_type, str) or record_type not in exportable_slugs()):
        errors["record_type"] = [_("Records of this type cannot be exported (GBV referrals are need-to-know).")]
    if errors:
        raise ExportError(errors)
    return {"kind": kind, "month": month_value, "format": fmt, "record_type": record_type}


def export_details(params: dict[str, Any], channel: str) -> dict[str, Any]:
    """What the audit log keeps of an export's parameters (all of them are choices, none is free text)."""
    kept = {key: params.get(key) for key in ("kind", "record_type", "month", "format") if params.get(key)}
    return {**kept, "channel": channel}


def _period_filter(model: Any, month: str | None) -> dict[str, Any]:
    if not month:
        return {}
    start, end = month_bounds(datetime.date.fromisoformat(month))
    return {f"{model.month_field}__gte": start, f"{model.month_field}__lt": end}


# --- the records


def _common_columns() -> list[tuple[str, Callable[[Any], Any]]]:
    return [
        ("id", lambda r: r.pk),
        ("status", lambda r: r.status),
        ("admin1_pcode", lambda r: r.region.pcode),
        ("admin1_name", lambda r: r.region.name),
        ("place_pcode", lambda r: r.place.pcode),
        ("place_name", lambda r: r.place.name),
        ("organisation", lambda r: r.organisation.code),
        ("entered_by", lambda r: r.created_by.username),
        ("changed_after_closing", lambda r: r.changed_after_closing),
    ]


def _dotted(item: Any, path: str) -> Any:
    """The value at a dotted path from a row ("type.category.code"); empty where a reference on the way is not set."""
    for name in path.split("."):
        item = getattr(item, name)
        if item is None:
            return ""
    return item


def _child_paths(record_type: RecordType) -> list[str]:
    """What to prefetch for the child rows' columns: "violations__type__category" for "type.category.code"."""
    prefix = record_type.export_rows_per
    return [
        "__".join([prefix, *path.split(".")[:-1]]) for _header, path in record_type.export_child_columns if "." in path
    ]


def _is_reference_list(field: Any) -> bool:
    return bool(field.many_to_many) and issubclass(field.related_model, ReferenceItem)


def _own_fields(record_type: RecordType) -> list[Any]:
    """The record's own columns: the declaration's `export_columns` when it gives them; else the model's editable
    fields and its reference lists (an alert's needs), the shared columns (place, organisation, author) aside."""
    meta = record_type.model._meta
    if record_type.export_columns is not None:
        return [meta.get_field(name) for name in record_type.export_columns]
    return [
        field
        for field in (*meta.concrete_fields, *[field for field in meta.many_to_many if _is_reference_list(field)])
        if field.editable and field.name not in {"place", "organisation", "created_by", record_type.month_field}
    ]


def _cell(record: Any, field: Any) -> Any:
    """A field's value as a cell: a reference by its code, a list of references as codes joined by "; "."""
    if field.many_to_many:
        return LIST_SEPARATOR.join(sorted(item.code for item in getattr(record, field.name).all()))
    value = getattr(record, field.name)
    return getattr(value, "code", value) if field.is_relation else value


def _flat_rows(queryset: QuerySet, record_type: RecordType) -> Iterator[list[Any]]:
    """One row per record (or, for a type exported per child row, one per child row): its dates (the month field
    first), the shared columns, its other own fields (`_own_fields`), then the declared child columns."""
    own = _own_fields(record_type)
    dates = [field for field in own if isinstance(field, DateField)]
    others = [field for field in own if not isinstance(field, DateField)]
    columns = _common_columns()
    yield [
        record_type.month_field,
        *[field.name for field in dates],
        *[name for name, _get in columns],
        *[field.name for field in others],
        *[header for header, _path in record_type.export_child_columns],
    ]
    related = [field.name for field in own if field.is_relation and not field.many_to_many]
    listed = [field.name for field in own if field.many_to_many]
    rows = queryset.select_related("region", "place", "organisation", "created_by", *related)
    # prefetch_related works with iterator() only given a chunk size (Django 4.1+): one query per chunk and list.
    for record in rows.prefetch_related(*listed, *_child_paths(record_type)).iterator(chunk_size=chunk_rows()):
        values = [
            getattr(record, record_type.month_field),
            *[_cell(record, field) for field in dates],
            *[get(record) for _name, get in columns],
            *[_cell(record, field) for field in others],
        ]
        if not record_type.export_rows_per:
            yield values
            continue
        for child in getattr(record, record_type.export_rows_per).all():
            yield [*values, *[_dotted(child, path) for _header, path in record_type.export_child_columns]]


def record_rows(user: User, record_type: str, month: str | None) -> Iterator[list[Any]]:
    """The records of a type the user may read (an alert: every organisation of their regions), of the month."""
    declared = get_record_type(record_type)
    model = declared.model
    queryset = (
        access.records_in_scope(model._default_manager.all(), user, declared.family)
        .filter(**_period_filter(model, month))
        .order_by(model.month_field, "pk")
    )
    yield from _flat_rows(queryset, declared)


# --- the 5W: who does what, where, when, for how many


def five_w_rows(user: User, month: str | None) -> Iterator[list[Any]]:
    yield [
        "organisation",
        "sector",
        "activity",
        "admin1_pcode",
        "admin1_name",
        "admin2_pcode",
        "admin2_name",
        "month",
        "people_reached",
        "households_reached",
    ]
    for label, activity_prefix in (("assistance", "assistance"), ("sessions", "session")):
        model = get_record_type(label).model
        queryset = access.aggregate_scope(model._default_manager.filter(status="verified"), user).filter(
            **_period_filter(model, month)
        )
        grouped = (
            queryset.annotate(five_w_month=TruncMonth(model.month_field))
            .values(
                "organisation__code",
                "sector__code",
                "kind__code",
                "region__pcode",
                "region__name",
                "place__pcode",
                "place__name",
                "place__level",
                "place__parent__pcode",
                "place__parent__name",
                "five_w_month",
            )
            .annotate(
                people=Sum(people_total_expression()),
                **({"households": Sum("households")} if label == "assistance" else {}),
            )
            .order_by("five_w_month", "organisation__code", "kind__code", "place__pcode")
        )
        for row in grouped:
            admin2 = _admin2(row)
            yield [
                row["organisation__code"],
                row["sector__code"] or "",
                f"{activity_prefix}.{row['kind__code']}",
                row["region__pcode"],
                row["region__name"],
                *admin2,
                row["five_w_month"].strftime("%Y-%m"),
                row["people"] or 0,
                row.get("households") or ("" if label == "sessions" else 0),
            ]


def _admin2(row: Mapping[str, Any]) -> tuple[str, str]:
    if row["place__level"] == AdminLevel.CERCLE:
        return row["place__pcode"], row["place__name"]
    if row["place__level"] == AdminLevel.COMMUNE:
        return row["place__parent__pcode"], row["place__parent__name"]
    return "", ""


# --- writing the file


def write_table(rows: Iterator[list[Any]], fmt: str, target: Path, progress: Callable[[int], None]) -> None:
    """Write rows to `target` as they come (CSV, or Excel in write-only mode): memory stays flat. Every cell goes
    through core.spreadsheets, so no text is read as a formula."""
    chunk = chunk_rows()
    if fmt == "csv":
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = CsvTable(handle)
            for number, row in enumerate(rows):
                writer.writerow(row)
                if number % chunk == 0:
                    progress(number)
        return
    sheet = XlsxTable("export")
    for number, row in enumerate(rows):
        sheet.writerow(["" if value is None else value for value in row])
        if number % chunk == 0:
            progress(number)
    sheet.save(target)


def run_export(job: Job, progress: Callable[[int, int], None]) -> None:
    params, user = job.params, job.user
    with translation.override(params.get("language", "en")):
        _write_export(job, params, user, progress)


def _write_export(job: Job, params: dict[str, Any], user: User, progress: Callable[[int, int], None]) -> None:
    month_label = (params.get("month") or "all")[:7]
    with tempfile.TemporaryDirectory() as folder:
        name = (
            f"vigie-{params['kind'].replace('_', '-')}-{params.get('record_type', '')}-{month_label}.{params['format']}"
        )
        target = Path(folder) / name.replace("--", "-")
        if params["kind"] == "report_pdf":
            # weasyprint takes most of a second to load its native libraries: only a PDF export pays for it.
            from reports.pdf import render_report_pdf  # noqa: PLC0415

            target.write_bytes(render_report_pdf(user, datetime.date.fromisoformat(params["month"])))
        else:
            rows = (
                record_rows(user, params["record_type"], params.get("month"))
                if params["kind"] == "records"
                else five_w_rows(user, params.get("month"))
            )
            write_table(rows, params["format"], target, lambda done: progress(done, done + chunk_rows()))
        with target.open("rb") as handle:
            job.result.save(target.name, File(handle), save=True)
