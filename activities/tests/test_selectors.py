"""Reads of assistance and sessions: scope, and the repeat-assistance warning."""

from __future__ import annotations

import datetime

from activities.selectors import assistance_list, repeat_assistance, session_list
from activities.tests.factories import AssistanceFactory, SessionFactory
from beneficiaries.tests.factories import HouseholdFactory
from core.choices import Status
from core.models import AdminArea


def test_lists_are_scoped(people):
    gao = AssistanceFactory(created_by=people.monitor)
    AssistanceFactory(created_by=people.outsider, place=AdminArea.objects.get(pcode="ML0506"))
    SessionFactory(created_by=people.monitor)
    assert list(assistance_list(user=people.supervisor)) == [gao]
    assert list(assistance_list(user=people.viewer)) == []
    assert session_list(user=people.partner_monitor).count() == 0  # a partner sees its own organisation's only…
    assert session_list(user=people.supervisor).count() == 1  # …the lead organisation's users see every one


def test_repeat_assistance_uses_the_configured_window(people):
    household = HouseholdFactory(created_by=people.monitor)
    AssistanceFactory(
        created_by=people.monitor, households_assisted=[household], delivered_on=datetime.date(2021, 12, 1)
    )
    later = AssistanceFactory(
        created_by=people.monitor, households_assisted=[household], delivered_on=datetime.date(2021, 12, 15)
    )
    assert len(repeat_assistance(later, user=people.monitor, days=14)) == 1
    assert repeat_assistance(later, user=people.monitor, days=13) == []


def test_rejected_or_archived_events_and_other_households_do_not_warn(people):
    household, neighbour = HouseholdFactory(created_by=people.monitor), HouseholdFactory(created_by=people.monitor)
    AssistanceFactory(created_by=people.monitor, households_assisted=[household], status=Status.REJECTED)
    AssistanceFactory(created_by=people.monitor, households_assisted=[neighbour])
    event = AssistanceFactory(created_by=people.monitor, households_assisted=[household])
    assert repeat_assistance(event, user=people.monitor, days=30) == []
