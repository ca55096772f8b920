"""A year (2021) of mixed-movement identifications and registered households: what `load_demo` adds.

The verified identifications reproduce the December 2021 operational update (../shared/seeds): 1,762 persons in
December (1,239 men, 283 women, 79 girls, 161 boys), 29% more than November's 1,366. A few hundred households
are registered with their members, among them a few planted pairs that are the same family registered twice
(names re-typed, the same birth years, the same cercle) for the likely-duplicates review. A few records still in
review, returned or draft count nowhere. January and February 2022 are open: identifications verified, in the
queue, returned and in draft.

Deterministic (seeded generators) and skipped when 2021 records already exist, so it is idempotent. The helpers
below (teams, review stamps, history lines) serve activities' demo too.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Callable
from typing import TypeVar, cast

from django.db import transaction
from django.utils import timezone

from beneficiaries.models import Household, Movement, Person
from beneficiaries.selectors import cercle_of, name_similarity, normalise_name
from core.choices import Status
from core.demo import DECEMBER, FEBRUARY, JANUARY, OPEN_YEAR, chance, seeded, write_history
from core.models import AdminArea, Organisation, PopulationGroup, User
from core.records import PEOPLE_FIELDS, ReviewedRecord

R = TypeVar("R", bound=ReviewedRecord)

YEAR = 2021
# Who enters and who reviews each region's records (the demo users of load_demo).
REGION_TEAMS = {
    "ML01": ("monitor_south", "supervisor_south"),
    "ML02": ("monitor_south", "supervisor_south"),
    "ML03": ("monitor_south", "supervisor_south"),
    "ML09": ("monitor_south", "supervisor_south"),
    "ML04": ("monitor_segou", "supervisor_south"),
    "ML05": ("monitor_mopti", "supervisor_mopti"),
    "ML06": ("monitor_tombouctou", "supervisor_north"),
    "ML07": ("monitor_gao", "supervisor_gao"),
    "ML08": ("monitor_kidal", "supervisor_north"),
    "ML10": ("monitor_menaka", "supervisor_north"),
}

# Mixed movements: persons identified per month; December's groups are the report's, November gives +29%.
MOVEMENT_PERSONS = [1104, 1187, 1236, 1019, 1342, 1298, 1176, 1089, 1254, 1415, 1366, 1762]
# 2022, open: persons in verified identifications so far, and the identifications of each other status.
OPEN_MOVEMENT_PERSONS = {JANUARY: 1488, FEBRUARY: 610}
OPEN_MOVEMENTS_IN_WORKFLOW = {
    JANUARY: [Status.SUBMITTED, Status.RETURNED],
    FEBRUARY: [Status.SUBMITTED] * 5 + [Status.RETURNED, Status.DRAFT, Status.DRAFT],
}
DECEMBER_GROUPS = {"women": 283, "girls": 79, "men": 1239, "boys": 161, "unknown": 0}
GROUP_SHARES = {"women": 0.16, "girls": 0.045, "boys": 0.09, "unknown": 0.005}  # men: the rest
MONITORING_POINTS = {"ML0703": 40, "ML1001": 15, "ML0802": 15, "ML0605": 15, "ML0701": 10, "ML0901": 5}
NATIONALITIES = {"GN": 20, "CI": 12, "SN": 10, "BF": 10, "ML": 10, "NG": 8, "NE": 8, "GM": 6, "CM": 5, "SL": 4}
DESTINATIONS = {"DZ": 50, "LY": 20, "NE": 10, "ML": 10, "MA": 5, "ES": 5}

# Households: cercle (or Bamako commune) → how many registered there in 2021, and their registration prefix.
HOUSEHOLD_PLACES = {
    "ML0703": (60, "GAO"),
    "ML0701": (40, "ANS"),
    "ML0506": (50, "MPT"),
    "ML0502": (25, "BKS"),
    "ML0605": (30, "TBK"),
    "ML0602": (25, "GDM"),
    "ML1001": (25, "MNK"),
    "ML0406": (15, "SEG"),
    "ML090106": (30, "BKO"),
}
HOUSEHOLD_GROUPS = {"idp": 60, "host": 15, "refugee": 10, "refugee_returnee": 8, "idp_returnee": 7}
PLANTED_DUPLICATES = 5
FEMALE_NAMES = [
    "Aminata", "Fatoumata", "Awa", "Mariam", "Kadiatou", "Oumou", "Hawa", "Assitan", "Rokia", "Djénéba",
    "Aïssata", "Bintou", "Salimata", "Korotoumou", "Nana", "Fanta", "Ramata", "Tenin", "Safiatou", "Zeinabou",
]  # fmt: skip
MALE_NAMES = [
    "Moussa", "Mamadou", "Oumar", "Boubacar", "Ibrahim", "Seydou", "Amadou", "Hamadoun", "Souleymane", "Adama",
    "Bakary", "Modibo", "Issa", "Abdoulaye", "Yacouba", "Alassane", "Drissa", "Sidiki", "Hamidou", "Mahamane",
]  # fmt: skip
FAMILY_NAMES = [
    "Traoré", "Maïga", "Cissé", "Diallo", "Coulibaly", "Touré", "Keïta", "Sangaré", "Dicko", "Guindo",
    "Kanté", "Ag Alhassane", "Haïdara", "Diarra", "Sidibé", "Tamboura", "Dembélé", "Konaté", "Bocoum", "Ongoïba",
]  # fmt: skip
SPECIFIC_NEEDS = ["", "", "", "", "Disability", "Single parent", "Older person at risk", "Chronic illness"]


class Teams:
    """The demo users and the places, read once."""

    def __init__(self) -> None:
        names = {name for team in REGION_TEAMS.values() for name in team}
        self.users = {user.username: user for user in User.objects.filter(username__in=names)}
        self.places = {area.pcode: area for area in AdminArea.objects.select_related("parent", "parent__parent").all()}

    def ready(self) -> bool:
        return len(self.users) == len({name for team in REGION_TEAMS.values() for name in team})

    def place(self, pcode: str) -> AdminArea:
        return self.places[pcode]

    def stamp(self, record: R, day: datetime.date, status: str, rng: random.Random) -> R:
        """Give a record its region, author, organisation and the review it went through (another person than
        the author verifies)."""
        record.region = record.place.region
        monitor_name, supervisor_name = REGION_TEAMS[record.region.pcode]
        monitor, supervisor = self.users[monitor_name], self.users[supervisor_name]
        organisation = cast(Organisation, monitor.organisation)  # the demo's monitors all have one
        record.created_by, record.organisation, record.status = monitor, organisation, status
        versions: dict[str, int] = {Status.DRAFT: 1, Status.SUBMITTED: 2, Status.RETURNED: 3}
        record.version = versions.get(status, 3)
        if status != Status.DRAFT:
            record.submitted_at = submitted_at = moment(day + datetime.timedelta(days=rng.randint(0, 2)))
            if status in (Status.VERIFIED, Status.RETURNED):
                record.reviewed_by = supervisor
                record.reviewed_at = submitted_at + datetime.timedelta(days=rng.randint(1, 4))
        if status == Status.RETURNED:
            record.review_note = "Please check the counts against the site list."
        return record


def moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def split_people(groups: dict[str, int], records: int, rng: random.Random) -> list[dict[str, int]]:
    """Share people (by group) among `records` records, each with at least one person; the sums stay exact."""
    labels = [group for group, count in groups.items() for _ in range(count)]
    rng.shuffle(labels)
    sizes = [1] * records
    for _ in range(len(labels) - records):
        sizes[rng.randrange(records)] += 1
    shares, cursor = [], 0
    for size in sizes:
        share = dict.fromkeys(PEOPLE_FIELDS, 0)
        for label in labels[cursor : cursor + size]:
            share[label] += 1
        shares.append(share)
        cursor += size
    return shares


def split_number(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` shared among `parts` parts, each at least 1."""
    sizes = [1] * parts
    for _ in range(total - parts):
        sizes[rng.randrange(parts)] += 1
    return sizes


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def day_in(rng: random.Random, month: int, year: int = YEAR) -> datetime.date:
    return datetime.date(year, month, rng.randint(1, 28))


