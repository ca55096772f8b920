"""Background exports: records (CSV, Excel), the monthly report as PDF (text and charts), the 5W; admins only,
and no GBV record in any of them."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from core.choices import Status
from core.models import Job
from incidents.models import Incident
from incidents.tests.factories import GbvReferralFactory
from reports.exports import write_table
from reports.tests.exporting import export
from tests.pdf import ink_share, pdf_page_images, pdf_text

URL = "/api/v1/exports/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_records_as_csv_one_row_per_violation(people, api_as, data, django_capture_on_commit_callbacks):
    job = export(
        api_as,
        people.admin,
        django_capture_on_commit_callbacks,
        kind="records",
        month="2021-12",
        format="csv",
        record_type="incidents",
    )
    rows = list(csv.DictReader(io.StringIO(job.result.read().decode("utf-8-sig"))))
    # December: 4 verified (6 violations) + submitted (1) + draft (1) + rejected (1) + returned (1)
    assert len(rows) == 10
    assert {"violation_type", "women", "total", "admin1_pcode", "organisation"} <= set(rows[0])
    answer = api_as(people.admin).get(f"/api/v1/jobs/{job.pk}/").json()
    assert answer["status"] == "done"
    assert answer["result_url"].endswith(f"/reports/jobs/{job.pk}/download/")


def test_records_as_excel(people, api_as, data, django_capture_on_commit_callbacks):
    job = export(
        api_as,
        people.admin,
        django_capture_on_commit_callbacks,
        kind="records",
        month="2021-12",
        format="xlsx",
        record_type="incidents",
    )
    sheet = load_workbook(io.BytesIO(job.result.read())).active
    assert sheet.max_row == 11
    assert sheet.cell(1, 1).value == "reported_on"


def test_the_owner_downloads_the_file_others_get_404(
    people,
    api_as,
    client,
    data,
    django_capture_on_commit_callbacks,
):
    job = export(api_as, people.admin, django_capture_on_commit_callbacks, kind="records", format="csv")
    client.force_login(people.admin)
    assert client.get(f"/reports/jobs/{job.pk}/download/").status_code == 200
    client.force_login(people.supervisor)
    assert client.get(f"/reports/jobs/{job.pk}/download/").status_code == 404


def test_report_pdf_has_the_figures_and_the_charts(people, api_as, data, django_capture_on_commit_callbacks):
    job = export(
        api_as, people.admin, django_capture_on_commit_callbacks, kind="report_pdf", month="2021-12", format="pdf"
    )
    text = pdf_text(job.result.read())
    assert "Protection incidents" in text
    assert "December 2021" in text
    assert "325.0%" in text  # violations: 17 against 4
    # The charts are drawn in the PDF: their titles and axis labels are text of the page.
    assert "Violations by category" in text
    assert "Incidents and violations, last 12 months" in text
    assert "GAO-2021" not in text  # GBV as aggregates only: no survivor code


def test_report_pdf_pages_are_drawn(people, api_as, data, django_capture_on_commit_callbacks):
    job = export(
        api_as, people.admin, django_capture_on_commit_callbacks, kind="report_pdf", month="2021-12", format="pdf"
    )
    pages = pdf_page_images(job.result.read())
    assert len(pages) >= 2
    # A4 portrait at 60 dpi; every page carries ink (a layout WeasyPrint cannot place leaves pages blank).
    assert all(page.height > page.width for page in pages)
    assert all(ink_share(page) > 0.01 for page in pages), [round(ink_share(page), 4) for page in pages]


def test_5w(people, api_as, data, django_capture_on_commit_callbacks):
    job = export(api_as, people.admin, django_capture_on_commit_callbacks, kind="5w", month="2021-12", format="csv")
    header = next(csv.reader(io.StringIO(job.result.read().decode("utf-8-sig"))))
    assert header[:4] == ["organisation", "sector", "activity", "admin1_pcode"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "records", "record_type": "gbv-referrals"}, "record_type"),
        ({"kind": "everything"}, "kind"),
        ({"kind": "report_pdf"}, "month"),
        ({"kind": "records", "month": "2021-13"}, "month"),
        ({"kind": "records", "month": "0000-01"}, "month"),  # no year 0
        ({"kind": "records", "month": 202112}, "month"),  # a number, not text
        ({"kind": "records", "format": "pdf"}, "format"),
        ({"kind": ["records"]}, "kind"),  # a list, not text
        ({"kind": "records", "format": ["csv"]}, "format"),
        ({"kind": "records", "record_type": ["incidents"]}, "record_type"),
    ],
)
def test_bad_parameters_are_400(people, api_as, params, field):
    response = api_as(people.admin).post(URL, params, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Job.objects.exists()


@pytest.mark.parametrize("role", ["monitor", "supervisor", "gbv", "viewer"])
def test_only_admins_export(people, api_as, role):
    response = api_as(getattr(people, role)).post(URL, {"kind": "records", "format": "csv"}, format="json")
    assert response.status_code == 403


def _export_text(job: Job) -> str:
    content = job.result.read()
    if job.params["format"] == "pdf":
        return pdf_text(content)
    if job.params["format"] == "xlsx":
        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        return "\n".join(",".join(str(cell) for cell in row) for row in sheet.iter_rows(values_only=True))
    return content.decode("utf-8-sig")


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "records", "month": "2021-12", "format": "csv", "record_type": "incidents"},
        {"kind": "records", "month": "2021-12", "format": "xlsx", "record_type": "incidents"},
        {"kind": "5w", "month": "2021-12", "format": "csv"},
        {"kind": "report_pdf", "month": "2021-12", "format": "pdf"},
    ],
)
def test_gbv_data_reaches_no_export(people, api_as, data, django_capture_on_commit_callbacks, params):
    # A verified referral with notes, linked to a verified December incident of Gao that the exports count: they hold
    # the incident (its row, its figures) and never the referral's code, notes or service notes.
    incident = Incident.objects.filter(region__pcode="ML07", status=Status.VERIFIED, reported_on__month=12).earliest(
        "pk"
    )
    referral = GbvReferralFactory(
        created_by=people.gbv,
        status=Status.VERIFIED,
        incident=incident,
        survivor_code="GAO-2021-8817",
        notes="Stays with her aunt near QUILLBROOK market.",
        services=[{"service": "health", "notes": "Seen at FENWICKDALE clinic."}],
    )
    job = export(api_as, people.admin, django_capture_on_commit_callbacks, **params)
    text = _export_text(job)
    for secret in (referral.survivor_code, "QUILLBROOK", "FENWICKDALE"):
        assert secret not in text
    if params["kind"] == "records":
        assert str(incident.pk) in {line.split(",")[2] for line in text.splitlines()}  # the id column


def test_the_incidents_export_columns_are_the_declarations(
    people, api_as, data, django_capture_on_commit_callbacks, monkeypatch
):
    """A column added to the incidents' declaration (export_columns) is in the export, before the violations'
    columns; nothing in reports/ lists the incident's columns (issue 12)."""
    from dataclasses import replace  # noqa: PLC0415

    from core import records  # noqa: PLC0415

    declared = records.get_record_type("incidents")
    columns = (*(declared.export_columns or ()), "locality")
    monkeypatch.setitem(records._record_types, "incidents", replace(declared, export_columns=columns))
    job = export(
        api_as,
        people.admin,
        django_capture_on_commit_callbacks,
        kind="records",
        month="2021-12",
        format="csv",
        record_type="incidents",
    )
    header = next(csv.reader(io.StringIO(job.result.read().decode("utf-8-sig"))))
    assert header[:3] == ["reported_on", "occurred_on", "id"]
    assert header.index("perpetrator") < header.index("locality") < header.index("violation_category")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_reports_its_progress_every_chunk_of_rows(fmt, settings, tmp_path):
    """EXPORT_CHUNK_ROWS sets the export's pace (each report is a heartbeat, and the drills' step pause)."""
    settings.VIGIE_EXPORT_CHUNK_ROWS = 3
    reported: list[int] = []
    write_table(iter([[number] for number in range(10)]), fmt, tmp_path / f"rows.{fmt}", reported.append)
    assert reported == [0, 3, 6, 9]
