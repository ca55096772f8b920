"""API tokens expire and die: their lifetime, the Tokens page and API (own tokens only), revocation, and death with
a password change or a deactivation (core.tokens, core.token_pages, core.api.tokens)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from conftest import PASSWORD
from core.admin import deactivate_users
from core.auth import reset_tokens
from core.models import ApiToken, AuditEntry, User
from core.tasks import delete_expired_tokens
from core.tokens import LOGIN_TOKEN_NAME, REVOKED_ON_DEACTIVATION, REVOKED_ON_PASSWORD_CHANGE

TOKEN_URL = "/api/v1/auth/token/"  # noqa: S105 -- a URL, not a password
TOKENS_API = "/api/v1/auth/tokens/"
REVOKE_OWN_API = "/api/v1/auth/token/revoke/"
PROBE = "/api/v1/reference/population-groups/"  # any endpoint a signed-in user reads


def _token(user: User, name: str = "script", **kwargs: object) -> tuple[ApiToken, str]:
    token, plain = ApiToken.objects.create(user=user, name=name, **kwargs)
    return token, plain


def _status_with(plain: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    return client.get(PROBE).status_code


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- lifetime


def test_the_endpoint_token_lives_the_configured_hours(people: SimpleNamespace, api_client: APIClient) -> None:
    with override_settings(VIGIE_API_TOKEN_HOURS=3):
        before = timezone.now()
        response = api_client.post(TOKEN_URL, {"username": "monitor", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = ApiToken.objects.get(user=people.monitor)
    assert before + datetime.timedelta(hours=3) <= token.expiry <= timezone.now() + datetime.timedelta(hours=3)
    assert datetime.datetime.fromisoformat(response.json()["expiry"]) == token.expiry
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TOKEN_CREATED)
    assert entry.actor == people.monitor
    assert entry.details["expiry"] == token.expiry.isoformat()
    assert response.json()["token"] not in str(entry.details)


def test_an_expired_token_is_refused_and_deleted(people: SimpleNamespace) -> None:
    token, plain = _token(people.monitor, expiry=datetime.timedelta(hours=1))
    assert _status_with(plain) == 200
    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert _status_with(plain) == 401
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_a_token_created_already_expired_is_refused(people: SimpleNamespace) -> None:
    _token_row, plain = _token(people.monitor, expiry=datetime.timedelta(minutes=-1))
    assert _status_with(plain) == 401


def test_the_hourly_task_deletes_expired_tokens_only(people: SimpleNamespace) -> None:
    expired, _ = _token(people.monitor, expiry=datetime.timedelta(minutes=-1))
    alive, _ = _token(people.monitor, expiry=datetime.timedelta(days=1))
    assert delete_expired_tokens() == 1
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [alive.pk]


def test_a_token_is_stored_hashed(people: SimpleNamespace, client: Client) -> None:
    client.force_login(people.monitor)
    response = client.post(reverse("tokens"), {"name": "dashboard", "days": "30"})
    plain = response.context["new_token"]["plain"]
    token = ApiToken.objects.get(user=people.monitor)
    assert plain not in (token.digest, token.token_key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert plain not in stored
    assert plain[:15] == token.token_key  # only the first characters, to name it
    assert plain not in str(list(AuditEntry.objects.values_list("details", flat=True)))


# --- the Tokens page


def test_a_named_token_is_shown_once_and_lives_the_days_chosen(people: SimpleNamespace) -> None:
    client = _signed_in(people.monitor)
    before = timezone.now()
    response = client.post(reverse("tokens"), {"name": "monthly dashboard", "days": "7"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    plain = response.context["new_token"]["plain"]
    html = response.content.decode()
    assert plain in html
    assert "it will not be shown again" in html
    token = ApiToken.objects.get(user=people.monitor)
    assert token.name == "monthly dashboard"
    assert before + datetime.timedelta(days=7) <= token.expiry <= timezone.now() + datetime.timedelta(days=7)
    assert _status_with(plain) == 200
    listing = client.get(reverse("tokens")).content.decode()
    assert "monthly dashboard" in listing
    assert token.token_key in listing
    assert plain not in listing
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TOKEN_CREATED)
    assert entry.actor == people.monitor
    assert entry.details["name"] == "monthly dashboard"
    assert entry.details["expiry"] == token.expiry.isoformat()


@pytest.mark.parametrize("days", ["0", "91", "²", "٣", "thirty", "", "-1", "1.5", " 7e1"])
@override_settings(VIGIE_API_TOKEN_MAX_DAYS=90)
def test_a_named_token_needs_a_whole_number_of_days_up_to_the_maximum(people: SimpleNamespace, days: str) -> None:
    response = _signed_in(people.monitor).post(reverse("tokens"), {"name": "script", "days": days})
    assert response.status_code == 200
    assert "Enter a whole number of days from 1 to 90." in response.content.decode()
    assert response.context["new_token"] is None
    assert not ApiToken.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.TOKEN_CREATED).exists()


@override_settings(VIGIE_API_TOKEN_MAX_DAYS=90)
def test_the_maximum_days_are_accepted(people: SimpleNamespace) -> None:
    response = _signed_in(people.monitor).post(reverse("tokens"), {"name": "script", "days": "90"})
    assert response.context["new_token"] is not None
    token = ApiToken.objects.get()
    assert token.expiry - token.created >= datetime.timedelta(days=89, hours=23)


def test_a_named_token_needs_a_name(people: SimpleNamespace) -> None:
    response = _signed_in(people.monitor).post(reverse("tokens"), {"name": "  ", "days": "5"})
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_the_page_lists_only_the_users_own_tokens_and_marks_expired_ones(people: SimpleNamespace) -> None:
    _token(people.monitor, name="mine, alive", expiry=datetime.timedelta(days=1))
    _token(people.monitor, name="mine, expired", expiry=datetime.timedelta(minutes=-5))
    _token(people.supervisor, name="the supervisor's")
    _token(people.monitor, name=LOGIN_TOKEN_NAME)
    html = _signed_in(people.monitor).get(reverse("tokens")).content.decode()
    assert "API sign-in" in html
    assert "mine, alive" in html
    assert "mine, expired" in html
    assert "Expired" in html
    assert "the supervisor" not in html


def test_the_page_reads_tokens_in_a_fixed_number_of_queries(
    people: SimpleNamespace, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for number in range(3):
        _token(people.monitor, name=f"script {number}")
    client = _signed_in(people.monitor)
    # The session, the user, the count of tokens, the page of tokens, the header's unread notifications, and the
    # session saved again (savepoint, update, release: the idle-session clock). Three tokens or fifty, the same.
    with django_assert_max_num_queries(8):
        assert client.get(reverse("tokens")).status_code == 200


def test_the_owner_revokes_a_token_from_the_page_after_confirming(people: SimpleNamespace) -> None:
    token, plain = _token(people.monitor)
    client = _signed_in(people.monitor)
    confirm = client.get(reverse("token-revoke", args=[token.token_key]))
    assert confirm.status_code == 200
    assert ApiToken.objects.filter(pk=token.pk).exists()  # asking is not revoking
    response = client.post(reverse("token-revoke", args=[token.token_key]))
    assert response.status_code == 302
    assert response["Location"] == reverse("tokens")
    assert _status_with(plain) == 401
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TOKEN_REVOKED)
    assert entry.actor == people.monitor
    assert entry.details["name"] == "script"


def test_another_users_token_is_404_on_the_page_and_not_revoked(people: SimpleNamespace) -> None:
    token, plain = _token(people.supervisor, name="the supervisor's script")
    client = _signed_in(people.admin)
    confirm = client.get(reverse("token-revoke", args=[token.token_key]))
    assert confirm.status_code == 404
    assert "the supervisor" not in confirm.content.decode()
    assert client.post(reverse("token-revoke", args=[token.token_key])).status_code == 404
    assert _status_with(plain) == 200


# --- the API


def test_the_api_lists_own_tokens_without_secrets(people: SimpleNamespace, api_client: APIClient) -> None:
    mine, _plain = _token(people.monitor, name="dashboard", expiry=datetime.timedelta(days=2))
    _token(people.supervisor, name="not mine")
    _login, plain = _token(people.monitor, name="login")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    response = api_client.get(TOKENS_API)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["name"] for row in rows} == {"dashboard", "login"}
    row = next(row for row in rows if row["name"] == "dashboard")
    assert set(row) == {"token_key", "name", "created", "expiry", "expired"}
    assert row["token_key"] == mine.token_key
    assert row["expired"] is False
    assert mine.digest not in response.content.decode()
    assert plain not in response.content.decode()


def test_the_owner_revokes_a_token_through_the_api(people: SimpleNamespace, api_client: APIClient) -> None:
    script, script_plain = _token(people.monitor, name="script")
    _login, plain = _token(people.monitor, name="login")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    assert api_client.delete(f"{TOKENS_API}{script.token_key}/").status_code == 204
    assert _status_with(script_plain) == 401
    assert _status_with(plain) == 200
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TOKEN_REVOKED, actor=people.monitor).count() == 1


def test_another_users_token_is_404_through_the_api_and_not_revoked(
    people: SimpleNamespace, api_client: APIClient
) -> None:
    theirs, their_plain = _token(people.supervisor, name="the supervisor's script")
    _mine, plain = _token(people.admin)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    response = api_client.delete(f"{TOKENS_API}{theirs.token_key}/")
    assert response.status_code == 404
    assert "supervisor" not in response.content.decode()
    assert _status_with(their_plain) == 200


def test_a_script_revokes_its_own_token(people: SimpleNamespace, api_client: APIClient) -> None:
    _other, other_plain = _token(people.monitor, name="other")
    _token_row, plain = _token(people.monitor)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    assert api_client.post(REVOKE_OWN_API).status_code == 204
    assert api_client.get(PROBE).status_code == 401
    assert _status_with(other_plain) == 200  # only the token used was revoked


def test_a_session_has_no_token_to_revoke(people: SimpleNamespace) -> None:
    client = _signed_in(people.monitor)
    response = client.post(REVOKE_OWN_API)
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_the_token_endpoints_need_credentials(db: None, api_client: APIClient) -> None:
    assert api_client.get(TOKENS_API).status_code == 401
    assert api_client.post(REVOKE_OWN_API).status_code == 401
    assert api_client.delete(f"{TOKENS_API}abcdef0123456789/").status_code == 401


# --- every token dies with a password change or a deactivation


def _bulk_revocations(user: User) -> list[dict[str, object]]:
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.TOKEN_REVOKED, target_user=user)
    return [entry.details for entry in entries]


def test_tokens_die_when_the_password_is_changed_on_its_page(people: SimpleNamespace) -> None:
    _script, script_plain = _token(people.monitor, expiry=datetime.timedelta(days=30))
    _other, other_plain = _token(people.supervisor)
    new = "Another-horse-2027"
    response = _signed_in(people.monitor).post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert _status_with(script_plain) == 401
    assert not ApiToken.objects.filter(user=people.monitor).exists()
    assert _status_with(other_plain) == 200  # someone else's password did not change
    assert _bulk_revocations(people.monitor) == [{"revoked": REVOKED_ON_PASSWORD_CHANGE, "count": 1}]


def test_tokens_die_with_set_password(people: SimpleNamespace) -> None:
    _script, plain = _token(people.monitor)
    user = User.objects.get(pk=people.monitor.pk)
    user.set_password("Another-horse-2027")
    user.save()
    assert _status_with(plain) == 401
    assert _bulk_revocations(people.monitor) == [{"revoked": REVOKED_ON_PASSWORD_CHANGE, "count": 1}]


def test_tokens_die_with_a_reset_link(people: SimpleNamespace, client: Client) -> None:
    _script, plain = _token(people.monitor)
    uid = urlsafe_base64_encode(force_bytes(people.monitor.pk))
    link = reverse("password_reset_confirm", args=[uid, reset_tokens.make_token(people.monitor)])
    form_url = client.get(link)["Location"]
    new = "Another-horse-2027"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert _status_with(plain) == 401


def test_tokens_die_when_a_superuser_sets_the_password_in_the_django_admin(people: SimpleNamespace) -> None:
    _script, plain = _token(people.monitor)
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    new = "Another-horse-2027"
    response = _signed_in(root).post(
        reverse("admin:auth_user_password_change", args=[people.monitor.pk]),
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert _status_with(plain) == 401
    assert _bulk_revocations(people.monitor) == [{"revoked": REVOKED_ON_PASSWORD_CHANGE, "count": 1}]


def test_tokens_survive_a_save_that_changes_neither_password_nor_activity(people: SimpleNamespace) -> None:
    _script, plain = _token(people.monitor)
    user = User.objects.get(pk=people.monitor.pk)
    user.email = "new@example.org"
    user.save()
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert _status_with(plain) == 200
    assert _bulk_revocations(people.monitor) == []


def test_tokens_survive_an_upgraded_hash_of_the_same_password(people: SimpleNamespace) -> None:
    """Django re-hashes a password at sign-in when its hasher's settings change: not a password change."""
    _script, plain = _token(people.monitor)
    user = User.objects.get(pk=people.monitor.pk)
    assert user.password.startswith("md5$")  # the tests' hasher
    hashers = ["django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=hashers):
        assert user.check_password(PASSWORD)  # saves the hash made with the new first hasher
    assert User.objects.get(pk=user.pk).password.startswith("pbkdf2_sha256$")
    assert _status_with(plain) == 200


def test_tokens_die_with_a_deactivation(people: SimpleNamespace) -> None:
    _script, plain = _token(people.monitor)
    user = User.objects.get(pk=people.monitor.pk)
    user.is_active = False
    user.save()
    assert not ApiToken.objects.filter(user=people.monitor).exists()
    assert _status_with(plain) == 401
    assert _bulk_revocations(people.monitor) == [{"revoked": REVOKED_ON_DEACTIVATION, "count": 1}]


def test_tokens_die_with_the_admins_deactivate_action(people: SimpleNamespace) -> None:
    _script, plain = _token(people.monitor)
    request = RequestFactory().post("/admin/core/user/")
    request.user = people.admin
    request._messages = _NoMessages()  # type: ignore[attr-defined]
    deactivate_users(admin_site._registry[User], request, User.objects.filter(pk=people.monitor.pk))
    assert not User.objects.get(pk=people.monitor.pk).is_active
    assert not ApiToken.objects.filter(user=people.monitor).exists()
    assert _bulk_revocations(people.monitor) == [{"revoked": REVOKED_ON_DEACTIVATION, "count": 1}]


class _NoMessages:
    def add(self, *args: object, **kwargs: object) -> None:
        pass


# --- the schema


def test_the_token_operations_declare_their_errors(db: None, tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(target))
    schema = json.loads(target.read_text())
    paths = schema["paths"]
    assert {"401", "403"} <= set(paths["/api/v1/auth/tokens/"]["get"]["responses"])
    assert {"204", "401", "403", "404"} <= set(paths["/api/v1/auth/tokens/{key}/"]["delete"]["responses"])
    assert {"204", "400", "401", "403"} <= set(paths["/api/v1/auth/token/revoke/"]["post"]["responses"])
    assert "expiry" in schema["components"]["schemas"]["Token"]["properties"]
