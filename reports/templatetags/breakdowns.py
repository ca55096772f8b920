"""The report's tables of assistance and sessions by sector and population group (`reports.breakdowns`)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def broken_down(kind_rows: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The kinds with a breakdown this month: a kind with only a quantity (shelters built) or only figures since
    January has none."""
    return [row for row in kind_rows or [] if row.get("by_sector")]
