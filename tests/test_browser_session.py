"""The idle-session warning in a real browser (static/js/session.js), with an idle time of a few seconds: the
page reads it from <body>, as it reads SESSION_IDLE_MINUTES in production."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_warning_comes_before_the_end_and_stay_signed_in_keeps_the_session(people, page, settings) -> None:
    settings.SESSION_COOKIE_AGE = 16  # the warning shows 8 s before the end (half, when that is under 2 minutes)
    log_in(page, "monitor", PASSWORD)
    warning = page.get_by_role("alertdialog", name="Your session is about to end")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=15_000)
    stay = warning.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()  # keyboard users are in the dialog at once
    expect(warning.get_by_role("button", name="Sign out")).to_be_visible()

    with page.expect_response("**/accounts/session/keepalive/") as renewal:
        page.keyboard.press("Enter")
    assert renewal.value.status == 200
    expect(warning).to_be_hidden()

    page.wait_for_timeout(9_000)  # past the end the page was loaded with: the session was renewed since
    page.goto("/my-records/")
    expect(page).to_have_url(re.compile(r"/my-records/$"))
    expect(page.get_by_text("monitor · Monitor")).to_be_visible()
    assert page.console_errors == []


def test_when_the_time_is_up_the_page_goes_to_the_login_page_and_says_why(people, page, settings) -> None:
    settings.SESSION_COOKIE_AGE = 6
    log_in(page, "monitor", PASSWORD)
    page.wait_for_url("**/accounts/login/?next=/", timeout=20_000)
    expect(page.get_by_text("You were signed out after 1 minute without activity")).to_be_visible()
    page.get_by_label("Username").fill("monitor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def test_typed_text_is_never_lost_silently_when_the_session_ends(people, page, settings) -> None:
    settings.SESSION_COOKIE_AGE = 8
    log_in(page, "monitor", PASSWORD)
    page.goto("/accounts/password/change/")
    page.get_by_label("Old password").fill("what I typed")
    ended = page.get_by_role("alertdialog", name="Your session has ended")
    expect(ended).to_be_visible(timeout=20_000)
    expect(ended).to_contain_text("has not been saved")
    expect(page).to_have_url(re.compile(r"/accounts/password/change/$"))  # the page stays, with what was typed
    expect(page.get_by_label("Old password")).to_have_value("what I typed")


def test_a_page_opened_in_another_tab_renews_the_warning_of_the_first(people, page, settings) -> None:
    settings.SESSION_COOKIE_AGE = 12  # warning 6 s before the end
    log_in(page, "monitor", PASSWORD)
    first = page.get_by_role("alertdialog", name="Your session is about to end")
    page.wait_for_timeout(4_000)
    other = page.context.new_page()
    other.goto("/my-records/")  # renews the session: the first tab hears of it (nothing stored in the browser)
    page.wait_for_timeout(4_000)  # 8 s after the first page: its own warning would be showing by now
    expect(first).to_be_hidden()
    expect(first).to_be_visible(timeout=10_000)  # 6 s before the end the other tab's page set
    assert page.evaluate("window.localStorage.length") == 0
    other.close()
