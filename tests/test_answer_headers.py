"""What every answer says about itself (API.md): `Cache-Control: no-store` on everything a signed-in user gets,
page or API; an explicit `format=` wins over `Accept`."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.choices import Status
from core.models import User
from incidents.models import Incident
from incidents.tests.factories import IncidentFactory


@pytest.fixture
def incident(people: Any) -> Any:
    return IncidentFactory(created_by=people.monitor, status=Status.VERIFIED)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/incidents/",
        "/incidents/{pk}/",
        "/incidents/{pk}/edit/",
        "/review/",
        "/reports/monthly/?month=2021-12",
        "/notifications/",
        "/api/v1/incidents/",
        "/api/v1/incidents/{pk}/",
        "/api/v1/reports/monthly/?month=2021-12",
    ],
)
def test_pages_and_api_answers_to_a_signed_in_user_are_never_stored(
    people: SimpleNamespace, incident: Incident, url: str
) -> None:
    response = signed_in(people.supervisor).get(url.format(pk=incident.pk))
    assert response.status_code == 200, url
    assert "no-store" in response["Cache-Control"]


def test_api_answers_by_token_are_never_stored(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], incident: Incident
) -> None:
    client = api_as(people.admin)
    for url in (f"/api/v1/incidents/{incident.pk}/", "/api/v1/reports/tallies/?month=2021-12&format=csv"):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url
    # A refusal is not stored either.
    assert "no-store" in client.get("/api/v1/reports/monthly/?month=x")["Cache-Control"]


def test_static_files_may_still_be_cached(db: None) -> None:
    response = Client().get("/static/css/vigie.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize(("wanted", "content_type"), [("csv", "text/csv"), ("xlsx", "application/vnd.openxml")])
@pytest.mark.parametrize("accept", ["application/json", "text/html", "application/json; q=1.0, */*; q=0.1"])
def test_an_explicit_format_wins_over_accept_on_the_tallies(
    people: SimpleNamespace,
    api_as: Callable[[User], APIClient],
    incident: Incident,
    wanted: str,
    content_type: str,
    accept: str,
) -> None:
    response = api_as(people.admin).get(
        "/api/v1/reports/tallies/", {"month": "2021-12", "format": wanted}, HTTP_ACCEPT=accept
    )
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"].endswith(f'.{wanted}"')


def test_without_format_accept_still_chooses(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], incident: Incident
) -> None:
    client = api_as(people.admin)
    assert client.get("/api/v1/reports/tallies/", {"month": "2021-12"}, HTTP_ACCEPT="text/csv")[
        "Content-Type"
    ].startswith("text/csv")
    assert client.get("/api/v1/reports/tallies/", {"month": "2021-12"})["Content-Type"] == "application/json"
    assert client.get("/api/v1/reports/tallies/", {"month": "2021-12", "format": "pdf"}).status_code == 404
