"""Assistance events and sessions for tests, made directly (the services are tested on their own)."""

from __future__ import annotations

import datetime

import factory

from activities.models import AssistanceEvent, Session
from core.choices import Status
from core.models import AdminArea, AssistanceKind, Organisation, Sector, SessionKind
from core.tests.factories import ModelFactory


def _organisation(record) -> Organisation:
    return record.created_by.organisation or Organisation.objects.get(is_lead=True)


class AssistanceFactory(ModelFactory[AssistanceEvent]):
    class Meta:
        model = AssistanceEvent
        skip_postgeneration_save = True

    place = factory.LazyFunction(lambda: AdminArea.objects.get(pcode="ML0701"))
    region = factory.LazyAttribute(lambda event: event.place.region)
    organisation = factory.LazyAttribute(_organisation)
    delivered_on = datetime.date(2021, 12, 10)
    kind = factory.LazyFunction(lambda: AssistanceKind.objects.get(code="nfi_kit"))
    sector = factory.LazyFunction(lambda: Sector.objects.get(code="shelter_nfi"))
    households = 12
    status = Status.DRAFT

    @factory.post_generation
    def households_assisted(event: AssistanceEvent, create: bool, extracted: list | None, **kwargs) -> None:
        if create and extracted:
            event.households_assisted.set(extracted)


class SessionFactory(ModelFactory[Session]):
    class Meta:
        model = Session

    place = factory.LazyFunction(lambda: AdminArea.objects.get(pcode="ML0701"))
    region = factory.LazyAttribute(lambda session: session.place.region)
    organisation = factory.LazyAttribute(_organisation)
    held_on = datetime.date(2021, 12, 10)
    kind = factory.LazyFunction(lambda: SessionKind.objects.get(code="awareness"))
    topic = "GBV and early marriage"
    sessions = 2
    women = 26
    men = 5
    status = Status.DRAFT
