"""Likely duplicate households: similar names + same birth year + same cercle, found on a planted set."""

from __future__ import annotations

import pytest

from beneficiaries.selectors import likely_duplicate_households, name_similarity, normalise_name
from beneficiaries.tests.factories import HouseholdFactory
from core.choices import Status
from core.models import AdminArea
from core.records import record_type_of


def test_names_are_normalised_without_accents_case_or_word_order():
    assert normalise_name("TRAORÉ,  Aminata") == normalise_name("aminata traore") == "aminata traore"
    assert name_similarity("Aïssata Maïga", "Aissata Maiga") == 1.0
    assert name_similarity("Aminata Traoré", "Oumar Cissé") < 0.85


def _household(user, pcode: str, name: str, birth_year: int, **kwargs):
    return HouseholdFactory(
        created_by=user,
        place=AdminArea.objects.get(pcode=pcode),
        head_name=name,
        members=[{"full_name": name, "sex": "female", "birth_year": birth_year, "is_head": True}],
        **kwargs,
    )


@pytest.fixture
def planted(people):
    """Three planted pairs among near misses: each pair is one family registered twice."""
    admin = people.admin
    pairs = [
        (_household(admin, "ML0701", "Aminata Traoré", 1985), _household(admin, "ML0701", "Aminata Traore", 1985)),
        (_household(admin, "ML0506", "Hamadoun Cissé", 1979), _household(admin, "ML0506", "CISSE Hamadoun", 1979)),
        (_household(admin, "ML0702", "Fatoumata Maïga", 1990), _household(admin, "ML0702", "Fatoumata Maiga", 1990)),
    ]
    near_misses = [
        _household(admin, "ML0701", "Aminata Traoré", 1986),  # another birth year
        _household(admin, "ML0703", "Aminata Traoré", 1985),  # another cercle (Gao)
        _household(admin, "ML0701", "Oumar Touré", 1985),  # another name
        _household(admin, "ML0702", "Fatoumata Maïga", 1990, status=Status.ARCHIVED),  # archived: already handled
    ]
    return pairs, near_misses


def test_the_planted_pairs_are_found_and_nothing_else(people, planted):
    pairs, _near_misses = planted
    found = likely_duplicate_households(user=people.admin)
    assert {(pair.keep.pk, pair.merge.pk) for pair in found} == {(first.pk, second.pk) for first, second in pairs}
    assert all(match.similarity >= 0.85 for pair in found for match in pair.matches)


def test_the_older_registration_is_the_one_kept(people):
    newer = _household(people.admin, "ML0701", "Aminata Traoré", 1985, registered_on="2021-12-20")
    older = _household(people.admin, "ML0701", "Aminata Traore", 1985, registered_on="2021-03-01")
    [pair] = likely_duplicate_households(user=people.admin)
    assert (pair.keep.pk, pair.merge.pk) == (older.pk, newer.pk)


def test_only_the_users_scope_is_searched(people, planted):
    found = likely_duplicate_households(user=people.supervisor)
    assert {pair.keep.region.pcode for pair in found} == {"ML07"}
    assert len(found) == 2


def test_a_fixed_number_of_queries(people, planted, django_assert_num_queries):
    people.admin.region_pcodes()
    # households with place, cercle, region…, their members
    with django_assert_num_queries(2):
        likely_duplicate_households(user=people.admin)


def test_the_review_queue_is_told_of_a_households_likely_duplicates(people, planted):
    pairs, _near_misses = planted
    first, second = pairs[0]
    found = record_type_of(first).find_duplicates([second], user=people.supervisor)
    assert [household.pk for household in found[second.pk]] == [first.pk]
