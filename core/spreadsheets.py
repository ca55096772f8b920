"""Every CSV and Excel file Vigie writes goes through here, so that no spreadsheet runs what a user typed.

API.md: a text cell that begins with =, +, -, @, a tab or a carriage return is written with a leading ', so
Excel, LibreOffice or Google Sheets read it as text ("formula injection", OWASP's CSV injection). Numbers stay
numbers: a negative count is a number, not text. In Excel files, text is stored as text (never a formula) and
the control characters Excel refuses are dropped, so a stray one in a free text cannot break an export.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

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
