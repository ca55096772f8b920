"""The decision's speed-ups give the decision the slow way gave: the checks run part by part
(`IndependentParts`, `_Checks`), lone cells paired over the relations that changed only, and a cell no partner
protects given a bounded number of partners (issue 14: closing one month at a million incidents)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from reports.suppression import (
    EXACT_ATTEMPTS,
    IndependentParts,
    Part,
    Reference,
    Relation,
    System,
    _Checks,
    _Decider,
    _worked_out_exactly,
    decide,
    worked_out_by_bounds,
)


def q(name: str) -> str:
    """A quantity of one answer (month, scope, measure), as the decision names them."""
    return f"2021-12|R1|{name}"


KEYS = [q(f"q{number}") for number in range(12)]
relation = st.dictionaries(st.sampled_from(KEYS), st.sampled_from([1, -1, 1, -1, 2]), min_size=2, max_size=5)
values = st.dictionaries(st.sampled_from(KEYS), st.sampled_from([0, 0, 1, 2, 3, 4, 5, 7, 12, 30]))


class Given(System):
    """A system of given relations over given values, every quantity shown by some answer."""

    def __init__(self, values: dict[str, Any], relations: list[Relation], present: set[str] | None = None) -> None:
        super().__init__(Reference(regions=[], categories={}, collective=set()))
        self.values = dict(values)
        self.present = set(present or ())
        self.given = relations

    def relations(self) -> list[Relation]:
        return [relation for relation in self.given if len(relation) > 1]

    def known(self, key: str) -> bool:
        return True


def _parts_the_slow_way(relations: list[Relation], secret: set[str]) -> set[tuple[frozenset[str], tuple[int, ...]]]:
    """Connected secret quantities, by a search from each: what the union-find must find."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for relation in relations:
        held = [key for key in relation if key in secret]
        for key in held:
            neighbours[key] |= set(held)
    found, seen = set(), set()
    for start in sorted(neighbours):
        if start in seen:
            continue
        part, pending = {start}, [start]
        while pending:
            for other in neighbours[pending.pop()] - part:
                part.add(other)
                pending.append(other)
        seen |= part
        indices = tuple(index for index, relation in enumerate(relations) if part & relation.keys())
        found.add((frozenset(part), indices))
    return found


def _by_quantity(relations: list[Relation]) -> dict[str, list[int]]:
    by_quantity: dict[str, list[int]] = defaultdict(list)
    for index, held in enumerate(relations):
        for key in held:
            by_quantity[key].append(index)
    return by_quantity


def independent_parts(relations: list[Relation], secret: set[str]) -> list[Part]:
    """`IndependentParts` of `relations` for these secret quantities, at once."""
    parts = IndependentParts(relations, _by_quantity(relations))
    parts.add(sorted(secret))
    return parts.parts()


def test_parts_are_tied_by_secret_quantities_only():
    """a and b share a relation, b and c another; d is tied to them only through the visible v: two parts."""
    relations = [{"a": 1, "b": -1}, {"b": 1, "c": 1, "v": -1}, {"v": 1, "d": -1}, {"v": 1, "w": -1}]
    parts = independent_parts(relations, {"a", "b", "c", "d"})
    assert sorted((sorted(keys), indices) for keys, indices in parts) == [(["a", "b", "c"], [0, 1]), (["d"], [2])]


@settings(max_examples=300, deadline=None)
@given(st.lists(relation, min_size=1, max_size=10), st.lists(st.sets(st.sampled_from(KEYS)), min_size=1, max_size=4))
def test_parts_kept_up_to_date_are_the_parts_found_at_once(relations: list[Relation], steps: list[set[str]]) -> None:
    parts = IndependentParts(relations, _by_quantity(relations))
    secret: set[str] = set()
    for step in steps:  # a decision hides more and more
        secret |= step
        parts.add(sorted(step))
        found = {(keys, tuple(indices)) for keys, indices in parts.parts()}
        assert found == _parts_the_slow_way(relations, secret)


