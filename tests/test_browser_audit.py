"""The audit log in a real browser: an admin reads the sign-ins and failures just made, and filters them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD
from core.models import AuditEntry, Job
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where the page's picture goes when asked (VIGIE_SCREENSHOTS=dir): for a person to look at, not compared.
SCREENSHOTS = os.environ.get("VIGIE_SCREENSHOTS", "")


def test_an_admin_reads_and_filters_the_log(people: Any, page: Any) -> None:
    # A failed sign-in under a name that does not exist, one of the monitor, then the admin's own sign-in.
    for username in ("intruder", "monitor"):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log in").click()
    job = Job.objects.create(kind="export_records", user=people.admin, params={})
    AuditEntry.objects.create(
        action=AuditEntry.Action.EXPORT_STARTED,
        actor=people.admin,
        username="admin",
        object_type="core.job",
        object_id=str(job.pk),
        ip_address="127.0.0.1",
        details={"kind": "records", "record_type": "incidents", "format": "csv", "channel": "page"},
    )
    log_in(page, "admin", PASSWORD)

    page.get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/audit/")
    table = page.locator("table.audit-log")
    assert table.is_visible()
    text = table.inner_text()
    assert "intruder" in text
    assert "no such user" in text
    assert "failed sign-in" in text
    assert "signed in" in text
    assert f"job #{job.pk}" in text
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "audit-log.png"), full_page=True)

    page.get_by_text("Filter", exact=True).click()
    page.get_by_label("Action").select_option("login_failed")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/audit/?*action=login_failed*")
    rows = page.locator("table.audit-log tbody tr")
    assert rows.count() == 2
    assert "signed in" not in page.locator("table.audit-log tbody").inner_text()

    page.get_by_label("From (inclusive)").fill("2026-12-02")
    page.get_by_label("To (inclusive)").fill("2026-12-01")
    page.get_by_role("button", name="Apply").click()
    assert page.get_by_text("The start date comes after the end date.").is_visible()
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "audit-log-bad-filter.png"), full_page=True)
    # The refused filter answers 400 (as record lists do), which the browser reports; nothing else may fail.
    assert [error for error in page.console_errors if "status of 400" not in error] == []
