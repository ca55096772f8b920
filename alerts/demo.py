"""A year (2021) of flash alerts shaped like the Mali operation's: what `load_demo` adds.

Each month a few alerts in the regions the demo teams work in (Mopti, Gao, Tombouctou, Ménaka, Kidal, Ségou): armed
attacks on villages and mass displacements in the centre and the north, floods in the rainy season (July to
September), fires and epidemics now and then. Attacks and displacements are urgent; about half of the alerts got a
response, a few days after the event. Almost all are verified, so they count in the figures; a few of the
autumn are still in review or draft. December's are all verified: the report of December 2021 shows the seed
figures and no alert waiting for review.

January and February 2022 are open: a few alerts verified, in the queue and in draft.

Alerts are a separate record type: they change none of the incidents', movements' or assistance figures.
Deterministic (a seeded generator) and each year skipped when its alerts already exist, so it is idempotent.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from typing import cast

from django.db import transaction

from alerts.models import FlashAlert
from beneficiaries.demo import REGION_TEAMS, YEAR, Teams, pick
from core.choices import Status
from core.demo import FEBRUARY, JANUARY, OPEN_YEAR, chance, seeded, write_history
from core.models import AlertEventType, AlertNeed, Organisation, User

# Cercles where alerts are raised, by region (the demo teams' regions).
PLACES = {
    "ML05": ["ML0501", "ML0502", "ML0505", "ML0506"],
    "ML07": ["ML0701", "ML0702", "ML0703"],
    "ML06": ["ML0602", "ML0605"],
    "ML10": ["ML1001"],
    "ML08": ["ML0801", "ML0802"],
    "ML04": ["ML0404"],
}
# Where alerts come from: the centre (Mopti) and Gao most often.
REGION_WEIGHTS = {"ML05": 5, "ML07": 4, "ML06": 2, "ML10": 2, "ML08": 1, "ML04": 1}
EVENT_WEIGHTS = {
    "armed_attack": 6,
    "intercommunal_violence": 3,
    "mass_displacement": 5,
    "return_movement": 2,
    "fire": 1,
    "epidemic": 1,
    "other": 1,
}
RAINY_MONTHS = (7, 8, 9)
URGENT_EVENTS = frozenset({"armed_attack", "mass_displacement", "intercommunal_violence"})
# What each event type usually needs: the first two always, one more drawn from the rest.
NEEDS = {
    "armed_attack": ["protection", "health", "shelter", "food", "cash"],
    "intercommunal_violence": ["protection", "shelter", "food", "nfi"],
    "mass_displacement": ["shelter", "nfi", "food", "wash", "protection", "education"],
    "return_movement": ["shelter", "food", "education", "cash"],
    "flood": ["shelter", "nfi", "wash", "food"],
    "fire": ["shelter", "nfi", "cash"],
    "epidemic": ["health", "wash"],
    "other": ["protection", "food"],
}
# Who responded (the cluster's partners and the State's services), named as field teams write them.
RESPONDERS = [
    "DRC",
    "NRC",
    "IRC",
    "AMSS",
    "INTERSOS",
    "Protection Civile",
    "Direction régionale du développement social",
]
# Persons affected, by event type: the range drawn from.
PERSONS = {
    "armed_attack": (40, 600),
    "intercommunal_violence": (60, 900),
    "mass_displacement": (300, 2500),
    "return_movement": (100, 800),
    "flood": (150, 1800),
    "fire": (15, 120),
    "epidemic": (30, 400),
    "other": (20, 200),
}
# The share of alerts raised by the lead organisation's supervisor of the region rather than its (partner) monitor:
# partners' users read them too (alerts are shared in their region), so the demo shows the coordination.
LEAD_RAISED = 0.3
# Statuses of the alerts not verified: (month, status); December has none (its report shows no alert in review).
IN_REVIEW = [(9, Status.RETURNED), (10, Status.SUBMITTED), (11, Status.SUBMITTED), (11, Status.DRAFT)]
# 2022, open: (month, status) of each alert.
OPEN_MONTHS = (
    [(JANUARY, Status.VERIFIED)] * 4
    + [(JANUARY, Status.SUBMITTED), (FEBRUARY, Status.VERIFIED)]
    + [
        (FEBRUARY, Status.SUBMITTED),
        (FEBRUARY, Status.SUBMITTED),
        (FEBRUARY, Status.DRAFT),
    ]
)
NARRATIVES = {
    "armed_attack": "Armed men attacked the village at dawn; houses and granaries were burnt and families fled.",
    "intercommunal_violence": "Clashes between herders and farmers over a water point; several homes were burnt.",
    "mass_displacement": "Families arrived at the site after attacks on their villages; most sleep in the open.",
    "return_movement": "Families displaced last year returned to their village and need help to settle again.",
    "flood": "Heavy rains flooded the quarter; houses collapsed and the wells are contaminated.",
    "fire": "A fire destroyed shelters on the displacement site.",
    "epidemic": "Cases of measles reported among children of the displacement site.",
    "other": "Checkpoint closures cut the villages off from the weekly market.",
}


def load(say: Callable[[str], None]) -> None:
    teams = Teams()
    if not teams.ready():
        say("demo users missing: run load_demo")
        return
    if FlashAlert.objects.filter(reported_on__year=YEAR).exists():
        say(f"flash alerts of {YEAR} already loaded")
    else:
        with transaction.atomic():
            made = _load_alerts(teams, seeded(YEAR + 50))
        say(f"{made} flash alerts of {YEAR}")
    if FlashAlert.objects.filter(reported_on__year=OPEN_YEAR).exists():
        say(f"flash alerts of {OPEN_YEAR} already loaded")
        return
    with transaction.atomic():
        maker = _AlertMaker(teams, seeded(OPEN_YEAR + 50), year=OPEN_YEAR)
        for month, status in OPEN_MONTHS:
            maker.add(month, status)
        made = maker.save()
    say(f"{made} flash alerts of January and February {OPEN_YEAR}")


class _AlertMaker:
    def __init__(self, teams: Teams, rng: random.Random, *, year: int = YEAR) -> None:
        self.teams, self.rng, self.year = teams, rng, year
        self.event_types = {item.code: item for item in AlertEventType.objects.all()}
        self.needs = {item.code: item for item in AlertNeed.objects.all()}
        self.alerts: list[FlashAlert] = []
        self.alert_needs: list[list[str]] = []
        # Who verifies an alert the region's supervisor raised (nobody verifies their own; admins act anywhere).
        self.admin = User.objects.filter(username="admin").first()

    def add(self, month: int, status: str) -> None:
        rng = self.rng
        event = "flood" if month in RAINY_MONTHS and chance(rng, 0.5) else pick(rng, EVENT_WEIGHTS)
        region = pick(rng, REGION_WEIGHTS)
        raised = datetime.date(self.year, month, rng.randint(3, 28))
        occurred = raised - datetime.timedelta(days=rng.randint(0, 2))
        alert = FlashAlert(
            place=self.teams.place(rng.choice(PLACES[region])),
            reported_on=raised,
            occurred_on=occurred,
            event_type=self.event_types[event],
            urgent=event in URGENT_EVENTS and chance(rng, 0.7),
            narrative=NARRATIVES[event],
            **self._affected(event),
        )
        if chance(rng, 0.5):
            alert.response_triggered = True
            alert.response_by = rng.choice(RESPONDERS)
            # no response after the demo's last day: the year's end, or the open months' end
            last_day = datetime.date(YEAR, 12, 31) if self.year == YEAR else datetime.date(OPEN_YEAR, FEBRUARY, 28)
            alert.response_on = min(occurred + datetime.timedelta(days=rng.randint(1, 10)), last_day)
        self.teams.stamp(alert, raised, status, rng)
        if self.admin and chance(rng, LEAD_RAISED):
            self._raised_by_supervisor(alert, self.admin)
        self.alerts.append(alert)
        self.alert_needs.append(self._needs(event))

    def _raised_by_supervisor(self, alert: FlashAlert, reviewer: User) -> None:
        supervisor = self.teams.users[REGION_TEAMS[alert.region.pcode][1]]
        alert.created_by = supervisor
        alert.organisation = cast(Organisation, supervisor.organisation)  # the demo's supervisors are the lead's
        if alert.reviewed_by_id:
            alert.reviewed_by = reviewer

    def _affected(self, event: str) -> dict[str, int]:
        low, high = PERSONS[event]
        persons = self.rng.randint(low, high)
        # Field estimates: about a third women, a third children, some not broken down.
        unknown = persons // 10 if chance(self.rng, 0.3) else 0
        known = persons - unknown
        women = known * 3 // 10
        girls = known * 2 // 10
        boys = known * 2 // 10
        men = known - women - girls - boys
        return {
            "women": women,
            "girls": girls,
            "men": men,
            "boys": boys,
            "unknown": unknown,
            "households": max(1, persons // 6),
        }

    def _needs(self, event: str) -> list[str]:
        always, others = NEEDS[event][:2], NEEDS[event][2:]
        return [*always, self.rng.choice(others)] if others else list(always)

    def save(self) -> int:
        FlashAlert.objects.bulk_create(self.alerts, batch_size=500)
        through = FlashAlert.needs.through
        through.objects.bulk_create(
            [
                through(flashalert_id=alert.pk, alertneed_id=self.needs[code].pk)
                for alert, codes in zip(self.alerts, self.alert_needs, strict=True)
                for code in sorted(set(codes))
            ]
        )
        write_history(self.alerts)
        return len(self.alerts)


def _load_alerts(teams: Teams, rng: random.Random) -> int:
    maker = _AlertMaker(teams, rng)
    for month in range(1, 13):
        for _ in range(rng.randint(3, 6)):
            maker.add(month, Status.VERIFIED)
    for month, status in IN_REVIEW:
        maker.add(month, status)
    return maker.save()
