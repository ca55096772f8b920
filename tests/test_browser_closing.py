"""In a real browser: an admin opens December's close page from its report, reads the checklist (a record still
waiting, a partner that did not report), follows the link to the waiting record, comes back, is stopped for not
saying they close anyway, then — with the keyboard — writes a note, ticks the box and closes the month. The
Gao supervisor then finds the waiting record in the queue marked as needing an admin."""

import datetime
import os

import pytest

from conftest import PASSWORD
from core.choices import Status
from core.models import AdminArea, ClosedMonth, Job
from incidents.tests.factories import IncidentFactory
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("VIGIE_SCREENSHOTS", "")
NOTE = "AMSS sends December late; one Gao incident still under review."


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def december(people):
    gao = AdminArea.objects.get(pcode="ML0703")
    for month in (9, 10, 11):
        IncidentFactory(
            created_by=people.partner_monitor,
            place=gao,
            status=Status.VERIFIED,
            reported_on=datetime.date(2021, month, 8),
        )
    for day in (3, 9):
        IncidentFactory(
            created_by=people.monitor, place=gao, status=Status.VERIFIED, reported_on=datetime.date(2021, 12, day)
        )
    return IncidentFactory(
        created_by=people.monitor, place=gao, status=Status.SUBMITTED, reported_on=datetime.date(2021, 12, 14)
    )


def _suppression_loaded(page) -> None:
    """Wait until checklist.js has put "what viewers will not see" in the page: its fetch runs beside the next
    request otherwise, and the tests' in-memory SQLite does not take two requests that read and write at once."""
    page.locator("#suppression[data-summary]").wait_for()


def test_an_admin_reads_the_checklist_and_closes_the_month_with_a_note(people, december, page):
    log_in(page, "admin", PASSWORD)
    page.goto("/reports/monthly/?month=2021-12")
    page.get_by_role("link", name="Close this month").click()
    page.wait_for_url("**/reports/months/2021-12/close/")
    assert page.get_by_role("heading", name="Closing checklist").is_visible()

    waiting = page.locator("#pending")
    assert "Protection incidents" in waiting.inner_text()
    assert "Nothing waiting" not in waiting.inner_text()
    completeness = page.locator("#completeness").inner_text()
    assert "Association Malienne pour la Survie au Sahel (AMSS) — Gao" in completeness
    assert "Every region's figures are within their usual range." in page.locator("#outliers").inner_text()
    assert "No late record" in page.locator("#late").inner_text()
    # what viewers will not see arrives after the page (checklist.js), and the summary says how many cells
    _suppression_loaded(page)
    assert "Whole operation" in page.locator("#suppression").inner_text()
    assert page.locator("#suppression-summary").inner_text().endswith("cells")
    _shot(page, "close-checklist-en")

    waiting.get_by_role("link", name="Open in the review queue").click()
    page.wait_for_url("**/review/?*")
    assert page.get_by_role("link", name=f"Incident #{december.pk}").is_visible()
    page.go_back()
    page.wait_for_url("**/reports/months/2021-12/close/")
    _suppression_loaded(page)

    # Closing without saying so is refused, and nothing starts.
    page.get_by_role("button", name="Close the month and publish its figures").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").get_by_text("tick this box to close the month anyway").is_visible()
    assert not Job.objects.filter(kind="close_month").exists()
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    page.console_errors.clear()  # the refusal's 400, on purpose
    _suppression_loaded(page)

    # With the keyboard: the note, Tab to the box, Space ticks it, Tab to the button, Enter closes.
    page.get_by_label("Note (optional)").fill(NOTE)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_acknowledge"
    page.keyboard.press("Space")
    assert page.get_by_label("I have read the checklist and close the month anyway").is_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/reports/jobs/*/")
    page.get_by_role("link", name="The month is closed: see its published report.").wait_for()
    _shot(page, "close-done-en")

    closed = ClosedMonth.objects.get(month=datetime.date(2021, 12, 1))
    assert (closed.is_closed, closed.note, closed.closed_by) == (True, NOTE, people.admin)
    assert page.console_errors == []

    # The record left waiting stays in the queue, for an admin.
    page.get_by_role("button", name="Log out").click()
    log_in(page, "supervisor", PASSWORD)
    page.goto("/review/")
    row = page.locator("li.queue-item", has=page.get_by_role("link", name=f"Incident #{december.pk}"))
    assert row.get_by_text("Closed month: needs an admin").is_visible()
    assert row.get_by_text("Only an admin can verify, return or reject this record now").is_visible()
    assert row.get_by_role("button", name="Verify", exact=True).count() == 0
    assert page.console_errors == []
