"""Reads of households and mixed movements: the user's scope (core.access decides), and what lists show."""

from __future__ import annotations

import difflib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from django.db.models import QuerySet

from beneficiaries.models import Household, Movement, Person
from core import access
from core.choices import AdminLevel, Status
from core.models import AdminArea, User
from core.records import with_relations

# Two names this alike (difflib's ratio on the normalised names) may be the same person written twice.
NAME_SIMILARITY = 0.85


def _with_related(queryset: QuerySet) -> QuerySet:
    return with_relations(queryset)


def household_list(*, user: User) -> QuerySet[Household]:
    """The households this user may read, with their members: three queries for any page."""
    return (
        _with_related(access.records_in_scope(Household.objects.all(), user))
        .select_related("place__parent")
        .prefetch_related("members")
    )


def movement_list(*, user: User) -> QuerySet[Movement]:
    """The mixed-movement identifications this user may read."""
    return with_relations(access.records_in_scope(Movement.objects.all(), user))


# --- likely duplicates


def normalise_name(name: str) -> str:
    """Lower case, accents and punctuation stripped, words sorted: "Traoré, Aminata" → "aminata traore"."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    words = "".join(char if char.isalnum() else " " for char in plain).split()
    return " ".join(sorted(words))


def name_similarity(first: str, second: str) -> float:
    return difflib.SequenceMatcher(None, normalise_name(first), normalise_name(second)).ratio()


def cercle_of(place: AdminArea) -> int | None:
    """The cercle (level 2) a place lies in; None for a place given only as a region."""
    if place.level >= AdminLevel.COMMUNE:
        return place.parent_id
    return place.pk if place.level == AdminLevel.CERCLE else None


@dataclass(frozen=True)
class PersonMatch:
    name: str
    other_name: str
    birth_year: int
    similarity: float


@dataclass
class DuplicatePair:
    """Two households that may be one: `keep` is the older registration, `merge` the one to merge into it; the
    members whose names match, and the registration number they share (empty when they do not share one)."""

    keep: Household
    merge: Household
    matches: list[PersonMatch]
    same_registration_number: str = ""


def _sort_key(household: Household) -> tuple:
    return (household.registered_on, household.pk)


def _normalise_number(number: str) -> str:
    return "".join(number.split()).upper()


def likely_duplicate_households(*, user: User) -> list[DuplicatePair]:
    """Pairs of households in the user's scope that share a registration number, or have members of similar
    names, the same birth year and the same cercle. Two queries; names are compared only within one cercle and
    birth year. Only households in the user's scope are compared: a pair shows to who may see both."""
    households = {
        household.pk: household
        for household in household_list(user=user).exclude(status__in=[Status.ARCHIVED, Status.REJECTED])
    }
    found: dict[tuple[int, int], DuplicatePair] = {}
    by_number: dict[str, list[Household]] = defaultdict(list)
    for household in households.values():
        if household.registration_number.strip():
            by_number[_normalise_number(household.registration_number)].append(household)
    for number, sharing in by_number.items():
        for first, second in combinations(sharing, 2):
            keep, merge = sorted((first, second), key=_sort_key)
            found[(keep.pk, merge.pk)] = DuplicatePair(keep, merge, [], same_registration_number=number)
    groups: dict[tuple[int, int], list[Person]] = defaultdict(list)
    for household in households.values():
        cercle = cercle_of(household.place)
        if cercle is None:
            continue
        for person in household.members.all():
            if person.birth_year is not None:
                groups[(cercle, person.birth_year)].append(person)
    for (_cercle, birth_year), persons in groups.items():
        for one, other in combinations(persons, 2):
            if one.household_id == other.household_id:
                continue
            similarity = name_similarity(one.full_name, other.full_name)
            if similarity < NAME_SIMILARITY:
                continue
            keep, merge = sorted((households[one.household_id], households[other.household_id]), key=_sort_key)
            pair = found.setdefault((keep.pk, merge.pk), DuplicatePair(keep, merge, []))
            pair.matches.append(PersonMatch(one.full_name, other.full_name, birth_year, round(similarity, 2)))
    return sorted(found.values(), key=lambda pair: (_sort_key(pair.keep), pair.merge.pk))


def queue_duplicates(records: list[Household], *, user: User) -> dict[int, list[Household]]:
    """For the review queue (the household record type declares it in BeneficiariesConfig.ready): the likely
    duplicates of these households in the user's scope — similar names, same birth year, same cercle."""
    wanted = {record.pk for record in records}
    found: dict[int, list[Household]] = {}
    for pair in likely_duplicate_households(user=user):
        for record, other in ((pair.keep, pair.merge), (pair.merge, pair.keep)):
            if record.pk in wanted:
                found.setdefault(record.pk, []).append(other)
    return found
