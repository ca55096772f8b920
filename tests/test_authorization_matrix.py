"""Walks every URL pattern of the project and checks each role's answer against tests/authorization_matrix.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.authorization_matrix import GROUP_SAMPLES, MATRIX, ROLES, Row


def iter_url_names(patterns: list, namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from iter_url_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name or '<unnamed ' + str(pattern.pattern) + '>'}"


def row_key(url_name: str) -> str | None:
    if url_name in MATRIX:
        return url_name
    return next((key for key in MATRIX if key.endswith(":*") and url_name.startswith(key[:-1])), None)


def test_every_url_pattern_has_a_row():
    missing = sorted(name for name in set(iter_url_names(get_resolver().url_patterns)) if row_key(name) is None)
    assert missing == [], f"URL patterns without a row in tests/authorization_matrix.py: {missing}"


def test_every_row_names_a_url_that_exists():
    names = set(iter_url_names(get_resolver().url_patterns))
    stale = sorted(key for key in MATRIX if not key.endswith(":*") and key not in names)
    assert stale == [], f"Rows for URLs that no longer exist: {stale}"


def _cases() -> Iterator[tuple[str, str, dict[str, object], Row, str]]:
    for key, row in MATRIX.items():
        samples = GROUP_SAMPLES.get(key, [(key, row.kwargs)])
        for url_name, kwargs in samples:
            for role in ROLES:
                yield pytest.param(url_name, kwargs, row, role, id=f"{url_name}-{role}")


@pytest.mark.parametrize(("url_name", "kwargs", "row", "role"), list(_cases()))
def test_each_role_gets_the_expected_answer(people, client, url_name, kwargs, row, role):
    if role != "anonymous":
        client.force_login(getattr(people, role))
    url = reverse(url_name, kwargs=kwargs)
    response = getattr(client, row.method)(url, row.data or {})
    assert response.status_code == row.expected[role], f"{role} {row.method.upper()} {url}"
