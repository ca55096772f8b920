"""The second factor in a real browser (issue 11): an admin enrols an authenticator app from the QR code's page, signs
out, and signs in again with the next code; a GBV focal point without an authenticator is sent to enrolment.

The codes are computed as an authenticator app does (django_otp.oath.TOTP, from the secret shown on the page).
django-otp refuses a time step already used, so signing in again uses the next step's code.
"""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from core.models import AuditEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots of the pages, for a person to look at (VIGIE_SCREENSHOTS=/some/folder); none by default.
SCREENSHOTS = os.environ.get("VIGIE_SCREENSHOTS", "")


@pytest.fixture(autouse=True)
def otp_required(settings) -> None:
    settings.VIGIE_OTP_REQUIRED_ROLES = frozenset({"admin", "gbv_focal_point"})


def app_code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this secret (base32, as the page prints it), `steps_ahead` steps on."""
    key = base64.b32decode(secret.replace(" ", ""))
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def password(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_an_admin_enrols_signs_out_and_signs_in_with_the_next_code(people, page):
    password(page, "admin")
    page.wait_for_url("**/account/second-factor/?next=%2F")
    assert page.get_by_role("heading", name="Set up your second factor").is_visible()
    # The QR code is an image the browser drew (an SVG in a data: URL, which the CSP allows).
    assert page.locator("img.qr-code").evaluate("image => image.complete && image.naturalWidth > 0")
    secret = page.locator("#totp-secret").inner_text()
    shot(page, "second-factor-enrol")

    page.get_by_label("Code shown by the app").fill(app_code(secret))
    page.get_by_role("button", name="Confirm").click()
    assert page.get_by_role("heading", name="Your backup codes").is_visible()
    assert page.locator("#backup-codes li").count() == 10
    shot(page, "second-factor-backup-codes")
    page.get_by_role("link", name="I have kept my codes — continue").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="Your access").is_visible()
    assert TOTPDevice.objects.get(user=people.admin).confirmed

    page.get_by_role("button", name="Log out").click()
    password(page, "admin")
    page.wait_for_url("**/account/second-factor/verify/?next=%2F")
    shot(page, "second-factor-verify")
    page.get_by_label("Code").fill(app_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="Your access").is_visible()
    actions = set(AuditEntry.objects.filter(actor=people.admin).values_list("action", flat=True))
    assert {AuditEntry.Action.OTP_ENROLLED, AuditEntry.Action.BACKUP_CODES} <= actions

    page.goto("/account/second-factor/")
    assert page.get_by_text("10 backup codes left.").is_visible()
    shot(page, "second-factor-status")
    assert page.console_errors == []


def test_a_gbv_focal_point_without_an_authenticator_is_sent_to_enrolment(people, page):
    password(page, "gbv")
    page.wait_for_url("**/account/second-factor/?next=%2F")
    assert page.get_by_role("heading", name="Set up your second factor").is_visible()
    assert page.get_by_text("Your role needs a second factor").is_visible()
    # Every other page sends back here until an authenticator is set up.
    page.goto("/incidents/gbv/")
    page.wait_for_url("**/account/second-factor/?next=%2Fincidents%2Fgbv%2F")
    assert page.console_errors == []


def test_a_superuser_resets_a_lost_authenticator_after_confirming(people, page, settings):
    settings.VIGIE_OTP_REQUIRED_ROLES = frozenset()  # the superuser's own second factor is the tests above
    people.admin.is_superuser = True
    people.admin.save()
    TOTPDevice.objects.create(user=people.gbv, name="authenticator", confirmed=True)
    password(page, "admin")
    page.wait_for_url("**/")
    page.goto(f"/users/{people.gbv.pk}/second-factor/reset/")
    assert page.get_by_role("heading", name="Reset the second factor of gbv?").is_visible()
    shot(page, "second-factor-reset")
    page.get_by_role("button", name="Reset the second factor").click()
    assert page.get_by_text("The second factor of gbv is reset").is_visible()
    assert not TOTPDevice.objects.filter(user=people.gbv).exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.OTP_RESET, target_user=people.gbv).count() == 1
    assert page.console_errors == []
