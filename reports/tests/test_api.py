"""The reports API of API.md: monthly figures, tallies, closing and reopening a month, jobs."""

from __future__ import annotations

import csv
import datetime
import io

import hxl
import pytest
from openpyxl import load_workbook

from core.choices import Status
from core.models import ClosedMonth, Job, MonthLog
from incidents.tests.factories import IncidentFactory

MONTHLY = "/api/v1/reports/monthly/"
TALLIES = "/api/v1/reports/tallies/"


def close(api_as, people, month="2021-12", django_capture_on_commit_callbacks=None):
    with django_capture_on_commit_callbacks(execute=True):
        return api_as(people.admin).post(f"/api/v1/reports/months/{month}/close/", {"note": "Published"}, format="json")


class TestMonthly:
    def test_answers_the_figures_with_their_flags(self, people, api_as, data):
        body = api_as(people.supervisor).get(MONTHLY, {"month": "2021-12"}).json()
        assert (body["month"], body["region"], body["closed"], body["suppressed"]) == ("2021-12", None, False, False)
        assert body["incidents"]["count"] == 2

    @pytest.mark.parametrize("month", ["2021-13", "12-2021", "", "2021-1"])
    def test_a_malformed_month_is_400(self, people, api_as, month):
        response = api_as(people.admin).get(MONTHLY, {"month": month})
        assert response.status_code == 400
        assert "month" in response.json()

    def test_region_must_be_a_level_one_pcode(self, people, api_as):
        response = api_as(people.admin).get(MONTHLY, {"month": "2021-12", "region": "ML0701"})
        assert response.status_code == 400
        assert "region" in response.json()

    def test_a_region_outside_the_users_scope_is_404(self, people, api_as):
        assert api_as(people.supervisor).get(MONTHLY, {"month": "2021-12", "region": "ML05"}).status_code == 404

    def test_a_region_gives_one_row_at_100(self, people, api_as, data):
        body = api_as(people.admin).get(MONTHLY, {"month": "2021-12", "region": "ML05"}).json()
        assert body["region"] == "ML05"
        assert body["violations"]["by_region"] == [{"pcode": "ML05", "name": "Mopti", "count": 6, "share_pct": 100.0}]

    @pytest.mark.parametrize("role", ["monitor", "gbv", "supervisor", "admin"])
    def test_every_role_but_viewers_gets_open_months(self, people, api_as, role):
        assert api_as(getattr(people, role)).get(MONTHLY, {"month": "2021-12"}).status_code == 200

    def test_viewers_get_403_for_an_open_month(self, people, api_as):
        assert api_as(people.viewer).get(MONTHLY, {"month": "2021-12"}).status_code == 403

    def test_no_credentials_is_401(self, db, api_client):
        assert api_client.get(MONTHLY, {"month": "2021-12"}).status_code == 401