@settings(max_examples=300, deadline=None)
@given(st.lists(relation, min_size=1, max_size=10), values, st.lists(st.sets(st.sampled_from(KEYS)), min_size=1))
# The same secret quantities, one unknown then also hidden: an answer kept under the quantities alone was wrong.
@example(relations=[{q("q11"): 1, q("q0"): -1}], known={q("q11"): 2, q("q0"): 2}, steps=[set(), {q("q11")}])
def test_the_checks_part_by_part_find_what_the_checks_of_the_whole_find(
    relations: list[Relation], known: dict[str, float], steps: list[set[str]]
) -> None:
    """Each round's answer, with answers of unchanged parts kept from earlier rounds, equals the whole system's
    exact check and ranges' check run afresh (and a round that hides less, as a second decision does)."""
    system = Given(known, relations, present={key for key in known if len(key) % 2})
    relations = system.relations()
    checks = _Checks(system, relations, _by_quantity(relations))
    unknowns = {q("q11")}
    hidden: set[str] = set()
    for step in [*steps, steps[0]]:  # the last round hides less: parts split again
        hidden = hidden | step if step is not steps[0] or not hidden else set(step)
        secret = hidden | unknowns
        leaks = _worked_out_exactly(system, relations, secret, unknowns)
        bounded = worked_out_by_bounds(system, relations, hidden, unknowns, set()) - leaks
        assert checks.worked_out(hidden, unknowns, set()) == (leaks, bounded)


def _pair_by_full_sweeps(decider: _Decider) -> None:
    """Rule 2 as it was first written: sweeps over every relation until one changes nothing."""
    changed = True
    while changed:
        changed = False
        for index, held in enumerate(decider.relations):
            secret_here = [key for key in held if key in decider.hidden or key in decider.unknowns]
            if len(secret_here) == 1 and secret_here[0] not in decider.unknowns:
                partner = decider.smallest(decider.candidates([index]))
                if partner is not None:
                    decider.hidden.add(partner)
                    changed = True


@settings(max_examples=300, deadline=None)
@given(st.lists(relation, min_size=1, max_size=10), values, st.lists(st.sets(st.sampled_from(KEYS)), min_size=1))
def test_lone_cells_are_paired_as_full_sweeps_pair_them(
    relations: list[Relation], known: dict[str, float], steps: list[set[str]]
) -> None:
    system = Given({key: known.get(key, 3) for key in KEYS}, relations)
    fast = _Decider(system, set(KEYS), set())
    slow = _Decider(system, set(KEYS), set())
    for step in steps:  # partners hidden between rounds
        fast.hidden |= step
        slow.hidden |= step
        fast.pair_lone_cells()
        _pair_by_full_sweeps(slow)
        assert fast.hidden == slow.hidden


def _ladder(rungs: int) -> tuple[System, set[str], set[str]]:
    """The shape seen at a million incidents: `s` (3, written <5) = `p` (3, published) + `m` (0, hidden), and `m`
    is the sum of two zeros everybody reads: no partner protects `s`. `s` is also a part of a hidden total `t` with
    hidden `l`s (a region's year to date among the others'), and each `l` is a sum with a visible `c` and small
    cells, so every `c` is a partner the search finds for `s`, and none protects it. Returns the system, the
    decidable quantities and those hidden with earlier months."""
    relations: list[Relation] = [{q("s"): 1, q("p"): -1, q("m"): -1}, {q("m"): 1, q("z1"): -1, q("z2"): -1}]
    values: dict[str, Any] = {q("s"): 3, q("p"): 3, q("m"): 0, q("z1"): 0, q("z2"): 0}
    total = {q("t"): 1, q("s"): -1}
    for rung in range(rungs):
        name = f"{rung:02d}"
        relations.append({q(f"l{name}"): 1, q(f"c{name}"): -1, q(f"a{name}"): -1, q(f"b{name}"): -1})
        values |= {q(f"l{name}"): 20 + rung, q(f"c{name}"): 15 + rung, q(f"a{name}"): 2, q(f"b{name}"): 3}
        total[q(f"l{name}")] = -1
    relations.append(total)
    values[q("t")] = sum(value for key, value in values.items() if key.startswith(q("l"))) + 3
    fixed_hidden = {q("m"), q("t")} | {key for key in values if key.startswith(q("l"))}
    decidable = {q("s")} | {key for key in values if key.startswith((q("c"), q("a"), q("b")))}
    return Given(values, relations), decidable, fixed_hidden


