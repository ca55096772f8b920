"""Query counts of every record list (API and page) and of the review queue, pinned at 2 rows and at 50 rows whose
optional relations are all filled: real records have a source, a collection method, a location type… the demo has
none, so a relation the list does not preload is one query per row only on real data (issue 14: 140 queries a page).

Rows are filled generically (`_fill_relations`): every foreign key and list of references the model has, so a field
added to a model is covered without touching these tests.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from activities.tests.factories import AssistanceFactory, SessionFactory
from alerts.tests.factories import AlertFactory
from beneficiaries.tests.factories import HouseholdFactory, MovementFactory
from core.access import Family
from core.choices import Status
from core.models import User
from core.records import ReviewedRecord, get_record_type, record_types
from incidents.models import Incident
from incidents.tests.factories import GbvReferralFactory, IncidentFactory

pytestmark = pytest.mark.django_db

FACTORIES: dict[str, Callable[..., Any]] = {
    "incidents": IncidentFactory,
    "gbv-referrals": GbvReferralFactory,
    "assistance": AssistanceFactory,
    "sessions": SessionFactory,
    "alerts": AlertFactory,
    "households": HouseholdFactory,
    "movements": MovementFactory,
}
API = {slug: f"/api/v1/{slug}/" for slug in FACTORIES}


def _reader(people: SimpleNamespace, slug: str) -> User:
    reader: User = people.gbv if get_record_type(slug).family == Family.GBV else people.supervisor
    return reader


def _fill_relations(records: Sequence[ReviewedRecord], people: SimpleNamespace) -> None:
    """Every optional foreign key of the records set (to a reference item, a user, or another record of the list),
    every list of references given two items: what real records carry and the demo does not."""
    model = type(records[0])
    values: dict[str, Any] = {}
    for model_field in model._meta.concrete_fields:
        if not model_field.many_to_one or getattr(records[0], model_field.attname) is not None:
            continue
        related = model_field.related_model
        if not isinstance(related, type):
            continue
        if related is model:
            values[model_field.name] = records[0]
        elif issubclass(related, User):
            values[model_field.name] = people.supervisor
        elif issubclass(related, ReviewedRecord):
            values[model_field.name] = FACTORIES[related.record_type](created_by=people.monitor)
        else:
            values[model_field.name] = related._default_manager.first()
    model._default_manager.filter(pk__in=[record.pk for record in records]).update(**values)
    for many in model._meta.many_to_many:
        related = many.related_model
        if isinstance(related, type) and issubclass(related, ReviewedRecord):
            items = [FACTORIES[related.record_type](created_by=people.monitor) for _ in range(2)]
        else:
            items = list(related._default_manager.all()[:2])
        for record in records:
            getattr(record, many.name).set(items)


def _records(people: SimpleNamespace, slug: str, rows: int, **extra: Any) -> list[ReviewedRecord]:
    author = people.gbv if get_record_type(slug).family == Family.GBV else people.monitor
    records = [FACTORIES[slug](created_by=author, **extra) for _ in range(rows)]
    _fill_relations(records, people)
    return records


# Every API list reads: the token with its user, the user's regions, the user's organisation (not for flash alerts,
# read region-wide), the count, the page joined with the references every record has (place, region, organisation,
# author, its type); then one query each for the optional references (core.records.read_relations: the reviewer
# first) and the lists beside the record, whatever the number of rows.
API_QUERIES = {
    # + reviewer, perpetrator, source, collection method, location type; violations (with types and groups),
    # follow-ups
    "incidents": 5 + 7,
    # + reviewer, population group, closure requested by; services (with the service); the access log written
    "gbv-referrals": 5 + 5,
    # + reviewer, sector, population group; the registered households reached (ids)
    "assistance": 5 + 4,
    "sessions": 5 + 3,  # + reviewer, sector, population group
    "alerts": 4 + 2,  # + reviewer; the needs
    "households": 5 + 3,  # + reviewer, population group; members
    "movements": 5 + 1,  # + reviewer
}


@pytest.mark.parametrize("slug", sorted(FACTORIES))
def test_every_registered_type_is_counted(slug: str) -> None:
    assert {item.slug for item in record_types()} == set(FACTORIES)


@pytest.mark.parametrize("rows", [2, 50])
@pytest.mark.parametrize("slug", sorted(FACTORIES))
def test_list_api_query_count_is_fixed(
    people: SimpleNamespace, api_as: Any, django_assert_num_queries: DjangoAssertNumQueries, slug: str, rows: int
) -> None:
    _records(people, slug, rows)
    client = api_as(_reader(people, slug))
    with django_assert_num_queries(API_QUERIES[slug]):
        response = client.get(API[slug], {"page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [2, 50])
@pytest.mark.parametrize("slug", sorted(FACTORIES))
def test_list_api_with_region_and_status_query_count_is_fixed(
    people: SimpleNamespace, api_as: Any, django_assert_num_queries: DjangoAssertNumQueries, slug: str, rows: int
) -> None:
    _records(people, slug, rows, status=Status.SUBMITTED)
    client = api_as(_reader(people, slug))
    # The filters' choices read: the region by its P-code (the status is a choice, no query).
    with django_assert_num_queries(API_QUERIES[slug] + 1):
        response = client.get(API[slug], {"page_size": 100, "region": "ML07", "status": "submitted"})
    assert response.json()["count"] == rows


# Every list page reads: the session, the user (with their organisation), the user's regions, the count, the page
# joined with the references every record has; the optional references and lists as the API (above, but the
# follow-ups); the unread notifications; the filter form's choices: regions, organisations, then the type's own
# reference lists; the session saved (savepoint, update, release): 11 + the type's own.
PAGE_QUERIES = {
    # + reviewer, perpetrator, source, collection method, location type, violations; violation types, population
    # groups, perpetrators
    "incidents": 11 + 6 + 3,
    # + reviewer, population group, closure requested by, services, the access log written; GBV incident types
    "gbv-referrals": 11 + 5 + 1,
    # + reviewer, sector, population group, households reached; kinds, sectors, population groups
    "assistance": 11 + 4 + 3,
    "sessions": 11 + 3 + 3,  # + reviewer, sector, population group; kinds, sectors, population groups
    "alerts": 11 + 2 + 2,  # + reviewer, needs; event types, needs
    "households": 11 + 3 + 1,  # + reviewer, population group, members; population groups
    "movements": 11 + 1 + 0,  # + reviewer
}


@pytest.mark.parametrize("rows", [2, 50])
@pytest.mark.parametrize("slug", sorted(FACTORIES))
def test_list_page_query_count_is_fixed(
    people: SimpleNamespace, client: Client, django_assert_num_queries: DjangoAssertNumQueries, slug: str, rows: int
) -> None:
    _records(people, slug, rows)
    client.force_login(_reader(people, slug))
    url = reverse(get_record_type(slug).list_url_name)
    with django_assert_num_queries(PAGE_QUERIES[slug]):
        response = client.get(url)
    assert response.status_code == 200


QUEUED = ("incidents", "assistance", "alerts", "movements", "households", "sessions")


def _queue_of(people: SimpleNamespace, rows: int) -> None:
    """`rows` waiting records of every general type, the n-th of each submitted at the same moment, so the queue's
    first page holds some of each type at 50 rows as at 2 (whatever their numbers: PostgreSQL does not rewind its
    sequences between tests); each incident has a possible duplicate from the partner organisation (same place, day
    and violations)."""
    first = timezone.now() - datetime.timedelta(days=2)
    for n in range(rows):
        submitted_at = first + datetime.timedelta(seconds=n)
        for slug in QUEUED:
            _records(people, slug, 1, status=Status.SUBMITTED, submitted_at=submitted_at)
        partner = IncidentFactory(created_by=people.partner_monitor, status=Status.SUBMITTED, submitted_at=submitted_at)
        _fill_relations([partner], people)


@pytest.mark.parametrize("rows", [2, 50])
def test_review_queue_query_count_is_fixed(
    people: SimpleNamespace, client: Client, django_assert_num_queries: DjangoAssertNumQueries, rows: int
) -> None:
    _queue_of(people, rows)
    client.force_login(people.supervisor)
    # The session, the user, the user's regions; the queue's count and its page of keys (one ordered query over
    # every type); per type on the page, its records joined with what the rows show (6); incidents: the duplicate
    # candidates as values with their violation types, the matching incidents, the violations of the matches and of
    # the page's incidents that have one (3); households: their likely duplicates
    # (households, their reviewer and population group, members: 4); the page's months against the closed months
    # (which rows need an admin); the unread notifications; the filter form's regions and organisations; the session
    # saved (3).
    with django_assert_num_queries(25):
        response = client.get("/review/")
    assert response.status_code == 200
    html = response.content.decode()
    # Every type is on the page (the count above is of a page holding them all).
    assert {slug for slug in QUEUED if f"{get_record_type(slug).label} #" in html} == set(QUEUED)
    assert "Possible duplicate:" in html


def test_filled_relations_are_really_filled(people: SimpleNamespace) -> None:
    # The test above would prove nothing if the rows had none of the relations real records carry.
    record = Incident.objects.get(pk=_records(people, "incidents", 1)[0].pk)
    assert record.source_type_id is not None
    assert record.collection_method_id is not None
    assert record.location_type_id is not None
    assert record.reviewed_by_id is not None
    nullable = [
        field.name
        for field in type(record)._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and field.null
    ]
    assert all(getattr(record, f"{name}_id") is not None for name in nullable)
