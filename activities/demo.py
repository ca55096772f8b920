"""A year (2021) of assistance events and sessions shaped like the Mali operation's: what `load_demo` adds.

The verified records reproduce the December 2021 operational update (../shared/seeds): NFI kits to 1,386
households in December (cercles of Mopti, Bankass and Niono) and 5,111 in the year; 246 refugees vaccinated in
the Kayes region in December (91 women, 155 men); 38 information sessions in December for 1,033 persons, 283 of
them women; cash to 51 GBV survivors (2 refugees, 30 IDPs, 19 from the host community) and to 292 learners; the
voluntary repatriation of 164 Ivorian refugees; 115 + 12 shelters built and 12 rehabilitated in Goundam and Léré;
awareness sessions on GBV in Gao reaching 263 women and 52 men, and in Ansongo 174 IDP women and 58 women from the
host community; and so on. Other months hold plausible records of the same kinds. A few records still in review or
draft count nowhere. January and February 2022 are open: a few records of each, verified, in the queue, returned and
in draft.

Deterministic (seeded generators) and skipped when 2021 records already exist, so it is idempotent.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction

from activities.models import AssistanceEvent, Session
from beneficiaries.demo import YEAR, Teams, day_in, split_number, split_people
from beneficiaries.models import Household
from core.choices import Status
from core.demo import FEBRUARY, JANUARY, OPEN_YEAR, seeded, write_history
from core.models import AssistanceKind, PopulationGroup, Sector, SessionKind
from core.records import PEOPLE_FIELDS

# NFI kits: households per month (the year sums to 5,111); December's by cercle (Mopti, Bankass, Niono).
NFI_HOUSEHOLDS_BY_MONTH = [0, 420, 0, 515, 380, 0, 610, 0, 450, 700, 650]
NFI_DECEMBER = [("ML0506", 300), ("ML0506", 312), ("ML0502", 458), ("ML0404", 316)]
NFI_PLACES = ["ML0506", "ML0502", "ML0703", "ML0605", "ML0404", "ML1001"]
# Eight sites of the Kayes region reached by the second COVID-19 vaccination round.
KAYES_SITES = ["ML0101", "ML0102", "ML0103", "ML0103", "ML0104", "ML0105", "ML0106", "ML0107"]
# Information sessions on mixed movements in December: sessions per monitoring point (38 in all).
INFORMATION_DECEMBER = [
    ("ML0703", 6),
    ("ML0703", 5),
    ("ML1001", 5),
    ("ML0802", 4),
    ("ML0605", 5),
    ("ML0701", 4),
    ("ML090101", 5),
    ("ML0901", 4),
]
INFORMATION_PEOPLE = {"women": 283, "girls": 52, "men": 612, "boys": 86, "unknown": 0}
# Kinds that come back every month or two, with a place, a sector, a group and a people range.
ROUTINE_ASSISTANCE = [
    ("food_kit", ["ML0703", "ML0506", "ML090106"], "shelter_nfi", "idp"),
    ("medical_care", ["ML0901", "ML0101", "ML0703"], "health", "refugee"),
    ("birth_certificate", ["ML0506", "ML0703", "ML0605"], "statelessness", "idp"),
    ("cash", ["ML0703", "ML0506"], "gbv", "idp"),
    ("id_card", ["ML0101", "ML0901"], "statelessness", "refugee"),
]
ROUTINE_SESSIONS = [
    ("awareness", "Prevention of GBV", "gbv", "idp"),
    ("awareness", "Peaceful coexistence", "protection", "host"),
    ("information", "Dangers of irregular movements", "mixed_movements", "other"),
    ("community_dialogue", "Access to land for displaced families", "protection", "idp"),
    ("training", "Protection monitoring", "protection", "officials"),
]


class _References:
    def __init__(self) -> None:
        self.kinds = {item.code: item for item in AssistanceKind.objects.all()}
        self.session_kinds = {item.code: item for item in SessionKind.objects.all()}
        self.sectors = {item.code: item for item in Sector.objects.all()}
        self.groups = {item.code: item for item in PopulationGroup.objects.all()}


def load(say: Callable[[str], None]) -> None:
    teams = Teams()
    if not teams.ready():
        say("demo users missing: run load_demo")
        return
    references = _References()
    if AssistanceEvent.objects.filter(delivered_on__year=YEAR).exists():
        say(f"assistance of {YEAR} already loaded")
    else:
        with transaction.atomic():
            made = _load_assistance(teams, references, seeded(YEAR + 40))
        say(f"{made} assistance events of {YEAR}")
    if Session.objects.filter(held_on__year=YEAR).exists():
        say(f"sessions of {YEAR} already loaded")
    else:
        with transaction.atomic():
            made = _load_sessions(teams, references, seeded(YEAR + 41))
        say(f"{made} session records of {YEAR}")
    if AssistanceEvent.objects.filter(delivered_on__year=OPEN_YEAR).exists():
        say(f"assistance and sessions of {OPEN_YEAR} already loaded")
        return
    with transaction.atomic():
        made = _load_open_months(teams, references, seeded(OPEN_YEAR + 40))
    say(f"{made} assistance events and session records of January and February {OPEN_YEAR}")


# --- assistance


class _AssistanceMaker:
    def __init__(self, teams: Teams, references: _References, rng: random.Random) -> None:
        self.teams, self.references, self.rng = teams, references, rng
        self.events: list[AssistanceEvent] = []
        self.links: dict[int, list[Household]] = {}

    def add(self, kind: str, pcode: str, day: datetime.date, *, status: str = Status.VERIFIED, **values) -> None:
        references = self.references
        for name in ("sector", "population_group"):
            if name in values:
                values[name] = (references.sectors if name == "sector" else references.groups)[values[name]]
        event = AssistanceEvent(kind=references.kinds[kind], place=self.teams.place(pcode), delivered_on=day, **values)
        self.events.append(self.teams.stamp(event, day, status, self.rng))

    def link(self, households: list[Household]) -> None:
        """Tie the last event added to registered households."""
        self.links[len(self.events) - 1] = households

    def save(self) -> int:
        AssistanceEvent.objects.bulk_create(self.events, batch_size=500)
        through = AssistanceEvent.households_assisted.through
        through.objects.bulk_create(
            [
                through(assistanceevent_id=self.events[index].pk, household_id=household.pk)
                for index, households in self.links.items()
                for household in households
            ]
        )
        write_history(self.events)
        return len(self.events)


def _load_assistance(teams: Teams, references: _References, rng: random.Random) -> int:
    maker = _AssistanceMaker(teams, references, rng)
    _nfi_kits(maker, rng)
    _december_assistance(maker, rng)
    _routine_assistance(maker, rng)
    _assistance_in_review(maker, rng)
    return maker.save()


def _nfi_kits(maker: _AssistanceMaker, rng: random.Random) -> None:
    nfi = {"sector": "shelter_nfi", "population_group": "idp"}
    for month, households in enumerate(NFI_HOUSEHOLDS_BY_MONTH, start=1):
        if households:
            for share in split_number(households, rng.randint(1, 3), rng):
                maker.add("nfi_kit", rng.choice(NFI_PLACES), day_in(rng, month), households=share, **nfi)
    for pcode, households in NFI_DECEMBER:
        maker.add("nfi_kit", pcode, day_in(rng, 12), households=households, **nfi)
    # Registered households of Mopti among December's: the kits reached families the register knows.
    mopti = list(
        Household.objects.filter(place__pcode="ML0506", status=Status.VERIFIED, registered_on__month__lte=10).order_by(
            "pk"
        )[:20]
    )
    maker.link(mopti)


def _people(**counts: int) -> dict[str, Any]:  # Any: spread into add() beside its str keywords
    return {name: counts.get(name, 0) for name in PEOPLE_FIELDS}


def _december_assistance(maker: _AssistanceMaker, rng: random.Random) -> None:
    december = datetime.date(YEAR, 12, 1)

    def day() -> datetime.date:
        return december + datetime.timedelta(days=rng.randint(0, 27))

    # COVID-19 vaccination, second round, eight sites of the Kayes region: 246 refugees.
    women, men = split_number(91, 8, rng), split_number(155, 8, rng)
    for pcode, site_women, site_men in zip(KAYES_SITES, women, men, strict=True):
        maker.add(
            "vaccination",
            pcode,
            day(),
            sector="covid19",
            population_group="refugee",
            **_people(women=site_women, men=site_men),
        )
    # Ivorian refugees before their return (Bamako): consultations and vaccination, 90 women and 70 men.
    maker.add("vaccination", "ML0901", day(), sector="health", population_group="refugee", **_people(women=90, men=70))
    # Cash to 51 GBV survivors: 2 refugees, 30 IDPs, 19 from the host community (50,000 XOF each).
    for group, pcode, counts in (
        ("refugee", "ML0703", _people(women=2)),
        ("idp", "ML0703", _people(women=18, girls=2)),
        ("idp", "ML0506", _people(women=9, girls=1)),
        ("host", "ML0701", _people(women=17, girls=2)),
    ):
        amount = Decimal(50000 * sum(counts.values()))
        maker.add("cash", pcode, day(), sector="gbv", population_group=group, amount=amount, currency="XOF", **counts)
    # Cash to 292 learners of the SSA/P centres in Gao.
    maker.add(
        "cash",
        "ML0703",
        day(),
        sector="education",
        population_group="idp",
        amount=Decimal(8760000),
        currency="XOF",
        **_people(girls=140, boys=152),
    )
    # The voluntary repatriation of 164 Ivorian refugees to Côte d'Ivoire, with cash for their first needs.
    returnees = _people(women=54, men=50, girls=28, boys=32)
    maker.add(
        "voluntary_repatriation",
        "ML0901",
        day(),
        sector="durable_solutions",
        population_group="refugee",
        country="CI",
        **returnees,
    )
    maker.add(
        "cash",
        "ML0901",
        day(),
        sector="durable_solutions",
        population_group="refugee",
        country="CI",
        amount=Decimal(16400000),
        currency="XOF",
        **returnees,
    )
    _december_services(maker, day)
    _december_construction(maker, day)


def _december_services(maker: _AssistanceMaker, day: Callable[[], datetime.date]) -> None:
    maker.add("medical_care", "ML0901", day(), sector="health", population_group="refugee", **_people(women=6, men=4))
    maker.add(
        "scholarship",
        "ML0901",
        day(),
        sector="education",
        population_group="refugee",
        amount=Decimal(5500000),
        currency="XOF",
        **_people(women=6, men=5),
    )
    maker.add(
        "naturalisation_file",
        "ML0103",
        day(),
        sector="statelessness",
        population_group="refugee",
        **_people(girls=80, boys=84),
    )
    maker.add("travel_document", "ML0901", day(), sector="protection", population_group="refugee", **_people(men=2))
    maker.add("legal_assistance", "ML0602", day(), sector="shelter_nfi", population_group="idp", households=25)
    # 13 food kits to 13 displaced households of the Senou site, all of them registered.
    maker.add("food_kit", "ML090106", day(), sector="shelter_nfi", population_group="idp", households=13)
    senou = list(Household.objects.filter(place__pcode="ML090106", status=Status.VERIFIED).order_by("pk")[:13])
    maker.link(senou)
    for pcode, groups in (("ML0703", 4), ("ML1001", 3), ("ML0802", 3), ("ML0605", 4), ("ML0901", 2)):
        maker.add(
            "livelihood_support",
            pcode,
            day(),
            sector="livelihoods",
            population_group="idp",
            quantity=Decimal(groups),
            amount=Decimal(1500000 * groups),
            currency="XOF",
        )


def _december_construction(maker: _AssistanceMaker, day: Callable[[], datetime.date]) -> None:
    shelter = {"sector": "shelter_nfi", "population_group": "idp"}
    maker.add("shelter_built", "ML0602", day(), quantity=Decimal(60), **shelter)  # RHU, Goundam
    maker.add("shelter_built", "ML0604", day(), quantity=Decimal(55), **shelter)  # RHU, Léré (Niafunké)
    maker.add("shelter_built", "ML0602", day(), quantity=Decimal(12), **shelter)  # hydraform brick houses
    maker.add("shelter_rehabilitated", "ML0602", day(), quantity=Decimal(12), **shelter)
    maker.add("latrines", "ML0406", day(), sector="wash", population_group="idp", quantity=Decimal(2))
    maker.add("latrines", "ML090105", day(), sector="wash", population_group="idp", quantity=Decimal(2))
    maker.add("classroom_built", "ML0505", day(), sector="education", population_group="idp", quantity=Decimal(4))
    maker.add("classroom_built", "ML0406", day(), sector="education", population_group="idp", quantity=Decimal(2))


def _routine_assistance(maker: _AssistanceMaker, rng: random.Random) -> None:
    """January to November: the routine kinds, a few records a month; an earlier vaccination round in Kayes."""
    for month in range(1, 12):
        for kind, places, sector, group in rng.sample(ROUTINE_ASSISTANCE, 3):
            people = _people(women=rng.randint(5, 60), men=rng.randint(0, 40), girls=rng.randint(0, 20))
            extra: dict[str, Any] = (
                {"amount": Decimal(40000 * sum(people.values())), "currency": "XOF"} if kind == "cash" else {}
            )
            if kind == "food_kit":
                people, extra = {}, {"households": rng.randint(20, 150)}
            maker.add(
                kind, rng.choice(places), day_in(rng, month), sector=sector, population_group=group, **people, **extra
            )
    for pcode in KAYES_SITES[:4]:
        maker.add(
            "vaccination",
            pcode,
            day_in(rng, 10),
            sector="covid19",
            population_group="refugee",
            **_people(women=rng.randint(8, 20), men=rng.randint(10, 30)),
        )


def _assistance_in_review(maker: _AssistanceMaker, rng: random.Random) -> None:
    """December records that count nowhere yet: in the queue, returned, or a draft."""
    nfi = {"sector": "shelter_nfi", "population_group": "idp"}
    maker.add("nfi_kit", "ML0703", day_in(rng, 12), status=Status.SUBMITTED, households=200, **nfi)
    maker.add("nfi_kit", "ML0506", day_in(rng, 12), status=Status.DRAFT, households=90, **nfi)
    maker.add(
        "vaccination",
        "ML0103",
        day_in(rng, 12),
        status=Status.SUBMITTED,
        sector="covid19",
        population_group="refugee",
        **_people(women=12, men=9),
    )
    maker.add(
        "cash",
        "ML0703",
        day_in(rng, 12),
        status=Status.RETURNED,
        sector="gbv",
        population_group="idp",
        amount=Decimal(150000),
        currency="XOF",
        **_people(women=3),
    )


# --- sessions


class _SessionMaker:
    def __init__(self, teams: Teams, references: _References, rng: random.Random) -> None:
        self.teams, self.references, self.rng = teams, references, rng
        self.sessions: list[Session] = []

    def add(
        self,
        kind: str,
        pcode: str,
        day: datetime.date,
        topic: str,
        *,
        sector: str,
        group: str | None,
        sessions: int,
        status: str = Status.VERIFIED,
        **people: int,
    ) -> None:
        session = Session(
            kind=self.references.session_kinds[kind],
            place=self.teams.place(pcode),
            held_on=day,
            topic=topic,
            sector=self.references.sectors[sector],
            population_group=self.references.groups[group] if group else None,
            sessions=sessions,
            **_people(**people),
        )
        self.sessions.append(self.teams.stamp(session, day, status, self.rng))

    def save(self) -> int:
        Session.objects.bulk_create(self.sessions, batch_size=500)
        write_history(self.sessions)
        return len(self.sessions)


def _load_sessions(teams: Teams, references: _References, rng: random.Random) -> int:
    maker = _SessionMaker(teams, references, rng)
    _december_sessions(maker, rng)
    for month in range(1, 12):
        for kind, topic, sector, group in rng.sample(ROUTINE_SESSIONS, 3):
            maker.add(
                kind,
                rng.choice(["ML0703", "ML0506", "ML0605", "ML1001", "ML0901"]),
                day_in(rng, month),
                topic,
                sector=sector,
                group=group,
                sessions=rng.randint(1, 6),
                women=rng.randint(10, 90),
                men=rng.randint(5, 60),
                girls=rng.randint(0, 15),
                boys=rng.randint(0, 15),
            )
    # Not counted yet: one waits in the queue, one is a draft.
    maker.add(
        "information",
        "ML0703",
        day_in(rng, 12),
        "Civil registration",
        sector="mixed_movements",
        group="other",
        sessions=2,
        status=Status.SUBMITTED,
        women=12,
        men=30,
    )
    maker.add(
        "awareness",
        "ML0506",
        day_in(rng, 12),
        "Child protection",
        sector="child_protection",
        group="idp",
        sessions=1,
        status=Status.DRAFT,
        women=20,
        girls=15,
    )
    return maker.save()


def _december_sessions(maker: _SessionMaker, rng: random.Random) -> None:
    def day() -> datetime.date:
        return day_in(rng, 12)

    topic = "Dangers of irregular movements, civil registration, COVID-19 protection measures"
    people: list[dict[str, Any]] = split_people(INFORMATION_PEOPLE, len(INFORMATION_DECEMBER), rng)
    for (pcode, sessions), counts in zip(INFORMATION_DECEMBER, people, strict=True):
        maker.add(
            "information", pcode, day(), topic, sector="mixed_movements", group="other", sessions=sessions, **counts
        )
    gbv = "gbv"
    # The update names no population group for these (nor for the 16 Days' sessions below): "not given", so that
    # the report of Gao reads "174 IDP women and 58 women from the host community" as the update does.
    maker.add(
        "awareness",
        "ML0703",
        day(),
        "Domestic violence, early marriage, access to justice, child protection",
        sector=gbv,
        group=None,
        sessions=6,
        women=263,
        men=52,
    )
    maker.add("awareness", "ML0701", day(), "GBV", sector=gbv, group="idp", sessions=3, women=174)
    maker.add("awareness", "ML0701", day(), "GBV", sector=gbv, group="host", sessions=1, women=58)
    maker.add(
        "awareness",
        "ML0506",
        day(),
        "GBV in the IDP sites of Médina Coura, Socoura and Sarema",
        sector=gbv,
        group="idp",
        sessions=3,
        women=186,
        men=73,
    )
    for pcode, women, men in (
        ("ML0703", 20, 4),
        ("ML0701", 18, 3),
        ("ML0603", 15, 2),
        ("ML1001", 15, 3),
        ("ML1001", 15, 2),
    ):
        maker.add(
            "awareness",
            pcode,
            day(),
            "16 Days of Activism against GBV",
            sector=gbv,
            group=None,
            sessions=1,
            women=women,
            men=men,
        )
    maker.add(
        "awareness",
        "ML0901",
        day(),
        "#IBelong: the fight against statelessness",
        sector="statelessness",
        group="host",
        sessions=1,
        unknown=200,
    )
    maker.add(
        "training",
        "ML0901",
        day(),
        "Protection for DNDS staff managing IDP sites",
        sector="protection",
        group="officials",
        sessions=1,
        women=7,
        men=10,
    )
    maker.add(
        "training",
        "ML0103",
        day(),
        "Statelessness: concepts, civil status, nationality",
        sector="statelessness",
        group="officials",
        sessions=1,
        women=4,
        men=8,
    )
    maker.add(
        "training",
        "ML1001",
        day(),
        "Statelessness: concepts, civil status, nationality",
        sector="statelessness",
        group="officials",
        sessions=1,
        women=6,
        men=14,
    )
    maker.add(
        "training",
        "ML0901",
        day(),
        "Community mobilisation (DAFI scholars)",
        sector="education",
        group="refugee",
        sessions=1,
        girls=11,
        boys=10,
    )


# --- 2022: the open months


def _load_open_months(teams: Teams, references: _References, rng: random.Random) -> int:
    """January and February 2022: the routine kinds, verified, in the queue, returned and in draft."""
    assistance, sessions = _AssistanceMaker(teams, references, rng), _SessionMaker(teams, references, rng)
    statuses = {
        JANUARY: [Status.VERIFIED] * 3 + [Status.SUBMITTED],
        FEBRUARY: [Status.VERIFIED, Status.SUBMITTED, Status.RETURNED, Status.DRAFT],
    }
    for month, month_statuses in statuses.items():
        for status, (kind, places, sector, group) in zip(
            month_statuses, rng.sample(ROUTINE_ASSISTANCE, 4), strict=True
        ):
            people = _people(women=rng.randint(5, 60), men=rng.randint(0, 40), girls=rng.randint(0, 20))
            extra: dict[str, Any] = (
                {"amount": Decimal(40000 * sum(people.values())), "currency": "XOF"} if kind == "cash" else {}
            )
            if kind == "food_kit":
                people, extra = {}, {"households": rng.randint(20, 150)}
            day = day_in(rng, month, OPEN_YEAR)
            assistance.add(
                kind, rng.choice(places), day, status=status, sector=sector, population_group=group, **people, **extra
            )
        for status, (kind, topic, sector, group) in zip(month_statuses, rng.sample(ROUTINE_SESSIONS, 4), strict=True):
            sessions.add(
                kind,
                rng.choice(["ML0703", "ML0506", "ML0605", "ML1001", "ML0901"]),
                day_in(rng, month, OPEN_YEAR),
                topic,
                sector=sector,
                group=group,
                sessions=rng.randint(1, 6),
                status=status,
                women=rng.randint(10, 90),
                men=rng.randint(5, 60),
            )
    return assistance.save() + sessions.save()
