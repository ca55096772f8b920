"""A closed month's answer is its published figures, read without recomputing and cached per scope x month x
language; the cache is forgotten when the month reopens, a record of it changes after closing or a label changes."""

from __future__ import annotations

import datetime
import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.renderers import JSONRenderer

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


def test_the_api_writes_a_published_answer_from_its_rendered_copy(
    people: SimpleNamespace, data: None, api_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A national answer is some 200 kB of JSON at a million incidents: read from the cache as objects and written
    again, it took 8 ms a request against 1.4 ms for a reference list. Its bytes are cached beside it: a second
    request renders nothing, and says what the first said."""
    _close()
    url = f"/api/v1/reports/monthly/?month={DEC:%Y-%m}"
    for user in (people.admin, people.supervisor, people.viewer):
        client = api_as(user)
        first = client.get(url)
        assert first.status_code == 200, first.content
        monkeypatch.setattr(JSONRenderer, "render", _no_rendering)
        again = client.get(url)
        monkeypatch.undo()
        assert (again.status_code, again["Content-Type"], again.content) == (200, "application/json", first.content)
        worked_out = (
            publishing.viewer_figures(user=user, month=DEC)
            if user is people.viewer
            else publishing.figures_for(user=user, month=DEC)
        )
        assert again.json() == json.loads(JSONRenderer().render(worked_out))
    assert api_as(people.viewer).get(url).json()["suppressed"] is True
    assert api_as(people.admin).get(url).json()["suppressed"] is False


def _no_rendering(*args: Any, **kwargs: Any) -> bytes:
    raise AssertionError("a cached answer was rendered again")


def test_the_rendered_copy_is_forgotten_with_the_answer(people: SimpleNamespace, data: None, api_as: Any) -> None:
    """A record written into the closed month, and each language: the rendered copy follows the answer."""
    _close()
    url = f"/api/v1/reports/monthly/?month={DEC:%Y-%m}"
    admin, viewer = api_as(people.admin), api_as(people.viewer)
    assert not admin.get(url).json()["changed_since_closing"]
    assert not viewer.get(url).json()["changed_since_closing"]
    incident = Incident.objects.filter(status=Status.VERIFIED, reported_on__gte=DEC).first()
    assert incident is not None
    workflow.take_step(incident, "archive", by=people.admin)
    assert admin.get(url).json()["changed_since_closing"]
    assert viewer.get(url).json()["changed_since_closing"]
    murder = ViolationType.objects.get(code="murder")
    labels = {
        language: {
            row["code"]: row["label"]
            for row in admin.get(url, HTTP_ACCEPT_LANGUAGE=language).json()["violations"]["by_type"]
        }
        for language in ("en", "fr")
    }
    assert (labels["en"]["murder"], labels["fr"]["murder"]) == (murder.label_en, murder.label_fr)


def test_answers_not_published_are_worked_out_and_rendered(people: SimpleNamespace, data: None, api_as: Any) -> None:
    """An open month, today's figures of a closed one, and one organisation's are never read from a rendered copy."""
    url = f"/api/v1/reports/monthly/?month={DEC:%Y-%m}"
    admin = api_as(people.admin)
    assert admin.get(url).json()["closed"] is False
    _close()
    incident = Incident.objects.filter(status=Status.VERIFIED, reported_on__gte=DEC).first()
    assert incident is not None
    workflow.take_step(incident, "archive", by=people.admin)
    assert admin.get(url).json()["incidents"]["count"] == 4
    assert admin.get(f"{url}&current=true").json()["incidents"]["count"] == 3
    lead = people.admin.organisation.code
    assert admin.get(f"{url}&organisation={lead}").json()["closed"] is True


def test_a_scope_not_published_is_worked_out_and_not_cached(
    people: SimpleNamespace, data: None, api_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A supervisor given a second region after the closing asks for a set of regions nobody had then: the answer
    is worked out from today's records each time, never kept as if it were published."""
    _close()
    people.supervisor.regions.add(AdminArea.objects.get(pcode="ML05"))
    kept: list[str] = []
    keep = publishing.cache.set

    def watched(key: str, *args: Any, **kwargs: Any) -> Any:
        kept.append(key)
        return keep(key, *args, **kwargs)

    monkeypatch.setattr(publishing.cache, "set", watched)
    answer = api_as(people.supervisor).get(f"/api/v1/reports/monthly/?month={DEC:%Y-%m}")
    assert answer.status_code == 200, answer.content
    worked_out = publishing.figures_for(user=people.supervisor, month=DEC)
    assert answer.json() == json.loads(JSONRenderer().render(worked_out))
    assert answer.json()["closed"] is True
    assert not [key for key in kept if ":figures" in key]
