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


def _by_code(rows, code):
    return next(row for row in rows if row["code"] == code)


def test_the_december_2021_report_reads_the_updates_assistance_and_sessions_sentences(db, api_as, client):
    """Sentences of the update the report gives by sector, population group, sex and age (issue 15): in the
    figures, the tallies and on the report page."""
    call_command("load_demo", stdout=StringIO())
    admin = User.objects.get(username="admin")
    api = api_as(admin)
    figures = api.get("/api/v1/reports/monthly/", {"month": "2021-12"}).json()

    cash = next(row for row in figures["assistance"] if row["kind"] == "cash")
    assert cash["persons"] == 507  # what the report said before, all sectors together
    # "cash assistance to 51 GBV survivors (including 2 refugees, 30 IDPs and 19 from the host community)"
    survivors = _by_code(cash["by_sector"], "gbv")
    assert survivors["persons"] == 51
    groups = {row["code"]: row["persons"] for row in survivors["by_population_group"]}
    assert groups == {"refugee": 2, "idp": 30, "host": 19}
    # "cash to 292 learners from the SSA/P centers in Gao"
    assert _by_code(cash["by_sector"], "education")["persons"] == 292
    # "This campaign reached 246 refugees, including 155 men and 91 women" (COVID-19 vaccination, Kayes)
    vaccination = next(row for row in figures["assistance"] if row["kind"] == "vaccination")
    campaign = _by_code(vaccination["by_sector"], "covid19")
    assert (campaign["persons"], campaign["by_group"]["women"], campaign["by_group"]["men"]) == (246, 91, 155)
    assert _by_code(campaign["by_population_group"], "refugee")["persons"] == 246

    tallies = api.get("/api/v1/reports/tallies/", {"month": "2021-12"}).json()
    totals = {}
    for row in tallies:
        totals[row["indicator"]] = totals.get(row["indicator"], 0) + row["total"]
    assert (totals["assistance.cash.gbv.persons"], totals["assistance.cash.education.persons"]) == (51, 292)

    # "In Ansongo, the Gao region … 174 IDP women and 58 women from the host community took part"
    gao = api.get("/api/v1/reports/monthly/", {"month": "2021-12", "region": "ML07"}).json()
    awareness = next(row for row in gao["sessions"] if row["kind"] == "awareness")
    by_group = _by_code(awareness["by_sector"], "gbv")["by_population_group"]
    assert (_by_code(by_group, "idp")["by_group"]["women"], _by_code(by_group, "host")["by_group"]["women"]) == (
        174,
        58,
    )

    client.force_login(admin)
    page = client.get("/reports/monthly/", {"month": "2021-12"}).content.decode()
    section = page[page.index('id="assistance-breakdown"') : page.index('id="sessions-breakdown"')]
    assert '<td>Gender-based violence</td><td class="num">0</td><td class="num">51</td>' in section
    assert '<td>Education</td><td class="num">0</td><td class="num">292</td>' in section
    covid = '<td>COVID-19 response</td><td class="num">0</td><td class="num">246</td><td class="num">91</td>'
    assert covid + '<td class="num">0</td><td class="num">155</td>' in section
