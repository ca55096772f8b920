"""Background exports (API.md's jobs): the records themselves (CSV or Excel, streamed so memory stays flat; a CSV
on PostgreSQL written by COPY), the monthly report as PDF, and the 5W activity table. Admins only; GBV records are
never exported (admins read GBV data as aggregates only)."""

from __future__ import annotations

import datetime
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files import File
from django.db import connections
from django.db.models import DateField, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Collate, TruncMonth
from django.utils import translation
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from core import access
from core.choices import AdminLevel
from core.db import reading_alias
from core.filtersets import FIRST_MONTH, LAST_MONTH, month_bounds, parse_month
from core.jobs import progress_kept
from core.models import Job, ReferenceItem, User
from core.records import PeopleCounts, RecordType, get_record_type, people_total_expression, record_types
from core.spreadsheets import CsvCell, CsvTable, XlsxTable, copy_csv, csv_cell_kind

EXPORT_KINDS = ("records", "report_pdf", "5w")
FORMATS = {"records": ("csv", "xlsx"), "5w": ("csv", "xlsx"), "report_pdf": ("pdf",)}
LIST_SEPARATOR = "; "  # the codes of a record's reference list (an alert's needs) in one cell
_YEAR = re.compile(r"[0-9]{4}")
EXCEL_MAX_ROWS = 1_048_576  # rows of one Excel sheet, header included


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


@dataclass(frozen=True)
class Period:
    """The months an export holds: from `start` (a first day) to the day before `end` (the first day after them)."""

    start: datetime.date
    end: datetime.date
    label: str  # as the file name says it: "2022-03", "2021", "2021-01-to-2021-06"


def _month_label(first_day: datetime.date) -> str:
    return first_day.strftime("%Y-%m")


def as_period(value: Period | str | None) -> Period | None:
    """A period as such; a month's first day ("2022-03-01", the parameters kept before periods) as its month."""
    if value is None or isinstance(value, Period):
        return value
    start, end = month_bounds(datetime.date.fromisoformat(value))
    return Period(start, end, _month_label(start))


def export_period(params: Mapping[str, Any]) -> Period | None:
    """The period of validated parameters (`validate_export`): a month, a year, from–to, or None for every month."""
    if params.get("month"):
        return as_period(params["month"])
    if params.get("year"):
        year = int(params["year"])
        return Period(datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1), str(year))
    if params.get("from"):
        start = datetime.date.fromisoformat(params["from"])
        last = datetime.date.fromisoformat(params["to"])
        label = f"{_month_label(start)}-to-{_month_label(last)}"
        return Period(start, month_bounds(last)[1], label)
    return None


def _checked_month(value: object, field: str, errors: dict[str, list[str]]) -> datetime.date | None:
    try:
        return parse_month(value)
    except ValidationError as error:  # not "YYYY-MM", not text, or out of 1900-2100: its message
        errors[field] = list(error.messages)
        return None


def _checked_year(value: object, errors: dict[str, list[str]]) -> str | None:
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not (_YEAR.fullmatch(text) and FIRST_MONTH.year <= int(text) <= LAST_MONTH.year):
        errors["year"] = [_("Enter a year as YYYY, from 1900 to 2100, e.g. 2021.")]
        return None
    return text


def _validate_period(params: Mapping[str, Any], errors: dict[str, list[str]]) -> dict[str, str | None]:
    """One of: `month` ("2022-03"), `year` ("2021"), or `from` and `to` (months, inclusive); none: every month.
    Normalised as before for a month (its first day), the year as text, from and to as first days."""
    given = [name for name in ("month", "year", "from", "to") if params.get(name) not in (None, "")]
    period: dict[str, str | None] = {"month": None, "year": None, "from": None, "to": None}
    if len({"month", "year", "range"} & {"range" if name in ("from", "to") else name for name in given}) > 1:
        errors["period"] = [_("Give one period: a month, a year, or from one month to another.")]
        return period
    if "month" in given and (month := _checked_month(params["month"], "month", errors)):
        period["month"] = month.isoformat()
    if "year" in given:
        period["year"] = _checked_year(params["year"], errors)
    if {"from", "to"} & set(given):
        if not {"from", "to"} <= set(given):
            errors["from" if "from" not in given else "to"] = [_("Give both months of the range: from and to.")]
            return period
        start, last = _checked_month(params["from"], "from", errors), _checked_month(params["to"], "to", errors)
        if start and last and start > last:
            errors["to"] = [
                _("The range ends before it starts: give a month from %(start)s on.") % {"start": _month_label(start)}
            ]
        elif start and last:
            period["from"], period["to"] = start.isoformat(), last.isoformat()
    return period


