"""A reference code names the breakdowns' quantities ("assistance.cash.<sector>.<group>.persons"): a code with a dot
is refused, and a code that reads like a part of the name ("g", the people groups' marker) is still understood, so
that a small cell of its row cannot be worked out by subtraction (found by a red-team read, issue 15)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Max
from rest_framework.test import APIClient

from core.models import Sector, User
from reports.suppression import _breakdown_row
from reports.tests.test_api import MONTHLY
from reports.tests.test_breakdowns import GAO, _cash, _coded, _kind, _people, closed  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["protection.cp", "child protection", "cp-aor", "é"])
def test_a_code_with_anything_but_letters_digits_and_underscores_is_refused(code: str) -> None:
    sector = Sector(code=code, label_en="Child protection", label_fr="Protection de l'enfance", sort_order=99)
    with pytest.raises(ValidationError) as refused:
        sector.full_clean()
    assert "code" in refused.value.message_dict


def test_a_breakdown_quantity_is_read_whatever_its_codes() -> None:
    assert _breakdown_row("assistance.cash.g.g.persons.g.women") == ("assistance", "cash", "g", "g")
    assert _breakdown_row("assistance.cash.g.persons.g.girls") == ("assistance", "cash", "g", None)
    assert _breakdown_row("sessions.awareness.gbv.idp.participants") == ("sessions", "awareness", "gbv", "idp")
    assert _breakdown_row("assistance.cash.persons") is None


@pytest.fixture
def month(people: SimpleNamespace) -> None:
    order = (Sector.objects.aggregate(m=Max("sort_order"))["m"] or 0) + 1
    Sector.objects.create(
        code="g", label_en="Child protection (AoR)", label_fr="Protection de l'enfance", sort_order=order
    )
    # 3 women and 10 girls of IDPs, cash, in the sector coded "g"; and a larger cash record elsewhere
    _cash(people.monitor, GAO, "g", "idp", **_people(women=3, girls=10))
    _cash(people.monitor, GAO, "education", "host", **_people(girls=40, boys=52))


def test_a_small_cell_in_a_row_of_a_sector_coded_g_cannot_be_worked_out(
    people: SimpleNamespace,
    closed: None,  # noqa: F811
    api_as: Callable[[User], APIClient],
) -> None:
    body = api_as(people.viewer).get(MONTHLY, {"month": "2021-12"}).json()
    sector = _coded(_kind(body["assistance"], "cash")["by_sector"], "g")
    idp = _coded(sector["by_population_group"], "idp")
    persons, groups = idp["persons"], idp["by_group"]
    assert groups["women"] is None  # 3: hidden
    shown = [value for value in groups.values() if value is not None]
    # women = persons - the other four groups: with persons and every other group shown, 3 would be worked out
    assert persons is None or len(shown) < 4, f"persons {persons}, groups {groups}: women = {persons - sum(shown)}"
