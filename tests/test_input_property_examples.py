"""The Hypothesis properties of issue 10 aimed where the bugs were (review of issue 10).

tests/test_input_properties.py draws from strategies so wide that, on the code before the fix, 300 runs of its
people-counts, month-parser and search-box properties passed: they never drew a 2**31 count, a four-digit year
before 1900 or a search of non-ASCII digits. Here the strategies draw from those shapes, and the inputs the red
team found are pinned as examples, so each property fails on that code.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from core.filtersets import parse_month
from core.models import User
from core.records import PEOPLE_FIELDS

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MOVEMENT = {"identified_on": "2021-12-02", "place": "ML0703", "nationality": "CI"}
# Digits Python's str.isdigit() accepts and int() refuses (superscripts, circled numbers), and other digits.
DIGITS = st.characters(categories=("Nd", "No"))


@FAST
@given(field=st.sampled_from(PEOPLE_FIELDS), count=st.integers(min_value=0, max_value=2**63 - 1))
@example(field="men", count=2**31)
@example(field="women", count=1_000_001)
def test_a_large_people_count_is_refused_or_kept_within_the_cap(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], field: str, count: int
) -> None:
    response = api_as(people.monitor).post("/api/v1/movements/", {**MOVEMENT, field: count}, format="json")
    if count == 0:
        assert response.status_code == 400  # nobody counted
    elif count <= 1_000_000:
        assert response.status_code == 201, response.content
        assert response.json()[field] == count
    else:
        assert response.status_code == 400, response.content


@settings(max_examples=200, deadline=None)
@given(text=st.from_regex(r"[0-9]{4}-[0-9]{2}", fullmatch=True))
@example(text="0000-01")
@example(text="0001-01")
@example(text="9999-12")
def test_a_four_digit_month_is_a_month_between_1900_and_2100_or_a_clear_error(text: str) -> None:
    year, month = int(text[:4]), int(text[5:])
    if 1900 <= year <= 2100 and 1 <= month <= 12:  # the limits of API.md
        assert parse_month(text) == datetime.date(year, month, 1)
    else:
        with pytest.raises(ValidationError):
            parse_month(text)


@FAST
@given(text=st.tuples(st.sampled_from(["", "#"]), st.text(alphabet=DIGITS, min_size=1, max_size=6)).map("".join))
@example(text="²")
@example(text="①")
@example(text="#³")
def test_a_search_of_any_digits_is_an_answer(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], client: Client, text: str
) -> None:
    assert api_as(people.supervisor).get("/api/v1/incidents/", {"q": text}).status_code == 200
    client.force_login(people.supervisor)
    assert client.get("/incidents/", {"q": text}).status_code == 200
