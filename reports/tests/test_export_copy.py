"""On PostgreSQL a CSV records export is written by COPY (issue 14): its file is byte for byte the one write_table
writes of `record_rows` (itself the object writer's, test_export_rows.py), for every exportable type, user and period,
on text a spreadsheet would run, cells CSV must quote, empty and missing values, decimals and reference lists."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from pytest_django import Settings

from activities.tests.factories import AssistanceFactory, SessionFactory
from alerts.tests.factories import AlertFactory
from beneficiaries.tests.factories import MovementFactory
from core import records
from core.choices import Status
from core.models import AdminArea, AlertNeed, PerpetratorCategory, User
from core.records import get_record_type
from core.spreadsheets import _crlf
from incidents.tests.factories import IncidentFactory
from reports.exports import _copy_rows, as_period, exportable_slugs, record_rows, write_records, write_table

on_postgres = pytest.mark.postgres  # COPY is PostgreSQL's

# Each would be read as a formula, or must be quoted, or is easy to write differently (COPY writes '' as "").
AWKWARD_TEXTS = (
    "=HYPERLINK(1)",
    "+33 6 12",
    "-2 risks",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    'two lines,\n"quoted" and\r\nagain',
    "",
    " =leading space",
    "'=already quoted",
    "Ségou, \u00ab d\u00e9j\u00e0 \u00bb \u2713",
)


@pytest.fixture
def awkward(people: SimpleNamespace, data: None) -> None:
    """Every exportable type, in and out of the supervisor's region, with awkward text in every free text field, a
    region and a place whose names an admin imported so, missing dates and references, decimals, and needs whose
    codes sort differently by code point and by a language's collation."""
    gao, cercle = AdminArea.objects.get(pcode="ML07"), AdminArea.objects.get(pcode="ML0703")
    gao.name, cercle.name = 'Gao, "east"\nregion', "\t=cmd"
    gao.save()
    cercle.save()
    needs = [AlertNeed.objects.create(code=code, label_en=code, label_fr=code) for code in ("ab", "a_b", "aB", "Zed")]
    mopti = AdminArea.objects.get(pcode="ML0506")
    IncidentFactory(
        created_by=people.monitor,
        status=Status.VERIFIED,
        place=cercle,
        occurred_on=None,
        perpetrator=PerpetratorCategory.objects.get(code="armed_group"),
        violations=[{"type": "rape", "women": 1, "population_group": "host"}, {"type": "threat", "men": 2}],
    )
    for number, text in enumerate(AWKWARD_TEXTS):
        AlertFactory(
            created_by=people.outsider if number % 3 == 0 else people.monitor,
            place=mopti if number % 3 == 0 else cercle,
            narrative=text,
            response_by=text[::-1],
            response_on=None if number % 2 else datetime.date(2021, 12, 11),
            response_triggered=bool(number % 2),
            households=None if number % 2 else number,
            needs=[need.code for need in needs[: number % 5]],
        )
        SessionFactory(created_by=people.monitor, topic=text, **({"sector": None} if number % 2 else {}))
        AssistanceFactory(
            created_by=people.outsider if number % 2 else people.admin,
            place=mopti if number % 2 else cercle,
            quantity=[None, Decimal("12.50"), Decimal("0.00"), Decimal("1234567890.05")][number % 4],
            amount=Decimal(number) / 4 if number % 3 else None,  # an amount is in a currency
            currency=["", "XOF", "EUR"][number % 3],
            delivered_on=datetime.date(2021, 11 + number % 2, 2),
        )
    MovementFactory(created_by=people.monitor, destination_country="")
    MovementFactory(created_by=people.outsider, place=mopti)


def _files(user: User, slug: str, month: str | None, folder: Path) -> tuple[bytes, bytes]:
    """The file COPY writes, and the one write_table writes of record_rows."""
    written = write_records(user, slug, month, fmt="csv", target=folder / "copy.csv", progress=lambda _done: None)
    rows = write_table(record_rows(user, slug, month), "csv", folder / "rows.csv", lambda _done: None)
    assert written == rows
    return (folder / "copy.csv").read_bytes(), (folder / "rows.csv").read_bytes()


