"""In a real browser: an admin creates a monitor for their region and hands over a one-time link that works once."""

import os

import pytest

from conftest import PASSWORD, make_user
from core.models import AuditEntry, User
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where to keep screenshots of the pages, when asked (VIGIE_SCREENSHOTS=/some/folder); none by default.
SCREENSHOTS = os.environ.get("VIGIE_SCREENSHOTS", "")
NEW_PASSWORD = "Fresh-mango-2026"  # noqa: S105 -- a test password


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_an_admin_creates_a_monitor_and_hands_over_a_link_that_works_once(people, lead, page):
    make_user("gao_admin", "admin", ["ML07"], lead)
    log_in(page, "gao_admin", PASSWORD)
    page.get_by_role("link", name="Users", exact=True).click()
    page.wait_for_url("**/users/")
    assert page.get_by_role("link", name="monitor", exact=True).is_visible()
    assert page.get_by_text("outsider").count() == 0  # a Mopti supervisor: not this admin's
    _shot(page, "users-list-en")

    page.get_by_role("link", name="New user").click()
    page.get_by_label("User name").fill("mariam")
    page.get_by_label("First name").fill("Mariam")
    page.get_by_label("Last name").fill("Maïga")
    page.get_by_label("Role").select_option("monitor")
    assert page.locator("#id_role option[value='gbv_focal_point']").count() == 0  # a superuser's to grant
    # Only this admin's region is offered.
    assert page.get_by_label("Mopti (ML05)").count() == 0
    page.get_by_label("Gao (ML07)").check()
    _shot(page, "users-form-en")
    page.get_by_role("button", name="Create the account and make its link").click()

    assert page.get_by_text("Account mariam created.").is_visible()
    link = page.get_by_label("One-time link").input_value()
    assert "/accounts/reset/" in link
    page.get_by_role("button", name="Copy the link").click()  # copy.js: no inline script
    page.get_by_role("button", name="Copied").wait_for()  # the clipboard answers when it likes
    assert page.get_by_text("Once: as soon as a password is chosen with it").is_visible()
    _shot(page, "users-link-en")
    mariam = User.objects.get(username="mariam")
    assert (mariam.role, mariam.region_pcodes(), mariam.has_usable_password()) == ("monitor", {"ML07"}, False)
    assert list(AuditEntry.objects.filter(target_user=mariam).values_list("action", flat=True).order_by("id")) == [
        "user_created",
        "reset_link",
    ]
    assert page.console_errors == []

    # Handed over: the admin signs out, Mariam opens the link, chooses a password and signs in.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    page.goto(link)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    _shot(page, "users-link-opened-en")
    page.get_by_role("button", name="Save my new password").click()
    page.wait_for_url("**/accounts/reset/done/")
    log_in(page, "mariam", NEW_PASSWORD)
    assert page.get_by_role("heading", name="Your access").is_visible()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")

    # The link worked once: opened again, it says so.
    page.goto(link)
    assert page.get_by_text("This link is not valid any more").is_visible()
    _shot(page, "users-link-used-en")
    assert page.console_errors == []


def test_the_users_pages_in_french(people, lead, page):
    """The list and the form, in French through the language switch (screenshots when asked)."""
    make_user("gao_admin", "admin", ["ML07"], lead)
    log_in(page, "gao_admin", PASSWORD)
    page.goto("/users/")
    with page.expect_navigation():
        page.select_option("#language-select", "fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    _shot(page, "users-list-fr")
    page.goto("/users/new/")
    _shot(page, "users-form-fr")
    page.goto(f"/users/{User.objects.get(username='monitor').pk}/")
    _shot(page, "users-edit-fr")
    assert page.console_errors == []
