"""The idle session: "Stay signed in" renews it, a page whose session ran out goes to the login page with a
message, and signed-in pages carry what static/js/session.js needs (the browser side: tests/test_browser_session.py).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

pytestmark = pytest.mark.django_db

KEEPALIVE = "/accounts/session/keepalive/"
ENDED = "/accounts/session/ended/"


def test_keepalive_renews_the_session_and_says_when_it_ends(
    people: SimpleNamespace, client: Client, settings: Settings
) -> None:
    settings.SESSION_COOKIE_AGE = 600
    client.force_login(people.monitor)
    key = client.session.session_key
    before = Session.objects.get(session_key=key).expire_date
    response = client.post(KEEPALIVE)
    assert response.status_code == 200
    assert response.json()["expires_in"] == 600
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert Session.objects.get(session_key=key).expire_date > before


def test_keepalive_without_a_session_is_a_401_not_the_login_page(client: Client) -> None:
    response = client.post(KEEPALIVE)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_keepalive_needs_the_csrf_token(people: SimpleNamespace) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.monitor)
    assert client.post(KEEPALIVE).status_code == 403
    token = client.get("/").context["csrf_token"]
    assert client.post(KEEPALIVE, headers={"X-CSRFToken": str(token)}).status_code == 200


def test_keepalive_is_a_post(people: SimpleNamespace, client: Client) -> None:
    client.force_login(people.monitor)
    assert client.get(KEEPALIVE).status_code == 405


def test_an_ended_session_goes_to_the_login_page_with_a_message_and_back_after(
    client: Client, settings: Settings
) -> None:
    settings.SESSION_COOKIE_AGE = 30 * 60
    response = client.get(ENDED, {"next": "/my-records/?page=2"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('login')}?next=/my-records/%3Fpage%3D2"
    assert "signed out after 30 minutes without activity" in response.content.decode()


def test_a_session_still_alive_goes_back_to_the_page(people: SimpleNamespace, client: Client) -> None:
    client.force_login(people.monitor)
    response = client.get(ENDED, {"next": "/my-records/"})
    assert response.status_code == 302
    assert response["Location"] == "/my-records/"


def test_ended_never_sends_elsewhere(people: SimpleNamespace, client: Client) -> None:
    client.force_login(people.monitor)
    response = client.get(ENDED, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_signed_in_pages_carry_the_idle_time_and_the_warning(
    people: SimpleNamespace, client: Client, settings: Settings
) -> None:
    settings.SESSION_COOKIE_AGE = 30 * 60
    client.force_login(people.monitor)
    page = client.get("/").content.decode()
    assert 'data-session-idle="1800"' in page
    assert 'data-session-warn="120"' in page
    assert 'role="alertdialog"' in page
    assert "Stay signed in" in page
    assert "js/session.js" in page


def test_a_short_idle_time_warns_at_half_of_it(people: SimpleNamespace, client: Client, settings: Settings) -> None:
    settings.SESSION_COOKIE_AGE = 60
    client.force_login(people.monitor)
    assert 'data-session-warn="30"' in client.get("/").content.decode()


def test_anonymous_pages_have_no_warning(client: Client) -> None:
    page = client.get(reverse("login")).content.decode()
    assert "data-session-idle" not in page
    assert "session.js" not in page
