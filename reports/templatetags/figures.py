"""Formatting figures as the operational update prints them: thousands separated, "<5" where suppressed."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template
from django.utils.formats import date_format
from django.utils.translation import get_language

from reports.labels import group_labels

register = template.Library()


def _group(value: int | float | Decimal) -> str:
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    if (get_language() or "en").startswith("fr"):
        # French: a narrow no-break space between thousands, a comma for decimals.
        return text.replace(",", "\u202f").replace(".", ",")
    return text


@register.filter
def figure(value: int | float | Decimal | None) -> str:
    """A count: "1,762" (English), "1 762" (French); a suppressed count (None) is "<5"."""
    if value is None:
        return "<5"
    if isinstance(value, str):  # a suppressed count as the stored decision writes it: "<5" or "x"
        return value
    if isinstance(value, Decimal):
        value = int(value) if value == int(value) else float(value)
    return _group(value)


@register.filter
def pct(value: float | None) -> str:
    """A percentage with one decimal and its sign for a change: "+29.0 %"; empty when there is none."""
    if value is None:
        return "—"
    text = f"{value:+.1f}" if value else "0.0"
    if (get_language() or "en").startswith("fr"):
        return text.replace(".", ",") + "\u202f%"
    return text + "%"


@register.filter
def share(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:.1f}"
    if (get_language() or "en").startswith("fr"):
        return text.replace(".", ",") + "\u202f%"
    return text + "%"


@register.filter
def people_group(code: str) -> str:
    return group_labels().get(code, code)


@register.filter
def get(mapping: dict, key: object) -> object:
    return mapping.get(key) if mapping else None


@register.filter
def month_name(month: str) -> str:
    """ "2021-12", as the figures write a month, the way the reader names it: "December 2021", "décembre 2021"."""
    return date_format(datetime.date.fromisoformat(f"{month}-01"), "F Y")
