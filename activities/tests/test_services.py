"""Writes of assistance and sessions through the shared workflow, and a household merge that loses no assistance."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from activities import services
from activities.models import AssistanceEvent
from activities.tests.factories import AssistanceFactory
from beneficiaries.services import household_merge
from beneficiaries.tests.factories import HouseholdFactory
from core import workflow
from core.choices import Status
from core.models import AdminArea, AssistanceKind, RecordEvent, SessionKind


def _fields(**overrides):
    fields = {
        "delivered_on": datetime.date(2021, 12, 1),
        "place": AdminArea.objects.get(pcode="ML0701"),
        "kind": AssistanceKind.objects.get(code="cash"),
        "women": 5,
        "amount": Decimal("250000"),
        "currency": "XOF",
    }
    fields.update(overrides)
    return fields


def test_create_links_the_households_and_logs_the_creation(people):
    household = HouseholdFactory(created_by=people.monitor)
    event = services.assistance_create(by=people.monitor, fields=_fields(), households=[household])
    assert list(event.households_assisted.all()) == [household]
    assert workflow.history(event).get().action == "created"


def test_the_model_refuses_an_amount_without_currency(people):
    with pytest.raises(ValidationError) as error:
        services.assistance_create(by=people.monitor, fields=_fields(currency=""))
    assert "currency" in error.value.message_dict
    assert not AssistanceEvent.objects.exists()


def test_update_replaces_the_linked_households_and_the_history_names_them(people):
    first, second = HouseholdFactory(created_by=people.monitor), HouseholdFactory(created_by=people.monitor)
    event = services.assistance_create(by=people.monitor, fields=_fields(), households=[first])
    event = services.assistance_update(event=event, by=people.monitor, version=1, fields={}, households=[second])
    assert list(event.households_assisted.all()) == [second]
    change = RecordEvent.objects.get(object_id=event.pk, action="changed")
    assert change.changes["households_assisted"] == [f"#{first.pk}", f"#{second.pk}"]


def test_session_create_and_update(people):
    session = services.session_create(
        by=people.monitor,
        fields={
            "held_on": datetime.date(2021, 12, 3),
            "place": AdminArea.objects.get(pcode="ML0701"),
            "kind": SessionKind.objects.get(code="information"),
            "sessions": 3,
            "women": 20,
        },
    )
    session = services.session_update(session=session, by=people.monitor, version=1, fields={"sessions": 4})
    assert (session.sessions, session.version) == (4, 2)


def test_sessions_below_one_are_refused(people):
    with pytest.raises(ValidationError):
        services.session_create(
            by=people.monitor,
            fields={
                "held_on": datetime.date(2021, 12, 3),
                "place": AdminArea.objects.get(pcode="ML0701"),
                "kind": SessionKind.objects.get(code="information"),
                "sessions": 0,
                "women": 20,
            },
        )


class TestMergeKeepsTheAssistance:
    @pytest.fixture
    def pair_with_assistance(self, people):
        older = HouseholdFactory(created_by=people.monitor, status=Status.VERIFIED, registered_on="2021-03-01")
        newer = HouseholdFactory(created_by=people.monitor, registered_on="2021-10-01", registration_number="")
        other = HouseholdFactory(created_by=people.monitor)
        AssistanceFactory(created_by=people.monitor, households_assisted=[older])
        AssistanceFactory(created_by=people.monitor, households_assisted=[newer])
        AssistanceFactory(created_by=people.monitor, households_assisted=[newer, other])
        # One event reached both registrations: after the merge it reaches the kept one once.
        AssistanceFactory(created_by=people.monitor, households_assisted=[older, newer])
        return older, newer, other

    def _linked(self, *households) -> set[int]:
        return set(AssistanceEvent.objects.filter(households_assisted__in=households).values_list("pk", flat=True))

    def test_every_assistance_event_stays_linked(self, people, pair_with_assistance):
        older, newer, other = pair_with_assistance
        before = self._linked(older, newer)
        other_before = self._linked(other)
        household_merge(household=newer, into=older, by=people.supervisor)
        assert self._linked(older) == before
        assert len(self._linked(older)) == len(before) == 4
        assert self._linked(newer) == set()
        assert self._linked(other) == other_before

    def test_each_relinked_event_says_so_in_its_history(self, people, pair_with_assistance):
        older, newer, _other = pair_with_assistance
        relinked = self._linked(newer)
        household_merge(household=newer, into=older, by=people.supervisor)
        comments = [
            event.comment
            for pk in relinked
            for event in workflow.history(AssistanceEvent.objects.get(pk=pk))
            if event.action == "merged"
        ]
        assert len(comments) == 3
        assert all(f"#{newer.pk} was merged into #{older.pk}" in text for text in comments)
        kept_event = workflow.history(older).get(action="merged")
        assert "3 records re-linked" in kept_event.comment
