"""The monthly report page, role by role."""

from __future__ import annotations

import datetime

import pytest

from core.models import ClosedMonth
from reports.publishing import close_month, publish

URL = "/reports/monthly/"


@pytest.mark.parametrize("role", ["monitor", "supervisor", "gbv", "admin"])
def test_every_role_reads_the_figures_of_its_scope(people, client, data, role):
    client.force_login(getattr(people, role))
    response = client.get(URL, {"month": "2021-12"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "documented protection incidents" in html
    assert 'src="data:image/svg+xml;base64,' in html  # the charts


def test_the_gao_supervisor_reads_gao(people, client, data):
    client.force_login(people.supervisor)
    figures = client.get(URL, {"month": "2021-12"}).context["figures"]
    assert figures["incidents"]["count"] == 2


def test_a_region_outside_the_users_regions_is_refused(people, client, data):
    client.force_login(people.supervisor)
    response = client.get(URL, {"month": "2021-12", "region": "ML05"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_a_malformed_month_says_so(people, client):
    client.force_login(people.admin)
    response = client.get(URL, {"month": "2021-13"})
    assert response.status_code == 400
    assert "Enter a month as YYYY-MM" in response.content.decode()


def test_viewers_see_open_months_not(people, client, data):
    client.force_login(people.viewer)
    response = client.get(URL, {"month": "2021-12"})
    assert response.status_code == 200
    assert "figures" not in response.context
    assert "Only the figures of closed months are published" in response.content.decode()


def test_viewers_see_closed_months_suppressed(people, client, data):
    december = datetime.date(2021, 12, 1)
    close_month(december, by=people.admin, published=publish(december))
    client.force_login(people.viewer)
    response = client.get(URL)  # the latest closed month by default
    assert response.context["month"] == december
    html = response.content.decode()
    assert "&lt;5" in html
    assert "Counts from 1 to 4 are shown" in html
    assert "Close this month" not in html
    assert "Tallies" in html


def test_only_admins_see_close_and_reopen(people, client, data):
    client.force_login(people.supervisor)
    assert "Close this month" not in client.get(URL, {"month": "2021-12"}).content.decode()
    client.force_login(people.admin)
    assert "Close this month" in client.get(URL, {"month": "2021-12"}).content.decode()


def test_closing_from_the_page_runs_the_job(people, client, data, django_capture_on_commit_callbacks):
    client.force_login(people.admin)
    with django_capture_on_commit_callbacks(execute=True):
        # December has records still waiting: the admin says they close anyway (reports/tests/test_checklist.py)
        response = client.post(
            "/reports/months/2021-12/close/", {"note": "Published to the cluster", "acknowledge": "on"}
        )
    assert response.status_code == 302
    assert "/reports/jobs/" in response["Location"]
    closed = ClosedMonth.objects.get(month=datetime.date(2021, 12, 1))
    assert (closed.is_closed, closed.note) == (True, "Published to the cluster")
    job_page = client.get(response["Location"]).content.decode()
    assert "The month is closed" in job_page


def test_reopening_from_the_page_needs_a_reason(people, client, data):
    december = datetime.date(2021, 12, 1)
    close_month(december, by=people.admin, published={})
    client.force_login(people.admin)
    client.post("/reports/months/2021-12/reopen/", {"reason": ""})
    assert ClosedMonth.objects.get(month=december).is_closed
    client.post("/reports/months/2021-12/reopen/", {"reason": "Late reports from Mopti"})
    assert not ClosedMonth.objects.get(month=december).is_closed


def test_french(people, client, data):
    client.force_login(people.admin)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    html = client.get(URL, {"month": "2021-12"}).content.decode()
    assert "Atteinte au droit à la propriété" in html


def test_an_admin_starts_an_export_from_the_page(
    people,
    client,
    data,
    django_capture_on_commit_callbacks,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(people.admin)
    assert client.get("/reports/exports/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/exports/", {"kind": "records", "record_type": "incidents", "month": "2021-12", "format": "csv"}
        )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Download" in page


def test_a_bad_export_request_says_why(people, client):
    client.force_login(people.admin)
    response = client.post("/reports/exports/", {"kind": "report_pdf", "format": "pdf"})
    assert response.status_code == 400
    assert "The report needs a month." in response.content.decode()
