"""The baselines written by hand: SQL for the headline figures (the counting rules of reports/counting.py written
once more, in SQL), `COPY` for the export, and pandas on a CSV of the year's violations. Each computes the same
numbers as the application, and `compare` says loudly when it does not.

The headline figures: verified incidents and violations of the month, the month before and the year to date,
violations by category, and the 12-month trend. A violation counts the people it touched, except a collective type
(a village displaced), which counts once per incident.
"""

from __future__ import annotations

import datetime
import io
import tempfile
import time
from collections import defaultdict
from typing import Any

from django.db import connection

from core.models import AdminArea
from reports.figures import add_months

Headline = dict[str, Any]

_SCOPE = "i.status = 'verified' AND i.reported_on >= %(start)s AND i.reported_on < %(end)s"

_INCIDENTS_BY_MONTH = (
    "SELECT date_trunc('month', i.reported_on)::date AS month, count(*) FROM incidents_incident i "
    "WHERE {scope} GROUP BY 1"
)

# Per month and category: the people of non-collective types, plus each collective type's distinct incidents.
_VIOLATIONS_BY_MONTH = (
    "SELECT month, category, sum(counted) FROM ("
    "  SELECT date_trunc('month', i.reported_on)::date AS month, c.code AS category,"
    "    CASE WHEN t.collective THEN count(DISTINCT v.incident_id)"
    "    ELSE sum(v.women + v.girls + v.men + v.boys + v.unknown) END AS counted"
    "  FROM incidents_violation v JOIN incidents_incident i ON i.id = v.incident_id"
    "  JOIN core_violationtype t ON t.id = v.type_id JOIN core_violationcategory c ON c.id = t.category_id"
    "  WHERE {scope} GROUP BY 1, 2, t.id, t.collective"
    ") per_type GROUP BY 1, 2"
)


def _window(month: datetime.date) -> dict[str, Any]:
    """From the trend's first month (never after January of the month's year) to the end of the month."""
    return {"start": add_months(month, -11), "end": add_months(month, 1)}


def _scoped(statement: str, region: AdminArea | None) -> str:
    return statement.format(scope=_SCOPE + (" AND i.region_id = %(region)s" if region is not None else ""))


