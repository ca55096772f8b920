"""The exports page in a real browser: an admin picks the monthly report as PDF, the format follows (PDF, the only
one the report is made in), the export starts at once and its page follows the job, by itself, from waiting to done.

The job runs as under `make run`: on the server's jobs thread (embedded mode), not inside the request."""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pytest_django import Settings

import reports.pdf
from conftest import PASSWORD
from core import jobs
from core.choices import Status
from core.models import Job
from incidents.tests.factories import IncidentFactory
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("VIGIE_SCREENSHOTS", "")
WAITING_SECONDS = 2  # before the job's run claims it: the page shows it waiting
DRAWING_SECONDS = 3  # the PDF takes this much longer to draw: the page shows it running


@pytest.fixture
def jobs_thread(settings: Settings, tmp_path: Path) -> Iterator[None]:
    """Embedded mode, as `make run` (the test settings run jobs in the request); the thread stops with the test,
    before the database is emptied."""
    settings.VIGIE_JOBS_ON_A_THREAD = True
    settings.MEDIA_ROOT = tmp_path
    yield
    jobs.wait_for_jobs_thread()
    jobs.stop_jobs_thread()


@pytest.fixture
def slow_job(monkeypatch: pytest.MonkeyPatch) -> None:
    """The job waits a moment for its turn, then draws its PDF slowly, as a busy server would: the real claim and
    the real drawing, each after a pause, so the page can be seen waiting and then running."""
    real_claim, real_render = jobs.claim, reports.pdf.render_report_pdf

    def claim_after_a_while(job_id: int) -> str | None:
        time.sleep(WAITING_SECONDS)
        return real_claim(job_id)

    def render_slowly(*args: Any, **kwargs: Any) -> bytes:
        time.sleep(DRAWING_SECONDS)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(jobs, "claim", claim_after_a_while)
    monkeypatch.setattr(reports.pdf, "render_report_pdf", render_slowly)


@pytest.mark.usefixtures("jobs_thread", "slow_job")
def test_an_admin_exports_the_monthly_report_as_pdf_and_follows_it_to_done(people: Any, page: Any) -> None:
    for day in (3, 9):
        IncidentFactory(
            created_by=people.monitor,
            status=Status.VERIFIED,
            reported_on=datetime.date(2021, 12, day),
            violations=[{"type": "threat", "men": 2}],
        )
    log_in(page, "admin", PASSWORD)
    page.goto("/reports/exports/")
    format_select = page.get_by_label("Format")
    assert format_select.locator("option").all_inner_texts() == ["CSV", "Excel"]  # records, the first kind
    assert page.get_by_label("Record type").is_visible()

    page.locator("#id_kind").select_option(label="The monthly report as PDF")
    assert format_select.locator("option").all_inner_texts() == ["PDF"]
    assert format_select.input_value() == "pdf"
    assert not page.get_by_label("Record type").is_visible()  # the report is of every record type
    assert not page.get_by_label("Year").is_visible()  # and of one month
    page.get_by_label("Month", exact=True).fill("2021-12")
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "exports-report-pdf.png"), full_page=True)

    started = time.monotonic()
    page.get_by_role("button", name="Start the export").click()
    page.wait_for_url("**/reports/jobs/*/")
    assert time.monotonic() - started < WAITING_SECONDS  # answered before the job even started
    job = Job.objects.get()
    assert (job.kind, job.params["format"], job.params["month"]) == ("export_report_pdf", "pdf", "2021-12-01")

    assert page.get_by_role("heading", name="Monthly report as PDF").is_visible()
    status = page.locator("[data-job-status]")
    expect(status).to_have_text("Waiting to start")
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "job-waiting.png"), full_page=True)
    # The page follows the job by itself (job_progress.js asks its JSON); nothing here reloads it.
    expect(status).to_have_text("In progress", timeout=(WAITING_SECONDS + 5) * 1000)
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "job-running.png"), full_page=True)
    expect(status).to_have_text("Done", timeout=(DRAWING_SECONDS + 20) * 1000)
    expect(page.locator("[data-job-percent]")).to_have_text("100%")
    download = page.get_by_role("link", name="Download")
    expect(download).to_be_visible()
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "job-done.png"), full_page=True)

    with page.expect_download() as downloading:
        download.click()
    assert downloading.value.suggested_filename.endswith("2021-12.pdf")
    assert Path(downloading.value.path()).read_bytes().startswith(b"%PDF")

    page.goto("/reports/exports/")
    row = page.locator("tbody tr").first
    assert "Monthly report as PDF" in row.inner_text()
    assert "Done" in row.inner_text()
    assert page.console_errors == []
