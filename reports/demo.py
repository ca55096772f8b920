"""The headline tables of the December 2021 operational update: population of concern (July and November
2021) and funding as of 29 December 2021, entered as published."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction

from core.models import PopulationGroup
from reports.models import FundingFigure, PopulationFigure

# the report's row (for reference; the page shows the population group's label in the reader's language),
# group, source, July 2021, November 2021
POPULATION = [
    ("Refugees & asylum seekers in Mali", "refugee", "Government, CNCR", 47_868, 48_992),
    ("IDP returnees", "idp_returnee", "Government, DNDS", 606_617, 606_617),
    ("IDPs", "idp", "Government, DNDS", 377_781, 401_736),
    ("Malian refugee returnees", "refugee_returnee", "Government, DNDS", 83_615, 83_712),
    ("Malian refugees in asylum countries", "refugees_abroad", "UNHCR", 154_461, 158_958),
]
JULY, NOVEMBER = datetime.date(2021, 7, 31), datetime.date(2021, 11, 30)


@transaction.atomic
def load(say: Callable[[str], None]) -> None:
    groups = {group.code: group for group in PopulationGroup.objects.all()}
    for order, (_row, group, source, july, november) in enumerate(POPULATION):
        for as_of, persons in ((JULY, july), (NOVEMBER, november)):
            PopulationFigure.objects.update_or_create(
                as_of=as_of,
                population_group=groups[group],
                source=source,
                defaults={"label": "", "persons": persons, "sort_order": order},
            )
    FundingFigure.objects.update_or_create(
        as_of=datetime.date(2021, 12, 29),
        defaults={
            "currency": "USD",
            "requested": 57_596_810,
            "funded": 31_533_076,
            "gap": 26_063_434,
            "note": "USD 57,596,810 requested for Mali",
        },
    )
    say("population of concern (July and November 2021) and funding (29 December 2021)")
