"""A year (2021) of protection incidents shaped like the Mali operation's: what `load_demo` adds.

The verified incidents reproduce the figures of the December 2021 operational update (../shared/seeds):
373 incidents in December against 531 in November; incidents with a right-to-life violation: 31 in October,
23 in November, 61 in December; 6,412 violations in the year — 1,152 against women, 376 girls, 4,537 men,
339 boys, 8 of unknown sex or age — of which Mopti holds 50%, Tombouctou 17% and Gao 16%. Those people add
up to the 6,412 exactly, so the verified year holds no collective violation (each would count once more);
one waits in the review queue: a forced displacement in December. A few records still in review, returned,
rejected or draft make the queues realistic; they count in no figure. The twelve months are closed and published
(reports.demo), so the December report stays the seed report whatever a visitor does.

January and February 2022 are open: January nearly all verified, February under way, each with records submitted,
returned, rejected, in draft and archived, so the supervisors' queue and the monitors' returned records have work.

Deterministic (a seeded generator), and skipped when 2021 incidents already exist, so it is idempotent.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

from django.db import transaction
from django.utils import timezone

from core.choices import Status
from core.demo import FEBRUARY, JANUARY, OPEN_YEAR, chance, seeded, write_history
from core.models import AdminArea, PerpetratorCategory, PopulationGroup, User, ViolationType
from core.records import PEOPLE_FIELDS
from incidents.models import Incident, Violation
from incidents.services import restrict_sexual_violence_narratives

YEAR = 2021
INCIDENTS_PER_MONTH = [402, 428, 463, 508, 489, 455, 431, 476, 494, 502, 531, 373]
RIGHT_TO_LIFE_INCIDENTS = {10: 31, 11: 23, 12: 61}
PEOPLE_IN_YEAR = {"women": 1152, "girls": 376, "men": 4537, "boys": 339, "unknown": 8}
# Persons touched by (non-collective) violations, by region: Mopti 50%, Tombouctou 17%, Gao 16%.
PEOPLE_BY_REGION = {
    "ML05": 3206,
    "ML06": 1090,
    "ML07": 1026,
    "ML04": 481,
    "ML10": 321,
    "ML08": 128,
    "ML02": 96,
    "ML09": 64,
}
REGION_TEAMS = {
    "ML05": ("monitor_mopti", "supervisor_mopti"),
    "ML06": ("monitor_tombouctou", "supervisor_north"),
    "ML07": ("monitor_gao", "supervisor_gao"),
    "ML04": ("monitor_segou", "supervisor_south"),
    "ML10": ("monitor_menaka", "supervisor_north"),
    "ML08": ("monitor_kidal", "supervisor_north"),
    "ML02": ("monitor_south", "supervisor_south"),
    "ML09": ("monitor_south", "supervisor_south"),
}
RIGHT_TO_LIFE = ["assassination", "murder", "explosive_death"]
OTHER_TYPES = {
    "theft_extortion": 22,
    "illegal_tax": 14,
    "assault_injury": 12,
    "threat": 12,
    "abduction": 8,
    "property_destruction": 6,
    "arbitrary_arrest": 5,
    "psychological_abuse": 5,
    "arson": 3,
    "forced_labour": 2,
    "family_separation": 2,
    "forced_recruitment": 2,
    "discrimination": 2,
    "torture": 1,
    "explosive_injury": 2,
    "rape": 1,
    "sexual_assault": 1,
}
PERPETRATORS = ["armed_group", "unidentified_armed", "criminal", "militia", "security_forces", "community_member"]
GROUPS = ["idp", "host", "idp_returnee", "refugee", "refugee_returnee"]
LOCALITIES = ["Boni", "Hombori", "Sévaré", "Bandiagara", "Ber", "Gossi", "Tassiga", "Léré", "Inékar", "Talataye"]
# 2022, open: incidents verified so far, and the others by status, per month.
OPEN_VERIFIED = {JANUARY: 338, FEBRUARY: 96}
OPEN_IN_WORKFLOW = {
    JANUARY: [Status.SUBMITTED] * 6 + [Status.RETURNED] * 2 + [Status.REJECTED, Status.DRAFT, Status.ARCHIVED],
    FEBRUARY: [Status.SUBMITTED] * 14 + [Status.RETURNED] * 3 + [Status.REJECTED] + [Status.DRAFT] * 4,
}
# A year's share of persons by sex and age (the demo year's), for the open months' violations.
GROUP_WEIGHTS = {group: count / sum(PEOPLE_IN_YEAR.values()) for group, count in PEOPLE_IN_YEAR.items()}
NARRATIVES = [
    "Armed men stopped the bus on the road to the market and took the passengers' money and phones.",
    "Herders reported cattle taken at night by unidentified armed men; one of them was beaten.",
    "A family was told to leave its field unless it paid a tax to the armed group controlling the area.",
    "Two young men were taken from the village by armed men and have not been seen since.",
]


@dataclass
class _PlannedIncident:
    month: int
    region: str
    types: list[str]
    people: list[Counter] = field(default_factory=list)
    year: int = YEAR


def load(say: Callable[[str], None]) -> None:
    if Incident.objects.filter(reported_on__year=YEAR).exists():
        say(f"incidents of {YEAR} already loaded")
    else:
        with transaction.atomic():
            plan = _plan(seeded(YEAR))
            created = _create(plan, seeded(YEAR + 1))
            extra = _create_records_in_review(seeded(YEAR + 2))
        say(f"{created} verified incidents of {YEAR}, {extra} more in the workflow")
    if Incident.objects.filter(reported_on__year=OPEN_YEAR).exists():
        say(f"incidents of {OPEN_YEAR} already loaded")
        return
    with transaction.atomic():
        counts = _create_open_months(seeded(OPEN_YEAR))
    verified, others = counts[Status.VERIFIED], counts.total() - counts[Status.VERIFIED]
    say(f"{verified} verified incidents of January and February {OPEN_YEAR}, {others} more in the workflow")


def _plan(rng: random.Random) -> list[_PlannedIncident]:
    regions, weights = zip(*PEOPLE_BY_REGION.items(), strict=True)
    plan: list[_PlannedIncident] = []
    for month, count in enumerate(INCIDENTS_PER_MONTH, start=1):
        life = RIGHT_TO_LIFE_INCIDENTS.get(month, rng.randint(18, 40))
        for index in range(count):
            types = [rng.choice(RIGHT_TO_LIFE)] if index < life else [_other_type(rng)]
            if chance(rng, 0.06):
                types.append(_other_type(rng, exclude=types))
            plan.append(_PlannedIncident(month, rng.choices(regions, weights)[0], types))
    _share_people(plan, rng)
    return plan


def _other_type(rng: random.Random, exclude: Sequence[str] = ()) -> str:
    names = [name for name in OTHER_TYPES if name not in exclude]
    return rng.choices(names, [OTHER_TYPES[name] for name in names])[0]


def _share_people(plan: list[_PlannedIncident], rng: random.Random) -> None:
    """Give every violation at least one person so that each region's total and the year's groups come out
    exactly: persons are slots, filled from one shuffled list of the year's sex/age labels."""
    labels = [group for group, count in PEOPLE_IN_YEAR.items() for _ in range(count)]
    rng.shuffle(labels)
    slots_by_region: dict[str, list[tuple[_PlannedIncident, int]]] = defaultdict(list)
    for planned in plan:
        planned.people = [Counter() for _ in planned.types]
        for position in range(len(planned.types)):
            slots_by_region[planned.region].append((planned, position))
    cursor = 0
    for region, slots in slots_by_region.items():
        sizes = [1] * len(slots)
        for _ in range(PEOPLE_BY_REGION[region] - len(slots)):
            sizes[rng.randrange(len(slots))] += 1
        for (planned, position), size in zip(slots, sizes, strict=True):
            planned.people[position].update(labels[cursor : cursor + size])
            cursor += size
    if cursor != len(labels):
        raise RuntimeError(f"{len(labels) - cursor} persons of the year left unplaced")


