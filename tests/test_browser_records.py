"""End to end in a real browser: a monitor enters a household, a mixed movement, an assistance event and a session,
submits each, and a supervisor verifies them from the review queue."""

import pytest

from activities.models import AssistanceEvent, Session
from beneficiaries.models import Household, Movement
from conftest import PASSWORD
from core.models import AssistanceKind, SessionKind
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _choose_place(page) -> None:
    page.locator("#id_place_level1").select_option(label="Gao")  # region → cercle, narrowing (place_picker.js)
    page.locator("#id_place_level2").select_option(label="Ansongo")


def _submit(page, url_part: str) -> None:
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url(f"**/{url_part}/*/")
    assert page.get_by_text("was saved and submitted for review.").is_visible()


def _enter_household(page) -> None:
    page.goto("/beneficiaries/households/new/")
    page.get_by_label("Date registered").fill("2021-12-10")
    page.get_by_label("Registration number").fill("GAO-21-55555")
    page.locator("#id_head_name").fill("Fatoumata Maïga")
    _choose_place(page)
    page.locator("#id_members-0-full_name").fill("Fatoumata Maïga")
    page.locator("#id_members-0-sex").select_option("female")
    page.locator("#id_members-0-birth_year").fill("1980")
    page.locator("#id_members-0-is_head").check()
    page.get_by_role("button", name="Add a member").click()  # formset.js clones the empty row
    page.locator("#id_members-1-full_name").fill("Ali Maïga")
    page.locator("#id_members-1-sex").select_option("male")
    page.locator("#id_members-1-birth_year").fill("2015")
    _submit(page, "households")


def _enter_movement(page) -> None:
    page.goto("/beneficiaries/movements/new/")
    page.get_by_label("Date identified").fill("2021-12-10")
    _choose_place(page)
    page.locator("#id_nationality").select_option("CI")
    page.locator("#id_origin_country").select_option("CI")
    page.locator("#id_destination_country").select_option("DZ")
    page.locator("#id_men").fill("9")
    page.locator("#id_girls").fill("2")
    page.locator("#id_unaccompanied_children").fill("1")
    _submit(page, "movements")


def _enter_assistance(page, kind: str) -> None:
    page.goto("/activities/assistance/new/")
    page.get_by_label("Date delivered").fill("2021-12-10")
    page.locator("#id_kind").select_option(kind)
    _choose_place(page)
    page.locator("#id_households").fill("12")
    page.locator("#id_women").fill("20")
    page.locator("#id_registration_numbers").fill("GAO-21-55555")
    _submit(page, "assistance")


def _enter_session(page, kind: str) -> None:
    page.goto("/activities/sessions/new/")
    page.get_by_label("Date held").fill("2021-12-10")
    page.locator("#id_kind").select_option(kind)
    page.locator("#id_topic").fill("Birth registration")
    page.locator("#id_sessions").fill("3")
    _choose_place(page)
    page.locator("#id_women").fill("26")
    page.locator("#id_men").fill("5")
    _submit(page, "sessions")


def test_monitor_enters_each_record_type_and_a_supervisor_verifies_them_from_the_queue(people, page):
    nfi = str(AssistanceKind.objects.get(code="nfi_kit").pk)
    awareness = str(SessionKind.objects.get(code="awareness").pk)
    log_in(page, "monitor", PASSWORD)
    _enter_household(page)
    _enter_movement(page)
    _enter_assistance(page, nfi)
    _enter_session(page, awareness)
    assert page.console_errors == []

    household, movement = Household.objects.get(), Movement.objects.get()
    event, session = AssistanceEvent.objects.get(), Session.objects.get()
    assert sorted(member.full_name for member in household.members.all()) == ["Ali Maïga", "Fatoumata Maïga"]
    assert list(event.households_assisted.all()) == [household]
    assert movement.total == 11
    assert session.total == 31
    records = [
        ("Household", household),
        ("Mixed-movement identification", movement),
        ("Assistance event", event),
        ("Session", session),
    ]
    assert all(record.status == "submitted" and record.place.name == "Ansongo" for _label, record in records)

    page.get_by_role("button", name="Log out").click()
    log_in(page, "supervisor", PASSWORD)
    for label, record in records:
        page.goto("/review/")
        row = page.locator(".queue-item", has_text=f"{label} #{record.pk}")
        row.get_by_role("button", name="Verify", exact=True).click()
        page.wait_for_url("**/review/")
        assert page.get_by_text(f"Verify: done for {label} #{record.pk}.").is_visible()
    for _label, record in records:
        record.refresh_from_db()
        assert record.status == "verified"
    assert page.console_errors == []
