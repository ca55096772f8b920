"""A year (2021) of GBV referrals in Gao and Mopti for `load_demo`: survivor codes, both consents, services
followed until provided — some still pending past their follow-up date, so the follow-up board has work. January
and February 2022 are open: referrals verified, waiting for the second focal point, or returned.

Deterministic (a seeded generator); each year skipped when its referrals already exist.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from core.choices import Status
from core.demo import DECEMBER, FEBRUARY, JANUARY, NOVEMBER, OPEN_YEAR, chance, seeded, write_history
from core.models import AdminArea, GbvIncidentType, GbvService, PopulationGroup, User
from incidents.choices import ServiceStatus
from incidents.models import GbvReferral, ServiceReferral

YEAR = 2021
REFERRALS_PER_MONTH = [21, 18, 24, 26, 22, 19, 23, 27, 25, 31, 34, 38]
TEAMS = {"ML07": ("GAO", "gbv_gao", "gbv_gao_2"), "ML05": ("MOP", "gbv_mopti", "gbv_mopti_2")}
TYPES = {
    "physical_assault": 30,
    "psychological_abuse": 20,
    "denial_of_resources": 15,
    "rape": 15,
    "forced_marriage": 12,
    "sexual_assault": 8,
}
SERVICES = {"psychosocial": 40, "health": 30, "legal": 12, "safety": 6, "livelihoods": 6, "cash": 4, "shelter": 2}
RECEIVERS = ["CSCom", "AMSS", "Clinique juridique DEME SO", "Hôpital régional", "IRC", "Commissariat"]
GROUPS = {"idp": 55, "host": 30, "refugee": 5, "idp_returnee": 10}
# 2022, open: the referrals of each month by status.
OPEN_MONTHS = {
    JANUARY: [Status.VERIFIED] * 20 + [Status.SUBMITTED] * 2 + [Status.RETURNED],
    FEBRUARY: [Status.VERIFIED] * 6 + [Status.SUBMITTED] * 5,
}


def load(say: Callable[[str], None]) -> None:
    if GbvReferral.objects.filter(reported_on__year=YEAR).exists():
        say(f"GBV referrals of {YEAR} already loaded")
    else:
        with transaction.atomic():
            made = _create(seeded(YEAR + 10))
        say(f"{made} GBV referrals of {YEAR}")
    if GbvReferral.objects.filter(reported_on__year=OPEN_YEAR).exists():
        say(f"GBV referrals of {OPEN_YEAR} already loaded")
        return
    with transaction.atomic():
        made = _create_open_months(seeded(OPEN_YEAR + 10))
    say(f"{made} GBV referrals of January and February {OPEN_YEAR}")


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _references() -> dict:
    return {
        "types": {item.code: item for item in GbvIncidentType.objects.all()},
        "services": {item.code: item for item in GbvService.objects.all()},
        "groups": {item.code: item for item in PopulationGroup.objects.all()},
        "users": {
            user.username: user for user in User.objects.filter(username__in=[n for t in TEAMS.values() for n in t[1:]])
        },
        "places": {region: list(AdminArea.objects.filter(parent__pcode=region)) for region in TEAMS},
    }


def _create(rng: random.Random) -> int:
    references = _references()
    numbers = dict.fromkeys(TEAMS, 0)
    referrals, service_rows = [], []
    for month, count in enumerate(REFERRALS_PER_MONTH, start=1):
        for index in range(count):
            region = "ML07" if index % 5 in {0, 1} else "ML05"  # two referrals in five
            numbers[region] += 1
            referral = _referral(
                rng, references, region, month, numbers[region], late_in_year=month == DECEMBER and index > count - 6
            )
            referrals.append(referral)
            service_rows.append(_services(rng, references, referral) if referral.consent_to_referral else [])
    return _save(referrals, service_rows)


def _create_open_months(rng: random.Random) -> int:
    references = _references()
    numbers = dict.fromkeys(TEAMS, 0)
    referrals, service_rows = [], []
    for month, statuses in OPEN_MONTHS.items():
        for index, status in enumerate(statuses):
            region = "ML07" if index % 5 in {0, 1} else "ML05"
            numbers[region] += 1
            referral = _referral(rng, references, region, month, numbers[region], year=OPEN_YEAR, status=status)
            referrals.append(referral)
            service_rows.append(_services(rng, references, referral) if referral.consent_to_referral else [])
    return _save(referrals, service_rows)


def _save(referrals: list[GbvReferral], service_rows: list[list[dict]]) -> int:
    GbvReferral.objects.bulk_create(referrals, batch_size=500)
    ServiceReferral.objects.bulk_create(
        [
            ServiceReferral(referral=referral, **row)
            for referral, rows in zip(referrals, service_rows, strict=True)
            for row in rows
        ]
    )
    write_history(referrals)
    return len(referrals)


def _referral(
    rng, references, region: str, month: int, number: int, *, late_in_year: bool = False, year=YEAR, status=""
) -> GbvReferral:
    prefix, author, reviewer = TEAMS[region]
    author, reviewer = references["users"][author], references["users"][reviewer]
    reported_on = datetime.date(year, month, rng.randint(1, 28))
    age = rng.choice([None, 14, 15, 16, 17, 19, 22, 25, 28, 31, 34, 38, 45])
    status = status or (Status.SUBMITTED if late_in_year else Status.VERIFIED)
    reviewed = status in (Status.VERIFIED, Status.RETURNED)
    submitted_at = timezone.make_aware(datetime.datetime.combine(reported_on, datetime.time(15, 0)))
    place = rng.choice(references["places"][region])
    return GbvReferral(
        survivor_code=f"{prefix}-{year}-{number:04d}",
        reported_on=reported_on,
        place=place,
        region=place.parent,
        organisation=author.organisation,
        sex="female" if chance(rng, 0.93) else rng.choice(["male", "unknown"]),
        age=age,
        population_group=references["groups"][_weighted(rng, GROUPS)],
        incident_type=references["types"][_weighted(rng, TYPES)],
        incident_date=reported_on - datetime.timedelta(days=rng.choice([0, 1, 2, 4, 10, 30])),
        consent_to_referral=chance(rng, 0.95),
        consent_to_reporting=chance(rng, 0.9),
        status=status,
        version=3 if reviewed else 2,
        created_by=author,
        submitted_at=submitted_at,
        reviewed_by=reviewer if reviewed else None,
        reviewed_at=submitted_at + datetime.timedelta(days=1) if reviewed else None,
        review_note="Please add the date of the referral to the health centre." if status == Status.RETURNED else "",
    )


def _services(rng, references, referral: GbvReferral) -> list[dict]:
    rows = []
    for code in rng.sample(list(SERVICES), k=rng.choice([1, 1, 2, 2, 3])):
        referred_on = referral.reported_on
        follow_up_on = referred_on + datetime.timedelta(days=rng.choice([7, 14, 30]))
        # Older referrals were followed up; the last weeks of the year still wait.
        status = (
            ServiceStatus.PROVIDED
            if referral.reported_on < datetime.date(YEAR, NOVEMBER, 1) and chance(rng, 0.85)
            else _weighted(
                rng,
                {
                    ServiceStatus.PENDING: 5,
                    ServiceStatus.ACCEPTED: 3,
                    ServiceStatus.PROVIDED: 3,
                    ServiceStatus.DECLINED: 1,
                },
            )
        )
        provided_on = (
            referred_on + datetime.timedelta(days=rng.randint(0, 6)) if status == ServiceStatus.PROVIDED else None
        )
        rows.append(
            {
                "service": references["services"][code],
                "organisation": rng.choice(RECEIVERS),
                "referred_on": referred_on,
                "status": status,
                "provided_on": provided_on,
                "follow_up_on": follow_up_on,
            }
        )
    return rows
