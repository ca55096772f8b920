"""Incidents for tests, made directly (the services are tested on their own)."""

from __future__ import annotations

import datetime

import factory

from core.choices import Status
from core.models import AdminArea, GbvIncidentType, GbvService, Organisation, PopulationGroup, ViolationType
from core.tests.factories import ModelFactory
from incidents.models import GbvReferral, Incident, ServiceReferral, Violation
from incidents.services import restrict_sexual_violence_narratives


class IncidentFactory(ModelFactory[Incident]):
    class Meta:
        model = Incident
        skip_postgeneration_save = True

    place = factory.LazyFunction(lambda: AdminArea.objects.get(pcode="ML0703"))
    region = factory.LazyAttribute(lambda incident: incident.place.region)
    organisation = factory.LazyAttribute(
        lambda incident: incident.created_by.organisation or Organisation.objects.get(is_lead=True)
    )
    reported_on = datetime.date(2021, 12, 10)
    occurred_on = factory.LazyAttribute(lambda incident: incident.reported_on - datetime.timedelta(days=2))
    status = Status.DRAFT
    narrative = "Armed men stopped the bus and took the passengers' money."

    @factory.post_generation
    def violations(incident: Incident, create: bool, extracted: list[dict] | None, **kwargs) -> None:
        if not create:
            return
        for given in extracted if extracted is not None else [{"type": "theft_extortion", "men": 3, "women": 1}]:
            row = dict(given)
            Violation.objects.create(
                incident=incident,
                type=ViolationType.objects.get(code=row.pop("type")),
                population_group=PopulationGroup.objects.get(code=row.pop("population_group", "idp")),
                **row,
            )
        # As the services do when a sexual-violence type is saved: the narrative is restricted.
        if restrict_sexual_violence_narratives(Incident.objects.filter(pk=incident.pk)):
            incident.narrative_restricted = True


class GbvReferralFactory(ModelFactory[GbvReferral]):
    class Meta:
        model = GbvReferral
        skip_postgeneration_save = True

    survivor_code = factory.Sequence(lambda n: f"GAO-2021-{n:04d}")
    place = factory.LazyFunction(lambda: AdminArea.objects.get(pcode="ML0703"))
    region = factory.LazyAttribute(lambda referral: referral.place.region)
    organisation = factory.LazyAttribute(lambda referral: referral.created_by.organisation)
    reported_on = datetime.date(2021, 12, 10)
    sex = "female"
    age = 16
    incident_type = factory.LazyFunction(lambda: GbvIncidentType.objects.get(code="physical_assault"))
    consent_to_referral = True
    consent_to_reporting = True
    notes = "Seen at the health centre; the family is supportive."

    @factory.post_generation
    def services(referral: GbvReferral, create: bool, extracted: list[dict] | None, **kwargs) -> None:
        if not create:
            return
        for given in extracted if extracted is not None else [{"service": "health"}]:
            row = {"referred_on": referral.reported_on, "organisation": "Centre de santé de Gao", **given}
            ServiceReferral.objects.create(
                referral=referral, service=GbvService.objects.get(code=row.pop("service")), **row
            )