def _create(plan: list[_PlannedIncident], rng: random.Random) -> int:
    references = _references()
    incidents = [_incident(planned, rng, references) for planned in plan]
    Incident.objects.bulk_create(incidents, batch_size=500)
    violations = []
    for planned, incident in zip(plan, incidents, strict=True):
        for type_code, people in zip(planned.types, planned.people, strict=True):
            violations.append(_violation(incident, type_code, dict(people), rng, references))
    Violation.objects.bulk_create(violations, batch_size=1000)
    # Written in bulk, without the services: their sexual-violence narratives are restricted here.
    restrict_sexual_violence_narratives(Incident.objects.all())
    write_history(incidents)
    return len(incidents)


def _references() -> dict:
    return {
        "types": {item.code: item for item in ViolationType.objects.all()},
        "groups": {item.code: item for item in PopulationGroup.objects.all()},
        "perpetrators": {item.code: item for item in PerpetratorCategory.objects.all()},
        "places": _places_by_region(),
        "users": {user.username: user for user in User.objects.filter(username__in=_team_names())},
    }


def _team_names() -> set[str]:
    return {name for team in REGION_TEAMS.values() for name in team}


def _places_by_region() -> dict[str, list[AdminArea]]:
    places: dict[str, list[AdminArea]] = defaultdict(list)
    for area in AdminArea.objects.filter(level=2).select_related("parent"):
        places[cast(AdminArea, area.parent).pcode].append(area)  # a cercle (level 2) is in a region
    return places


