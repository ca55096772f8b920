"""Reading a closed month on the report page: when it was closed, by whom and with what notes; its figures as published
beside the figures as now wherever they differ; the records changed since, for admins; and the viewers' list of
published months (reports.closed_months and the page)."""

from __future__ import annotations

import datetime
import html as html_text
import re
from typing import Any, cast

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from conftest import make_user
from core import workflow
from core.choices import Status
from core.models import ClosedMonth, User
from incidents.models import GbvReferral, Incident
from reports.closed_months import differences
from reports.publishing import close_month, publish, reopen_month

URL = "/reports/monthly/"
DECEMBER, NOVEMBER = datetime.date(2021, 12, 1), datetime.date(2021, 11, 1)


def _close(month: datetime.date, by: Any, note: str = "") -> None:
    close_month(month, by=by, published=publish(month), note=note)


def _text(html: str) -> str:
    """The page's words, tags left out and spaces collapsed."""
    return re.sub(r"\s+", " ", html_text.unescape(re.sub(r"<[^>]+>", " ", html)))


def _verify_the_submitted_gao_incident(admin: Any) -> Incident:
    """The data set's December incident still waiting for review (Gao, threat, 9 men), verified after closing."""
    incident = Incident.objects.get(status=Status.SUBMITTED, reported_on__month=12)
    return workflow.take_step(incident, "verify", by=admin)


# --- as published, as now


def test_only_the_figures_that_differ_are_listed_with_both_values() -> None:
    published = {
        "month": "2021-12",
        "closed": True,
        "pending_review": {"incidents": 1, "gbv_referrals": 0},
        "incidents": {"count": 4, "previous_month": 2, "change_pct": 100.0, "year_to_date": 6},
        "violations": {
            "count": 16,
            "by_group": {"women": 1, "girls": 2, "men": 12, "boys": 1, "unknown": 0},
            "by_type": [
                {"code": "threat", "label": "Threat", "count": 2, "incidents": 1},
                {"code": "arson", "label": "Arson", "count": 1, "incidents": 1},
            ],
            "by_region": [{"pcode": "ML07", "name": "Gao", "count": 7, "share_pct": 43.8}],
        },
        "trend": [{"month": "2021-12", "incidents": 4, "violations": 16}],
    }
    now = {
        "month": "2021-12",
        "closed": True,
        "pending_review": {"incidents": 0, "gbv_referrals": 0},
        "incidents": {"count": 5, "previous_month": 3, "change_pct": 66.7, "year_to_date": 7},
        "violations": {
            "count": 25,
            "by_group": {"women": 1, "girls": 2, "men": 21, "boys": 1, "unknown": 0},
            "by_type": [
                {"code": "threat", "label": "Threat", "count": 11, "incidents": 2},
                {"code": "murder", "label": "Murder", "count": 1, "incidents": 1},
            ],
            "by_region": [{"pcode": "ML07", "name": "Gao", "count": 16, "share_pct": 64.0}],
        },
        "trend": [{"month": "2021-12", "incidents": 5, "violations": 25}],
    }

    with translation.override("en"):
        found = [(row.section, row.figure, row.published, row.now) for row in differences(published, now)]

    assert found == [
        ("Protection incidents", "this month", 4, 5),
        ("Protection incidents", "since January", 6, 7),
        ("Violations", "this month", 16, 25),
        ("Violations", "by sex and age · Men", 12, 21),
        ("Violations", "by type · Threat", 2, 11),
        ("Violations", "by type · Threat · incidents", 1, 2),
        ("Violations", "by type · Arson", 1, 0),  # a row only the published answer lists is 0 now
        ("Violations", "by type · Arson · incidents", 1, 0),
        ("Violations", "by type · Murder", 0, 1),  # a row only today's answer lists was 0 when published
        ("Violations", "by type · Murder · incidents", 0, 1),
        ("Violations", "by region · Gao", 7, 16),
        ("Records still waiting for review", "incidents", 1, 0),  # last, as on the page
    ]  # the month before, percentages, shares and the trend are other months' or worked out: not compared
    assert differences(published, published) == []


# --- the page, role by role


