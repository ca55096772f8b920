from reports.suppression import suppress_breakdown, suppress_figures


def test_counts_from_1_to_4_are_suppressed_with_their_percentages():
    figures = {
        "incidents": {
            "count": 4,
            "previous_month": 9,
            "change_pct": -55.6,
            "year_to_date": 30,
            "by_region": [
                {"pcode": "ML07", "name": "Gao", "count": 3, "share_pct": 75.0},
                {"pcode": "ML05", "name": "Mopti", "count": 1, "share_pct": 25.0},
            ],
        },
        "closed": True,
    }
    shown = suppress_figures(figures)
    assert shown["incidents"]["count"] is None
    assert shown["incidents"]["change_pct"] is None
    assert shown["incidents"]["previous_month"] == 9
    assert shown["incidents"]["year_to_date"] == 30
    assert shown["incidents"]["by_region"] == [
        {"pcode": "ML07", "name": "Gao", "count": None, "share_pct": None},
        {"pcode": "ML05", "name": "Mopti", "count": None, "share_pct": None},
    ]
    assert shown["closed"] is True  # a boolean is not a count


def test_a_lone_suppressed_cell_takes_the_next_smallest_with_it():
    groups = {"women": 3, "girls": 0, "men": 10, "boys": 7, "unknown": 0}
    suppress_breakdown(groups, list(groups))
    assert groups == {"women": None, "girls": 0, "men": 10, "boys": None, "unknown": 0}


def test_a_lone_suppressed_row_takes_the_next_smallest_row_with_it():
    figures = {
        "violations": {
            "count": 40,
            "by_type": [
                {"code": "threat", "count": 20, "incidents": 9},
                {"code": "murder", "count": 12, "incidents": 8},
                {"code": "arson", "count": 8, "incidents": 6},
                {"code": "abduction", "count": 2, "incidents": 2},
            ],
        }
    }
    rows = suppress_figures(figures)["violations"]["by_type"]
    assert [row["count"] for row in rows] == [20, 12, None, None]


def test_previous_month_suppressed_blanks_the_change():
    shown = suppress_figures({"persons": {"count": 57, "previous_month": 3, "change_pct": 1800.0}})
    assert shown["persons"] == {"count": 57, "previous_month": None, "change_pct": None}


def test_amounts_are_money_not_counts():
    shown = suppress_figures(
        {
            "assistance": [
                {
                    "kind": "cash",
                    "households": 0,
                    "persons": 12,
                    "amounts": {"XOF": 3},
                    "year_to_date_amounts": {"XOF": 2},
                }
            ]
        }
    )
    assert shown["assistance"][0]["amounts"] == {"XOF": 3}
