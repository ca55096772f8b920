"""Households and movements for tests, made directly (the services are tested on their own)."""

from __future__ import annotations

import datetime

import factory

from beneficiaries.models import Household, Movement, Person
from core.choices import Status
from core.models import AdminArea, Organisation
from core.tests.factories import ModelFactory


def _organisation(record) -> Organisation:
    return record.created_by.organisation or Organisation.objects.get(is_lead=True)


class HouseholdFactory(ModelFactory[Household]):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    place = factory.LazyFunction(lambda: AdminArea.objects.get(pcode="ML0701"))
    region = factory.LazyAttribute(lambda household: household.place.region)
    organisation = factory.LazyAttribute(_organisation)
    registered_on = datetime.date(2021, 12, 10)
    registration_number = factory.Sequence(lambda n: f"GAO-21-{n:05d}")
    head_name = "Aminata Traoré"
    status = Status.DRAFT

    @factory.post_generation
    def members(household: Household, create: bool, extracted: list[dict] | None, **kwargs) -> None:
        if not create:
            return
        default = [
            {"full_name": household.head_name, "sex": "female", "birth_year": 1985, "is_head": True},
            {"full_name": "Moussa Traoré", "sex": "male", "birth_year": 2012},
        ]
        for row in extracted if extracted is not None else default:
            Person.objects.create(household=household, **row)


class MovementFactory(ModelFactory[Movement]):
    class Meta:
        model = Movement

    place = factory.LazyFunction(lambda: AdminArea.objects.get(pcode="ML0703"))
    region = factory.LazyAttribute(lambda movement: movement.place.region)
    organisation = factory.LazyAttribute(_organisation)
    identified_on = datetime.date(2021, 12, 10)
    nationality = "CI"
    origin_country = "CI"
    destination_country = "DZ"
    men = 9
    women = 2
    girls = 1
    status = Status.DRAFT