def test_a_cell_no_partner_protects_takes_a_bounded_number_of_partners():
    """A closing at a million incidents went 200 rounds, hiding a partner a round for a cell tied to a row of
    zeros, and left it worked out: two minutes, and 300 cells hidden for nothing. After `EXACT_ATTEMPTS` partners
    the cell is reported as unprotected, and nothing more is hidden for it."""
    system, decidable, fixed_hidden = _ladder(40)
    decision = decide(system, decidable, fixed_hidden=fixed_hidden)
    assert decision.unprotected == {q("s")}
    assert not decision.undetermined
    hidden_for_it = {key for key in decision.hidden if key.startswith(q("c"))}
    assert len(hidden_for_it) == EXACT_ATTEMPTS


def test_a_cell_a_few_partners_protect_is_still_protected():
    """The bound leaves room: `s` (3) = `t` (2, published) + `u` (1); `u` = `r`; `r` + `z` = `w`. The partners
    nearest `s` are taken one a round until `s` is no longer worked out."""
    relations: list[Relation] = [
        {q("s"): 1, q("t"): -1, q("u"): -1},
        {q("u"): 1, q("r"): -1},
        {q("r"): 1, q("w"): -1, q("z"): 1},
    ]
    values = {q("s"): 3, q("t"): 2, q("u"): 1, q("r"): 1, q("w"): 50, q("z"): 49}
    system = Given(values, relations)
    decision = decide(system, set(values) - {q("t")})
    assert decision.undetermined, decision.unprotected


def test_past_the_nearest_partners_a_cell_takes_one_that_protects_it():
    """The red team's case: `s` (3, written <5) = `p` (published) + `m`, and `m` + `k` = `y` + `w` with `w` the sum
    of two written zeros: hiding `y` protects `s`. `s` is also a part of a hidden total `t` beside 25 visible
    cells, the nearest partners: hiding them one a round protects nothing. Past `EXACT_ATTEMPTS` of them, the
    partner is one checked to protect `s`: `y`, and `s` is protected (as it was when partners were taken for 200
    rounds)."""
    relations: list[Relation] = [
        {q("s"): 1, q("p"): -1, q("m"): -1},
        {q("m"): 1, q("k"): 1, q("y"): -1, q("w"): -1},
        {q("w"): 1, q("z1"): -1, q("z2"): -1},
    ]
    values: dict[str, Any] = {q("s"): 3, q("p"): 3, q("m"): 0, q("k"): 5, q("y"): 5, q("w"): 0, q("z1"): 0, q("z2"): 0}
    total = {q("t"): 1, q("s"): -1}
    for rung in range(25):
        values[q(f"c{rung:02d}")] = 10 + rung
        total[q(f"c{rung:02d}")] = -1
    relations.append(total)
    values[q("t")] = 3 + sum(10 + rung for rung in range(25))
    system = Given(values, relations)
    fixed_hidden = {q("m"), q("w"), q("t")}
    decidable = {q("s"), q("y")} | {key for key in values if key.startswith(q("c"))}
    decision = decide(system, decidable, fixed_hidden=fixed_hidden)
    assert decision.undetermined, decision.unprotected
    assert q("y") in decision.hidden
    # the nearest partners of `s`, and one for `t`, worked out through `s` in the first round
    assert len({key for key in decision.hidden if key.startswith(q("c"))}) == EXACT_ATTEMPTS + 1


def test_partners_for_a_cell_worked_out_exactly_leave_the_ranges_their_attempts():
    """The red team's second case: one counter for both checks gave a cell first worked out exactly, then by the
    ranges, fewer than `BOUNDS_ATTEMPTS` partners for the ranges (none after four exact rounds)."""
    system, decidable, fixed_hidden = _ladder(6)
    decider = _Decider(system, decidable, fixed_hidden)
    for _round in range(5):
        decider.protect([q("s")], set(), decider.hidden | decider.unknowns)
    assert decider.partnered[q("s")] == 5
    assert decider.attempts[q("s")] == 0
