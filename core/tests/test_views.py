from types import SimpleNamespace

import pytest
from django.core.mail import EmailMessage
from django.test import Client, override_settings
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries, Settings

from conftest import PASSWORD


class TestHome:
    def test_anonymous_is_sent_to_login(self, db: None, client: Client) -> None:
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    @pytest.mark.parametrize(
        ("person", "shown", "hidden"),
        [
            (
                "monitor",
                ["Record protection incidents"],
                ["Verify, return or reject", "Administration", "GBV referrals"],
            ),
            ("supervisor", ["Verify, return or reject"], ["Administration", "GBV referrals"]),
            ("gbv", ["GBV referrals"], ["Record protection incidents", "Administration"]),
            ("admin", ["Administration", "Verify, return or reject"], ["GBV referrals"]),
            ("viewer", ["figures of closed months"], ["Record protection incidents", "Administration"]),
        ],
    )
    def test_each_role_sees_what_it_may_use(
        self, people: SimpleNamespace, client: Client, person: str, shown: list[str], hidden: list[str]
    ) -> None:
        client.force_login(getattr(people, person))
        html = client.get("/").content.decode()
        for text in shown:
            assert text in html
        for text in hidden:
            assert text not in html

    def test_shows_the_users_regions_and_organisation(self, people: SimpleNamespace, client: Client) -> None:
        client.force_login(people.partner_monitor)
        html = client.get("/").content.decode()
        assert "Gao (ML07)" in html
        assert "Records reported by AMSS in your regions, and every organisation's flash alerts there." in html

    def test_query_budget(
        self, people: SimpleNamespace, client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        client.force_login(people.monitor)
        # session, user with organisation, the user's region codes, the regions listed, the header's unread
        # notifications, and the session saved (savepoint, update, release)
        with django_assert_max_num_queries(8):
            client.get("/")


class TestLogin:
    def test_right_password_logs_in(self, people: SimpleNamespace, client: Client) -> None:
        response = client.post(reverse("login"), {"username": "monitor", "password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == "/"

    def test_bad_password_says_so_and_keeps_the_user_name(self, people: SimpleNamespace, client: Client) -> None:
        response = client.post(reverse("login"), {"username": "monitor", "password": "nope"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Please enter a correct username and password" in html
        assert 'value="monitor"' in html

    @override_settings(AXES_FAILURE_LIMIT=2)
    def test_repeated_failures_lock_the_login_out(self, people: SimpleNamespace, client: Client) -> None:
        client.post(reverse("login"), {"username": "monitor", "password": "nope"})
        response = client.post(reverse("login"), {"username": "monitor", "password": "nope"})
        assert response.status_code == 429
        response = client.post(reverse("login"), {"username": "monitor", "password": PASSWORD})
        assert response.status_code == 429
        assert "Too many failed login attempts" in response.content.decode()

    def test_a_deactivated_user_cannot_log_in(self, people: SimpleNamespace, client: Client) -> None:
        people.monitor.is_active = False
        people.monitor.save()
        response = client.post(reverse("login"), {"username": "monitor", "password": PASSWORD})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session

    def test_session_expires_after_inactivity(
        self, people: SimpleNamespace, client: Client, settings: Settings
    ) -> None:
        client.force_login(people.monitor)
        client.get("/")
        assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
        assert settings.SESSION_SAVE_EVERY_REQUEST  # each request pushes the expiry back

    def test_logout_is_a_post(self, people: SimpleNamespace, client: Client) -> None:
        client.force_login(people.monitor)
        response = client.post(reverse("logout"))
        assert response.status_code == 302
        assert client.get("/").status_code == 302


class TestPasswords:
    def test_change_password_validates_strength(self, people: SimpleNamespace, client: Client) -> None:
        client.force_login(people.monitor)
        response = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
        )
        assert response.status_code == 200
        assert "This password is too short" in response.content.decode()
        people.monitor.refresh_from_db()
        assert people.monitor.check_password(PASSWORD)

    def test_change_password(self, people: SimpleNamespace, client: Client) -> None:
        client.force_login(people.monitor)
        new = "Another-long-pass-2026"
        response = client.post(
            reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
        )
        assert response.status_code == 302
        people.monitor.refresh_from_db()
        assert people.monitor.check_password(new)

    def test_reset_sends_a_link_that_sets_a_new_password(
        self, people: SimpleNamespace, client: Client, mailoutbox: list[EmailMessage]
    ) -> None:
        response = client.post(reverse("password_reset"), {"email": "monitor@example.org"})
        assert response.status_code == 302
        assert len(mailoutbox) == 1
        link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/reset/" in line)
        path = link.split("testserver", 1)[1]
        form_page = client.get(path, follow=True)
        assert form_page.status_code == 200
        new = "Reset-long-pass-2026"
        response = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
        assert response.status_code == 302
        people.monitor.refresh_from_db()
        assert people.monitor.check_password(new)


class TestLanguage:
    def test_switching_to_french_shows_french_labels(self, people: SimpleNamespace, client: Client) -> None:
        client.force_login(people.monitor)
        client.post(reverse("set_language"), {"language": "fr", "next": "/"})
        html = client.get("/").content.decode()
        assert 'lang="fr"' in html
        assert "Vos accès" in html
        assert "Déconnexion" in html


class TestSecurityHeaders:
    def test_pages_carry_a_policy_without_inline_scripts(self, db: None, client: Client) -> None:
        response = client.get(reverse("login"))
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert response["X-Frame-Options"] == "DENY"

    def test_no_page_loads_assets_from_elsewhere(self, people: SimpleNamespace, client: Client) -> None:
        client.force_login(people.admin)
        html = client.get("/").content.decode()
        assert "http://" not in html
        assert "https://" not in html
