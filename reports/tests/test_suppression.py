"""reports.suppression on its own: which cells an answer shows, the exact check, and the decision."""

from __future__ import annotations

import pytest

from reports.suppression import (
    Reference,
    System,
    decide,
    determined,
    figure_slots,
    hide_in_figures,
    hide_in_tallies,
    mark,
)


def _figures(**sections):
    return {"month": "2021-12", **sections}


def test_counts_from_1_to_4_are_hidden_with_their_percentages():
    figures = _figures(
        incidents={
            "count": 4,
            "previous_month": 9,
            "change_pct": -55.6,
            "year_to_date": 30,
            "by_region": [
                {"pcode": "ML07", "name": "Gao", "count": 3, "share_pct": 75.0},
                {"pcode": "ML05", "name": "Mopti", "count": 1, "share_pct": 25.0},
            ],
        },
        closed=True,
    )
    shown = hide_in_figures(figures, "all", set())
    assert shown["incidents"]["count"] is None
    assert shown["incidents"]["change_pct"] is None
    assert (shown["incidents"]["previous_month"], shown["incidents"]["year_to_date"]) == (9, 30)
    # Hidden rows come last, by code: their order says nothing of their values.
    assert shown["incidents"]["by_region"] == [
        {"pcode": "ML05", "name": "Mopti", "count": None, "share_pct": None},
        {"pcode": "ML07", "name": "Gao", "count": None, "share_pct": None},
    ]
    assert shown["closed"] is True  # a boolean is not a count


def test_the_order_of_a_list_gives_no_hidden_value_away():
    """Lists are sorted by count, largest first (API.md): a hidden row left in its place would tell the viewer
    it is larger than the visible row below it, or which of two hidden rows is larger."""
    figures = _figures(
        violations={
            "by_type": [
                {"code": "theft", "label": "Theft", "count": 40, "incidents": 9},
                {"code": "murder", "label": "Murder", "count": 12, "incidents": 6},
                {"code": "threat", "label": "Threat", "count": 3, "incidents": 2},
                {"code": "arson", "label": "Arson", "count": 2, "incidents": 1},
            ]
        }
    )
    shown = hide_in_figures(figures, "all", {"2021-12|all|violations.type.theft"}, mark)
    rows = shown["violations"]["by_type"]
    assert [row["code"] for row in rows] == ["murder", "arson", "theft", "threat"]
    assert [row["count"] for row in rows] == [12, "<5", "x", "<5"]


def test_a_hidden_total_takes_the_shares_with_it():
    figures = _figures(
        incidents={
            "count": 20,
            "previous_month": 0,
            "change_pct": None,
            "year_to_date": 20,
            "by_region": [{"pcode": "ML07", "name": "Gao", "count": 10, "share_pct": 50.0}],
        }
    )
    shown = hide_in_figures(figures, "all", {"2021-12|all|incidents"}, mark)
    assert shown["incidents"]["count"] == "x"
    assert shown["incidents"]["by_region"][0] == {"pcode": "ML07", "name": "Gao", "count": 10, "share_pct": None}


def test_the_same_figure_is_the_same_quantity_in_every_answer():
    national = _figures(incidents={"count": 9, "by_region": [{"pcode": "ML07", "count": 5}]}, trend=[])
    region = _figures(incidents={"count": 5, "previous_month": 2}, trend=[{"month": "2021-11", "incidents": 2}])
    keys = {key for _container, _name, key in figure_slots(national, "all")}
    assert "2021-12|ML07|incidents" in keys
    region_keys = [key for _container, _name, key in figure_slots(region, "ML07")]
    assert region_keys.count("2021-11|ML07|incidents") == 2  # previous month and the trend


def test_amounts_are_money_not_counts():
    row = {"kind": "cash", "households": 0, "persons": 12, "amounts": {"XOF": 3}, "year_to_date_amounts": {"XOF": 2}}
    shown = hide_in_figures(_figures(assistance=[row]), "all", set())
    assert shown["assistance"][0]["amounts"] == {"XOF": 3}


@pytest.mark.parametrize(
    ("relations", "found"),
    [
        ([{"a": 1, "b": 1}, {"a": 1, "c": 1}, {"b": 1, "c": 1}], {"a", "b", "c"}),  # a triangle of pairs
        ([{"a": 1, "b": 1}, {"c": 1, "d": 1}], set()),
        ([{"t": 1, "a": -1, "b": -1}, {"a": 1}], {"a"}),
    ],
)
def test_the_exact_check(relations, found):
    assert determined(relations, set()) == found


