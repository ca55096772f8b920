"""The counting rules written once (reports/counting.py), and the proof that figures and tallies both count
through them: making a shared rule count differently changes both answers."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import Case, CharField, QuerySet, Value, When

from core.choices import Status
from incidents.models import GbvReferral, Violation
from incidents.tests.factories import GbvReferralFactory, IncidentFactory
from reports import counting
from reports.figures import monthly_figures
from reports.tallies import tallies
from reports.tests.conftest import day

DEC = datetime.date(2021, 12, 1)
JAN = datetime.date(2022, 1, 1)
NONE = dict.fromkeys(("women", "girls", "men", "boys", "unknown"), 0)


def row(*, collective: bool, incidents: int = 1, **people: int) -> dict[str, Any]:
    return {**NONE, **people, "incidents": incidents, counting.COLLECTIVE: collective}


def test_a_collective_row_counts_its_incidents_and_no_people() -> None:
    many = row(collective=True, incidents=3, women=40, men=60)
    assert counting.violation_count(many) == 3
    assert counting.violation_groups(many) == NONE


def test_an_ordinary_row_counts_its_people() -> None:
    ordinary = row(collective=False, incidents=2, women=1, girls=2, men=3, boys=4, unknown=5)
    assert counting.violation_count(ordinary) == 15
    assert counting.violation_groups(ordinary) == {"women": 1, "girls": 2, "men": 3, "boys": 4, "unknown": 5}


def test_a_collective_violation_with_many_people_counts_once_per_incident(people: Any) -> None:
    for number in (1, 2):
        IncidentFactory(
            created_by=people.monitor,
            status=Status.VERIFIED,
            reported_on=day(12, number),
            violations=[{"type": "forced_displacement_conflict", "women": 40, "men": 60}, {"type": "threat", "men": 2}],
        )
    rows = list(counting.violations_by_type(Violation.objects.all()))
    assert sum(counting.violation_count(found) for found in rows) == 2 + 4  # once per incident, plus 2 × 2 men
    by_group = [counting.violation_groups(found) for found in rows]
    assert sum(groups["men"] for groups in by_group) == 4
    assert sum(groups["women"] for groups in by_group) == 0


@pytest.mark.parametrize(
    ("sex", "age", "group"),
    [
        ("female", 18, "women"),
        ("female", 17, "girls"),
        ("female", 0, "girls"),
        ("male", 18, "men"),
        ("male", 17, "boys"),
        ("female", None, "unknown"),
        ("male", None, "unknown"),
        ("unknown", 30, "unknown"),
        ("unknown", 10, "unknown"),
        ("unknown", None, "unknown"),
    ],
)
def test_the_survivor_group(people: Any, sex: str, age: int | None, group: str) -> None:
    referral = GbvReferralFactory(created_by=people.gbv, sex=sex, age=age)
    annotated: QuerySet[GbvReferral] = GbvReferral.objects.filter(pk=referral.pk)
    assert annotated.annotate(group=counting.survivor_group()).values_list("group", flat=True).get() == group


def _violations_total(rows: list[dict[str, Any]]) -> int:
    return sum(found["total"] for found in rows if found["indicator"] == "violations")


def _gbv_groups(rows: list[dict[str, Any]]) -> dict[str, int]:
    gbv = [found for found in rows if found["indicator"] == "gbv_referrals"]
    return {group: sum(found[group] for found in gbv) for group in NONE}


def test_figures_and_tallies_count_violations_through_the_shared_rule(
    people: Any, data: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures = monthly_figures(user=people.admin, month=DEC)["violations"]
    rows = tallies(user=people.admin, start=DEC, end=JAN)
    assert (figures["count"], _violations_total(rows)) == (17, 17)
    shared = counting.violation_count
    monkeypatch.setattr(counting, "violation_count", lambda found: 2 * shared(found))
    assert monthly_figures(user=people.admin, month=DEC)["violations"]["count"] == 34
    assert _violations_total(tallies(user=people.admin, start=DEC, end=JAN)) == 34


def test_figures_and_tallies_count_violation_groups_through_the_shared_rule(
    people: Any, data: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counting, "violation_groups", lambda found: {**NONE, "unknown": 1})
    figures = monthly_figures(user=people.admin, month=DEC)["violations"]
    # Six violation types in December's verified incidents, each one region: one "unknown" each.
    assert figures["by_group"] == {**NONE, "unknown": 6}
    rows = tallies(user=people.admin, start=DEC, end=JAN)
    violations = [found for found in rows if found["indicator"] == "violations"]
    assert {group: sum(found[group] for found in violations) for group in NONE} == {**NONE, "unknown": 6}


def test_figures_and_tallies_group_survivors_through_the_shared_rule(
    people: Any, data: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = monthly_figures(user=people.admin, month=DEC)["gbv_referrals"]["by_group"]
    assert before["girls"] == 1
    assert _gbv_groups(tallies(user=people.admin, start=DEC, end=JAN)) == before
    # A rule that reads a column, as the real one does: PostgreSQL groups by it (a constant alone is not grouped by).
    everyone_a_boy = Case(When(pk__isnull=False, then=Value("boys")), default=Value("boys"), output_field=CharField())
    monkeypatch.setattr(counting, "survivor_group", lambda: everyone_a_boy)
    after = monthly_figures(user=people.admin, month=DEC)["gbv_referrals"]["by_group"]
    assert after == {**NONE, "boys": 2}
    assert _gbv_groups(tallies(user=people.admin, start=DEC, end=JAN)) == after