def _format_refused(kind: str) -> str:
    """Why a kind of export is not made in the format asked, naming the formats it is made in, in words and codes
    (a page's reader and a script's author both act on it)."""
    if kind == "report_pdf":
        return _("The monthly report is made as PDF only (format “pdf”).")
    if kind == "5w":
        return _("The 5W table is made as CSV or Excel (format “csv” or “xlsx”).")
    return _("Records are exported as CSV or Excel (format “csv” or “xlsx”).")


def validate_export(params: Mapping[str, Any]) -> dict[str, Any]:
    """Check kind, period, format and record type; return the normalised parameters."""

    errors: dict[str, list[str]] = {}
    kind = params.get("kind")
    if not isinstance(kind, str) or kind not in EXPORT_KINDS:  # a list or an object is no kind either (400)
        errors["kind"] = [_("Choose records, report_pdf or 5w.")]
        kind = ""
    period = _validate_period(params, errors)
    if kind == "report_pdf" and not period["month"] and "month" not in errors:
        errors["month"] = [_("The report needs a month.")]
    fmt = params.get("format") or (FORMATS.get(kind, ("csv",))[0])
    if kind in FORMATS and fmt not in FORMATS[kind]:
        errors["format"] = [_format_refused(kind)]
    record_type = params.get("record_type") or "incidents"
    if kind == "records" and (not isinstance(record_type, str) or record_type not in exportable_slugs()):
        errors["record_type"] = [_("Records of this type cannot be exported (GBV referrals are need-to-know).")]
    if errors:
        raise ExportError(errors)
    kept_period = {name: value for name, value in period.items() if name == "month" or value}
    return {"kind": kind, **kept_period, "format": fmt, "record_type": record_type}


def check_sheet_size(params: Mapping[str, Any], user: User) -> None:
    """An Excel sheet holds EXCEL_MAX_ROWS rows, header included: a records export that would pass it is refused
    before it starts (one COUNT query), saying how many rows it would have."""
    if params["kind"] != "records" or params["format"] != "xlsx":
        return
    rows = record_count(user, params["record_type"], export_period(params))
    if rows + 1 > EXCEL_MAX_ROWS:
        message = _(
            "This export would have %(rows)s rows; an Excel sheet holds %(limit)s. Choose a shorter period or CSV."
        ) % {"rows": f"{rows:,}", "limit": f"{EXCEL_MAX_ROWS:,}"}
        raise ExportError({"format": [message]})


def export_details(params: dict[str, Any], channel: str) -> dict[str, Any]:
    """What the audit log keeps of an export's parameters (all of them are choices, none is free text)."""
    keys = ("kind", "record_type", "month", "year", "from", "to", "format")
    kept = {key: params.get(key) for key in keys if params.get(key)}
    return {**kept, "channel": channel}


def _period_filter(model: Any, period: Period | None) -> dict[str, Any]:
    if period is None:
        return {}
    return {f"{model.month_field}__gte": period.start, f"{model.month_field}__lt": period.end}


# --- the records
#
# Rows are read as values over a server-side cursor (`iterator`), never as ORM objects: a million incidents stream at
# tens of thousands of rows a second in flat memory (issue 14). References are read by code in the same query; a
# type exported per child row (an incident: per violation) is read from the child table joined to its record, so a
# record without child rows has no row, as before.

# The shared columns after the dates: header and the lookup that reads it.
_COMMON_COLUMNS = (
    ("id", "pk"),
    ("status", "status"),
    ("admin1_pcode", "region__pcode"),
    ("admin1_name", "region__name"),
    ("place_pcode", "place__pcode"),
    ("place_name", "place__name"),
    ("organisation", "organisation__code"),
    ("entered_by", "created_by__username"),
    ("changed_after_closing", "changed_after_closing"),
)
_CHILD_PEOPLE_TOTAL = "export_people_total"  # the annotation a child row's "total" column reads


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


def _own_lookup(field: Any) -> str:
    """What a record's own field is read as: a reference by its code; a list of references reads the record's key
    here, replaced by the list's codes (`_with_lists`)."""
    if field.many_to_many:
        return "pk"
    if not field.is_relation:
        return str(field.name)
    if not any(related.name == "code" for related in field.related_model._meta.concrete_fields):
        raise ImproperlyConfigured(f"The exported reference {field.name!r} has no code.")
    return f"{field.name}__code"