@on_postgres
@pytest.mark.parametrize("slug", ["incidents", "alerts", "sessions", "assistance", "movements"])
@pytest.mark.parametrize("who", ["admin", "supervisor", "outsider", "monitor"])
@pytest.mark.parametrize("month", [None, "2021-12-01"])
def test_copy_writes_the_file_of_the_rows(
    people: SimpleNamespace, awkward: None, tmp_path: Path, slug: str, who: str, month: str | None
) -> None:
    assert slug in exportable_slugs()
    assert _copy_rows(getattr(people, who), get_record_type(slug), as_period(month)) is not None  # COPY writes it
    copied, written = _files(getattr(people, who), slug, month, tmp_path)
    assert copied == written
    if who == "admin" and month is None:
        assert copied.count(b"\r\n") >= 3  # the header and rows to compare  # noqa: PLR2004


@on_postgres
def test_the_copy_file_neutralises_formulas_and_keeps_the_text(
    people: SimpleNamespace, awkward: None, tmp_path: Path
) -> None:
    copied, _written = _files(people.admin, "alerts", None, tmp_path)
    header, *rows = list(csv.reader(io.StringIO(copied.decode("utf-8-sig"), newline="")))
    narratives = {row[header.index("narrative")] for row in rows}
    assert {"'=HYPERLINK(1)", "'+33 6 12", "'-2 risks", "'@SUM(A1)", "'\t=1+1", "'\r=1+1", ""} <= narratives
    assert {'two lines,\n"quoted" and\r\nagain', " =leading space", "'=already quoted"} <= narratives
    assert {row[header.index("admin1_name")] for row in rows} >= {'Gao, "east"\nregion', "Mopti"}
    assert "'\t=cmd" in {row[header.index("place_name")] for row in rows}
    assert "Zed; aB; a_b; ab" in {row[header.index("needs")] for row in rows}  # code point order, as sorted()


@on_postgres
def test_an_incident_out_of_scope_is_not_in_the_copy(people: SimpleNamespace, awkward: None, tmp_path: Path) -> None:
    copied, _written = _files(people.outsider, "incidents", None, tmp_path)
    header, *rows = list(csv.reader(io.StringIO(copied.decode("utf-8-sig"), newline="")))
    assert rows
    assert {row[header.index("admin1_pcode")] for row in rows} == {"ML05"}


@on_postgres
def test_a_column_copy_cannot_write_is_written_by_the_row_writer(
    people: SimpleNamespace, awkward: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A timestamp: str() and PostgreSQL write it differently, so the whole file is written row by row."""
    declared = get_record_type("incidents")
    columns = (*(declared.export_columns or ()), "created_at")
    monkeypatch.setitem(records._record_types, "incidents", replace(declared, export_columns=columns))
    assert _copy_rows(people.admin, get_record_type("incidents"), None) is None
    copied, written = _files(people.admin, "incidents", None, tmp_path)
    assert copied == written
    assert b",created_at," in copied.split(b"\r\n")[0]


@on_postgres
def test_copy_reports_progress_as_write_table(
    people: SimpleNamespace, awkward: None, tmp_path: Path, settings: Settings
) -> None:
    settings.VIGIE_EXPORT_CHUNK_ROWS = 3
    copied: list[int] = []
    written: list[int] = []
    write_records(people.admin, "alerts", None, fmt="csv", target=tmp_path / "copy.csv", progress=copied.append)
    write_table(record_rows(people.admin, "alerts", None), "csv", tmp_path / "rows.csv", written.append)
    assert copied == written == [0, 3, 6, 9]  # the data set's 11 alerts


@on_postgres
def test_excel_is_still_written_row_by_row(people: SimpleNamespace, awkward: None, tmp_path: Path) -> None:
    target = tmp_path / "alerts.xlsx"
    rows = write_records(people.admin, "alerts", None, fmt="xlsx", target=target, progress=lambda _done: None)
    header, *cells = load_workbook(target).worksheets[0].iter_rows(values_only=True)
    assert rows == len(cells) == len(AWKWARD_TEXTS)
    assert "'=HYPERLINK(1)" in [row[header.index("narrative")] for row in cells]


@pytest.mark.parametrize(
    ("copied", "written"),
    [
        (b"a,b\n1,2\n", b"a,b\r\n1,2\r\n"),
        (b'a,"x\ny"\nb,c\n', b'a,"x\ny"\r\nb,c\r\n'),
        (b'"say ""hi""\n",1\n"\r\n"\n', b'"say ""hi""\n",1\r\n"\r\n"\r\n'),
    ],
)
def test_lines_end_as_csv_writer_ends_them(copied: bytes, written: bytes) -> None:
    assert _crlf(copied) == written
