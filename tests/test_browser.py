"""End to end in a real browser: what a person does, as they would do it."""

import datetime

import pytest
from django.utils import timezone

from conftest import PASSWORD
from core.models import GbvIncidentType, GbvService, PopulationGroup, ViolationType
from incidents.models import GbvReferral, Incident
from incidents.tests.factories import IncidentFactory
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_switch_to_french_and_see_french_labels(people, page):
    log_in(page, "supervisor", PASSWORD)
    assert page.get_by_role("heading", name="Your access").is_visible()

    with page.expect_navigation():
        page.select_option("#language-select", "fr")  # submits itself (vigie.js); no inline script

    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", name="Vos accès").is_visible()
    assert page.get_by_role("button", name="Déconnexion").is_visible()
    assert page.console_errors == []


def test_phone_width_menu_folds_behind_a_button(people, page):
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, "admin", PASSWORD)
    menu = page.get_by_role("link", name="Administration")
    assert not menu.is_visible()
    page.get_by_role("button", name="Menu").click()
    assert menu.is_visible()


def test_monitor_records_an_incident_and_a_supervisor_verifies_it_from_the_queue(people, page):
    threat, theft = (str(ViolationType.objects.get(code=code).pk) for code in ("threat", "theft_extortion"))
    idp = str(PopulationGroup.objects.get(code="idp").pk)
    log_in(page, "monitor", PASSWORD)
    page.goto("/incidents/new/")
    page.get_by_label("Date reported").fill("2021-12-10")
    page.get_by_label("Date of the incident").fill("2021-12-08")
    page.locator("#id_place_level1").select_option(label="Gao")  # region → cercle, narrowing (place_picker.js)
    page.locator("#id_place_level2").select_option(label="Ansongo")
    page.locator("#id_violations-0-type").select_option(threat)
    page.locator("#id_violations-0-population_group").select_option(idp)
    page.locator("#id_violations-0-women").fill("2")
    page.get_by_role("button", name="Add a violation").click()  # formset.js clones the empty row
    page.locator("#id_violations-1-type").select_option(theft)
    page.locator("#id_violations-1-population_group").select_option(idp)
    page.locator("#id_violations-1-men").fill("3")
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url("**/incidents/*/")
    incident = Incident.objects.get()
    assert incident.status == "submitted"
    assert incident.place.name == "Ansongo"
    assert sorted(violation.total for violation in incident.violations.all()) == [2, 3]
    assert page.evaluate("window.localStorage.length") == 0  # the unsent draft went with the saved form (draft.js)
    assert page.console_errors == []

    page.get_by_role("button", name="Log out").click()
    log_in(page, "supervisor", PASSWORD)
    page.goto("/review/")
    row = page.locator(".queue-item", has_text=f"Incident #{incident.pk}")
    row.get_by_role("button", name="Verify", exact=True).click()
    page.wait_for_url("**/review/")
    assert page.get_by_text(f"Verify: done for incident #{incident.pk}.").is_visible()

    page.goto(f"/incidents/{incident.pk}/")
    history = page.locator("#history")
    assert history.get_by_text("Draft → Submitted").is_visible()
    assert history.get_by_text("Submitted → Verified").is_visible()
    assert page.console_errors == []


def test_an_unsent_incident_is_offered_back_when_the_form_is_opened_again(people, page):
    log_in(page, "monitor", PASSWORD)
    page.goto("/incidents/new/")
    page.get_by_label("Locality (village or site)").fill("Quartier Château")
    page.get_by_role("button", name="Add a violation").click()
    page.locator("#id_violations-1-men").fill("4")
    page.wait_for_timeout(500)  # draft.js saves a moment after the typing stops
    page.goto("/")  # the connection dropped, the tab was closed…

    page.goto("/incidents/new/")
    page.get_by_role("button", name="Restore unsent draft").click()
    assert page.get_by_label("Locality (village or site)").input_value() == "Quartier Château"
    assert page.locator("#id_violations-1-men").input_value() == "4"  # the added row is back too

    page.goto("/incidents/new/")
    page.get_by_role("button", name="Discard").click()
    page.goto("/incidents/new/")
    assert page.get_by_role("button", name="Restore unsent draft").count() == 0

    # Logging out on purpose leaves nothing typed behind on a shared computer.
    page.get_by_label("Locality (village or site)").fill("Quartier Château")
    page.wait_for_timeout(500)
    page.get_by_role("button", name="Log out").click()
    log_in(page, "monitor", PASSWORD)
    page.goto("/incidents/new/")
    assert page.get_by_role("button", name="Restore unsent draft").count() == 0
    assert page.console_errors == []