def _child_lookup(record_type: RecordType, path: str) -> str:
    """A child column's lookup from the record: "type.category.code" → "violations__type__category__code"; "total"
    is the sum of the child's people counts."""
    child_model = record_type.model._meta.get_field(record_type.export_rows_per).related_model
    if path == "total" and isinstance(child_model, type) and issubclass(child_model, PeopleCounts):
        return _CHILD_PEOPLE_TOTAL
    return f"{record_type.export_rows_per}__{path.replace('.', '__')}"


def _columns(record_type: RecordType) -> tuple[list[str], list[str], list[Any]]:
    """The header, the lookup of each column (from the record), and the reference-list fields in column order."""
    own = _own_fields(record_type)
    dates = [field for field in own if isinstance(field, DateField)]
    others = [field for field in own if not isinstance(field, DateField)]
    header = [
        record_type.month_field,
        *[field.name for field in dates],
        *[name for name, _lookup in _COMMON_COLUMNS],
        *[field.name for field in others],
    ]
    lookups = [
        record_type.month_field,
        *[_own_lookup(field) for field in dates],
        *[lookup for _name, lookup in _COMMON_COLUMNS],
        *[_own_lookup(field) for field in others],
    ]
    return header, lookups, [field for field in (*dates, *others) if field.many_to_many]


def _row_query(queryset: QuerySet, record_type: RecordType, lookups: list[str]) -> tuple[QuerySet, list[str]]:
    """The rows' query and the lookup of each column: the record's (`lookups`), then, for a type exported per child
    row, the child's columns: the child table joined to the records (one join, which the filter makes an inner one:
    a record without child rows has no row), in the records' order, then the children's."""
    if not record_type.export_rows_per:
        return queryset, lookups
    relation = record_type.export_rows_per
    rows = queryset.filter(**{f"{relation}__isnull": False})
    child_lookups = [_child_lookup(record_type, path) for _header, path in record_type.export_child_columns]
    if _CHILD_PEOPLE_TOTAL in child_lookups:
        rows = rows.annotate(**{_CHILD_PEOPLE_TOTAL: people_total_expression(f"{relation}__")})
    return rows.order_by(*queryset.query.order_by, f"{relation}__pk"), [*lookups, *child_lookups]


def _reading_plan(
    record_type: RecordType, lookups: list[str]
) -> tuple[list[str], list[tuple[int, dict[Any, Any] | None]]]:
    """What the query selects, and how each column is made from it: a value read through a reference
    ("region__pcode", "violations__type__category__code") is the reference's key in the query, resolved from an
    in-memory map of that reference table ({key: pcode}); the big tables are read once, without joins to the small
    ones. Returns the lookups to select and, per column, its index among them and its map (None: the value as is)."""
    selects: list[str] = []
    columns: list[tuple[int, dict[Any, Any] | None]] = []
    maps: dict[tuple[Any, str, str], dict[Any, Any]] = {}
    for lookup in lookups:
        select, through = _through_reference(record_type, lookup)
        if select not in selects:
            selects.append(select)
        mapping = None
        if through is not None:
            if through not in maps:
                related, key, path = through
                maps[through] = dict(related._default_manager.using(reading_alias()).values_list(key, path))
            mapping = maps[through]
        columns.append((selects.index(select), mapping))
    return selects, columns


def _through_reference(record_type: RecordType, lookup: str) -> tuple[str, tuple[Any, str, str] | None]:
    """ "region__pcode" → ("region", (AdminArea, "id", "pcode")): the key the record holds, and the map to build from
    the reference table (keyed by the field the key points to); "violations__women" → ("violations__women", None)."""
    parts, kept = lookup.split("__"), []
    model: Any = record_type.model
    if parts[0] == record_type.export_rows_per:  # the child rows' relation: joined in the query
        model = model._meta.get_field(parts[0]).related_model
        kept.append(parts.pop(0))
    if len(parts) == 1 or parts[0] == "pk":
        return lookup, None
    field: Any = model._meta.get_field(parts[0])
    if not field.many_to_one:
        return lookup, None
    # A foreign key holds its model's key, or its to_field: the map is keyed by that.
    return "__".join([*kept, parts[0]]), (field.related_model, field.target_field.name, "__".join(parts[1:]))


def _mapped(rows: Iterator[tuple[Any, ...]], columns: list[tuple[int, dict[Any, Any] | None]]) -> Iterator[list[Any]]:
    """The columns in order (one C call a row), then the few read through a map."""
    pick = itemgetter(*[index for index, _mapping in columns])
    through_maps = [(position, mapping) for position, (_index, mapping) in enumerate(columns) if mapping is not None]
    for row in rows:
        values = list(pick(row))
        for position, mapping in through_maps:
            values[position] = mapping.get(values[position])
        yield values