def _incident(planned: _PlannedIncident, rng: random.Random, references: dict) -> Incident:
    reported_on = datetime.date(planned.year, planned.month, rng.randint(1, 28))
    monitor, supervisor = (references["users"][name] for name in REGION_TEAMS[planned.region])
    place = rng.choice(references["places"][planned.region])
    submitted_at = _moment(reported_on + datetime.timedelta(days=rng.randint(0, 2)))
    return Incident(
        reported_on=reported_on,
        occurred_on=reported_on - datetime.timedelta(days=rng.choice([0, 0, 1, 2, 3, 5, 9])),
        place=place,
        region=place.parent,
        organisation=monitor.organisation,
        perpetrator=references["perpetrators"][rng.choice(PERPETRATORS)],
        locality=rng.choice(LOCALITIES),
        narrative="",
        status=Status.VERIFIED,
        version=3,
        created_by=monitor,
        submitted_at=submitted_at,
        reviewed_by=supervisor,
        reviewed_at=submitted_at + datetime.timedelta(days=rng.randint(1, 4)),
    )


def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def _violation(incident: Incident, type_code: str, people: dict[str, int], rng: random.Random, references: dict):
    return Violation(
        incident=incident,
        type=references["types"][type_code],
        population_group=references["groups"][rng.choice(GROUPS)],
        **{name: people.get(name, 0) for name in PEOPLE_FIELDS},
    )


