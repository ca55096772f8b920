"""Every CSV and Excel file Vigie writes goes through here, so that no spreadsheet runs what a user typed.

API.md: a text cell that begins with =, +, -, @, a tab or a carriage return is written with a leading ', so
Excel, LibreOffice or Google Sheets read it as text ("formula injection", OWASP's CSV injection). Numbers stay
numbers: a negative count is a number, not text. In Excel files, text is stored as text (never a formula) and
the control characters Excel refuses are dropped, so a stray one in a free text cannot break an export.

A CSV of a million rows is written by PostgreSQL (`copy_csv`), each column selected as the cell CsvTable would
write (`CsvCell`, the same rule in SQL): the same bytes, at the speed of COPY.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    Field,
    Func,
    IntegerField,
    QuerySet,
    TextField,
)
from django.db.models.sql.compiler import SQLCompiler
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value to write in a cell: text a spreadsheet would run gets a leading '; anything else is unchanged."""
    if isinstance(value, Promise):  # a lazy translation is text
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    """`neutralise` on every cell, plain text tested inline: an export writes a million rows of twenty cells, and a
    call per cell was a third of its time (issue 14)."""
    return [
        ("'" + value if value.startswith(FORMULA_STARTS) else value)
        if value.__class__ is str
        else (neutralise(value) if isinstance(value, str | Promise) else value)
        for value in row
    ]


class CsvTable:
    """A csv.writer whose every cell is neutralised."""

    def __init__(self, handle: IO[str], *, lineterminator: str = "\r\n") -> None:
        self._writer = csv.writer(handle, lineterminator=lineterminator)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        self._writer.writerows(map(safe_row, rows))


class XlsxTable:
    """One sheet of an Excel workbook in write-only mode (memory stays flat), every cell neutralised and every
    text cell stored as a string."""

    def __init__(self, title: str) -> None:
        self._workbook = Workbook(write_only=True)
        self._sheet = self._workbook.create_sheet(title)

    def _cell(self, value: Any) -> Any:
        value = neutralise(value)
        if not isinstance(value, str):
            return value
        cell = WriteOnlyCell(self._sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell

    def writerow(self, row: Iterable[Any]) -> None:
        self._sheet.append([self._cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)

    def save(self, target: Path | IO[bytes]) -> None:
        self._workbook.save(target)


# --- the same cells written by PostgreSQL: COPY (SELECT …) TO STDOUT (FORMAT csv)
#
# COPY and csv.writer quote the same cells (those holding a comma, a double quote or a line break; a quote is
# doubled), write NULL as an empty cell, and differ only where these templates make up for it: COPY writes '' as ""
# (csv.writer: nothing), booleans as t/f (True/False), and ends lines with LF (CRLF, `_crlf`). `{0}` is the column.
_FORMULA_CODES = ", ".join(str(ord(start)) for start in FORMULA_STARTS)
_CELL_SQL = {
    # `neutralise`: ascii() is the code of the text's first character (0 for '').
    "text": "CASE WHEN ascii({0}) IN (" + _FORMULA_CODES + ") THEN '''' || {0} ELSE NULLIF({0}, '') END",
    "date": "to_char({0}, 'YYYY-MM-DD')",  # str(date), whatever the connection's DateStyle
    "boolean": "CASE WHEN {0} THEN 'True' WHEN NOT {0} THEN 'False' END",
    "number": "{0}",  # an integer or numeric as PostgreSQL writes it is str() of the int or Decimal psycopg reads
}
# str(Decimal) turns to an exponent past six places ("1E-7"), where PostgreSQL writes every place of the column.
_DECIMAL_PLACES_WRITTEN_ALIKE = 6


def csv_cell_kind(field: Field[Any, Any]) -> str | None:
    """How `CsvCell` writes a column of this field, or None when COPY cannot write what CsvTable would: a field
    whose value Django converts when read (from_db_value), a timestamp or a float (str() and PostgreSQL write them
    differently)."""
    if hasattr(field, "from_db_value") or isinstance(field, DateTimeField):
        return None
    if isinstance(field, DateField):
        return "date"
    if isinstance(field, BooleanField):
        return "boolean"
    if isinstance(field, IntegerField) or (
        isinstance(field, DecimalField) and field.decimal_places <= _DECIMAL_PLACES_WRITTEN_ALIKE
    ):
        return "number"
    if isinstance(field, CharField | TextField):
        return "text"
    return None


class CsvCell(Func):
    """A column as the text of its CSV cell (`csv_cell_kind`), for `copy_csv`: written by PostgreSQL, it is the cell
    CsvTable writes for the value Python reads, text a spreadsheet would run included."""

    output_field = TextField()

    def __init__(self, expression: Any, kind: str) -> None:
        super().__init__(expression)
        self.kind = kind

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, *args: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        template = _CELL_SQL[self.kind]
        # The column is written once per {0}: its parameters too, in the same order.
        return template.format(sql), tuple(params) * template.count("{0}")


def copy_csv(
    rows: QuerySet[Any], header: Sequence[str], target: Path, progress: Callable[[int], None], *, chunk: int
) -> int:
    """Write `header` (through CsvTable) and `rows`, a values_list of CsvCell columns, as PostgreSQL's COPY writes
    them, to `target`: the file CsvTable would write (UTF-8 with a byte-order mark, CRLF). Returns the rows after the
    header. `progress` is told 0 after the header, then the rows written after every `chunk` rows."""
    connection = connections[rows.db]
    if not isinstance(connection.ops, PostgresOperations):
        raise TypeError(f"COPY is PostgreSQL's, not {connection.vendor}'s.")
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    # COPY takes no parameters: they are bound here, by psycopg, as for any query.
    statement = f"COPY ({connection.ops.compose_sql(sql, params)}) TO STDOUT (FORMAT csv)"
    first_line = io.StringIO()
    CsvTable(first_line).writerow(header)
    written = 0
    with target.open("wb") as handle, transaction.atomic(using=rows.db), connection.cursor() as cursor:
        handle.write(first_line.getvalue().encode("utf-8-sig"))
        progress(0)
        # The many cells of a big export pass jit_optimize_above_cost: PostgreSQL spent seconds compiling them, in
        # each worker, for a query that sorts and writes (1.6 s a process at a million incidents, issue 14).
        cursor.execute("SET LOCAL jit = off")
        # libpq hands COPY's output over a whole line at a time (PQgetCopyData): a batch never ends inside a cell.
        with cursor.copy(statement) as copy:
            lines = iter(copy)
            while batch := list(islice(lines, chunk)):
                handle.write(_crlf(b"".join(batch)))
                written += len(batch)
                if len(batch) == chunk:
                    progress(written)
    return written


def _crlf(lines: bytes) -> bytes:
    """Whole CSV lines from COPY (ended by LF) ended by CRLF as csv.writer ends them; a line break inside a quoted
    cell is left as it is, as csv.writer leaves it. Outside the cells are the even parts between double quotes (a
    doubled quote inside a cell closes and reopens it around an empty part)."""
    if b'"' not in lines:
        return lines.replace(b"\n", b"\r\n")
    parts = lines.split(b'"')
    parts[::2] = [part.replace(b"\n", b"\r\n") for part in parts[::2]]
    return b'"'.join(parts)