def _with_lists(rows: Iterator[list[Any]], lists: list[Any], positions: list[int]) -> Iterator[list[Any]]:
    """Each chunk of rows with its reference lists (codes sorted, joined by LIST_SEPARATOR) in place of the record's
    key: one query per list and chunk."""
    chunk = chunk_rows()
    while batch := list(islice(rows, chunk)):
        keys = {row[positions[0]] for row in batch}
        codes = [_list_codes(field, keys) for field in lists]
        for row in batch:
            for position, by_record in zip(positions, codes, strict=True):
                row[position] = LIST_SEPARATOR.join(by_record.get(row[position], ()))
            yield row


def _list_codes(field: Any, keys: set[int]) -> dict[int, list[str]]:
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    pairs = (
        through.objects.using(reading_alias())
        .filter(**{f"{source}__in": keys})
        .values_list(f"{source}_id", f"{target}__code")
    )
    by_record: dict[int, list[str]] = {}
    for key, code in pairs:
        by_record.setdefault(key, []).append(code)
    # Sorted here, not by the database's collation: the codes' order is Python's (and COPY's, `_list_cell`).
    return {key: sorted(codes) for key, codes in by_record.items()}


def _scoped_records(user: User, record_type: RecordType, period: Period | None) -> QuerySet:
    model = record_type.model
    return (
        access.records_in_scope(model._default_manager.using(reading_alias()), user, record_type.family)
        .filter(**_period_filter(model, period))
        .order_by(model.month_field, "pk")
    )


def _header(record_type: RecordType) -> list[str]:
    header, _lookups, _lists = _columns(record_type)
    return [*header, *[name for name, _path in record_type.export_child_columns]]


def record_rows(user: User, record_type: str, period: Period | str | None) -> Iterator[Sequence[Any]]:
    """The records of a type the user may read (an alert: every organisation of their regions), of the period: a
    header, then one row per record (per child row for a type exported so); dates first (the month field first),
    the shared columns, the record's other fields (references by code), then the declared child columns."""
    declared = get_record_type(record_type)
    header, lookups, lists = _columns(declared)
    yield _header(declared)
    query, row_lookups = _row_query(_scoped_records(user, declared, as_period(period)), declared, lookups)
    selects, columns = _reading_plan(declared, row_lookups)
    rows = _mapped(query.values_list(*selects).iterator(chunk_size=chunk_rows()), columns)
    if lists:
        yield from _with_lists(rows, lists, [header.index(field.name) for field in lists])
    else:
        yield from rows


# --- the records as CSV on PostgreSQL: written by COPY
#
# The same rows as `record_rows` (scope, period, order: the same query), each column selected as its CSV cell
# (core.spreadsheets.CsvCell: dates, booleans, empty text, formulas) and references joined in the query: PostgreSQL
# writes the file, with no Python per row or cell, byte for byte what write_table writes of `record_rows`
# (reports/tests/test_export_copy.py). At a million incidents: about the time of a bare COPY of the rows (issue 14).


def _copy_rows(user: User, record_type: RecordType, period: Period | None) -> QuerySet | None:
    """The export's rows as a values_list of CSV cells, for `copy_csv`; None where COPY cannot write them: another
    database than PostgreSQL, or a column CsvCell cannot write as CsvTable would (core.spreadsheets.csv_cell_kind)."""
    if connections[reading_alias()].vendor != "postgresql":
        return None
    header, lookups, lists = _columns(record_type)
    rows, row_lookups = _row_query(_scoped_records(user, record_type, period), record_type, lookups)
    listed = {header.index(field.name): field for field in lists}
    cells: dict[str, CsvCell] = {}
    for position, lookup in enumerate(row_lookups):
        if position in listed:
            cells[f"export_cell_{position}"] = CsvCell(_list_cell(listed[position]), "text")
        elif kind := csv_cell_kind(_field_at(rows, lookup)):
            cells[f"export_cell_{position}"] = CsvCell(F(lookup), kind)
        else:
            return None
    return rows.annotate(**cells).values_list(*cells)


def _field_at(rows: QuerySet, lookup: str) -> Any:
    """The field a column's lookup reads ("region__pcode": AdminArea.pcode), or the annotation's output field."""
    if lookup in rows.query.annotations:
        return rows.query.annotations[lookup].output_field
    model: Any = rows.model
    field: Any = None
    for name in lookup.split("__"):
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        model = field.related_model or model
    return field


