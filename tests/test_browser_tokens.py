"""The Tokens page in a real browser: an information-management officer makes a token for a script, copies it, uses
it, and revokes it."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from core.models import ApiToken
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where to keep screenshots of the page, when asked (VIGIE_SCREENSHOTS=/some/folder); none by default.
SCREENSHOTS = os.environ.get("VIGIE_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_a_user_makes_a_named_token_uses_it_and_revokes_it(people, page):
    log_in(page, "supervisor", PASSWORD)
    page.get_by_role("link", name="API tokens").click()
    page.wait_for_url("**/account/tokens/")
    expect(page.get_by_text("You have no API token.")).to_be_visible()

    page.get_by_label("Name").fill("Monthly dashboard")
    page.get_by_label("Expires after (days)").fill("0")
    page.get_by_role("button", name="Create the token").click()
    expect(page.get_by_text("Enter a whole number of days from 1 to 90.")).to_be_visible()
    assert not ApiToken.objects.exists()

    page.get_by_label("Expires after (days)").fill("30")
    page.get_by_role("button", name="Create the token").click()
    expect(page.get_by_text("Copy it now: it will not be shown again.")).to_be_visible()
    plain = page.get_by_label("Token", exact=True).input_value()
    page.get_by_role("button", name="Copy the token").click()  # copy.js: the button appears with scripts
    # The clipboard answers asynchronously, and the button says "Copied" for two seconds: wait for it.
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    _shot(page, "tokens-created")
    answer = page.request.get("/api/v1/auth/tokens/", headers={"Authorization": f"Token {plain}"})
    assert answer.status == 200
    assert [row["name"] for row in answer.json()["results"]] == ["Monthly dashboard"]

    page.goto("/account/tokens/")  # the token is not shown again
    assert plain not in page.content()
    expect(page.get_by_role("cell", name="Monthly dashboard", exact=True)).to_be_visible()
    _shot(page, "tokens-list")
    page.get_by_role("link", name="Revoke Monthly dashboard").click()
    expect(page.get_by_role("heading", name="Revoke the token “Monthly dashboard”?")).to_be_visible()
    _shot(page, "tokens-revoke")
    page.get_by_role("button", name="Yes: revoke it").click()
    page.wait_for_url("**/account/tokens/")
    expect(page.get_by_text("Token “Monthly dashboard” revoked: it no longer works.")).to_be_visible()
    answer = page.request.get("/api/v1/auth/tokens/", headers={"Authorization": f"Token {plain}"})
    assert answer.status == 401
    assert page.console_errors == []
