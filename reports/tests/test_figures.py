"""Monthly figures computed on a hand-built data set, compared with values worked out by hand.

Two months (November and December 2021), three regions (Gao ML07, Mopti ML05, Tombouctou ML06), records in
every status; only verified ones count.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.choices import Status
from incidents.tests.factories import IncidentFactory
from reports.figures import change_pct, monthly_figures, share_pct
from reports.tests.conftest import day, place

DEC = datetime.date(2021, 12, 1)


def test_rounding_is_half_away_from_zero():
    assert change_pct(373, 531) == -29.8
    assert change_pct(1762, 1366) == 29.0
    assert change_pct(5, 0) is None
    assert share_pct(1, 16) == 6.3  # 6.25: half away from zero, not to even
    assert change_pct(15, 16) == -6.3  # -6.25
    assert share_pct(0, 0) is None


def test_incidents(people, data):
    figures = monthly_figures(user=people.admin, month=DEC)
    assert figures["incidents"] == {
        "count": 4,
        "previous_month": 2,
        "change_pct": 100.0,
        "year_to_date": 6,
        "occurred_earlier": 1,
        "by_region": [
            {"pcode": "ML07", "name": "Gao", "count": 2, "share_pct": 50.0},
            {"pcode": "ML05", "name": "Mopti", "count": 1, "share_pct": 25.0},
            {"pcode": "ML06", "name": "Tombouctou", "count": 1, "share_pct": 25.0},
        ],
    }
    assert figures["pending_review"] == {
        "incidents": 1,
        "gbv_referrals": 1,
        "movements": 0,
        "assistance": 0,
        "sessions": 0,
        "alerts": 0,  # API.md lets the answer add fields: the record types declared since (flash alerts) follow
    }


def test_records_waiting_for_review_are_counted_in_one_query(people, data, django_assert_num_queries):
    from reports.figures import Period, Scope, pending_review  # noqa: PLC0415

    # one UNION ALL of a count per record type (the supervisor's regions are read once, before)
    scope = Scope(people.supervisor)
    people.supervisor.region_pcodes()
    with django_assert_num_queries(1):
        counts = pending_review(scope, Period(DEC))
    assert counts == {"incidents": 1, "gbv_referrals": 1, "movements": 0, "assistance": 0, "sessions": 0, "alerts": 0}


def test_violations_count_people_and_collective_ones_once(people, data):
    violations = monthly_figures(user=people.admin, month=DEC)["violations"]
    assert (violations["count"], violations["previous_month"], violations["change_pct"]) == (17, 4, 325.0)
    assert violations["year_to_date"] == 21
    assert violations["by_group"] == {"women": 1, "girls": 2, "men": 11, "boys": 1, "unknown": 1}
    assert violations["year_to_date_by_group"] == {"women": 3, "girls": 2, "men": 13, "boys": 1, "unknown": 1}
    assert [(row["code"], row["count"], row["incidents"]) for row in violations["by_category"]] == [
        ("E", 9, 2),
        ("C", 6, 2),
        ("A", 1, 1),
        ("B", 1, 1),
    ]
    assert [(row["code"], row["count"]) for row in violations["by_type"]] == [
        ("illegal_tax", 5),
        ("assault_injury", 4),
        ("theft_extortion", 4),
        ("threat", 2),
        ("forced_displacement_conflict", 1),
        ("murder", 1),
    ]
    collective = next(row for row in violations["by_type"] if row["code"] == "forced_displacement_conflict")
    assert collective["persons_affected"] == 100
    assert violations["by_region"] == [
        {"pcode": "ML07", "name": "Gao", "count": 7, "share_pct": 41.2},
        {"pcode": "ML05", "name": "Mopti", "count": 6, "share_pct": 35.3},
        {"pcode": "ML06", "name": "Tombouctou", "count": 4, "share_pct": 23.5},
    ]
    assert [(row["pcode"], row["count"], row["share_pct"]) for row in violations["year_to_date_by_region"]] == [
        ("ML07", 9, 42.9),
        ("ML05", 8, 38.1),
        ("ML06", 4, 19.0),
    ]


def test_labels_follow_the_language(people, data):
    with translation.override("fr"):
        violations = monthly_figures(user=people.admin, month=DEC)["violations"]
    assert violations["by_category"][0]["label"] == "Atteinte au droit à la propriété"


def test_trend_covers_twelve_months_oldest_first(people, data):
    trend = monthly_figures(user=people.admin, month=DEC)["trend"]
    assert [row["month"] for row in trend][:2] == ["2021-01", "2021-02"]
    assert len(trend) == 12
    assert trend[-2:] == [
        {"month": "2021-11", "incidents": 2, "violations": 4},
        {"month": "2021-12", "incidents": 4, "violations": 17},
    ]


def test_gbv_referrals_without_consent_to_reporting_are_excluded(people, data):
    gbv = monthly_figures(user=people.admin, month=DEC)["gbv_referrals"]
    assert gbv["count"] == 2
    assert gbv["excluded_without_consent"] == 1
    assert [(row["code"], row["count"]) for row in gbv["by_incident_type"]] == [("physical_assault", 1), ("rape", 1)]
    assert [(row["code"], row["count"]) for row in gbv["by_service"]] == [
        ("health", 1),
        ("legal", 1),
        ("psychosocial", 1),
    ]
    assert gbv["by_group"] == {"women": 0, "girls": 1, "men": 0, "boys": 0, "unknown": 1}


def test_scope_is_the_users_regions(people, data):
    gao = monthly_figures(user=people.supervisor, month=DEC)
    assert gao["incidents"]["count"] == 2
    assert gao["incidents"]["by_region"] == [{"pcode": "ML07", "name": "Gao", "count": 2, "share_pct": 100.0}]
    assert gao["violations"]["count"] == 7


def test_a_region_narrows_every_figure(people, data):
    mopti = monthly_figures(user=people.admin, month=DEC, region=place("ML05"))
    assert (mopti["region"], mopti["incidents"]["count"], mopti["violations"]["count"]) == ("ML05", 1, 6)
    assert mopti["violations"]["by_region"] == [{"pcode": "ML05", "name": "Mopti", "count": 6, "share_pct": 100.0}]


def test_partner_users_get_everyones_aggregates(people, data):
    # Partners see only their records individually, but aggregates include every organisation.
    assert monthly_figures(user=people.partner_monitor, month=DEC)["incidents"]["count"] == 2


def test_the_number_of_queries_does_not_grow_with_the_records(people, data):
    monthly_figures(user=people.admin, month=DEC)  # warm the per-process caches (content types)
    with CaptureQueriesContext(connection) as before:
        monthly_figures(user=people.admin, month=DEC)
    for number in range(1, 21):
        IncidentFactory(
            created_by=people.monitor,
            status=Status.VERIFIED,
            reported_on=day(12, number),
            violations=[{"type": "murder", "men": 1}, {"type": "arson", "women": 2}],
        )
    with CaptureQueriesContext(connection) as after:
        monthly_figures(user=people.admin, month=DEC)
    assert len(after) == len(before)