def _rows(statement: str, month: datetime.date, region: AdminArea | None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(_scoped(statement, region), {**_window(month), "region": region.pk if region else None})
        return list(cursor.fetchall())


def violation_rows(month: datetime.date, *, region: AdminArea | None) -> list[tuple[Any, ...]]:
    """(month, category code, violations counted) over the trend's window."""
    return _rows(_VIOLATIONS_BY_MONTH, month, region)


def headline(month: datetime.date, *, region: AdminArea | None) -> Headline:
    """The headline figures from two queries: incidents by month, violations by month and category."""
    incidents = {row[0]: int(row[1]) for row in _rows(_INCIDENTS_BY_MONTH, month, region)}
    return shape(month, incidents, violation_rows(month, region=region))


def shape(month: datetime.date, incidents: dict[datetime.date, int], violations: list[tuple[Any, ...]]) -> Headline:
    """The headline figures from incidents by month and (month, category, count) rows of violations."""
    by_month: defaultdict[datetime.date, int] = defaultdict(int)
    by_category: defaultdict[str, int] = defaultdict(int)
    for row_month, category, counted in violations:
        by_month[row_month] += int(counted)
        if row_month == month:
            by_category[category] += int(counted)
    previous, year = add_months(month, -1), [m for m in by_month if m.year == month.year and m <= month]
    months = [add_months(month, offset) for offset in range(-11, 1)]
    return {
        "incidents": {
            "count": incidents.get(month, 0),
            "previous_month": incidents.get(previous, 0),
            "year_to_date": sum(n for m, n in incidents.items() if m.year == month.year and m <= month),
        },
        "violations": {
            "count": by_month.get(month, 0),
            "previous_month": by_month.get(previous, 0),
            "year_to_date": sum(by_month[m] for m in year),
            "by_category": {code: n for code, n in by_category.items() if n},
        },
        "trend": [
            {"month": f"{m:%Y-%m}", "incidents": incidents.get(m, 0), "violations": by_month.get(m, 0)} for m in months
        ],
    }


def from_api(answer: dict[str, Any]) -> Headline:
    """The same headline figures, read from the monthly figures' answer."""
    return {
        "incidents": {key: answer["incidents"][key] for key in ("count", "previous_month", "year_to_date")},
        "violations": {
            **{key: answer["violations"][key] for key in ("count", "previous_month", "year_to_date")},
            "by_category": {row["code"]: row["count"] for row in answer["violations"]["by_category"] if row["count"]},
        },
        "trend": [
            {"month": row["month"], "incidents": row["incidents"], "violations": row["violations"]}
            for row in answer["trend"]
        ],
    }


def compare(api_answer: dict[str, Any], hand: Headline) -> str:
    """An empty string when the baseline's numbers are the API's; otherwise a loud line saying which differ."""
    api = from_api(api_answer)
    if api == hand:
        return ""
    differing = [key for key in api if api[key] != hand.get(key)]
    return f"MISMATCH with the API in {differing}: API {api} != baseline {hand}"


# --- the export's baseline: COPY of the same rows

_EXPORT_ROWS = (
    "SELECT i.reported_on, i.occurred_on, i.id, i.status, r.pcode, r.name, p.pcode, p.name, o.code, u.username, "
    "i.changed_after_closing, i.credibility, i.time_of_day, i.locality, pc.code, c.code, t.code, t.collective, "
    "g.code, v.women, v.girls, v.men, v.boys, v.unknown, v.women + v.girls + v.men + v.boys + v.unknown "
    "FROM incidents_violation v JOIN incidents_incident i ON i.id = v.incident_id "
    "JOIN core_adminarea r ON r.id = i.region_id JOIN core_adminarea p ON p.id = i.place_id "
    "JOIN core_organisation o ON o.id = i.organisation_id JOIN core_user u ON u.id = i.created_by_id "
    "LEFT JOIN core_perpetratorcategory pc ON pc.id = i.perpetrator_id "
    "JOIN core_violationtype t ON t.id = v.type_id JOIN core_violationcategory c ON c.id = t.category_id "
    "JOIN core_populationgroup g ON g.id = v.population_group_id ORDER BY i.reported_on, i.id, v.id"
)


def copy_export() -> tuple[int, float]:
    """`COPY (SELECT …) TO STDOUT` of every incident's violations with the export's columns, into a file: rows and
    seconds."""
    rows, start = 0, time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection  # psycopg's own connection: COPY is not in Django's cursor
    with tempfile.TemporaryFile() as target, raw.cursor().copy(f"COPY ({_EXPORT_ROWS}) TO STDOUT (FORMAT csv)") as copy:
        for chunk in copy:
            target.write(chunk)
            rows += bytes(chunk).count(b"\n")
    return rows, time.perf_counter() - start


# --- pandas on a CSV of the year's violations

_YEAR_VIOLATIONS = (
    "SELECT to_char(i.reported_on, 'YYYY-MM') AS month, r.pcode AS region, c.code AS category, t.code AS type, "
    "t.collective, v.incident_id, v.women + v.girls + v.men + v.boys + v.unknown AS people "
    "FROM incidents_violation v JOIN incidents_incident i ON i.id = v.incident_id "
    "JOIN core_adminarea r ON r.id = i.region_id "
    "JOIN core_violationtype t ON t.id = v.type_id JOIN core_violationcategory c ON c.id = t.category_id "
    "WHERE i.status = 'verified' AND i.reported_on >= '{start}' AND i.reported_on < '{end}'"
)


def year_csv(month: datetime.date) -> str:
    """The CSV an officer would download: the verified violations of the month's year, one row each."""
    buffer = io.StringIO()
    statement = _YEAR_VIOLATIONS.format(start=month.replace(month=1), end=add_months(month, 1))  # dates only
    connection.ensure_connection()
    with connection.connection.cursor().copy(f"COPY ({statement}) TO STDOUT (FORMAT csv, HEADER)") as copy:
        for chunk in copy:
            buffer.write(bytes(chunk).decode())
    return buffer.getvalue()


def pandas_headline(csv: io.StringIO, month: datetime.date) -> Headline:
    """The headline figures with pandas: read the CSV, count people (or once per incident for a collective type)."""
    import pandas as pd  # type: ignore[import-untyped, import-not-found, unused-ignore]  # noqa: PLC0415  optional

    frame = pd.read_csv(csv, true_values=["t"], false_values=["f"])
    people = frame[~frame["collective"]].groupby(["month", "category"])["people"].sum()
    collective = (
        frame[frame["collective"]].drop_duplicates(["month", "type", "incident_id"]).groupby(["month", "category"])
    )
    counted = people.add(collective.size(), fill_value=0)
    rows = [(datetime.date.fromisoformat(f"{m}-01"), category, int(n)) for (m, category), n in counted.items()]
    incidents = {
        datetime.date.fromisoformat(f"{m}-01"): int(n)
        for m, n in frame.groupby("month")["incident_id"].nunique().items()
    }
    return shape(month, incidents, rows)
