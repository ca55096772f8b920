"""End to end in a real browser: a viewer opens the monthly report, picks a published month from the list of published
months (not the latest, which the page shows first) and reads its figures with the small counts suppressed as API.md
writes them: "<5" for a count from 1 to 4, "x" for a larger one hidden so that a "<5" cannot be worked out."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from conftest import PASSWORD
from core.choices import Status
from core.models import AdminArea
from incidents.tests.factories import IncidentFactory
from reports.publishing import close_month, publish
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _publish_november_and_december(people: Any) -> None:
    """November: two Gao incidents, 1 woman and 14 men (the woman's count is under 5, and the men's would give it
    away beside the total). December: a Mopti incident, 12 men. Both months closed."""
    gao = {"created_by": people.monitor, "status": Status.VERIFIED}
    IncidentFactory(
        **gao, reported_on=datetime.date(2021, 11, 8), violations=[{"type": "theft_extortion", "women": 1, "men": 6}]
    )
    IncidentFactory(**gao, reported_on=datetime.date(2021, 11, 19), violations=[{"type": "threat", "men": 8}])
    IncidentFactory(
        created_by=people.outsider,
        place=AdminArea.objects.get(pcode="ML0506"),
        status=Status.VERIFIED,
        reported_on=datetime.date(2021, 12, 6),
        violations=[{"type": "illegal_tax", "men": 12}],
    )
    for month in (datetime.date(2021, 11, 1), datetime.date(2021, 12, 1)):
        close_month(month, by=people.admin, published=publish(month), note="Sent to the cluster.")


def test_a_viewer_picks_a_published_month_and_reads_it_suppressed(people: Any, page: Any) -> None:
    _publish_november_and_december(people)
    log_in(page, "viewer", PASSWORD)
    page.goto("/reports/monthly/")
    assert page.locator("h1").inner_text() == "Monthly report — December 2021"  # the latest, first

    picker = page.get_by_role("combobox", name="Published month")
    assert picker.locator("option").all_inner_texts() == ["December 2021", "November 2021"]
    picker.select_option(label="November 2021")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/reports/monthly/?month=2021-11*")

    assert page.locator("h1").inner_text() == "Monthly report — November 2021"
    assert page.get_by_text("Closed and published on").is_visible()
    assert page.get_by_text("Counts from 1 to 4 are shown as “<5”.").is_visible()
    by_group = page.locator("table", has=page.locator("caption", has_text="By sex and age")).first
    women = by_group.locator("tr", has=page.locator("th", has_text="Women"))
    assert women.locator("td").first.inner_text() == "<5"  # 1 woman
    cells = page.locator("td.num").all_inner_texts()
    assert "x" in cells  # a larger count hidden so that the "<5" cannot be worked out
    assert "1" not in cells  # the woman's count itself is never written
    assert page.get_by_text("As now").count() == 0  # viewers read the published figures only
    assert page.console_errors == []