def test_the_page_says_when_who_and_the_note(people: Any, client: Any, data: None) -> None:
    _close(DECEMBER, people.admin, note="Sent to the cluster on 10 January.")
    client.force_login(people.supervisor)
    text = _text(client.get(URL, {"month": "2021-12"}).content.decode())
    closed_at = ClosedMonth.objects.get(month=DECEMBER).closed_at
    assert f"Closed and published on {closed_at:%-d %B %Y} by admin." in text
    assert "Sent to the cluster on 10 January." in text


def test_staff_read_the_months_closings_and_reopenings_viewers_not(people: Any, client: Any, data: None) -> None:
    _close(DECEMBER, people.admin)
    reopen_month(DECEMBER, by=people.admin, reason="Late reports from Mopti")
    _close(DECEMBER, people.admin, note="Closed again with Mopti's reports.")
    client.force_login(people.monitor)
    text = _text(client.get(URL, {"month": "2021-12"}).content.decode())
    assert "Closings and reopenings of this month" in text
    assert "Late reports from Mopti" in text
    assert "Closed again with Mopti's reports." in text

    client.force_login(people.viewer)
    text = _text(client.get(URL, {"month": "2021-12"}).content.decode())
    assert "Closed and published on" in text
    assert "Closed again with Mopti's reports." in text  # the note goes with the published month
    assert "Late reports from Mopti" not in text  # why it was reopened stays with the staff


def test_an_open_month_says_nothing_of_a_closing(people: Any, client: Any, data: None) -> None:
    client.force_login(people.admin)
    response = client.get(URL, {"month": "2021-12"})
    assert "closing_facts" not in response.context
    assert "Closed and published on" not in response.content.decode()


def test_an_admins_change_after_closing_shows_beside_the_published_figures(
    people: Any, client: Any, data: None
) -> None:
    _close(DECEMBER, people.admin)
    incident = _verify_the_submitted_gao_incident(people.admin)
    client.force_login(people.admin)
    response = client.get(URL, {"month": "2021-12"})
    assert response.context["figures"]["incidents"]["count"] == 4  # the page reads as published
    rows = {(row.section, row.figure): (row.published, row.now) for row in response.context["differences"]}
    assert rows[("Protection incidents", "this month")] == (4, 5)
    assert rows[("Violations", "this month")] == (17, 26)
    assert rows[("Violations", "by sex and age · Men")] == (11, 20)
    assert rows[("Records still waiting for review", "incidents")] == (1, 0)
    text = _text(response.content.decode())
    assert "Published figures that differ from the records now Section Figure As published As now Change" in text
    assert "Protection incidents this month 4 5 +1" in text

    # the record, who, when, what
    changes = response.context["changes"]
    assert [record.label for record in changes.records] == [f"Incident #{incident.pk}"]
    assert f'href="/incidents/{incident.pk}/"' in response.content.decode()
    assert "1 record changed since the month was closed" in text
    assert "Verified (Submitted → Verified) by admin" in text


def test_a_supervisor_sees_the_differences_in_their_scope_but_not_the_records_list(
    people: Any, client: Any, data: None
) -> None:
    _close(DECEMBER, people.admin)
    _verify_the_submitted_gao_incident(people.admin)

    client.force_login(people.supervisor)  # Gao
    response = client.get(URL, {"month": "2021-12"})
    rows = {(row.section, row.figure): (row.published, row.now) for row in response.context["differences"]}
    assert rows[("Protection incidents", "this month")] == (2, 3)  # Gao's
    assert response.context["changes"] is None
    assert "changed since the month was closed" not in response.content.decode()

    client.force_login(people.outsider)  # Mopti: nothing of theirs changed
    response = client.get(URL, {"month": "2021-12"})
    assert response.context["current"] is None
    assert response.context["differences"] == []
    assert "As published" not in response.content.decode()


def test_viewers_get_the_published_figures_only(people: Any, client: Any, data: None) -> None:
    _close(DECEMBER, people.admin)
    _verify_the_submitted_gao_incident(people.admin)
    client.force_login(people.viewer)
    response = client.get(URL, {"month": "2021-12"})
    assert response.context["current"] is None
    assert response.context["changes"] is None
    html = response.content.decode()
    assert "As now" not in html
    assert "changed since the month was closed" not in html


