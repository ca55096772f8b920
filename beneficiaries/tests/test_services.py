"""Writes of households: members replaced whole, and merging two registrations without losing anything."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from beneficiaries import services
from beneficiaries.models import Household, Person
from beneficiaries.tests.factories import HouseholdFactory
from core import access, workflow
from core.choices import Status
from core.models import AdminArea


def test_create_makes_a_draft_with_members_and_history(people):
    household = services.household_create(
        by=people.monitor,
        fields={
            "registered_on": datetime.date(2021, 12, 1),
            "head_name": "Awa Diarra",
            "place": AdminArea.objects.get(pcode="ML0701"),
        },
        members=[{"full_name": "Awa Diarra", "sex": "female", "birth_year": 1990, "is_head": True}],
    )
    assert (household.status, household.region.pcode, household.members.count()) == ("draft", "ML07", 1)
    assert workflow.history(household).get().action == "created"


def test_people_counts_take_age_in_the_year_of_registration(people):
    household = HouseholdFactory(
        created_by=people.monitor,
        registered_on=datetime.date(2021, 6, 1),
        members=[
            {"full_name": "A", "sex": "female", "birth_year": 2003},  # 18 in 2021: a woman
            {"full_name": "B", "sex": "male", "birth_year": 2004},  # 17: a boy
            {"full_name": "C", "sex": "unknown", "birth_year": 1970},
        ],
    )
    assert household.people() == {"women": 1, "girls": 0, "men": 0, "boys": 1, "unknown": 1}
    assert household.total == 3


def test_two_heads_are_refused(people):
    with pytest.raises(ValidationError):
        services.check_members([{"full_name": "A", "is_head": True}, {"full_name": "B", "is_head": True}])


@pytest.fixture
def pair(people):
    older = HouseholdFactory(
        created_by=people.monitor,
        status=Status.VERIFIED,
        registered_on=datetime.date(2021, 3, 1),
        members=[
            {"full_name": "Aminata Traoré", "sex": "female", "birth_year": 1985, "is_head": True},
            {"full_name": "Moussa Traoré", "sex": "male", "birth_year": 2012},
        ],
    )
    newer = HouseholdFactory(
        created_by=people.partner_monitor,
        registered_on=datetime.date(2021, 11, 1),
        registration_number="",
        members=[
            {"full_name": "Aminata TRAORE", "sex": "female", "birth_year": 1985, "is_head": True},
            {"full_name": "Moussa Traore", "sex": "male", "birth_year": 2012},
            {"full_name": "Fanta Traoré", "sex": "female", "birth_year": 2018},
        ],
    )
    return older, newer


def test_merge_moves_missing_members_and_keeps_every_person(people, pair):
    older, newer = pair
    persons_before = Person.objects.count()
    kept = services.household_merge(household=newer, into=older, by=people.supervisor)
    assert kept.pk == older.pk
    assert Person.objects.count() == persons_before
    assert sorted(kept.members.values_list("full_name", flat=True)) == [
        "Aminata Traoré",
        "Fanta Traoré",
        "Moussa Traoré",
    ]
    assert kept.members.filter(is_head=True).count() == 1
    # The two people already on the kept household stay on the archived one: nobody is deleted.
    assert newer.members.count() == 2


def test_merge_archives_the_newer_and_writes_history_on_both(people, pair):
    older, newer = pair
    services.household_merge(household=newer, into=older, by=people.supervisor)
    newer.refresh_from_db()
    older.refresh_from_db()
    assert (newer.status, newer.status_before_archive, newer.merged_into_id) == ("archived", "draft", older.pk)
    assert older.status == Status.VERIFIED  # a merge is a review act: the kept household needs no second look
    merged_events = list(workflow.history(newer).values_list("action", flat=True))
    assert merged_events == ["merged", "archived"]
    kept_event = workflow.history(older).get()
    assert kept_event.action == "merged"
    assert f"#{newer.pk} merged into #{older.pk}" in kept_event.comment
    assert "Fanta Traoré" in kept_event.changes["members"][1]


@pytest.mark.parametrize("role", ["monitor", "gbv", "viewer"])
def test_only_reviewers_merge(people, pair, role):
    older, newer = pair
    with pytest.raises((access.RoleRefused, access.NotInScope)):
        services.household_merge(household=newer, into=older, by=getattr(people, role))
    assert Household.objects.get(pk=newer.pk).status == Status.DRAFT


def test_outsider_cannot_merge(people, pair):
    older, newer = pair
    with pytest.raises(access.NotInScope):
        services.household_merge(household=newer, into=older, by=people.outsider)


def test_the_older_is_always_the_one_kept(people, pair):
    older, newer = pair
    with pytest.raises(ValidationError):
        services.household_merge(household=older, into=newer, by=people.supervisor)


def test_a_merged_household_cannot_be_merged_again(people, pair):
    older, newer = pair
    services.household_merge(household=newer, into=older, by=people.supervisor)
    with pytest.raises(workflow.WorkflowError):
        services.household_merge(household=newer, into=older, by=people.supervisor)
    assert workflow.history(older).filter(action="merged").count() == 1
