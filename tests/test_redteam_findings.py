"""Findings of a red-team read of issue 10's fixes, each on real records and real users (API.md, SPEC.md)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings
from rest_framework.test import APIClient

from core.models import ApiToken, Job, User


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def token_client(user: User) -> APIClient:
    client = APIClient()
    _token, key = ApiToken.objects.create(user=user, name="tests")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_an_export_downloaded_by_token_is_not_kept_by_browsers_or_proxies(
    people: SimpleNamespace, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    """API.md: answers that hold records carry `Cache-Control: no-store`; result_url downloads by token too, and
    that URL is not under /api/."""
    admin: User = people.admin
    client = token_client(admin)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            "/api/v1/exports/", {"kind": "records", "format": "csv", "record_type": "incidents"}, format="json"
        )
    assert started.status_code == 202
    job = Job.objects.get(pk=started.json()["id"])
    assert job.status == "done", job.errors
    result_url = client.get(f"/api/v1/jobs/{job.pk}/").json()["result_url"]

    response = client.get(result_url)

    assert response.status_code == 200
    assert "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_tallies_error_asked_as_a_file_is_a_json_message(people: SimpleNamespace, file_format: str) -> None:
    """API.md: a malformed `month` is a 400 with a message per field, whatever `format=` asked for (it was the
    Python repr of the error, served as text/csv or as a broken Excel file)."""
    client = token_client(people.admin)

    response = client.get("/api/v1/reports/tallies/", {"month": "2021-13", "format": file_format})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert list(response.json()) == ["month"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_viewer_refused_tallies_as_a_file_gets_a_json_message(people: SimpleNamespace, file_format: str) -> None:
    """Viewers get closed months only (403 for an open one): the refusal is a JSON `detail`, not a repr."""
    client = token_client(people.viewer)

    response = client.get("/api/v1/reports/tallies/", {"month": "2021-12", "format": file_format})

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert "ErrorDetail" not in response.content.decode("utf-8", "replace")
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize(
    "collection", ["incidents", "gbv-referrals", "movements", "assistance", "sessions"], ids=lambda name: name
)
@pytest.mark.parametrize("bound", ["0001-01-01", "1899-12-31", "2101-01-01"])
def test_a_date_filter_outside_1900_to_2100_is_a_400(people: SimpleNamespace, collection: str, bound: str) -> None:
    """API.md: a date before 1900 or after 2100 is a 400, in a list filter as anywhere else."""
    month_field = {
        "incidents": "reported_on",
        "gbv-referrals": "reported_on",
        "movements": "identified_on",
        "assistance": "delivered_on",
        "sessions": "held_on",
    }[collection]
    user: User = people.gbv if collection == "gbv-referrals" else people.supervisor
    client = token_client(user)
    for suffix in ("after", "before"):
        response = client.get(f"/api/v1/{collection}/", {f"{month_field}_{suffix}": bound})
        assert response.status_code == 400, (suffix, response.content)
        assert f"{month_field}_{suffix}" in response.json()
    assert client.get(f"/api/v1/{collection}/", {f"{month_field}_after": "1900-01-01"}).status_code == 200


@pytest.mark.parametrize("year", ["２０２１", "²⁰²¹", "021", "20211"])
def test_a_tallies_year_in_other_digits_is_a_400(people: SimpleNamespace, year: str) -> None:
    """str.isdigit() is true for full-width and superscript digits; a year is four ASCII digits."""
    response = token_client(people.admin).get("/api/v1/reports/tallies/", {"year": year})
    assert response.status_code == 400
    assert "year" in response.json()


@pytest.mark.parametrize(
    ("year", "status"), [("1899", 400), ("1900", 200), ("2100", 200), ("2101", 400), ("2150", 400)]
)
def test_a_tallies_year_follows_the_one_range_of_months(people: SimpleNamespace, year: str, status: int) -> None:
    """API.md: a date or month before 1900 or after 2100 is a 400; `year=` asks for the months of that year."""
    response = token_client(people.admin).get("/api/v1/reports/tallies/", {"year": year})
    assert response.status_code == status, response.content[:200]