class TestClosing:
    def test_an_admin_closes_a_month_through_a_job(self, people, api_as, data, django_capture_on_commit_callbacks):
        response = close(api_as, people, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
        assert response.status_code == 202
        assert response.json()["status"] == "queued"
        job = api_as(people.admin).get(f"/api/v1/jobs/{response.json()['id']}/").json()
        assert (job["kind"], job["status"], job["progress"], job["errors"]) == ("close_month", "done", 100, [])
        closed = ClosedMonth.objects.get(month=datetime.date(2021, 12, 1))
        assert closed.is_closed
        assert closed.published["all"]["incidents"]["count"] == 4
        assert MonthLog.objects.filter(action="closed").count() == 1

    @pytest.mark.parametrize("role", ["monitor", "supervisor", "gbv", "viewer"])
    def test_only_admins_close(self, people, api_as, role):
        response = api_as(getattr(people, role)).post("/api/v1/reports/months/2021-12/close/", {}, format="json")
        assert response.status_code == 403
        assert not Job.objects.exists()

    def test_a_closed_month_answers_its_published_figures(
        self,
        people,
        api_as,
        data,
        django_capture_on_commit_callbacks,
    ):
        close(api_as, people, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
        # An admin changes a December record after closing: allowed, flagged.
        IncidentFactory(
            created_by=people.admin,
            status=Status.VERIFIED,
            reported_on=datetime.date(2021, 12, 30),
            changed_after_closing=True,
            violations=[{"type": "murder", "men": 1}],
        )
        client = api_as(people.admin)
        published = client.get(MONTHLY, {"month": "2021-12"}).json()
        current = client.get(MONTHLY, {"month": "2021-12", "current": "true"}).json()
        assert (published["closed"], published["changed_since_closing"]) == (True, True)
        assert published["incidents"]["count"] == 4
        assert current["incidents"]["count"] == 5

    def test_viewers_see_closed_months_suppressed(self, people, api_as, data, django_capture_on_commit_callbacks):
        close(api_as, people, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
        body = api_as(people.viewer).get(MONTHLY, {"month": "2021-12"}).json()
        assert body["suppressed"] is True
        assert body["closed"] is True
        assert body["incidents"]["count"] is None  # 4
        assert body["violations"]["by_group"]["women"] is None  # 1
        # December's men (11) is hidden too: the other groups are all under 5, so it would give them away
        assert body["violations"]["by_group"]["men"] is None
        assert body["violations"]["year_to_date_by_group"]["men"] == 13  # a figure that gives nothing away shows
        # viewers get the published figures only (reports/tests/test_suppression_holds.py tests the rest)
        assert api_as(people.viewer).get(MONTHLY, {"month": "2021-12", "current": "true"}).status_code == 403

    def test_a_non_admins_write_into_a_closed_month_is_409(self, people, api_as, django_capture_on_commit_callbacks):
        draft = IncidentFactory(created_by=people.monitor, reported_on=datetime.date(2021, 12, 4))
        close(api_as, people, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
        client = api_as(people.monitor)
        response = client.patch(f"/api/v1/incidents/{draft.pk}/", {"version": 1, "locality": "X"}, format="json")
        assert response.status_code == 409
        assert "closed" in response.json()["detail"]
        assert client.post(f"/api/v1/incidents/{draft.pk}/submit/").status_code == 409
        body = {
            "reported_on": "2021-12-06",
            "place": "ML0701",
            "violations": [{"type": "threat", "population_group": "idp", "men": 1}],
        }
        assert client.post("/api/v1/incidents/", body, format="json").status_code == 409
        moved = client.patch(
            f"/api/v1/incidents/{draft.pk}/", {"version": 1, "reported_on": "2022-01-04"}, format="json"
        )
        assert moved.status_code == 409  # out of a closed month is a change to it too

    def test_an_admins_write_is_allowed_and_flagged(self, people, api_as, django_capture_on_commit_callbacks):
        submitted = IncidentFactory(
            created_by=people.monitor, reported_on=datetime.date(2021, 12, 4), status=Status.SUBMITTED
        )
        close(api_as, people, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
        response = api_as(people.admin).post(f"/api/v1/incidents/{submitted.pk}/verify/")
        assert response.status_code == 200
        assert response.json()["changed_after_closing"] is True

    def test_reopening_needs_a_reason_and_is_logged(self, people, api_as, django_capture_on_commit_callbacks):
        close(api_as, people, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
        client = api_as(people.admin)
        assert client.post("/api/v1/reports/months/2021-12/reopen/", {}, format="json").status_code == 400
        response = client.post(
            "/api/v1/reports/months/2021-12/reopen/", {"reason": "Late Mopti reports"}, format="json"
        )
        assert response.status_code == 200
        assert response.json() == {"month": "2021-12", "closed": False}
        assert MonthLog.objects.get(action="reopened").reason == "Late Mopti reports"
        assert (
            client.post("/api/v1/reports/months/2021-12/reopen/", {"reason": "again"}, format="json").status_code == 409
        )
        assert (
            api_as(people.supervisor)
            .post("/api/v1/reports/months/2021-12/reopen/", {"reason": "x"}, format="json")
            .status_code
            == 403
        )

    def test_closing_a_closed_month_is_409(self, people, api_as, django_capture_on_commit_callbacks):
        close(api_as, people, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
        assert (
            close(api_as, people, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks).status_code
            == 409
        )

    def test_a_job_is_for_its_owner_and_admins(self, people, api_as, django_capture_on_commit_callbacks):
        job_id = close(api_as, people, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks).json()[
            "id"
        ]
        assert api_as(people.supervisor).get(f"/api/v1/jobs/{job_id}/").status_code == 404
        assert api_as(people.admin).get("/api/v1/jobs/999999/").status_code == 404


class TestTallies:
    def rows(self, response) -> list[list[str]]:
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    def test_csv_has_the_header_then_hxl_hashtags(self, people, api_as, data):
        response = api_as(people.admin).get(TALLIES, {"month": "2021-12", "format": "csv"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = self.rows(response)
        assert rows[0] == [
            "month",
            "admin1_pcode",
            "admin1_name",
            "indicator",
            "women",
            "girls",
            "men",
            "boys",
            "unknown",
            "total",
        ]
        assert rows[1][0] == "#date +reported"
        assert rows[1][-1] == "#indicator +value +num"

    def test_totals_equal_the_monthly_figures(self, people, api_as, data):
        client = api_as(people.admin)
        rows = {
            (row["admin1_pcode"], row["indicator"]): row for row in client.get(TALLIES, {"month": "2021-12"}).json()
        }
        assert rows[("ML07", "incidents")]["total"] == 2
        assert rows[("ML07", "incidents")]["women"] is None
        assert rows[("ML05", "violations")]["total"] == 6  # collective once + 5 people
        assert rows[("ML07", "violations.E")]["total"] == 4
        assert rows[("ML07", "incidents.C")]["total"] == 1
        assert rows[("ML07", "gbv_referrals")]["total"] == 2
        figures = client.get(MONTHLY, {"month": "2021-12"}).json()
        violations_total = sum(row["total"] for key, row in rows.items() if key[1] == "violations")
        assert violations_total == figures["violations"]["count"]

    def test_csv_parses_as_hxl(self, people, api_as, data):
        content = api_as(people.admin).get(TALLIES, {"year": "2021", "format": "csv"}).content
        dataset = hxl.data(io.BytesIO(content.removeprefix("\ufeff".encode())))
        rows = list(dataset)
        assert "#indicator+code" in [str(column) for column in dataset.columns]
        incidents = sum(int(row.get("#indicator+value")) for row in rows if row.get("#indicator+code") == "incidents")
        assert incidents == 6  # November 2 + December 4

    def test_excel_opens_with_the_same_numbers(self, people, api_as, data):
        response = api_as(people.admin).get(TALLIES, {"month": "2021-12", "format": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = list(sheet.values)
        assert values[1][0] == "#date +reported"
        csv_rows = self.rows(api_as(people.admin).get(TALLIES, {"month": "2021-12", "format": "csv"}))
        assert [[str(cell) if cell is not None else "" for cell in row] for row in values] == csv_rows

    @pytest.mark.parametrize("role", ["monitor", "gbv"])
    def test_monitors_and_focal_points_may_not_export(self, people, api_as, role):
        assert api_as(getattr(people, role)).get(TALLIES, {"month": "2021-12"}).status_code == 403

    def test_viewers_get_closed_months_suppressed(self, people, api_as, data, django_capture_on_commit_callbacks):
        assert api_as(people.viewer).get(TALLIES, {"month": "2021-12"}).status_code == 403
        close(api_as, people, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
        rows = api_as(people.viewer).get(TALLIES, {"month": "2021-12"}).json()
        gao = next(row for row in rows if row["admin1_pcode"] == "ML07" and row["indicator"] == "incidents")
        assert gao["total"] == "<5"

    def test_suppression_on_request(self, people, api_as, data):
        rows = api_as(people.admin).get(TALLIES, {"month": "2021-12", "suppress_small_counts": "true"}).json()
        violations = next(row for row in rows if row["admin1_pcode"] == "ML07" and row["indicator"] == "violations")
        # women 1, men 6: the lone small cell takes men with it ("x": hidden to protect it); the total 7 stays
        assert (violations["women"], violations["men"], violations["total"]) == ("<5", "x", 7)

    def test_a_bad_period_is_400(self, people, api_as):
        assert api_as(people.admin).get(TALLIES, {"month": "2021-14"}).status_code == 400
        assert api_as(people.admin).get(TALLIES, {"year": "21"}).status_code == 400
