"""The second factor (issue 11): OTP_REQUIRED_ROLES read, enrolment with a QR code and backup codes, verification
after the password (pages), its enforcement (pages redirected, session API 403), the token endpoint's `otp`, and a
superuser's reset of a lost device.

django-otp refuses a TOTP code of a time step already used: the codes here are the *next* step's, which a device's
default tolerance (one step either way) accepts, as an authenticator app a few seconds ahead would give them.
"""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from config.settings import ROLE_CODES, otp_required_roles
from conftest import PASSWORD
from core.choices import Role
from core.models import AuditEntry, User
from core.second_factor_views import BACKUP_CODE_COUNT

REQUIRED_ROLES = frozenset({"admin", "gbv_focal_point"})
TOKEN_URL = "/api/v1/auth/token/"  # noqa: S105 -- a URL, not a password
SESSION_API = "/api/v1/reference/violation-types/"
VERIFY = "/account/second-factor/verify/"
ENROL = "/account/second-factor/"


@pytest.fixture
def otp_required(settings: SimpleNamespace) -> None:
    """The production default (the test settings ask nobody)."""
    settings.VIGIE_OTP_REQUIRED_ROLES = REQUIRED_ROLES


REQUIRED = pytest.mark.usefixtures("otp_required")


def code(device: TOTPDevice, steps_ahead: int = 1) -> str:
    """The code an authenticator app shows `steps_ahead` time steps from now (the next step by default)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def backup_codes(user: User, *codes: str) -> None:
    device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    for value in codes:
        StaticToken.objects.create(device=device, token=value)


def password_login(client: Client, username: str) -> None:
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def audit_actions(user: User) -> list[str]:
    return list(AuditEntry.objects.filter(actor=user).order_by("pk").values_list("action", flat=True))


# --- OTP_REQUIRED_ROLES


class TestRequiredRolesSetting:
    def test_unset_means_admins_and_gbv_focal_points(self) -> None:
        assert otp_required_roles(None) == {"admin", "gbv_focal_point"}

    def test_empty_means_nobody(self) -> None:
        assert otp_required_roles("") == frozenset()
        assert otp_required_roles(" , ") == frozenset()

    def test_a_comma_separated_list_of_roles(self) -> None:
        assert otp_required_roles("admin, supervisor,") == {"admin", "supervisor"}

    def test_an_unknown_role_stops_the_start(self) -> None:
        # A typo must not switch the second factor off without a word.
        with pytest.raises(ImproperlyConfigured, match="admins"):
            otp_required_roles("admins,gbv_focal_point")

    def test_the_roles_known_to_the_settings_are_the_models(self) -> None:
        assert set(Role.values) == ROLE_CODES


# --- enforcement


@REQUIRED
class TestEnforcement:
    def test_an_admin_without_a_verified_second_factor_gets_403_from_the_session_api(
        self, people: SimpleNamespace, client: Client
    ) -> None:
        enrolled(people.admin)
        password_login(client, "admin")
        response = client.get(SESSION_API)
        assert response.status_code == 403
        assert "second factor" in response.json()["detail"]

    def test_an_admin_with_a_device_is_sent_to_verification_from_pages_and_django_admin(
        self, people: SimpleNamespace, client: Client
    ) -> None:
        enrolled(people.admin)
        password_login(client, "admin")
        response = client.get("/my-records/?status=draft")
        assert response.status_code == 302
        assert response["Location"] == f"{VERIFY}?next=%2Fmy-records%2F%3Fstatus%3Ddraft"
        response = client.get("/admin/core/user/")
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)
        response = client.get(reverse("api-docs"))
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)

    def test_after_the_password_a_gbv_focal_point_without_a_device_is_sent_to_enrolment(
        self, people: SimpleNamespace, client: Client
    ) -> None:
        response = client.post(reverse("login"), {"username": "gbv", "password": PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0] == f"{ENROL}?next=%2F"
        assert b"qr-code" in response.content

    def test_a_form_posted_without_the_second_factor_is_refused_not_replayed(
        self, people: SimpleNamespace, client: Client
    ) -> None:
        enrolled(people.admin)
        password_login(client, "admin")
        response = client.post(reverse("password_change"), {"old_password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == VERIFY

    def test_signing_out_and_the_open_pages_need_no_second_factor(
        self, people: SimpleNamespace, client: Client
    ) -> None:
        enrolled(people.admin)
        password_login(client, "admin")
        assert client.get(reverse("healthz")).status_code in {200, 503}
        assert client.get(reverse("password_reset")).status_code == 200
        assert client.post(reverse("set_language"), {"language": "fr", "next": "/"}).status_code == 302
        assert client.get(VERIFY).status_code == 200
        assert client.post(reverse("logout")).status_code == 302
        assert client.get("/").status_code == 302  # to the login page now

    def test_before_the_second_factor_the_menu_offers_only_signing_out(
        self, people: SimpleNamespace, client: Client
    ) -> None:
        device = enrolled(people.admin)
        password_login(client, "admin")
        page = client.get(VERIFY).content.decode()
        assert 'href="/incidents/"' not in page
        assert f'href="{reverse("tokens")}"' not in page
        assert "Log out" in page
        client.post(VERIFY, {"code": code(device)})
        assert 'href="/incidents/"' in client.get("/").content.decode()

    def test_a_monitor_signs_in_with_the_password_alone(self, people: SimpleNamespace, client: Client) -> None:
        password_login(client, "monitor")
        assert client.get("/").status_code == 200
        assert client.get(SESSION_API).status_code == 200

    @override_settings(VIGIE_OTP_REQUIRED_ROLES=frozenset())
    def test_nobody_is_asked_when_the_setting_is_empty(self, people: SimpleNamespace, client: Client) -> None:
        enrolled(people.admin)
        password_login(client, "admin")
        assert client.get("/").status_code == 200
        assert client.get(SESSION_API).status_code == 200


# --- verification


@REQUIRED
class TestVerification:
    def test_the_next_code_lets_the_admin_in_and_back_to_the_page_asked_for(
        self, people: SimpleNamespace, client: Client
    ) -> None:
        device = enrolled(people.admin)
        password_login(client, "admin")
        response = client.post(VERIFY, {"code": code(device), "next": "/my-records/"})
        assert response.status_code == 302
        assert response["Location"] == "/my-records/"
        assert client.get("/").status_code == 200
        assert client.get(SESSION_API).status_code == 200

    def test_a_code_already_used_is_refused_in_another_session(self, people: SimpleNamespace) -> None:
        device = enrolled(people.admin)
        used = code(device)
        first, second = Client(), Client()
        password_login(first, "admin")
        assert first.post(VERIFY, {"code": used}).status_code == 302
        password_login(second, "admin")
        response = second.post(VERIFY, {"code": used})
        assert response.status_code == 400
        assert "That code is not right" in response.content.decode()

    def test_a_backup_code_works_once(self, people: SimpleNamespace) -> None:
        enrolled(people.admin)
        backup_codes(people.admin, "abcd2345", "efgh6789")
        first, second = Client(), Client()
        password_login(first, "admin")
        response = first.post(VERIFY, {"code": "abcd2345"}, follow=True)
        assert response.status_code == 200
        assert "1 left" in response.content.decode()
        assert first.get(SESSION_API).status_code == 200
        password_login(second, "admin")
        assert second.post(VERIFY, {"code": "abcd2345"}).status_code == 400
        assert StaticToken.objects.filter(device__user=people.admin).count() == 1

    def test_a_wrong_code_says_so_and_is_logged(self, people: SimpleNamespace, client: Client) -> None:
        enrolled(people.admin)
        password_login(client, "admin")
        response = client.post(VERIFY, {"code": "000000x"})
        assert response.status_code == 400
        assert "That code is not right" in response.content.decode()
        assert client.get(SESSION_API).status_code == 403
        assert AuditEntry.Action.OTP_FAILED in audit_actions(people.admin)

    def test_right_after_a_wrong_code_the_user_is_asked_to_wait(self, people: SimpleNamespace, client: Client) -> None:
        device = enrolled(people.admin)
        password_login(client, "admin")
        client.post(VERIFY, {"code": "000000"})
        response = client.post(VERIFY, {"code": code(device)})  # django-otp's throttle: a second, then 2, 4…
        assert response.status_code == 400
        assert "wait a few seconds" in response.content.decode()

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_wrong_codes_lock_the_login_out(self, people: SimpleNamespace, client: Client) -> None:
        device = enrolled(people.admin)
        password_login(client, "admin")
        statuses = [client.post(VERIFY, {"code": "123456"}).status_code for _ in range(3)]
        assert statuses == [400, 400, 429]
        # Signed out, and the password no longer lets them in until the lockout ends, even with the right code.
        assert client.get("/").status_code == 302
        response = client.post(reverse("login"), {"username": "admin", "password": PASSWORD})
        assert response.status_code == 429
        assert client.post(VERIFY, {"code": code(device)}).status_code == 302  # to the login page
        assert client.get(SESSION_API).status_code in {401, 403}

    def test_signing_in_again_does_not_lift_the_wait_after_a_wrong_code(self, people: SimpleNamespace) -> None:
        # django-otp's wait, kept on the device, slows down whoever guesses codes with a known password; django-axes's
        # count is not wiped by the password either (core.auth.forget_failed_logins, once the code has passed).
        device = enrolled(people.admin)
        first, second = Client(), Client()
        password_login(first, "admin")
        first.post(VERIFY, {"code": "000000"})
        password_login(second, "admin")
        response = second.post(VERIFY, {"code": code(device)})
        assert response.status_code == 400
        assert "wait a few seconds" in response.content.decode()

    def test_next_may_not_leave_the_site(self, people: SimpleNamespace, client: Client) -> None:
        device = enrolled(people.admin)
        password_login(client, "admin")
        response = client.post(VERIFY, {"code": code(device), "next": "https://evil.example/"})
        assert response.status_code == 302
        assert response["Location"] == "/"

    def test_without_a_device_verification_sends_to_enrolment(self, people: SimpleNamespace, client: Client) -> None:
        password_login(client, "admin")
        response = client.get(f"{VERIFY}?next=/my-records/")
        assert response.status_code == 302
        assert response["Location"] == f"{ENROL}?next=%2Fmy-records%2F"


# --- enrolment and backup codes


@REQUIRED
class TestEnrolment:
    def test_enrolment_shows_a_qr_code_and_the_secret_then_backup_codes_once(
        self, people: SimpleNamespace, client: Client, settings: SimpleNamespace
    ) -> None:
        settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp makes a device wait a second after a wrong code
        password_login(client, "gbv")
        page = client.get(ENROL).content.decode()
        assert 'src="data:image/svg+xml;base64,' in page
        device = TOTPDevice.objects.get(user=people.gbv, confirmed=False)
        secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page)
        assert secret is not None
        assert client.get(ENROL).content.decode().count(secret.group(1)) == 1  # a reload keeps the same secret

        response = client.post(ENROL, {"code": "999999x"})
        assert response.status_code == 400
        assert "not the right one" in response.content.decode()

        response = client.post(ENROL, {"code": code(device), "next": "/my-records/"})
        assert response.status_code == 200
        shown = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
        assert len(shown) == BACKUP_CODE_COUNT
        device.refresh_from_db()
        assert device.confirmed
        assert client.get("/").status_code == 200  # the session passed its second factor by enrolling
        assert audit_actions(people.gbv)[-2:] == [AuditEntry.Action.OTP_ENROLLED, AuditEntry.Action.BACKUP_CODES]
        assert client.get(ENROL).status_code == 200  # now the state of the second factor, without codes
        assert shown[0] not in client.get(ENROL).content.decode()

    def test_new_backup_codes_replace_the_old(self, people: SimpleNamespace, client: Client) -> None:
        device = enrolled(people.admin)
        backup_codes(people.admin, "oldcode2")
        password_login(client, "admin")
        client.post(VERIFY, {"code": code(device)})
        response = client.post(reverse("second-factor-backup-codes"))
        assert response.status_code == 200
        shown = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
        assert len(shown) == BACKUP_CODE_COUNT
        tokens = set(StaticToken.objects.filter(device__user=people.admin).values_list("token", flat=True))
        assert tokens == set(shown)
        assert audit_actions(people.admin)[-1] == AuditEntry.Action.BACKUP_CODES

    def test_replacing_an_authenticator_needs_the_current_one(self, people: SimpleNamespace, client: Client) -> None:
        device = enrolled(people.admin)
        password_login(client, "admin")
        response = client.get(f"{ENROL}?new=1")
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)
        assert client.post(reverse("second-factor-backup-codes")).status_code == 302
        client.post(VERIFY, {"code": code(device)})
        client.get(f"{ENROL}?new=1")
        new = TOTPDevice.objects.get(user=people.admin, confirmed=False)
        assert client.post(ENROL, {"code": code(new)}).status_code == 200
        assert list(TOTPDevice.objects.filter(user=people.admin)) == [new]

    def test_any_user_may_enrol(self, people: SimpleNamespace, client: Client) -> None:
        password_login(client, "monitor")
        client.get(ENROL)
        device = TOTPDevice.objects.get(user=people.monitor)
        assert client.post(ENROL, {"code": code(device)}).status_code == 200
        assert TOTPDevice.objects.get(user=people.monitor).confirmed


# --- the token endpoint


@REQUIRED
class TestTokenEndpoint:
    def test_an_admin_without_otp_gets_400_on_otp(self, people: SimpleNamespace, api_client: APIClient) -> None:
        enrolled(people.admin)
        response = api_client.post(TOKEN_URL, {"username": "admin", "password": PASSWORD}, format="json")
        assert response.status_code == 400
        assert "otp" in response.json()

    def test_an_admin_with_the_code_gets_a_token(self, people: SimpleNamespace, api_client: APIClient) -> None:
        device = enrolled(people.admin)
        body = {"username": "admin", "password": PASSWORD, "otp": code(device)}
        response = api_client.post(TOKEN_URL, body, format="json")
        assert response.status_code == 200
        token = response.json()["token"]
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert api_client.get(SESSION_API).status_code == 200

    def test_an_admin_without_a_device_is_told_to_enrol_first(
        self, people: SimpleNamespace, api_client: APIClient
    ) -> None:
        body = {"username": "admin", "password": PASSWORD, "otp": "123456"}
        response = api_client.post(TOKEN_URL, body, format="json")
        assert response.status_code == 400
        assert "set up an authenticator app" in response.json()["otp"][0]

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_wrong_codes_are_400_then_429(self, people: SimpleNamespace, api_client: APIClient) -> None:
        device = enrolled(people.admin)
        body = {"username": "admin", "password": PASSWORD, "otp": "123456"}
        statuses = [api_client.post(TOKEN_URL, body, format="json").status_code for _ in range(3)]
        assert statuses == [400, 400, 429]
        body["otp"] = code(device)
        assert api_client.post(TOKEN_URL, body, format="json").status_code == 429
        assert AuditEntry.objects.filter(actor=people.admin, action=AuditEntry.Action.OTP_FAILED).count() == 3

    @pytest.mark.parametrize("otp", ["1" * 17, "12\x0056", "１２３４５６", ["123456"]])
    def test_an_odd_otp_is_a_400_on_otp_never_a_500(
        self, people: SimpleNamespace, api_client: APIClient, otp: object
    ) -> None:
        enrolled(people.admin)
        body = {"username": "admin", "password": PASSWORD, "otp": otp}
        response = api_client.post(TOKEN_URL, body, format="json")
        assert response.status_code == 400
        assert "otp" in response.json()

    def test_a_monitor_needs_no_otp(self, people: SimpleNamespace, api_client: APIClient) -> None:
        response = api_client.post(TOKEN_URL, {"username": "monitor", "password": PASSWORD}, format="json")
        assert response.status_code == 200

    def test_the_schema_declares_otp(self, people: SimpleNamespace, client: Client) -> None:
        client.force_login(people.monitor)
        schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
        request_body = schema["paths"][TOKEN_URL]["post"]["requestBody"]["content"]["application/json"]["schema"]
        name = request_body["$ref"].rsplit("/", 1)[-1]
        assert "otp" in schema["components"]["schemas"][name]["properties"]


# --- a superuser's reset


@REQUIRED
class TestReset:
    def test_a_superuser_resets_a_lost_device_and_it_is_logged(self, people: SimpleNamespace, client: Client) -> None:
        root = people.viewer
        root.is_superuser = True
        root.role = Role.ADMIN
        root.save()
        device = enrolled(root)
        enrolled(people.gbv)
        backup_codes(people.gbv, "abcd2345")
        password_login(client, "viewer")
        client.post(VERIFY, {"code": code(device)})
        url = reverse("user-second-factor-reset", args=[people.gbv.pk])
        page = client.get(url)
        assert page.status_code == 200
        assert "Reset the second factor of gbv?" in page.content.decode()
        response = client.post(url)
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=people.gbv).exists()
        assert not StaticDevice.objects.filter(user=people.gbv).exists()
        entry = AuditEntry.objects.get(action=AuditEntry.Action.OTP_RESET)
        assert (entry.actor, entry.target_user) == (root, people.gbv)
        assert client.get(reverse("user-second-factor-reset", args=[987654])).status_code == 404
        assert client.get(f"/users/{10**30}/second-factor/reset/").status_code == 404

    def test_an_admin_may_not_reset(self, people: SimpleNamespace, client: Client) -> None:
        enrolled(people.gbv)
        client.force_login(people.admin)
        with override_settings(VIGIE_OTP_REQUIRED_ROLES=frozenset()):
            url = reverse("user-second-factor-reset", args=[people.gbv.pk])
            assert client.get(url).status_code == 403
            assert client.post(url).status_code == 403
        assert TOTPDevice.objects.filter(user=people.gbv).exists()
        assert not AuditEntry.objects.filter(action=AuditEntry.Action.OTP_RESET).exists()

    def test_after_a_reset_the_user_enrols_again_at_sign_in(self, people: SimpleNamespace, client: Client) -> None:
        enrolled(people.gbv)
        TOTPDevice.objects.filter(user=people.gbv).delete()  # what the reset does
        password_login(client, "gbv")
        response = client.get("/")
        assert response["Location"].startswith(ENROL)
