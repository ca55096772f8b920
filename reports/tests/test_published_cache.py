"""A closed month's answer is its published figures, read without recomputing and cached per scope x month x
language; the cache is forgotten when the month reopens, a record of it changes after closing or a label changes."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core import workflow
from core.choices import Status
from core.models import AdminArea, ViolationType
from incidents.models import Incident
from reports import publishing

DEC = datetime.date(2021, 12, 1)


def _close() -> None:
    publishing.close_month(DEC, by=_admin(), published=publishing.publish(DEC))


def _admin() -> Any:
    from core.models import User  # noqa: PLC0415

    return User.objects.get(username="admin")


def test_a_closed_months_answer_is_read_from_the_cache(
    people: SimpleNamespace, data: None, django_assert_max_num_queries: Any
) -> None:
    _close()
    first = publishing.figures_for(user=people.supervisor, month=DEC)
    # the closed month's row; the user's regions (for the scope's key); nothing is counted
    with django_assert_max_num_queries(2):
        again = publishing.figures_for(user=people.supervisor, month=DEC)
    assert again == first
    assert (again["closed"], again["changed_since_closing"], again["incidents"]["count"]) == (True, False, 2)


def test_a_cached_answer_leaves_the_published_document_in_the_database(people: SimpleNamespace, data: None) -> None:
    """Every scope's published figures are one large JSON document (130 kB at a million incidents): reading it on
    every request was most of a cached answer's time under load."""
    _close()
    publishing.figures_for(user=people.supervisor, month=DEC)
    publishing.viewer_figures(user=people.viewer, month=DEC)
    with CaptureQueriesContext(connection) as queries:
        publishing.figures_for(user=people.supervisor, month=DEC)
        publishing.viewer_figures(user=people.viewer, month=DEC)
    assert queries.captured_queries
    assert not [query["sql"] for query in queries.captured_queries if '"published"' in query["sql"]]


def test_a_record_changed_after_closing_is_said_at_once(people: SimpleNamespace, data: None) -> None:
    _close()
    assert not publishing.figures_for(user=people.admin, month=DEC)["changed_since_closing"]
    assert not publishing.viewer_figures(user=people.viewer, month=DEC)["changed_since_closing"]
    incident = Incident.objects.filter(status=Status.VERIFIED, reported_on__gte=DEC).first()
    assert incident is not None
    workflow.take_step(incident, "archive", by=people.admin)  # an admin's write into a closed month: flagged
    assert publishing.figures_for(user=people.admin, month=DEC)["changed_since_closing"]
    assert publishing.viewer_figures(user=people.viewer, month=DEC)["changed_since_closing"]


def test_a_reopened_month_answers_todays_figures(people: SimpleNamespace, data: None) -> None:
    _close()
    assert publishing.figures_for(user=people.admin, month=DEC)["closed"]
    Incident.objects.filter(status=Status.VERIFIED, reported_on__gte=DEC).first().delete()  # type: ignore[union-attr]
    publishing.reopen_month(DEC, by=people.admin, reason="A duplicate.")
    reopened = publishing.figures_for(user=people.admin, month=DEC)
    assert (reopened["closed"], reopened["incidents"]["count"]) == (False, 3)
    _close()
    assert publishing.figures_for(user=people.admin, month=DEC)["incidents"]["count"] == 3


def test_each_language_and_label_change_is_its_own_answer(people: SimpleNamespace, data: None) -> None:
    _close()
    murder = ViolationType.objects.get(code="murder")

    def label() -> str:
        rows = publishing.figures_for(user=people.admin, month=DEC)["violations"]["by_type"]
        return str(next(row["label"] for row in rows if row["code"] == "murder"))

    with translation.override("en"):
        assert label() == murder.label_en
    with translation.override("fr"):
        assert label() == murder.label_fr
    murder.label_en = "Killing"
    murder.save()
    with translation.override("en"):
        assert label() == "Killing"


def test_changed_since_closing_is_one_query(
    people: SimpleNamespace, data: None, django_assert_num_queries: Any
) -> None:
    gao = AdminArea.objects.get(pcode="ML07")
    # the user's regions; one EXISTS over the UNION of every counted type's flagged records
    with django_assert_num_queries(2):
        assert not publishing._changed_since_closing(people.admin, DEC, gao)
    Incident.objects.filter(region=gao, reported_on__gte=DEC).update(changed_after_closing=True)
    assert publishing._changed_since_closing(people.admin, DEC, gao)
    assert not publishing._changed_since_closing(people.admin, DEC, AdminArea.objects.get(pcode="ML05"))


def test_with_the_cache_down_answers_and_writes_go_on(
    people: SimpleNamespace, data: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _close()

    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("Redis is down")

    for name in ("get", "set", "add"):
        monkeypatch.setattr(publishing.cache, name, down)
    assert publishing.figures_for(user=people.admin, month=DEC)["incidents"]["count"] == 4
    incident = Incident.objects.filter(status=Status.VERIFIED, reported_on__gte=DEC).first()
    assert incident is not None
    workflow.take_step(incident, "archive", by=people.admin)
    assert publishing.figures_for(user=people.admin, month=DEC)["changed_since_closing"]