def load(say: Callable[[str], None]) -> None:
    teams = Teams()
    if not teams.ready():
        say("demo users missing: run load_demo")
        return
    if Movement.objects.filter(identified_on__year=YEAR).exists():
        say(f"mixed movements of {YEAR} already loaded")
    else:
        with transaction.atomic():
            made = _load_movements(teams, seeded(YEAR + 30))
        say(f"{made} mixed-movement identifications of {YEAR}")
    if Movement.objects.filter(identified_on__year=OPEN_YEAR).exists():
        say(f"mixed movements of {OPEN_YEAR} already loaded")
    else:
        with transaction.atomic():
            made = _load_open_movements(teams, seeded(OPEN_YEAR + 30))
        say(f"{made} mixed-movement identifications of January and February {OPEN_YEAR}")
    if Household.objects.filter(registered_on__year=YEAR).exists():
        say(f"households of {YEAR} already loaded")
    else:
        with transaction.atomic():
            households, persons = _load_households(teams, seeded(YEAR + 31))
        say(f"{households} households with {persons} members ({PLANTED_DUPLICATES} planted likely duplicates)")


# --- mixed movements


def _month_groups(month: int, total: int) -> dict[str, int]:
    if month == DECEMBER:
        return dict(DECEMBER_GROUPS)
    groups = {group: round(total * share) for group, share in GROUP_SHARES.items()}
    groups["men"] = total - sum(groups.values())
    return groups


