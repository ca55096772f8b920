"""Property tests (Hypothesis): whatever a client sends in the people counts, the month or the search box, Vigie
answers (201, 200 or 400) and never raises."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from core.filtersets import parse_month
from core.inputs import version_number, whole_number
from core.models import User
from core.records import PEOPLE_FIELDS

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["1", "²", "٣", "1e309", "-1", "1.5", "\x00", "0x10"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)
MOVEMENT = {"identified_on": "2021-12-02", "place": "ML0703", "nationality": "CI"}


@FAST
@given(counts=st.fixed_dictionaries({}, optional=dict.fromkeys(PEOPLE_FIELDS, json_values)))
def test_any_json_in_the_people_counts_is_201_or_400(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], counts: dict[str, Any]
) -> None:
    response = api_as(people.monitor).post("/api/v1/movements/", {**MOVEMENT, **counts}, format="json")
    assert response.status_code in {201, 400}, response.content
    if response.status_code == 201:
        saved = response.json()
        assert all(0 <= saved[name] <= 1_000_000 for name in PEOPLE_FIELDS)


@FAST
@given(numbers=st.lists(st.floats() | st.integers() | st.text(max_size=4), min_size=5, max_size=5))
def test_any_number_in_the_people_counts_even_those_python_writes_oddly_is_201_or_400(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], numbers: list[Any]
) -> None:
    # Infinity and NaN as the literals Python's JSON writer emits; DRF refuses them when it parses.
    text = json.dumps({**MOVEMENT, **dict(zip(PEOPLE_FIELDS, numbers, strict=True))})
    response = api_as(people.monitor).post("/api/v1/movements/", data=text, content_type="application/json")
    assert response.status_code in {201, 400}, response.content


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=12) | st.from_regex(r"-?[0-9]{1,6}-[0-9]{1,3}", fullmatch=True))
def test_the_month_parser_gives_a_month_or_a_clear_error(text: str) -> None:
    month, messages = None, []
    try:
        month = parse_month(text)
    except ValidationError as error:
        messages = error.messages
    if month is None:
        assert messages
    else:
        assert month.day == 1
        assert datetime.date(1900, 1, 1) <= month <= datetime.date(2100, 12, 1)
        assert f"{month:%Y-%m}" == text


@settings(max_examples=300, deadline=None)
@given(value=json_values)
def test_numbers_sent_are_read_or_refused_never_raised(value: Any) -> None:
    number = whole_number(value)
    assert number is None or 0 <= number < 2**63
    fields: list[str] = []
    try:
        version_number(value)
    except ValidationError as error:
        fields = list(error.message_dict)
    assert fields in ([], ["version"])


@FAST
@given(text=st.text(max_size=30))
def test_the_search_box_answers_any_unicode_text(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], client: Client, text: str
) -> None:
    expected = 400 if "\x00" in text else 200
    assert api_as(people.supervisor).get("/api/v1/incidents/", {"q": text}).status_code == expected
    client.force_login(people.supervisor)
    assert client.get("/incidents/", {"q": text}).status_code in {200, 400}


@pytest.mark.parametrize("text", ["2021-12", "1900-01", "2100-12"])
def test_the_month_parser_reads_months(text: str) -> None:
    assert f"{parse_month(text):%Y-%m}" == text


def test_parse_month_refuses_what_is_not_text() -> None:
    for value in (None, 202112, ["2021-12"], b"2021-12"):
        with pytest.raises(ValidationError):
            parse_month(value)
