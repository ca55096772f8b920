"""The record pages read the record type's declaration and its filterset (core.record_pages.RecordPages): the list's
filters are every filter the filterset declares, in order; `q` searches RecordType.search_fields, on the page and on
the API alike; the sortable columns are RecordType.sorting(). Every type, GBV referrals included, is a RecordPages."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from activities.tests.factories import SessionFactory
from core.filtersets import RecordFilterSet
from core.models import User
from core.record_pages import RecordPages
from core.records import RecordType, _record_types, get_record_type, record_types
from incidents.views import GBV_REFERRAL_PAGES

pytestmark = pytest.mark.django_db


def all_pages() -> list[RecordPages[Any, Any]]:
    from activities.views import ASSISTANCE_PAGES, SESSION_PAGES  # noqa: PLC0415
    from alerts.views import ALERT_PAGES  # noqa: PLC0415
    from beneficiaries.views import HOUSEHOLD_PAGES, MOVEMENT_PAGES  # noqa: PLC0415
    from incidents.views import INCIDENT_PAGES  # noqa: PLC0415

    return [
        INCIDENT_PAGES,
        GBV_REFERRAL_PAGES,
        ASSISTANCE_PAGES,
        SESSION_PAGES,
        HOUSEHOLD_PAGES,
        MOVEMENT_PAGES,
        ALERT_PAGES,
    ]


def reader(people: SimpleNamespace, pages: RecordPages[Any, Any]) -> User:
    user: User = people.gbv if pages is GBV_REFERRAL_PAGES else people.supervisor
    return user


def test_every_record_type_has_its_pages() -> None:
    assert sorted(pages.record_type.slug for pages in all_pages()) == sorted(item.slug for item in record_types())


@pytest.mark.parametrize("pages", all_pages(), ids=lambda pages: pages.record_type.slug)
def test_the_list_shows_every_filter_of_the_filterset_in_its_order(
    pages: RecordPages[Any, Any],
    people: SimpleNamespace,
    client: Client,
) -> None:
    client.force_login(reader(people, pages))
    response = client.get(reverse(pages.url_name("list")))
    assert response.status_code == 200
    shown = [field.name for field in response.context["filter_fields"]]
    assert shown == list(pages.filterset_class.base_filters)
    # The shared filters first, the search box leading; sorting last.
    assert shown[:5] == list(RecordFilterSet.base_filters)
    assert shown[0] == "q"
    assert shown[-1] == "ordering"


@pytest.mark.parametrize("pages", all_pages(), ids=lambda pages: pages.record_type.slug)
def test_the_sortable_columns_are_the_declarations(
    pages: RecordPages[Any, Any],
    people: SimpleNamespace,
    client: Client,
) -> None:
    client.force_login(reader(people, pages))
    response = client.get(reverse(pages.url_name("list")))
    assert list(response.context["sort_links"]) == list(pages.record_type.sorting())


def declare(monkeypatch: pytest.MonkeyPatch, record_type: RecordType) -> None:
    """Register this declaration in place of its type's, for this test only."""
    monkeypatch.setitem(_record_types, record_type.slug, record_type)


def test_search_reads_the_declaration_on_the_page_and_the_api(
    monkeypatch: pytest.MonkeyPatch, people: SimpleNamespace, client: Client, api_as: object
) -> None:
    session = SessionFactory(created_by=people.monitor, topic="Peaceful coexistence")
    client.force_login(people.supervisor)
    api: APIClient = api_as(people.supervisor)  # type: ignore[operator]  # the fixture is a function

    def found() -> tuple[list[int], list[int]]:
        page = client.get(reverse("activities:session-list"), {"q": "coexistence"})
        answer = api.get("/api/v1/sessions/", {"q": "coexistence"})
        return [record.pk for record in page.context["records"]], [row["id"] for row in answer.json()["results"]]

    assert "topic" in get_record_type("sessions").search_fields
    assert found() == ([session.pk], [session.pk])
    declare(monkeypatch, dataclasses.replace(get_record_type("sessions"), search_fields=("place__name",)))
    assert found() == ([], [])


def test_sorting_reads_the_declaration(
    monkeypatch: pytest.MonkeyPatch, people: SimpleNamespace, client: Client
) -> None:
    client.force_login(people.supervisor)
    sessions = get_record_type("sessions")
    declare(monkeypatch, dataclasses.replace(sessions, sort_columns=("id", "held_on", "topic", "status")))
    response = client.get(reverse("activities:session-list"))
    assert list(response.context["sort_links"]) == ["id", "held_on", "topic", "status"]


def test_gbv_referral_pages_are_the_shared_pages() -> None:
    # No private copy: the list, detail, form, steps and comments are RecordPages' own views.
    assert isinstance(GBV_REFERRAL_PAGES, RecordPages)
    for page in ("list", "create", "detail", "edit", "step", "comment"):
        assert GBV_REFERRAL_PAGES.url_name(page) == f"incidents:gbv-{page}"
    assert type(GBV_REFERRAL_PAGES).list_view is RecordPages.list_view
    assert type(GBV_REFERRAL_PAGES).step_view is RecordPages.step_view
    assert type(GBV_REFERRAL_PAGES).edit_view is RecordPages.edit_view
