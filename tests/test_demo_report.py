"""The December 2021 report computed from the demo year gives the figures of the operational update
(../shared/seeds/unhcr-mali-operational-update-2021-12.txt), through the report API."""

from io import StringIO

from django.core.management import call_command

from core.models import User


def test_the_december_2021_report_reads_like_the_operational_update(db, api_as):
    call_command("load_demo", stdout=StringIO())
    client = api_as(User.objects.get(username="admin"))
    figures = client.get("/api/v1/reports/monthly/", {"month": "2021-12"}).json()

    assert (figures["incidents"]["count"], figures["incidents"]["previous_month"]) == (373, 531)
    right_to_life = {
        month: next(
            row["incidents"]
            for row in client.get("/api/v1/reports/monthly/", {"month": month}).json()["violations"]["by_category"]
            if row["code"] == "B"
        )
        for month in ("2021-10", "2021-11", "2021-12")
    }
    assert right_to_life == {"2021-10": 31, "2021-11": 23, "2021-12": 61}

    violations = figures["violations"]
    assert violations["year_to_date"] == 6412
    assert violations["year_to_date_by_group"] == {"women": 1152, "girls": 376, "men": 4537, "boys": 339, "unknown": 8}
    shares = [(row["pcode"], row["share_pct"]) for row in violations["year_to_date_by_region"][:3]]
    assert shares == [("ML05", 50.0), ("ML06", 17.0), ("ML07", 16.0)]

    persons = figures["movements"]["persons"]
    assert persons["count"] == 1762
    assert persons["change_pct"] == 29.0
    assert persons["by_group"] == {"women": 283, "girls": 79, "men": 1239, "boys": 161, "unknown": 0}

    nfi = next(row for row in figures["assistance"] if row["kind"] == "nfi_kit")
    assert (nfi["households"], nfi["year_to_date_households"]) == (1386, 5111)
    information = next(row for row in figures["sessions"] if row["kind"] == "information")
    assert (information["sessions"], information["participants"], information["by_group"]["women"]) == (38, 1033, 283)

    kayes = client.get("/api/v1/reports/monthly/", {"month": "2021-12", "region": "ML01"}).json()
    vaccination = next(row for row in kayes["assistance"] if row["kind"] == "vaccination")
    assert (vaccination["persons"], vaccination["by_group"]["women"], vaccination["by_group"]["men"]) == (246, 91, 155)
