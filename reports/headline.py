"""The report's headline tables: population of concern on two dates, and funding, as admins entered them."""

from __future__ import annotations

import datetime
from typing import Any

from reports.models import FundingFigure, PopulationFigure


def headline_tables(month: datetime.date) -> dict[str, Any]:
    """Population figures of the two latest dates up to the month's end, side by side, and the latest funding."""
    end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    dates = list(
        PopulationFigure.objects.filter(as_of__lt=end).order_by("-as_of").values_list("as_of", flat=True).distinct()[:2]
    )
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    figures = PopulationFigure.objects.filter(as_of__in=dates).select_related("population_group")
    for figure in figures.order_by("sort_order", "id"):
        row = rows.setdefault(
            (figure.population_group_id, figure.source),
            {"label": figure.display_label, "source": figure.source, "values": {}},
        )
        row["values"][figure.as_of] = figure.persons
    population = [{**row, "cells": [row["values"].get(day) for day in dates]} for row in rows.values()]
    totals = [sum(row["values"].get(day) or 0 for row in rows.values()) for day in dates]
    funding = FundingFigure.objects.filter(as_of__lt=end).first()
    return {"population_dates": dates, "population": population, "population_totals": totals, "funding": funding}