def _load_movements(teams: Teams, rng: random.Random) -> int:
    movements: list[Movement] = []
    for month, total in enumerate(MOVEMENT_PERSONS, start=1):
        movements.extend(
            _movement(teams, rng, month, people, Status.VERIFIED)
            for people in split_people(_month_groups(month, total), total // 24, rng)
        )
    # Still in review, returned or draft: they count in no figure.
    movements.extend(
        _movement(teams, rng, 12, {"men": rng.randint(3, 20), "women": rng.randint(0, 4)}, status)
        for status in [Status.SUBMITTED] * 4 + [Status.RETURNED, Status.DRAFT]
    )
    Movement.objects.bulk_create(movements, batch_size=500)
    write_history(movements)
    return len(movements)


def _load_open_movements(teams: Teams, rng: random.Random) -> int:
    movements: list[Movement] = []
    for month, total in OPEN_MOVEMENT_PERSONS.items():
        movements.extend(
            _movement(teams, rng, month, people, Status.VERIFIED, year=OPEN_YEAR)
            for people in split_people(_month_groups(month, total), total // 24, rng)
        )
        movements.extend(
            _movement(
                teams, rng, month, {"men": rng.randint(3, 20), "women": rng.randint(0, 4)}, status, year=OPEN_YEAR
            )
            for status in OPEN_MOVEMENTS_IN_WORKFLOW[month]
        )
    Movement.objects.bulk_create(movements, batch_size=500)
    write_history(movements)
    return len(movements)


def _movement(
    teams: Teams, rng: random.Random, month: int, people: dict[str, int], status: str, *, year: int = YEAR
) -> Movement:
    nationality = pick(rng, NATIONALITIES)
    children = people.get("girls", 0) + people.get("boys", 0)
    unaccompanied = rng.randint(0, children // 4) if children else 0
    movement = Movement(
        identified_on=day_in(rng, month, year),
        place=teams.place(pick(rng, MONITORING_POINTS)),
        nationality=nationality,
        origin_country=nationality if chance(rng, 0.9) else pick(rng, NATIONALITIES),
        destination_country=pick(rng, DESTINATIONS),
        unaccompanied_children=unaccompanied,
        separated_children=rng.randint(0, (children - unaccompanied) // 3) if children else 0,
        specific_needs=rng.randint(0, max(0, sum(people.values()) // 6)),
        **{name: people.get(name, 0) for name in PEOPLE_FIELDS},
    )
    return teams.stamp(movement, movement.identified_on, status, rng)


# --- households


# Well under the similarity from which the duplicate check pairs two names (selectors.NAME_SIMILARITY).
_UNLIKE = 0.8


class _Names:
    """Draws names so that no two persons of one cercle and birth year look alike by chance: the only likely
    duplicates of the demo are the planted ones."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: dict[tuple[int | None, int], list[str]] = defaultdict(list)

    def draw(self, cercle: int | None, birth_year: int, first_names: list[str], family: str) -> str:
        name = ""
        for _ in range(40):
            name = f"{self.rng.choice(first_names)} {family}"
            if all(name_similarity(name, other) < _UNLIKE for other in self.taken[(cercle, birth_year)]):
                break
            family = self.rng.choice(FAMILY_NAMES)
        self.taken[(cercle, birth_year)].append(name)
        return name


def _load_households(teams: Teams, rng: random.Random) -> tuple[int, int]:
    groups = {group.code: group for group in PopulationGroup.objects.all()}
    names = _Names(rng)
    households: list[Household] = []
    members: list[list[Person]] = []
    for pcode, (count, prefix) in HOUSEHOLD_PLACES.items():
        place = teams.place(pcode)
        for number in range(1, count + 1):
            household, people = _household(teams, rng, names, place, number=f"{prefix}-21-{number:05d}", groups=groups)
            households.append(household)
            members.append(people)
    for original, people in rng.sample(list(zip(households, members, strict=True)), PLANTED_DUPLICATES):
        duplicate, copied = _planted_duplicate(teams, rng, original, people)
        households.append(duplicate)
        members.append(copied)
    Household.objects.bulk_create(households, batch_size=500)
    for household, people in zip(households, members, strict=True):
        for person in people:
            person.household = household
    persons = [person for people in members for person in people]
    Person.objects.bulk_create(persons, batch_size=1000)
    write_history(households)
    return len(households), len(persons)


def _household(
    teams: Teams, rng: random.Random, names: _Names, place: AdminArea, *, number: str, groups: dict
) -> tuple[Household, list[Person]]:
    registered_on = day_in(rng, rng.randint(1, 11))
    cercle = cercle_of(place)
    family = rng.choice(FAMILY_NAMES)
    head_female = chance(rng, 0.35)
    head_year = rng.randint(1955, 1998)
    head = Person(
        full_name=names.draw(cercle, head_year, FEMALE_NAMES if head_female else MALE_NAMES, family),
        sex="female" if head_female else "male",
        birth_year=head_year,
        is_head=True,
        specific_needs=rng.choice(SPECIFIC_NEEDS),
    )
    people = [head]
    if not head_female and chance(rng, 0.8):
        year = min(head_year + rng.randint(2, 12), 2002)
        people.append(
            Person(
                full_name=names.draw(cercle, year, FEMALE_NAMES, rng.choice(FAMILY_NAMES)),
                sex="female",
                birth_year=year,
            )
        )
    for _ in range(rng.randint(0, 6)):
        year = rng.randint(max(head_year + 18, 2000), registered_on.year)
        female = chance(rng, 0.5)
        people.append(
            Person(
                full_name=names.draw(cercle, year, FEMALE_NAMES if female else MALE_NAMES, family),
                sex="female" if female else "male",
                birth_year=year if chance(rng, 0.95) else None,
            )
        )
    status = rng.choices([Status.VERIFIED, Status.SUBMITTED, Status.RETURNED, Status.DRAFT], [92, 4, 2, 2])[0]
    household = Household(
        registered_on=registered_on,
        registration_number=number if chance(rng, 0.88) else "",
        head_name=head.full_name,
        population_group=groups[pick(rng, HOUSEHOLD_GROUPS)],
        place=place,
        specific_needs=head.specific_needs,
    )
    return teams.stamp(household, registered_on, status, rng), people


def _retyped(name: str, rng: random.Random) -> str:
    """A name as another clerk types it: accents dropped, family name first in capitals, or both."""
    first, _space, family = name.partition(" ")
    plain = normalise_name(name).title() if chance(rng, 0.5) else name
    return f"{family.upper()} {first}" if chance(rng, 0.5) else plain


def _planted_duplicate(
    teams: Teams, rng: random.Random, original: Household, people: list[Person]
) -> tuple[Household, list[Person]]:
    """The same family registered again later in the same place by another visit, without its number."""
    registered_on = original.registered_on + datetime.timedelta(days=rng.randint(10, 30))
    copied = [
        Person(
            full_name=_retyped(person.full_name, rng),
            sex=person.sex,
            birth_year=person.birth_year,
            is_head=person.is_head,
        )
        for person in people[: max(1, len(people) - 1)]
    ]
    duplicate = Household(
        registered_on=registered_on,
        registration_number="",
        head_name=copied[0].full_name,
        population_group=original.population_group,
        place=original.place,
        specific_needs="",
    )
    return teams.stamp(duplicate, registered_on, Status.SUBMITTED, rng), copied
