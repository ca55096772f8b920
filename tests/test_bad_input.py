"""Never a 500 for anything a client sends (API.md): garbage parameters and bodies on every collection."""

import pytest

COLLECTIONS = [
    "/api/v1/incidents/",
    "/api/v1/gbv-referrals/",
    "/api/v1/households/",
    "/api/v1/movements/",
    "/api/v1/assistance/",
    "/api/v1/sessions/",
    "/api/v1/alerts/",
]
BAD_PARAMETERS = [
    {"page": "abc"},
    {"page": "99999"},
    {"page_size": "-1"},
    {"page_size": "abc"},
    {"ordering": "bogus"},
    {"region": "XX"},
    {"month": "2021-99"},
    {"q": "\x00"},
    {"type": "nope"},
    {"kind": "nope"},
    {"organisation": "ZZZ"},
    {"reported_on_after": "yesterday"},
    {"status": "lost"},
]
BAD_BODIES = [
    [],
    "x",
    {"place": ["ML07"]},
    {"violations": "x", "services": 3, "members": {"a": 1}},
    {"reported_on": "2021-02-30"},
]


@pytest.mark.parametrize("url", COLLECTIONS)
def test_garbage_is_answered_without_a_server_error(people, api_as, url):
    client = api_as(people.gbv if "gbv" in url else people.admin)
    for params in BAD_PARAMETERS:
        assert client.get(url, params).status_code < 500, params
    for body in BAD_BODIES:
        assert client.post(url, body, format="json").status_code == 400, body
    assert client.get(f"{url}abc/").status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"month": "x"},
        {"month": "2021-12", "region": "ML"},
        {"month": "2021-12", "current": "maybe"},
        {"year": "abcd"},
        {"month": "2021-12", "format": "pdf"},
    ],
)
def test_report_endpoints_refuse_garbage_cleanly(people, api_as, params):
    client = api_as(people.admin)
    assert client.get("/api/v1/reports/monthly/", params).status_code < 500
    assert client.get("/api/v1/reports/tallies/", params).status_code < 500
