"""A hand-built December 2021 with a row in every table of the monthly report, for the layout tests of its PDF
(reports/tests/test_pdf_layout.py) and of its page at a phone's width (tests/test_browser_report.py).

Labels are the longest of the reference lists where it matters ("Enlistment and recruitment by armed forces or
groups"; in French "Atteinte à la liberté et à la sécurité de la personne"), and counts reach the thousands.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from activities.tests.factories import AssistanceFactory, SessionFactory
from alerts.tests.factories import AlertFactory
from beneficiaries.tests.factories import MovementFactory
from core.choices import Status
from core.models import AdminArea, AssistanceKind, GbvIncidentType, PopulationGroup, Sector
from incidents.tests.factories import GbvReferralFactory, IncidentFactory
from reports.models import DonorContribution, FundingFigure, PopulationFigure

MONTH = datetime.date(2021, 12, 1)
VERIFIED = Status.VERIFIED


def build_report_month(people: SimpleNamespace) -> None:
    """Verified records of December and November 2021 in Gao, Mopti and Tombouctou, and the headline figures."""
    _incidents(people)
    _gbv_referrals(people)
    MovementFactory(created_by=people.monitor, status=VERIFIED, nationality="GN", men=1204, women=37, girls=3)
    MovementFactory(created_by=people.monitor, status=VERIFIED, nationality="CI", men=12, women=9, boys=2)
    MovementFactory(
        created_by=people.monitor, status=VERIFIED, identified_on=datetime.date(2021, 11, 8), nationality="GN", men=800
    )
    _activities(people)
    AlertFactory(created_by=people.monitor, status=VERIFIED, women=1300, girls=45, men=50, boys=40)
    _headline()


def _incidents(people: SimpleNamespace) -> None:
    def incident(by: object, pcode: str, day: datetime.date, violations: list[dict[str, object]]) -> None:
        IncidentFactory(
            created_by=by,
            place=AdminArea.objects.get(pcode=pcode),
            status=VERIFIED,
            reported_on=day,
            violations=violations,
        )

    december, november = datetime.date(2021, 12, 6), datetime.date(2021, 11, 9)
    incident(
        people.monitor,
        "ML0703",
        december,
        [
            {"type": "forced_recruitment", "boys": 3, "men": 4},
            {"type": "abduction", "women": 1, "men": 2},
            {"type": "theft_extortion", "men": 1200},
        ],
    )
    incident(people.monitor, "ML0703", december, [{"type": "murder", "men": 1}])
    incident(
        people.outsider,
        "ML0506",
        december,
        [{"type": "forced_displacement_conflict", "women": 40, "men": 60}, {"type": "illegal_tax", "men": 5}],
    )
    incident(people.admin, "ML0605", december, [{"type": "assault_injury", "girls": 2, "boys": 1, "unknown": 1}])
    incident(people.monitor, "ML0703", november, [{"type": "threat", "men": 2}])
    incident(people.outsider, "ML0506", november, [{"type": "arbitrary_arrest", "women": 2}])


def _gbv_referrals(people: SimpleNamespace) -> None:
    rape, assault = GbvIncidentType.objects.get(code="rape"), GbvIncidentType.objects.get(code="physical_assault")
    GbvReferralFactory(
        created_by=people.gbv,
        status=VERIFIED,
        age=16,
        incident_type=rape,
        services=[{"service": "health"}, {"service": "psychosocial"}],
    )
    GbvReferralFactory(
        created_by=people.gbv, status=VERIFIED, age=None, incident_type=assault, services=[{"service": "cash"}]
    )


def _activities(people: SimpleNamespace) -> None:
    AssistanceFactory(created_by=people.monitor, status=VERIFIED, households=1386)
    AssistanceFactory(
        created_by=people.monitor,
        status=VERIFIED,
        kind=AssistanceKind.objects.get(code="cash"),
        sector=Sector.objects.get(code="gbv"),
        households=0,
        women=49,
        men=2,
        amount=Decimal("2550000"),
        currency="XOF",
    )
    SessionFactory(created_by=people.monitor, status=VERIFIED, sessions=5, women=263, men=52)


def _headline() -> None:
    groups = {group.code: group for group in PopulationGroup.objects.filter(code__in=["refugee", "idp"])}
    for day, refugees, idps in (
        (datetime.date(2021, 11, 30), 48992, 401736),
        (datetime.date(2021, 7, 31), 47868, 377781),
    ):
        PopulationFigure.objects.create(as_of=day, population_group=groups["refugee"], source="CNCR", persons=refugees)
        PopulationFigure.objects.create(
            as_of=day, population_group=groups["idp"], source="DNDS", persons=idps, sort_order=1
        )
    funding = FundingFigure.objects.create(
        as_of=datetime.date(2021, 12, 29),
        requested=Decimal(57596810),
        funded=Decimal(31533076),
        gap=Decimal(26063434),
    )
    DonorContribution.objects.create(funding=funding, donor="United States of America", amount=Decimal(11912697))
