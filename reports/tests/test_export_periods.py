"""Exports by period (issue 14): a month as before, a year, or a range of months, on the API and the exports page;
and an Excel export that would pass a sheet's 1,048,576 rows is refused before it starts."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, cast

import pytest
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from conftest import make_user
from core.models import Job, Organisation, User
from reports import exports
from reports.tests.exporting import EXPORTS_URL, export

PAGE = "/reports/exports/"


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _name(job: Job) -> str:
    return Path(str(job.result.name)).name


def _rows(job: Job) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(job.result.read().decode("utf-8-sig"))))


def _records(api_as: Any, user: Any, capture: DjangoCaptureOnCommitCallbacks, **period: str) -> Job:
    return export(api_as, user, capture, kind="records", format="csv", record_type="incidents", **period)


# The data set (reports/tests/conftest.py): December 2021, 10 rows (8 incidents; Gao 6 rows, Mopti 3,
# Tombouctou 1); November 2021, 2 rows (Gao, Mopti).


def test_a_year_holds_its_months(people, api_as, data, django_capture_on_commit_callbacks) -> None:
    job = _records(api_as, people.admin, django_capture_on_commit_callbacks, year="2021")
    rows = _rows(job)
    assert len(rows) == 12
    assert {row["reported_on"][:7] for row in rows} == {"2021-11", "2021-12"}
    assert _name(job).startswith("vigie-records-incidents-2021")
    assert job.params["year"] == "2021"
    assert _rows(_records(api_as, people.admin, django_capture_on_commit_callbacks, year="2022")) == []


def test_a_range_of_months_is_inclusive(people, api_as, data, django_capture_on_commit_callbacks) -> None:
    november = _records(
        api_as, people.admin, django_capture_on_commit_callbacks, **{"from": "2021-11", "to": "2021-11"}
    )
    assert [row["reported_on"][:7] for row in _rows(november)] == ["2021-11", "2021-11"]
    both = _records(api_as, people.admin, django_capture_on_commit_callbacks, **{"from": "2021-10", "to": "2021-12"})
    assert len(_rows(both)) == 12
    assert "vigie-records-incidents-2021-10-to-2021-12" in _name(both)


def test_a_month_works_as_before(people, api_as, data, django_capture_on_commit_callbacks) -> None:
    job = _records(api_as, people.admin, django_capture_on_commit_callbacks, month="2021-11")
    assert len(_rows(job)) == 2
    assert "vigie-records-incidents-2021-11" in _name(job)
    assert job.params["month"] == "2021-11-01"


def test_a_period_keeps_the_admins_scope(people, api_as, data, lead, django_capture_on_commit_callbacks) -> None:
    mopti_admin = make_user("admin_mopti", "admin", ["ML05"], lead)
    for period in ({"year": "2021"}, {"from": "2021-01", "to": "2021-12"}):
        rows = _rows(_records(api_as, mopti_admin, django_capture_on_commit_callbacks, **period))
        assert len(rows) == 4  # Mopti: December 2 verified rows and 1 rejected, November 1
        assert {row["admin1_pcode"] for row in rows} == {"ML05"}


def test_the_5w_takes_a_year(people, api_as, data, django_capture_on_commit_callbacks) -> None:
    job = export(api_as, people.admin, django_capture_on_commit_callbacks, kind="5w", format="csv", year="2021")
    assert _name(job).endswith("-2021.csv")


@pytest.mark.parametrize(
    ("period", "field", "message"),
    [
        ({"from": "2021-06", "to": "2021-01"}, "to", "ends before it starts"),
        ({"from": "2021-06"}, "to", "both months"),
        ({"to": "2021-06"}, "from", "both months"),
        ({"from": "2021-13", "to": "2022-01"}, "from", "YYYY-MM"),
        ({"from": "2021-01", "to": "3000-01"}, "to", "2100-12"),
        ({"year": "21"}, "year", "YYYY"),
        ({"year": "1800"}, "year", "1900"),
        ({"year": ["2021"]}, "year", "YYYY"),
        ({"year": True}, "year", "YYYY"),
        ({"year": "２０２１"}, "year", "YYYY"),  # full-width digits are no year
        ({"month": "2021-03", "year": "2021"}, "period", "one period"),
        ({"year": "2021", "from": "2021-01", "to": "2021-02"}, "period", "one period"),
    ],
)
def test_a_bad_period_is_400_with_a_message(people, api_as, period, field, message) -> None:
    response = api_as(people.admin).post(EXPORTS_URL, {"kind": "records", "format": "csv", **period}, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Job.objects.exists()


def test_the_report_pdf_needs_a_month_not_a_year(people, api_as) -> None:
    response = api_as(people.admin).post(
        EXPORTS_URL, {"kind": "report_pdf", "format": "pdf", "year": "2021"}, format="json"
    )
    assert response.status_code == 400
    assert "month" in response.json()


def _page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_exports_a_range(people, data, django_capture_on_commit_callbacks) -> None:
    form = {"kind": "records", "record_type": "incidents", "format": "csv", "from": "2021-11", "to": "2021-12"}
    with django_capture_on_commit_callbacks(execute=True):
        response = _page(people.admin).post(PAGE, form)
    assert response.status_code == 302
    job = Job.objects.get()
    assert (job.params["from"], job.params["to"]) == ("2021-11-01", "2021-12-01")
    assert len(_rows(job)) == 12
    assert "2021-11 to 2021-12" in _page(people.admin).get(PAGE).content.decode()  # the period in words


def test_the_page_says_a_range_is_reversed(people) -> None:
    form = {"kind": "records", "record_type": "incidents", "format": "csv", "from": "2021-12", "to": "2021-11"}
    response = _page(people.admin).post(PAGE, form)
    assert response.status_code == 400
    assert "ends before it starts" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize("role", ["supervisor", "outsider", "viewer"])
def test_a_period_does_not_open_exports_to_other_roles(people, api_as, role) -> None:
    user = getattr(people, role)
    assert api_as(user).post(EXPORTS_URL, {"kind": "records", "year": "2021"}, format="json").status_code == 403
    assert _page(user).post(PAGE, {"kind": "records", "format": "csv", "year": "2021"}).status_code == 403


# --- Excel's rows


def test_an_excel_export_past_a_sheet_is_refused_before_it_starts(people, api_as, data, monkeypatch) -> None:
    monkeypatch.setattr(exports, "EXCEL_MAX_ROWS", 10)  # December: 10 rows and the header
    params = {"kind": "records", "record_type": "incidents", "format": "xlsx", "month": "2021-12"}
    response = api_as(people.admin).post(EXPORTS_URL, params, format="json")
    assert response.status_code == 400
    assert "would have 10 rows; an Excel sheet holds 10" in response.json()["format"][0]
    page = _page(people.admin).post(PAGE, params)
    assert page.status_code == 400
    assert "would have 10 rows" in page.content.decode()
    assert not Job.objects.exists()


def test_an_excel_export_that_fits_or_a_csv_starts(
    people, api_as, data, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    monkeypatch.setattr(exports, "EXCEL_MAX_ROWS", 11)
    export(api_as, people.admin, django_capture_on_commit_callbacks, kind="records", format="xlsx", month="2021-12")
    monkeypatch.setattr(exports, "EXCEL_MAX_ROWS", 10)
    export(api_as, people.admin, django_capture_on_commit_callbacks, kind="records", format="csv", month="2021-12")


def test_the_sheet_count_is_the_users_rows(people, data, lead: Organisation) -> None:
    """The count asked before an Excel export is that of the rows the export writes, in the user's scope."""
    mopti_admin = cast(User, make_user("admin_mopti", "admin", ["ML05"], lead))
    for user in (people.admin, mopti_admin):
        for period in (None, "2021-12-01"):
            rows = list(exports.record_rows(user, "incidents", period))
            assert exports.record_count(user, "incidents", exports.as_period(period)) == len(rows) - 1
