"""The headline tables of the December 2021 operational update: population of concern (July and November
2021) and funding as of 29 December 2021, entered as published; and the twelve months of 2021 closed and published,
so that the December 2021 report stays the seed report whatever a visitor changes (the page shows their changes
beside the published figures)."""

from __future__ import annotations

import contextlib
import datetime
import logging
import time
from collections.abc import Callable, Iterator

from django.db import transaction
from django.utils import timezone

from core.closing import MonthState, month_state
from core.models import ClosedMonth, MonthLog, PopulationGroup, User
from reports import publishing, suppression
from reports.models import FundingFigure, PopulationFigure, Publication

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


# --- the demo year, closed and published

YEAR = 2021
# What the admin wrote when closing, by month number (most months: nothing).
CLOSING_NOTES = {
    11: "Figures sent to the Protection Cluster with the November operational update.",
    12: (
        "Published as the December 2021 operational update. Records still waiting for review when the month closed "
        "(incidents of Gao and Mopti among them) are not counted in it."
    ),
}


def close_year(say: Callable[[str], None]) -> None:
    """Close the twelve months of the demo year in order, as the admin would have, each on the 10th of the month
    after (the demo's records were all reviewed by then); a month already closed is left as it is."""
    admin = User.objects.get(username="admin")
    started, computing = time.perf_counter(), time.process_time()
    closed = []
    with _quiet(suppression.logger):  # a line for each cell it hides: the demo says what it did in one
        for number in range(1, 13):
            month = datetime.date(YEAR, number, 1)
            if month_state(month) is not MonthState.OPEN:
                continue
            published = publishing.publish(month)
            publishing.close_month(month, by=admin, published=published, note=CLOSING_NOTES.get(number, ""))
            _date_the_closing(month)
            closed.append(month)
    if not closed:
        say(f"the months of {YEAR} are closed already")
        return
    took, computed = time.perf_counter() - started, time.process_time() - computing
    say(f"{len(closed)} months of {YEAR} closed and published in {took:.1f} s ({computed:.1f} s of this process's CPU)")
    exposed = Publication.objects.filter(month__in=closed, protected=False).values_list("month", flat=True)
    for month in exposed:
        say(f"{month:%Y-%m}: a small count its suppression could not protect (named in the warning above)")


@contextlib.contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    """The logger's warnings only, for a while."""
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _date_the_closing(month: datetime.date) -> None:
    """The closing is dated when the operation would have closed the month: the 10th of the month after, 10:00."""
    day = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=10)
    when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    ClosedMonth.objects.filter(month=month).update(closed_at=when)
    MonthLog.objects.filter(month=month, action=MonthLog.Action.CLOSED).update(at=when)
