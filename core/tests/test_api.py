from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from conftest import PASSWORD
from core.models import User
from core.reference import REFERENCE_LISTS

TOKEN_URL = "/api/v1/auth/token/"  # noqa: S105 -- a URL, not a password


class TestToken:
    def test_right_credentials_give_a_token_that_authenticates(
        self, people: SimpleNamespace, api_client: APIClient
    ) -> None:
        response = api_client.post(TOKEN_URL, {"username": "monitor", "password": PASSWORD}, format="json")
        assert response.status_code == 200
        token = response.json()["token"]
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert api_client.get("/api/v1/reference/population-groups/").status_code == 200

    def test_wrong_password_is_400(self, people: SimpleNamespace, api_client: APIClient) -> None:
        response = api_client.post(TOKEN_URL, {"username": "monitor", "password": "wrong"}, format="json")
        assert response.status_code == 400
        assert "non_field_errors" in response.json()

    def test_missing_fields_are_400_per_field(self, db: None, api_client: APIClient) -> None:
        response = api_client.post(TOKEN_URL, {}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"username", "password"}

    def test_deactivated_user_gets_no_token(self, people: SimpleNamespace, api_client: APIClient) -> None:
        people.monitor.is_active = False
        people.monitor.save()
        response = api_client.post(TOKEN_URL, {"username": "monitor", "password": PASSWORD}, format="json")
        assert response.status_code == 400

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_too_many_failures_are_429_even_with_the_right_password(
        self, people: SimpleNamespace, api_client: APIClient
    ) -> None:
        statuses = [
            api_client.post(TOKEN_URL, {"username": "monitor", "password": "wrong"}, format="json").status_code
            for _ in range(3)
        ]
        assert statuses[:2] == [400, 400]
        assert statuses[2] == 429
        response = api_client.post(TOKEN_URL, {"username": "monitor", "password": PASSWORD}, format="json")
        assert response.status_code == 429
        assert "Too many failed login attempts" in response.json()["detail"]

    def test_no_credentials_is_401_not_403(self, db: None, api_client: APIClient) -> None:
        response = api_client.get("/api/v1/reference/population-groups/")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"

    def test_a_bad_token_is_401(self, db: None, api_client: APIClient) -> None:
        api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
        assert api_client.get("/api/v1/reference/population-groups/").status_code == 401


class TestReferenceLists:
    @pytest.mark.parametrize("slug", [ref.slug for ref in REFERENCE_LISTS])
    def test_every_shipped_list_answers_codes_and_labels(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient], slug: str
    ) -> None:
        # Query budget: the token's user, the list itself.
        response = api_as(people.viewer).get(f"/api/v1/reference/{slug}/")
        assert response.status_code == 200
        entries = response.json()
        assert entries
        assert all(set(entry) == {"code", "label"} for entry in entries)

    def test_violation_types_in_the_lists_order(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient]
    ) -> None:
        codes = [entry["code"] for entry in api_as(people.monitor).get("/api/v1/reference/violation-types/").json()]
        assert codes[:3] == ["forced_displacement_conflict", "forced_displacement_disaster", "movement_restriction"]
        assert len(codes) == 35

    def test_labels_follow_the_users_language(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient]
    ) -> None:
        client = api_as(people.monitor)
        english = client.get("/api/v1/reference/population-groups/", HTTP_ACCEPT_LANGUAGE="en").json()
        french = client.get("/api/v1/reference/population-groups/", HTTP_ACCEPT_LANGUAGE="fr").json()
        assert {"code": "idp", "label": "Internally displaced persons"} in english
        assert {"code": "idp", "label": "Personnes déplacées internes (PDI)"} in french

    def test_admin_areas_add_level_and_parent(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient]
    ) -> None:
        areas = {area["code"]: area for area in api_as(people.monitor).get("/api/v1/reference/admin-areas/").json()}
        assert areas["ML07"] == {"code": "ML07", "label": "Gao", "level": 1, "parent": None}
        assert areas["ML0703"] == {"code": "ML0703", "label": "Gao", "level": 2, "parent": "ML07"}
        assert areas["ML090101"]["parent"] == "ML0901"
        assert len(areas) == 69

    def test_countries_come_from_the_maintained_list_in_both_languages(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient]
    ) -> None:
        client = api_as(people.monitor)
        english = {
            c["code"]: c["label"] for c in client.get("/api/v1/reference/countries/", HTTP_ACCEPT_LANGUAGE="en").json()
        }
        french = {
            c["code"]: c["label"] for c in client.get("/api/v1/reference/countries/", HTTP_ACCEPT_LANGUAGE="fr").json()
        }
        assert english["CI"] == "Côte d'Ivoire"
        assert english["DZ"] == "Algeria"
        assert french["DZ"] == "Algérie"
        assert len(english) > 240

    def test_an_unknown_list_is_404(self, people: SimpleNamespace, api_as: Callable[[User], APIClient]) -> None:
        assert api_as(people.admin).get("/api/v1/reference/planets/").status_code == 404

    def test_query_count_does_not_grow_with_the_list(
        self,
        people: SimpleNamespace,
        api_as: Callable[[User], APIClient],
        django_assert_max_num_queries: DjangoAssertNumQueries,
    ) -> None:
        client = api_as(people.monitor)
        # token + user, the admin areas with their parents in one query
        with django_assert_max_num_queries(3):
            client.get("/api/v1/reference/admin-areas/")


class TestSchema:
    def test_schema_and_docs_answer_a_logged_in_user_and_use_local_assets(
        self, people: SimpleNamespace, client: Client
    ) -> None:
        client.force_login(people.viewer)
        assert client.get("/api/schema/").status_code == 200
        docs = client.get("/api/docs/")
        assert docs.status_code == 200
        html = docs.content.decode()
        assert "cdn" not in html.lower()
        assert "unpkg" not in html.lower()
        assert "/static/drf_spectacular_sidecar/" in html

    def test_docs_send_an_anonymous_user_to_login(self, db: None, client: Client) -> None:
        response = client.get("/api/docs/")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_openapi_schema_is_valid_and_has_no_warnings(db: None, tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/incidents/{id}/verify/" in target.read_text()