def test_a_gbv_referral_changed_after_closing_is_counted_for_the_admin_never_shown(
    people: Any, client: Any, data: None, lead: Any
) -> None:
    _close(DECEMBER, people.admin)
    second_focal_point = cast(User, make_user("gbv_second", "gbv_focal_point", ["ML07"], lead))
    referral = GbvReferral.objects.get(status=Status.SUBMITTED)
    workflow.take_step(referral, "verify", by=second_focal_point)  # a survivor's case: allowed, flagged
    client.force_login(people.admin)
    response = client.get(URL, {"month": "2021-12"})
    assert response.context["changes"].records == []
    assert response.context["changes"].unreadable == {"GBV referrals": 1}
    html = response.content.decode()
    assert "GBV referrals changed since closing: 1." in _text(html)
    assert referral.survivor_code not in html
    assert f"/gbv/{referral.pk}/" not in html


def test_the_records_changed_since_closing_cost_the_same_queries_however_many(
    people: Any, client: Any, data: None
) -> None:
    """Three queries a record type (the records, those counted in the scope, their history since closing), whether
    one record changed or four: no query per record."""
    _close(DECEMBER, people.admin)
    verified = list(Incident.objects.filter(reported_on__month=12, status=Status.VERIFIED).order_by("pk"))
    assert len(verified) == 4
    client.force_login(people.admin)

    def change(incidents: list[Incident]) -> None:
        for incident in incidents:
            workflow.log_event(incident, by=people.admin, action="commented", comment="Checked after closing")
        Incident.objects.filter(pk__in=[incident.pk for incident in incidents]).update(changed_after_closing=True)

    def page_queries() -> tuple[int, int]:
        client.get(URL, {"month": "2021-12"})  # warm: what Django caches for the process (content types …)
        cache.clear()  # the closed month's answers, cached per scope: read again each time
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"month": "2021-12"})
        return len(response.context["changes"].records), len(queries)

    change(verified[:1])
    one = page_queries()
    change(verified[1:])
    four = page_queries()
    assert (one[0], four[0]) == (1, 4)
    assert four[1] == one[1]


# --- the viewers' list of published months


def test_viewers_choose_among_the_published_months_newest_first(people: Any, client: Any, data: None) -> None:
    _close(NOVEMBER, people.admin)
    _close(DECEMBER, people.admin)
    client.force_login(people.viewer)
    response = client.get(URL)
    assert response.context["month"] == DECEMBER  # the latest, by default
    html = response.content.decode()
    options = re.findall(r'<option value="([0-9-]+)"( selected)?>([^<]+)</option>', html)
    assert options == [("2021-12", " selected", "December 2021"), ("2021-11", "", "November 2021")]
    response = client.get(URL, {"month": "2021-11"})
    assert response.context["month"] == NOVEMBER
    assert response.context["figures"]["suppressed"] is True


def test_a_viewer_is_told_when_nothing_is_published_yet(people: Any, client: Any, data: None) -> None:
    client.force_login(people.viewer)
    response = client.get(URL)
    assert "figures" not in response.context
    html = response.content.decode()
    assert "Only the figures of closed months are published, and no month is closed yet." in html
    assert 'value="2021-' not in html


@pytest.mark.parametrize("role", ["monitor", "supervisor", "admin"])
def test_staff_pick_any_month_and_get_links_to_the_closed_ones(people: Any, client: Any, data: None, role: str) -> None:
    _close(DECEMBER, people.admin)
    client.force_login(getattr(people, role))
    html = client.get(URL, {"month": "2021-11"}).content.decode()
    assert 'type="month"' in html
    assert 'Closed months: <a href="?month=2021-12">2021-12</a>' in html


def test_in_french(people: Any, client: Any, data: None) -> None:
    _close(DECEMBER, people.admin, note="Envoyé au cluster.")
    _verify_the_submitted_gao_incident(people.admin)
    client.force_login(people.admin)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    text = _text(client.get(URL, {"month": "2021-12"}).content.decode())
    assert "Clôturé et publié le" in text
    assert "Tel que publié" in text
    assert "Incidents de protection ce mois-ci 4 5 +1" in text
