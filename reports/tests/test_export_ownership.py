"""An export belongs to the user who started it (SPEC "Access and data protection", API.md "Jobs"): nobody
else — another admin, an admin of a region or of a partner, a superuser — follows its job, downloads its file
or finds it in a list, by token or by session."""

from __future__ import annotations

import itertools
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings
from rest_framework.test import APIClient

from conftest import make_user
from core.models import ApiToken, Job, Organisation, User

URL = "/api/v1/exports/"


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def admins(people: SimpleNamespace, lead: Organisation, partner: Organisation) -> dict[str, User]:
    """Four admins: national, limited to Mopti, of the partner AMSS, and a superuser."""
    root = cast(User, make_user("root", "admin", [], lead))
    root.is_superuser = True
    root.is_staff = True
    root.save()
    return {
        "national": people.admin,
        "mopti": cast(User, make_user("admin_mopti", "admin", ["ML05"], lead)),
        "partner": cast(User, make_user("admin_amss", "admin", [], partner)),
        "superuser": root,
    }


def token_client(user: User) -> APIClient:
    client = APIClient()
    _token, key = ApiToken.objects.create(user=user, name="tests")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def session_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def jobs(
    admins: dict[str, User], data: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> dict[str, Job]:
    """Each admin's own finished export, started through the API like anyone would."""
    started = {}
    for name, user in admins.items():
        with django_capture_on_commit_callbacks(execute=True):
            response = token_client(user).post(
                URL, {"kind": "records", "format": "csv", "record_type": "incidents"}, format="json"
            )
        assert response.status_code == 202, response.json()
        job = Job.objects.get(pk=response.json()["id"])
        assert job.status == "done", job.errors
        assert job.user == user
        started[name] = job
    return started


PAIRS = list(itertools.permutations(["national", "mopti", "partner", "superuser"], 2))


def test_each_admin_follows_and_downloads_their_own_export(admins: dict[str, User], jobs: dict[str, Job]) -> None:
    for name, user in admins.items():
        job = jobs[name]
        answer = token_client(user).get(f"/api/v1/jobs/{job.pk}/")
        assert answer.status_code == 200
        result_url = answer.json()["result_url"]
        assert result_url.endswith(f"/reports/jobs/{job.pk}/download/")
        expected = job.result.open("rb").read()
        job.result.close()
        for client in (token_client(user), session_client(user)):
            response = client.get(result_url)
            assert response.status_code == 200, name
            assert response.getvalue() == expected
        assert session_client(user).get(f"/reports/jobs/{job.pk}/").status_code == 200


@pytest.mark.parametrize(("owner", "other"), PAIRS)
def test_another_admin_gets_404_on_the_job_by_token(
    admins: dict[str, User], jobs: dict[str, Job], owner: str, other: str
) -> None:
    job = jobs[owner]
    client = token_client(admins[other])
    response = client.get(f"/api/v1/jobs/{job.pk}/")
    assert response.status_code == 404
    assert str(job.pk) not in response.content.decode().replace("404", "")
    assert client.get(f"/reports/jobs/{job.pk}/download/").status_code == 404


@pytest.mark.parametrize(("owner", "other"), PAIRS)
def test_another_admin_gets_404_on_the_job_by_session(
    admins: dict[str, User], jobs: dict[str, Job], owner: str, other: str
) -> None:
    job = jobs[owner]
    client = session_client(admins[other])
    assert client.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/reports/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/reports/jobs/{job.pk}/download/").status_code == 404


@pytest.mark.parametrize("name", ["national", "mopti", "partner", "superuser"])
def test_the_exports_page_lists_only_ones_own_exports(admins: dict[str, User], jobs: dict[str, Job], name: str) -> None:
    page = session_client(admins[name]).get("/reports/exports/").content.decode()
    assert f"/reports/jobs/{jobs[name].pk}/download/" in page
    for other, job in jobs.items():
        if other != name:
            assert f"/reports/jobs/{job.pk}/" not in page
            assert f">{admins[other].username}<" not in page


def test_a_closing_job_is_its_starters_too(
    admins: dict[str, User], people: SimpleNamespace, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(admins["national"]).post("/api/v1/reports/months/2021-12/close/")
    assert response.status_code == 202
    pk = response.json()["id"]
    assert token_client(admins["national"]).get(f"/api/v1/jobs/{pk}/").status_code == 200
    for other in ("mopti", "partner", "superuser"):
        assert token_client(admins[other]).get(f"/api/v1/jobs/{pk}/").status_code == 404
        assert session_client(admins[other]).get(f"/reports/jobs/{pk}/").status_code == 404


def test_someone_signed_out_is_sent_to_log_in_for_a_download(admins: dict[str, User], jobs: dict[str, Job]) -> None:
    response = Client().get(f"/reports/jobs/{jobs['national'].pk}/download/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]
