"""The incident list filtered by a violation type counts its incidents from the violations alone when the type is
its only condition (the whole operation's list), and the usual way otherwise (issue 14): the same count either way,
and never a count outside the reader's scope."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AdminArea, ViolationType
from incidents.models import Incident
from incidents.tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def incidents(people: SimpleNamespace) -> None:
    """Threats in Gao (one incident with two, one with other violations too), in Mopti, and a Gao incident without."""
    mopti = AdminArea.objects.get(pcode="ML0501")
    IncidentFactory(
        created_by=people.monitor, violations=[{"type": "threat", "men": 1}, {"type": "threat", "women": 2}]
    )
    IncidentFactory(created_by=people.monitor, violations=[{"type": "threat", "men": 1}, {"type": "murder", "men": 1}])
    IncidentFactory(created_by=people.partner_monitor, violations=[{"type": "threat", "boys": 1}])
    IncidentFactory(created_by=people.outsider, place=mopti, violations=[{"type": "threat", "girls": 1}])
    IncidentFactory(created_by=people.monitor, violations=[{"type": "murder", "men": 1}])


def _listed_count(api_as: Any, user: Any, query: str) -> int:
    answer = api_as(user).get(f"/api/v1/incidents/?{query}")
    assert answer.status_code == 200
    return int(answer.json()["count"])


def test_the_whole_operations_list_counts_the_types_incidents_from_the_violations(
    people: SimpleNamespace, incidents: None, api_as: Any
) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert _listed_count(api_as, people.admin, "type=threat") == 4
    counts = [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"].upper()]
    assert len(counts) == 1
    assert '"incidents_incident"' not in counts[0]  # the incidents themselves are not read to count them
    threat = ViolationType.objects.get(code="threat")
    # a condition first: counted the usual way
    semi_join = Incident.objects.filter(pk__gt=0).with_violation_type(threat)
    assert semi_join.count() == Incident.objects.with_violation_type(threat).count() == 4


@pytest.mark.parametrize(
    ("who", "query", "expected"),
    [
        ("admin", "type=threat&region=ML07", 3),  # a condition besides the type
        ("admin", "type=threat&status=draft", 4),
        ("supervisor", "type=threat", 3),  # the scope is a condition: Gao's threats, not the operation's
        ("outsider", "type=threat", 1),
        ("partner_monitor", "type=threat", 1),  # a partner reads its own organisation's
    ],
)
def test_any_other_condition_counts_the_usual_way_within_the_scope(
    people: SimpleNamespace, incidents: None, api_as: Any, who: str, query: str, expected: int
) -> None:
    assert _listed_count(api_as, getattr(people, who), query) == expected


def test_the_page_counts_alike(people: SimpleNamespace, incidents: None, client: Any) -> None:
    client.force_login(people.admin)
    page = client.get("/incidents/?type=threat")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 4