def _list_cell(field: Any) -> Subquery:
    """A record's reference list as `_with_lists` writes it: its codes in Python's order (code points: the "C"
    collation), joined by LIST_SEPARATOR; NULL (an empty cell) for an empty list."""
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    code = f"{target}__code"
    codes = (
        through._default_manager.filter(**{source: OuterRef("pk")})
        .order_by()
        .values(source)
        .annotate(codes=StringAgg(code, LIST_SEPARATOR, order_by=Collate(F(code), "C")))
        .values("codes")
    )
    return Subquery(codes)


def write_records(
    user: User,
    record_type: str,
    period: Period | str | None,
    *,
    fmt: str,
    target: Path,
    progress: Callable[[int], None],
) -> int:
    """The records export into `target`: the header, then the rows; returns how many rows. A CSV on PostgreSQL is
    written by COPY (`_copy_rows`); Excel, and CSV elsewhere, row by row from `record_rows`: the same file."""
    declared, months = get_record_type(record_type), as_period(period)
    if fmt == "csv" and (rows := _copy_rows(user, declared, months)) is not None:
        # The connection is COPY's until the last row: the progress is written by the job's heartbeat thread, on
        # a connection of its own.
        with progress_kept():
            return copy_csv(rows, _header(declared), target, progress, chunk=chunk_rows())
    return write_table(record_rows(user, record_type, months), fmt, target, progress)


def record_count(user: User, record_type: str, period: Period | str | None) -> int:
    """How many rows `record_rows` gives after its header, counted in the database (one query)."""
    declared = get_record_type(record_type)
    _header, lookups, _lists = _columns(declared)
    query, _lookups = _row_query(_scoped_records(user, declared, as_period(period)), declared, lookups)
    return int(query.count())


# --- the 5W: who does what, where, when, for how many


def five_w_rows(user: User, period: Period | str | None) -> Iterator[list[Any]]:
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
        verified = model._default_manager.using(reading_alias()).filter(status="verified")
        queryset = access.aggregate_scope(verified, user).filter(**_period_filter(model, as_period(period)))
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


def write_table(rows: Iterable[Sequence[Any]], fmt: str, target: Path, progress: Callable[[int], None]) -> int:
    """Write rows to `target` as they come (CSV, or Excel in write-only mode): memory stays flat. Every cell goes
    through core.spreadsheets, so no text is read as a formula. Progress is reported after the first row, then after
    every EXPORT_CHUNK_ROWS rows (the number of the row just written). Returns the rows after the first."""
    if fmt == "csv":
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            return _write_chunks(rows, CsvTable(handle), progress)
    sheet = XlsxTable("export")
    written = _write_chunks((["" if value is None else value for value in row] for row in rows), sheet, progress)
    sheet.save(target)
    return written


def _write_chunks(rows: Iterable[Sequence[Any]], table: CsvTable | XlsxTable, progress: Callable[[int], None]) -> int:
    chunk, stream = chunk_rows(), iter(rows)
    first = list(islice(stream, 1))
    if not first:
        return 0
    table.writerows(first)
    progress(0)
    written = 0
    while batch := list(islice(stream, chunk)):
        table.writerows(batch)  # a whole chunk per call: the CSV writer loops in C
        written += len(batch)
        if len(batch) == chunk:
            progress(written)
    return written


def run_export(job: Job, progress: Callable[[int, int], None]) -> None:
    params, user = job.params, job.user
    with translation.override(params.get("language", "en")):
        _write_export(job, params, user, progress)


def _write_export(job: Job, params: dict[str, Any], user: User, progress: Callable[[int, int], None]) -> None:
    period = export_period(params)

    def reported(done: int) -> None:
        progress(done, done + chunk_rows())

    period_label = period.label if period else "all"
    with tempfile.TemporaryDirectory() as folder:
        kind = params["kind"].replace("_", "-")
        name = f"vigie-{kind}-{params.get('record_type', '')}-{period_label}.{params['format']}"
        target = Path(folder) / name.replace("--", "-")
        if params["kind"] == "report_pdf":
            # weasyprint takes most of a second to load its native libraries: only a PDF export pays for it.
            from reports.pdf import render_report_pdf  # noqa: PLC0415

            target.write_bytes(render_report_pdf(user, datetime.date.fromisoformat(params["month"])))
        elif params["kind"] == "records":
            write_records(user, params["record_type"], period, fmt=params["format"], target=target, progress=reported)
        else:
            write_table(five_w_rows(user, period), params["format"], target, reported)
        with target.open("rb") as handle:
            job.result.save(target.name, File(handle), save=True)
