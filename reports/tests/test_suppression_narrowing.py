"""The interval narrowing behind suppression's range check (reports.suppression.narrowed) is written for speed: it
must give the very ranges the plain sweep gives, on any relations and starting ranges. The plain sweep is kept here
as the reference, as it stood before the speed-up."""

from __future__ import annotations

import math
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.suppression import UNBOUNDED, Interval, Relation, narrowed


def _reference(relations: list[Relation], intervals: dict[str, Interval], passes: int = 40) -> dict[str, Interval]:
    bounds = dict(intervals)
    touching: dict[str, list[int]] = defaultdict(list)
    for index, relation in enumerate(relations):
        for key in relation:
            touching[key].append(index)
            bounds.setdefault(key, UNBOUNDED)
    pending = set(range(len(relations)))
    for _pass in range(passes):
        if not pending:
            break
        changed: set[str] = set()
        for index in sorted(pending):
            changed |= _reference_narrow(relations[index], bounds)
        pending = {index for key in changed for index in touching[key]}
    return bounds


def _reference_narrow(relation: Relation, bounds: dict[str, Interval]) -> set[str]:
    terms = []
    for key, coefficient in relation.items():
        ends = sorted((coefficient * bounds[key][0], coefficient * bounds[key][1]))
        terms.append((key, coefficient, ends[0], ends[1]))
    finite_low = sum(low for _k, _c, low, _h in terms if math.isfinite(low))
    finite_high = sum(high for _k, _c, _l, high in terms if math.isfinite(high))
    infinite_low = sum(1 for _k, _c, low, _h in terms if not math.isfinite(low))
    infinite_high = sum(1 for _k, _c, _l, high in terms if not math.isfinite(high))
    changed = set()
    for key, coefficient, low, high in terms:
        finite = math.isfinite(low)
        rest_low = finite_low - low if finite else finite_low
        if infinite_low - (not finite) > 0:
            rest_low = -math.inf
        finite = math.isfinite(high)
        rest_high = finite_high - high if finite else finite_high
        if infinite_high - (not finite) > 0:
            rest_high = math.inf
        least, most = sorted((-rest_high / coefficient, -rest_low / coefficient))
        old_low, old_high = bounds[key]
        new_low = max(old_low, math.ceil(least - 1e-9) if math.isfinite(least) else least)
        new_high = min(old_high, math.floor(most + 1e-9) if math.isfinite(most) else most)
        if (new_low, new_high) != (old_low, old_high) and new_low <= new_high:
            bounds[key] = (new_low, new_high)
            changed.add(key)
    return changed


KEYS = [f"q{number}" for number in range(8)]
relation = st.dictionaries(st.sampled_from(KEYS), st.sampled_from([1, -1, 1, -1, 2, -2]), min_size=2, max_size=5)
interval = st.one_of(
    st.integers(0, 30).map(lambda value: (value, value)),  # a visible value
    st.just((1, 4)),  # written <5
    st.just((5, math.inf)),  # written x, a listed row
    st.just(UNBOUNDED),  # unknown, or x where a zero may hide
)


@settings(max_examples=400, deadline=None)
@given(st.lists(relation, min_size=1, max_size=8), st.dictionaries(st.sampled_from(KEYS), interval))
def test_the_fast_narrowing_gives_the_reference_ranges(relations: list[Relation], intervals: dict) -> None:
    assert narrowed(relations, intervals) == _reference(relations, intervals)


@settings(max_examples=200, deadline=None)
@given(st.lists(relation, min_size=1, max_size=8), st.dictionaries(st.sampled_from(KEYS), interval))
def test_values_read_as_points_give_the_same_ranges(relations: list[Relation], intervals: dict) -> None:
    """`points=` reads a visible value instead of a point interval: the same ranges for every other quantity."""
    visible = {key: low for key, (low, high) in intervals.items() if low == high}
    ranged = {key: value for key, value in intervals.items() if key not in visible}
    for key in {key for relation in relations for key in relation} - intervals.keys():
        ranged[key] = UNBOUNDED
    found = narrowed(relations, ranged, points=visible)
    expected = _reference(relations, intervals)
    assert {key: found[key] for key in ranged} == {key: expected[key] for key in ranged}


@settings(max_examples=200, deadline=None)
@given(st.lists(relation, min_size=1, max_size=8), st.dictionaries(st.sampled_from(KEYS), interval))
def test_stopping_once_a_cell_is_fixed_says_the_same_of_it(relations: list[Relation], intervals: dict) -> None:
    expected = _reference(relations, intervals)
    for key in {key for relation in relations for key in relation}:
        found = narrowed(relations, intervals, until_fixed=key)
        assert (found[key][0] == found[key][1]) == (expected[key][0] == expected[key][1])