def test_a_relation_per_answer_is_not_enough():
    """Each breakdown alone has two hidden cells, yet together they fix them: the exact check catches it."""
    reference = Reference(regions=["R1", "R2"], categories={}, collective=set())
    system = System(reference)
    rows = [
        {"month": "2021-12", "admin1_pcode": "R1", "indicator": "movements.persons", "total": 9}
        | {"women": 3, "girls": 6, "men": 0, "boys": 0, "unknown": 0},
        {"month": "2021-12", "admin1_pcode": "R2", "indicator": "movements.persons", "total": 9}
        | {"women": 6, "girls": 3, "men": 0, "boys": 0, "unknown": 0},
    ]
    system.add_tallies(rows, "2021-12")
    decision = decide(system, set(system.values))
    assert decision.undetermined
    assert "2021-12|R1|movements.persons.g.women" in decision.hidden
    shown = hide_in_tallies(rows, decision.hidden, set())
    assert (shown[0]["women"], shown[0]["girls"]) == ("<5", "x")


def test_a_worked_out_cell_with_no_visible_non_zero_neighbour_is_still_protected():
    """Women (2) = total (9, published with a neighbouring month) - men (7, likewise): every other cell of the
    breakdown is a written zero, so no visible non-zero cell is left to hide with it. A written zero is hidden
    instead, and the month is protected."""
    reference = Reference(regions=["R1"], categories={}, collective=set())
    system = System(reference)
    row = {"month": "2021-12", "admin1_pcode": "R1", "indicator": "movements.persons", "total": 9}
    rows = [row | {"women": 2, "girls": 0, "men": 7, "boys": 0, "unknown": 0}]
    system.add_tallies(rows, "2021-12")
    public = {"2021-12|R1|movements.persons", "2021-12|R1|movements.persons.g.men"}
    decision = decide(system, set(system.values) - public)
    assert decision.undetermined
    relations = [
        {key: value for key, value in relation.items() if key in decision.hidden} for relation in system.relations()
    ]
    assert "2021-12|R1|movements.persons.g.women" not in determined([row for row in relations if row], set())
    assert "2021-12|R1|movements.persons.g.boys" in decision.hidden  # the smallest written zero, by name
    shown = hide_in_tallies(rows, decision.hidden, set())
    assert (shown[0]["women"], shown[0]["boys"], shown[0]["total"], shown[0]["men"]) == ("<5", "x", 9, 7)


def _worked_out(system, hidden, present):
    """Hidden values a viewer can work out from the visible ones, the relations and what the marks say: `<5` is
    1 to 4, a row of a list is above zero (linear programming: each hidden value minimised and maximised)."""
    linprog = pytest.importorskip("scipy.optimize").linprog
    relations = system.relations()
    secret = sorted({key for relation in relations for key in relation if key in hidden or not system.known(key)})
    index = {key: number for number, key in enumerate(secret)}
    rows, rhs = [], []
    for relation in relations:
        row = [0.0] * len(secret)
        constant = 0.0
        for key, coefficient in relation.items():
            if key in index:
                row[index[key]] += coefficient
            else:
                constant += coefficient * system.value(key)
        if any(row):
            rows.append(row)
            rhs.append(-constant)
    bounds = []
    for key in secret:
        if mark(system.values.get(key)) == "<5":
            bounds.append((1, 4))
        else:
            bounds.append((5 if key in present and key in system.values else 0, None))
    found = {}
    for key in secret:
        if key not in hidden:
            continue
        objective = [0.0] * len(secret)
        objective[index[key]] = 1.0
        low = linprog(objective, A_eq=rows, b_eq=rhs, bounds=bounds, method="highs")
        high = linprog([-c for c in objective], A_eq=rows, b_eq=rhs, bounds=bounds, method="highs")
        assert low.status == 0, low.message
        if high.status == 0 and abs(-high.fun - low.fun) < 0.5 and low.fun > 0.5:
            found[key] = round(low.fun)
    return found


