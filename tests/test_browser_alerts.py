"""End to end in a real browser: a partner's monitor enters an urgent flash alert through the form (place picker, needs
checkboxes, people counts, the response), saves and submits it; the region's supervisor, told at once, verifies it
from its page, which then reads back what was entered."""

import pytest

from alerts.models import FlashAlert
from conftest import PASSWORD
from core.models import Notification
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _enter_alert(page) -> None:
    page.goto("/alerts/")
    page.get_by_role("link", name="New flash alert").click()
    page.get_by_label("Date raised").fill("2021-12-10")
    page.get_by_label("Date of the event").fill("2021-12-09")
    page.get_by_label("Event type").select_option(label="Mass displacement")
    page.locator("#id_place_level1").select_option(label="Gao")  # region → cercle, narrowing (place_picker.js)
    page.locator("#id_place_level2").select_option(label="Ansongo")
    page.get_by_label("Narrative").fill("Families fled attacks on three villages and reached Ansongo.")
    page.get_by_label("Estimated households affected").fill("48")
    page.locator("#id_women").fill("70")
    page.locator("#id_girls").fill("55")
    page.locator("#id_men").fill("40")
    page.locator("#id_boys").fill("60")
    page.get_by_label("Shelter", exact=True).check()
    page.get_by_label("Food", exact=True).check()
    page.get_by_label("Water, sanitation and hygiene (WASH)").check()
    page.get_by_label("Response triggered", exact=True).check()
    page.get_by_label("Responding organisation").fill("Protection Civile")
    page.get_by_label("Date of the response").fill("2021-12-10")
    page.get_by_label("Urgent", exact=True).check()
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url("**/alerts/*/")
    assert page.get_by_text("was saved and submitted for review.").is_visible()


def test_a_monitor_enters_an_urgent_alert_and_the_supervisor_verifies_it(people, page):
    log_in(page, "partner_monitor", PASSWORD)
    _enter_alert(page)
    assert page.console_errors == []

    alert = FlashAlert.objects.get()
    assert (alert.status, alert.urgent, alert.place.name) == ("submitted", True, "Ansongo")
    assert (alert.households, alert.women, alert.girls, alert.men, alert.boys, alert.total) == (48, 70, 55, 40, 60, 225)
    assert sorted(alert.needs.values_list("code", flat=True)) == ["food", "shelter", "wash"]
    assert alert.organisation == people.partner_monitor.organisation

    page.get_by_role("button", name="Log out").click()
    log_in(page, "supervisor", PASSWORD)
    note = Notification.objects.get(recipient=people.supervisor)  # the urgent alert, at once
    page.goto(note.url)
    page.get_by_role("button", name="Verify", exact=True).click()
    page.wait_for_url(f"**/alerts/{alert.pk}/")
    assert page.get_by_text(f"Verify: done for Flash alert #{alert.pk}.").is_visible()

    alert.refresh_from_db()
    assert (alert.status, alert.reviewed_by) == ("verified", people.supervisor)
    facts = page.locator("dl").first.inner_text()
    for text in (
        "2021-12-10",
        "2021-12-09",
        "Mass displacement",
        "48",
        "Shelter",
        "Food",
        "Water, sanitation and hygiene (WASH)",
        "Protection Civile",
        "Ansongo",
        "Association Malienne pour la Survie au Sahel",
    ):
        assert text in facts
    assert page.locator("h1").get_by_text("Verified").is_visible()
    assert "225" in page.locator("table.people-counts").inner_text()
    assert page.get_by_text("Families fled attacks on three villages and reached Ansongo.").is_visible()
    assert page.console_errors == []
