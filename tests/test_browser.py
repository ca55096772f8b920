"""End to end in a real browser: what a person does, as they would do it."""

import pytest

from conftest import PASSWORD
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
