"""The hand-built data set the reports tests compute figures on."""

from __future__ import annotations

import datetime

import pytest

from core.choices import Status
from core.models import AdminArea, GbvIncidentType
from incidents.tests.factories import GbvReferralFactory, IncidentFactory


def place(pcode: str) -> AdminArea:
    return AdminArea.objects.get(pcode=pcode)


def day(month: int, number: int) -> datetime.date:
    return datetime.date(2021, month, number)


@pytest.fixture
def data(people):
    """
    December, verified:
      Gao #1   theft_extortion (women 1, men 3) + threat (men 2)        → 6 people; categories E, C
      Gao #2   murder (men 1), occurred 28 November                     → 1; category B
      Mopti #3 forced_displacement_conflict, collective (women 40, men 60) + illegal_tax (men 5)
                                                                         → 1 (once) + 5; categories A, E
      Tombouctou #4 assault_injury (girls 2, boys 1, unknown 1)         → 4; category C
    December, not counted: Gao submitted (threat, men 9), Gao draft, Mopti rejected, Gao returned.
    November, verified: Gao #5 threat (men 2); Mopti #6 theft_extortion (women 2).
    GBV, December: verified with consent — girl of 16, rape (health, psychosocial); woman of unknown age,
    physical assault (legal); verified without consent to reporting; one submitted.
    """
    monitor, mopti, admin = people.monitor, people.outsider, people.admin
    IncidentFactory(
        created_by=monitor,
        status=Status.VERIFIED,
        reported_on=day(12, 3),
        violations=[{"type": "theft_extortion", "women": 1, "men": 3}, {"type": "threat", "men": 2}],
    )
    IncidentFactory(
        created_by=monitor,
        status=Status.VERIFIED,
        reported_on=day(12, 5),
        occurred_on=day(11, 28),
        violations=[{"type": "murder", "men": 1}],
    )
    IncidentFactory(
        created_by=mopti,
        place=place("ML0506"),
        status=Status.VERIFIED,
        reported_on=day(12, 9),
        violations=[
            {"type": "forced_displacement_conflict", "women": 40, "men": 60},
            {"type": "illegal_tax", "men": 5},
        ],
    )
    IncidentFactory(
        created_by=admin,
        place=place("ML0605"),
        status=Status.VERIFIED,
        reported_on=day(12, 20),
        violations=[{"type": "assault_injury", "girls": 2, "boys": 1, "unknown": 1}],
    )
    IncidentFactory(
        created_by=monitor, status=Status.VERIFIED, reported_on=day(11, 10), violations=[{"type": "threat", "men": 2}]
    )
    IncidentFactory(
        created_by=mopti,
        place=place("ML0506"),
        status=Status.VERIFIED,
        reported_on=day(11, 12),
        violations=[{"type": "theft_extortion", "women": 2}],
    )
    IncidentFactory(
        created_by=monitor, status=Status.SUBMITTED, reported_on=day(12, 15), violations=[{"type": "threat", "men": 9}]
    )
    IncidentFactory(created_by=monitor, status=Status.DRAFT, reported_on=day(12, 15))
    IncidentFactory(created_by=mopti, place=place("ML0506"), status=Status.REJECTED, reported_on=day(12, 9))
    IncidentFactory(created_by=monitor, status=Status.RETURNED, reported_on=day(12, 16))
    rape, assault = GbvIncidentType.objects.get(code="rape"), GbvIncidentType.objects.get(code="physical_assault")
    GbvReferralFactory(
        created_by=people.gbv,
        status=Status.VERIFIED,
        sex="female",
        age=16,
        incident_type=rape,
        services=[{"service": "health"}, {"service": "psychosocial"}],
    )
    GbvReferralFactory(
        created_by=people.gbv,
        status=Status.VERIFIED,
        sex="female",
        age=None,
        incident_type=assault,
        services=[{"service": "legal"}],
    )
    GbvReferralFactory(
        created_by=people.gbv, status=Status.VERIFIED, consent_to_reporting=False, services=[{"service": "cash"}]
    )
    GbvReferralFactory(created_by=people.gbv, status=Status.SUBMITTED)
