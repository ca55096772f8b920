"""reports.reference_lists: within `read_once` each reference list is read once; outside, every call reads it."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import AssistanceKind, SessionKind
from reports import reference_lists

pytestmark = pytest.mark.django_db


def test_a_list_is_read_once_inside_and_afresh_outside(django_assert_num_queries: Any) -> None:
    # one read per list, however often asked, nested blocks included
    with django_assert_num_queries(2), reference_lists.read_once():
        first = reference_lists.items(AssistanceKind)
        with reference_lists.read_once():
            assert reference_lists.items(AssistanceKind) == first
        assert reference_lists.by_code(AssistanceKind, [first[0].code]) == {first[0].code: first[0]}
        reference_lists.items(SessionKind)
    assert first == list(AssistanceKind.objects.all())  # in the list's order
    with django_assert_num_queries(2):
        reference_lists.items(AssistanceKind)
        reference_lists.items(AssistanceKind)


def test_no_code_reads_nothing(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert reference_lists.by_code(AssistanceKind, []) == {}


def test_a_list_changed_after_the_block_is_read_as_it_is_now() -> None:
    with reference_lists.read_once():
        before = reference_lists.items(SessionKind)[0]
    SessionKind.objects.filter(pk=before.pk).update(label_en="Renamed")
    assert reference_lists.items(SessionKind)[0].label_en == "Renamed"