def test_monitor_removes_a_violation_while_editing_and_the_others_stay(people, page):
    incident = IncidentFactory(
        created_by=people.monitor,
        violations=[
            {"type": "theft_extortion", "men": 3},
            {"type": "threat", "women": 1},
            {"type": "arson", "boys": 2},
        ],
    )
    log_in(page, "monitor", PASSWORD)
    page.goto(f"/incidents/{incident.pk}/edit/")
    second = page.locator("#violations [data-formset-row]").nth(1)
    second.get_by_role("button", name="Remove").click()
    assert second.is_hidden()
    numbers = page.locator("#violations [data-formset-row]:visible [data-row-number]").all_text_contents()
    assert numbers == ["1", "2", "3"]  # numbered again: two saved rows left and the blank one
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(f"**/incidents/{incident.pk}/")
    assert sorted(violation.type.code for violation in incident.violations.all()) == ["arson", "theft_extortion"]
    assert page.console_errors == []


def test_gbv_focal_point_refers_a_survivor_to_two_services_and_follows_them_up(people, page):

    today = timezone.localdate()
    ten_days_ago, yesterday = (today - datetime.timedelta(days=10)).isoformat(), (today - datetime.timedelta(days=1))
    health, legal = (str(GbvService.objects.get(code=code).pk) for code in ("health", "legal"))
    log_in(page, "gbv", PASSWORD)
    page.get_by_role("link", name="GBV referrals").first.click()
    page.get_by_role("link", name="New GBV referral").first.click()
    page.get_by_label("Survivor code").fill("GAO-2022-0042")
    page.locator("#id_sex").select_option("female")
    page.locator("#id_age").fill("16")
    page.get_by_label("Consents to be referred").check()
    page.get_by_label("Consents to be counted in shared statistics").check()
    page.get_by_label("Date reported").fill(ten_days_ago)
    page.get_by_label("GBV incident type").select_option(str(GbvIncidentType.objects.get(code="physical_assault").pk))
    page.locator("#id_place_level1").select_option(label="Gao")
    page.locator("#id_place_level2").select_option(label="Ansongo")
    page.locator("#id_services-0-service").select_option(health)
    page.locator("#id_services-0-organisation").fill("CSCom Ansongo")
    page.locator("#id_services-0-referred_on").fill(ten_days_ago)
    page.locator("#id_services-0-follow_up_on").fill(yesterday.isoformat())
    page.get_by_role("button", name="Add a service").click()  # formset.js clones the empty row
    page.locator("#id_services-1-service").select_option(legal)
    page.locator("#id_services-1-organisation").fill("Clinique juridique DEME SO")
    page.locator("#id_services-1-referred_on").fill(ten_days_ago)
    page.locator("#id_services-1-follow_up_on").fill(yesterday.isoformat())
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url("**/incidents/gbv/*/")
    referral = GbvReferral.objects.get()
    assert referral.status == "submitted"
    assert referral.services.count() == 2
    assert page.evaluate("window.localStorage.length") == 0  # survivor data is never kept in the browser

    page.locator("#services tr", has_text="Health").get_by_role("button", name="Mark provided").click()
    page.wait_for_url(f"**/incidents/gbv/{referral.pk}/")
    assert page.get_by_text("marked provided").is_visible()
    assert dict(referral.services.values_list("service__code", "status")) == {"health": "provided", "legal": "pending"}

    page.get_by_role("link", name="Follow-up board").first.click()
    board = page.locator("main")
    assert board.get_by_role("heading", name="Gao").is_visible()
    row = board.locator("tr", has_text="GAO-2022-0042")
    assert row.count() == 1
    assert "Legal" in row.inner_text()
    assert "Health" not in row.inner_text()
    assert page.console_errors == []