def test_what_the_marks_say_is_taken_into_account():
    """The red team's case: category C is 95, its visible types add up to 93, rape and torture are hidden. Each
    hidden row is in the list, so at least 1: both must be 1. Another type is hidden with them."""
    reference = Reference(
        regions=["R1"], categories={"C": ["illegal_tax", "theft_extortion", "rape", "torture"]}, collective=set()
    )
    system = System(reference)
    types = {"illegal_tax": 60, "theft_extortion": 33, "rape": 1, "torture": 1}
    figures = _figures(
        violations={
            "count": 95,
            "by_group": {"women": 40, "girls": 0, "men": 55, "boys": 0, "unknown": 0},
            "by_category": [{"code": "C", "count": 95}],
            "by_type": [{"code": code, "count": count} for code, count in types.items()],
        }
    )
    system.add_figures(figures, "R1")
    present = {f"2021-12|R1|violations.type.{code}" for code in types} | {"2021-12|R1|violations.cat.C"}
    decision = decide(system, set(system.values))
    assert decision.undetermined
    assert {"2021-12|R1|violations.type.rape", "2021-12|R1|violations.type.torture"} <= decision.hidden
    assert _worked_out(system, decision.hidden, present) == {}
    assert "2021-12|R1|violations.type.theft_extortion" in decision.hidden


def test_a_cell_nothing_can_protect_is_reported(caplog):
    """4 violations (written <5), one for each of four groups (each written <5, so at least 1): each must be 1,
    whatever else is hidden, and the five groups are always written. The month is not stored as protected, and
    the log names the cells."""
    system = System(Reference(regions=["R1"], categories={}, collective=set()))
    by_group = {"women": 1, "girls": 1, "men": 1, "boys": 1, "unknown": 0}
    system.add_figures(_figures(violations={"count": 4, "by_group": by_group}), "R1")
    decision = decide(system, set(system.values))
    assert not decision.undetermined
    assert "2021-12|R1|violations.g.women" in decision.unprotected
    assert "2021-12|R1|violations.g.women" in caplog.text


def test_a_breakdown_whose_rows_give_the_cells_away_is_withheld():
    """Kidal's shape: 4 violations (written <5) over four types, each a row of the list (so at least 1): each
    must be 1, whatever else is hidden. The rows of that breakdown are left out of the answer, so nothing says
    they are above zero; the month is protected."""
    types = ["illegal_tax", "theft_extortion", "rape", "torture"]
    system = System(Reference(regions=["R1"], categories={"C": types}, collective=set()))
    figures = _figures(
        violations={
            "count": 4,
            "by_group": {"women": 2, "girls": 0, "men": 2, "boys": 0, "unknown": 0},
            "by_category": [{"code": "C", "count": 4}],
            "by_type": [{"code": code, "count": 1} for code in types],
        }
    )
    system.add_figures(figures, "R1")
    decision = decide(system, set(system.values))
    assert decision.undetermined
    assert "2021-12|R1|violations.type.rape" in decision.dropped
    shown = hide_in_figures(figures, "R1", decision.stored(), mark)
    assert shown["violations"]["by_type"] == []
    assert shown["violations"]["by_category"] == []
    assert shown["violations"]["count"] == "<5"


def test_a_breakdown_cell_is_hidden_rather_than_a_total():
    """The totals are what readers look for first (the monthly update leads with them): when a sex and age cell
    protects as well as a total does, the cell is hidden and every total stays visible. Here R2's girls (4) and
    unknown (2) are both <5 and R1's girls are hidden too; hiding R2's total (6) would protect R2's girls, and so
    does hiding the operation's girls (8), which is chosen."""
    groups = {
        "R1": {"women": 0, "girls": 4, "men": 6, "boys": 9, "unknown": 9},
        "R2": {"women": 0, "girls": 4, "men": 0, "boys": 0, "unknown": 2},
    }
    system = System(Reference(regions=["R1", "R2"], categories={}, collective=set()))
    national = {group: groups["R1"][group] + groups["R2"][group] for group in groups["R1"]}
    by_region = [{"pcode": region, "count": sum(cells.values())} for region, cells in groups.items()]
    system.add_figures(_figures(violations={"count": 34, "by_group": national, "by_region": by_region}), "all")
    for region, cells in groups.items():
        system.add_figures(_figures(violations={"count": sum(cells.values()), "by_group": cells}), region)
    decision = decide(system, set(system.values))
    assert decision.undetermined
    totals = {"2021-12|all|violations", "2021-12|R1|violations", "2021-12|R2|violations"}
    assert not totals & decision.hidden
    assert "2021-12|all|violations.g.girls" in decision.hidden
    assert _worked_out(system, decision.hidden, system.present) == {}