def _create_records_in_review(rng: random.Random) -> int:
    """Records that count in no figure: December's still in the queue, some returned, a draft, a duplicate."""
    references = _references()
    statuses = [Status.SUBMITTED] * 9 + [Status.RETURNED] * 2 + [Status.DRAFT] * 2 + [Status.REJECTED]
    made = []
    for index, status in enumerate(statuses):
        region = ["ML07", "ML05"][index % 2]
        planned = _PlannedIncident(12, region, [_other_type(rng)], people=[Counter({"men": 1 + index % 3})])
        incident = _incident(planned, rng, references)
        incident.reported_on = datetime.date(YEAR, 12, 20 + index % 9)
        incident.occurred_on = incident.reported_on - datetime.timedelta(days=1)
        incident.submitted_at = _moment(incident.reported_on) if status != Status.DRAFT else None
        incident.status, incident.urgent = status, index == 0
        incident.narrative = "Awaiting review." if status == Status.SUBMITTED else ""
        if status != Status.REJECTED:
            incident.reviewed_by = incident.reviewed_at = None
        if status == Status.RETURNED:
            incident.review_note = "Please add the village and the number of perpetrators."
        incident.save()
        Violation.objects.create(**_violation_fields(incident, planned, references))
        if index == 0:  # the urgent one: a village displaced at once (a collective violation, counted once)
            Violation.objects.create(
                incident=incident,
                type=references["types"]["forced_displacement_conflict"],
                population_group=references["groups"]["idp"],
                women=420,
                girls=380,
                men=310,
                boys=390,
            )
        made.append(incident)
    write_history(made)
    return len(made)


def _violation_fields(incident: Incident, planned: _PlannedIncident, references: dict) -> dict:
    return {
        "incident": incident,
        "type": references["types"][planned.types[0]],
        "population_group": references["groups"]["idp"],
        **{name: planned.people[0].get(name, 0) for name in PEOPLE_FIELDS},
    }


# --- 2022: the open months


def _create_open_months(rng: random.Random) -> Counter[str]:
    """January and February 2022: verified incidents, and others submitted, returned, rejected, in draft or
    archived, entered through the year's teams with the history their status implies."""
    references = _references()
    regions, weights = zip(*PEOPLE_BY_REGION.items(), strict=True)
    planned = [
        (_open_plan(rng, month, rng.choices(regions, weights)[0]), status)
        for month, count in OPEN_VERIFIED.items()
        for status in [Status.VERIFIED] * count + OPEN_IN_WORKFLOW[month]
    ]
    incidents = [_open_incident(plan, status, rng, references) for plan, status in planned]
    Incident.objects.bulk_create(incidents, batch_size=500)
    Violation.objects.bulk_create(
        [
            _violation(incident, type_code, dict(people), rng, references)
            for (plan, _status), incident in zip(planned, incidents, strict=True)
            for type_code, people in zip(plan.types, plan.people, strict=True)
        ],
        batch_size=1000,
    )
    restrict_sexual_violence_narratives(Incident.objects.filter(reported_on__year=OPEN_YEAR))
    write_history(incidents)
    return Counter(incident.status for incident in incidents)


def _open_plan(rng: random.Random, month: int, region: str) -> _PlannedIncident:
    types = [rng.choice(RIGHT_TO_LIFE)] if chance(rng, 0.08) else [_other_type(rng)]
    if chance(rng, 0.06):
        types.append(_other_type(rng, exclude=types))
    groups, shares = zip(*GROUP_WEIGHTS.items(), strict=True)
    people = [Counter(rng.choices(groups, shares, k=rng.choice([1, 1, 1, 2, 2, 3, 4]))) for _ in types]
    return _PlannedIncident(month, region, types, people, year=OPEN_YEAR)


def _open_incident(planned: _PlannedIncident, status: str, rng: random.Random, references: dict) -> Incident:
    incident = _incident(planned, rng, references)
    incident.status = status
    if status == Status.VERIFIED:
        return incident
    incident.narrative = rng.choice(NARRATIVES)
    incident.version = 2
    if status in (Status.DRAFT, Status.ARCHIVED):
        incident.submitted_at = None
        incident.version = 1
    if status in (Status.SUBMITTED, Status.DRAFT, Status.ARCHIVED):
        incident.reviewed_by = incident.reviewed_at = None
    if status == Status.RETURNED:
        incident.review_note = "Please add the village and the number of perpetrators."
    if status == Status.REJECTED:
        incident.review_note = "Already reported by the team of the neighbouring cercle."
    if status == Status.ARCHIVED:
        incident.status_before_archive = Status.DRAFT  # a draft its author gave up
    return incident
