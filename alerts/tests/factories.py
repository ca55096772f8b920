"""Flash alerts for tests, made directly (the workflow is tested through the pages and core's own tests)."""

from __future__ import annotations

import datetime

import factory

from alerts.models import FlashAlert
from core.choices import Status
from core.models import AdminArea, AlertEventType, AlertNeed, Organisation
from core.tests.factories import ModelFactory


def _organisation(alert: FlashAlert) -> Organisation:
    return alert.created_by.organisation or Organisation.objects.get(is_lead=True)


class AlertFactory(ModelFactory[FlashAlert]):
    """A draft alert of an armed attack in Gao (ML0701), raised on 2021-12-10, the day after the event; `needs`
    takes need codes: `AlertFactory(created_by=user, needs=["shelter", "food"])`."""

    class Meta:
        model = FlashAlert
        skip_postgeneration_save = True

    place = factory.LazyFunction(lambda: AdminArea.objects.get(pcode="ML0701"))
    region = factory.LazyAttribute(lambda alert: alert.place.region)
    organisation = factory.LazyAttribute(_organisation)
    reported_on = datetime.date(2021, 12, 10)
    occurred_on = datetime.date(2021, 12, 9)
    event_type = factory.LazyFunction(lambda: AlertEventType.objects.get(code="armed_attack"))
    households = 40
    women = 60
    girls = 45
    men = 50
    boys = 40
    narrative = "Armed men attacked the village at dawn."
    status = Status.DRAFT

    @factory.post_generation
    def needs(alert: FlashAlert, create: bool, extracted: list[str] | None, **kwargs) -> None:
        if create and extracted:
            alert.needs.set(AlertNeed.objects.filter(code__in=extracted))
