"""The 23 inputs that answered 500 (issue 10), on the API and on the pages they reach: each is a 400 (a search is an
answer), and nothing is changed. API.md, Errors: "Never a 500 for anything a client sends"."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from rest_framework.test import APIClient

from activities.models import AssistanceEvent, Session
from activities.tests.factories import AssistanceFactory, SessionFactory
from activities.tests.test_views import session_data
from beneficiaries.models import Household, Movement
from beneficiaries.tests.factories import HouseholdFactory, MovementFactory
from core.choices import Status
from core.models import ClosedMonth, Job, RecordEvent, User
from incidents.models import GbvReferral, Incident
from incidents.tests.factories import GbvReferralFactory, IncidentFactory

NUL_MESSAGE = "Null characters are not allowed."

# collection, page list, model, factory, valid body (for the monitor of Gao; GBV for the focal point)
TYPES: dict[str, tuple[str, str, type[Model], Callable[..., Any], dict[str, Any]]] = {
    "incidents": (
        "/api/v1/incidents/",
        "/incidents/",
        Incident,
        IncidentFactory,
        {
            "reported_on": "2021-12-04",
            "occurred_on": "2021-12-02",
            "place": "ML0701",
            "narrative": "Two men threatened a family at the well.",
            "violations": [{"type": "threat", "population_group": "host", "women": 1, "men": 2}],
        },
    ),
    "gbv-referrals": (
        "/api/v1/gbv-referrals/",
        "/incidents/gbv/",
        GbvReferral,
        GbvReferralFactory,
        {
            "survivor_code": "GAO-2021-0042",
            "reported_on": "2021-12-04",
            "place": "ML0701",
            "sex": "female",
            "age": 16,
            "incident_type": "physical_assault",
            "consent_to_referral": True,
            "consent_to_reporting": True,
            "services": [{"service": "health", "organisation": "CSCom", "referred_on": "2021-12-04"}],
        },
    ),
    "households": (
        "/api/v1/households/",
        "/beneficiaries/households/",
        Household,
        HouseholdFactory,
        {
            "registered_on": "2021-12-02",
            "registration_number": "GAO-21-99999",
            "head_name": "Fatoumata Maïga",
            "place": "ML0701",
            "members": [{"full_name": "Fatoumata Maïga", "sex": "female", "birth_year": 1980, "is_head": True}],
        },
    ),
    "movements": (
        "/api/v1/movements/",
        "/beneficiaries/movements/",
        Movement,
        MovementFactory,
        {"identified_on": "2021-12-02", "place": "ML0703", "nationality": "CI", "men": 9, "women": 2},
    ),
    "assistance": (
        "/api/v1/assistance/",
        "/activities/assistance/",
        AssistanceEvent,
        AssistanceFactory,
        {"delivered_on": "2021-12-02", "place": "ML0701", "kind": "nfi_kit", "households": 12},
    ),
    "sessions": (
        "/api/v1/sessions/",
        "/activities/sessions/",
        Session,
        SessionFactory,
        {"held_on": "2021-12-02", "place": "ML0701", "kind": "awareness", "topic": "Early marriage", "women": 20},
    ),
}
DATE_FIELD = {
    "incidents": "reported_on",
    "gbv-referrals": "reported_on",
    "households": "registered_on",
    "movements": "identified_on",
    "assistance": "delivered_on",
    "sessions": "held_on",
}
# Counts capped at 1,000,000: every people count, households, quantity, sessions (API.md).
CAPPED: dict[str, Callable[[int], dict[str, Any]]] = {
    "incidents": lambda value: {"violations": [{"type": "threat", "population_group": "host", "men": value}]},
    "movements": lambda value: {"men": value},
    "assistance": lambda value: {"households": value},
    "sessions": lambda value: {"women": value},
}
CAPPED_MORE = [
    ("assistance", {"quantity": 2**31}),
    ("assistance", {"women": 2**31}),
    ("sessions", {"sessions": 2**31}),
    ("movements", {"specific_needs": 2**31}),
    ("incidents", {"displaced_persons": 2**31}),
]


def author(people: SimpleNamespace, kind: str) -> Any:
    return people.gbv if kind == "gbv-referrals" else people.monitor


def reviewer(people: SimpleNamespace, kind: str) -> Any:
    return people.gbv if kind == "gbv-referrals" else people.supervisor


def raw(client: Any, method: str, url: str, text: str) -> Any:
    """A body sent exactly as written (JSON the test client would not write: 1e309, 5,000 levels)."""
    return getattr(client, method)(url, data=text, content_type="application/json")


def state(record: Any) -> tuple[Any, ...]:
    """What must not change: the stored row, and its history."""
    record.refresh_from_db()
    events = RecordEvent.objects.filter(object_id=record.pk).count()
    return record.status, record.version, events


@pytest.fixture
def records(people: SimpleNamespace) -> dict[str, Any]:
    """One record of each type in Gao, in December 2021: a draft of each, and a submitted incident."""
    made = {kind: TYPES[kind][3](created_by=author(people, kind)) for kind in TYPES}
    made["submitted"] = IncidentFactory(created_by=people.monitor, status=Status.SUBMITTED)
    made["verified"] = IncidentFactory(created_by=people.monitor, status=Status.VERIFIED)
    return made


def page_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- 1-3: a search for any text is an answer


SEARCHES = ["²", "①", "#³", "#99999999999999999999999", "٣"]


@pytest.mark.parametrize("q", SEARCHES)
@pytest.mark.parametrize("kind", list(TYPES))
def test_a_search_for_any_text_is_an_answer_on_the_api(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any], kind: str, q: str
) -> None:
    client = api_as(author(people, kind))
    response = client.get(TYPES[kind][0], {"q": q})
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0
    # The record number still finds the record.
    found = client.get(TYPES[kind][0], {"q": f"#{records[kind].pk}"}).json()
    assert [row["id"] for row in found["results"]] == [records[kind].pk]


@pytest.mark.parametrize("q", SEARCHES)
@pytest.mark.parametrize("kind", list(TYPES))
def test_a_search_for_any_text_is_an_answer_on_the_list_page(
    people: SimpleNamespace, records: dict[str, Any], kind: str, q: str
) -> None:
    response = page_client(author(people, kind)).get(TYPES[kind][1], {"q": q})
    assert response.status_code == 200


# --- 4: reject with a duplicate that is not a record number


@pytest.mark.parametrize("duplicate_of", ["²", "#1", "1e3", 2**70, [1], {"id": 1}])
def test_reject_with_a_duplicate_that_is_not_a_record_number_is_400(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any], duplicate_of: object
) -> None:
    submitted = records["submitted"]
    before = state(submitted)
    response = api_as(people.supervisor).post(
        f"/api/v1/incidents/{submitted.pk}/reject/",
        {"reason": "Same as another", "duplicate_of": duplicate_of, "version": submitted.version},
        format="json",
    )
    assert response.status_code == 400
    assert "duplicate_of" in response.json()
    assert state(submitted) == before


def test_reject_with_a_duplicate_in_scope_still_works(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any]
) -> None:
    submitted, original = records["submitted"], records["verified"]
    response = api_as(people.supervisor).post(
        f"/api/v1/incidents/{submitted.pk}/reject/",
        {"reason": "Same as another", "duplicate_of": str(original.pk), "version": submitted.version},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["duplicate_of"] == original.pk


# --- 5-8: months before 1900 or after 2100


OUT_OF_RANGE_MONTHS = ["0000-01", "0001-01", "1899-12", "2101-01", "9999-12"]


@pytest.mark.parametrize("month", OUT_OF_RANGE_MONTHS)
def test_a_month_out_of_range_is_400_on_the_monthly_report_and_tallies(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any], month: str
) -> None:
    client = api_as(people.admin)
    for url in ("/api/v1/reports/monthly/", "/api/v1/reports/tallies/"):
        response = client.get(url, {"month": month})
        assert response.status_code == 400, (url, response.content)
        assert "month" in response.json()


@pytest.mark.parametrize("month", OUT_OF_RANGE_MONTHS)
@pytest.mark.parametrize("kind", list(TYPES))
def test_a_month_out_of_range_is_400_on_the_lists(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any], kind: str, month: str
) -> None:
    response = api_as(author(people, kind)).get(TYPES[kind][0], {"month": month})
    assert response.status_code == 400
    assert "month" in response.json()


@pytest.mark.parametrize("month", OUT_OF_RANGE_MONTHS)
@pytest.mark.parametrize("kind", list(TYPES))
def test_a_month_out_of_range_on_a_list_page_is_answered(
    people: SimpleNamespace, records: dict[str, Any], kind: str, month: str
) -> None:
    response = page_client(author(people, kind)).get(TYPES[kind][1], {"month": month})
    assert response.status_code in {200, 400}
    assert "1900" in response.content.decode()


@pytest.mark.parametrize("month", OUT_OF_RANGE_MONTHS)
def test_a_month_out_of_range_is_400_on_the_report_page(
    people: SimpleNamespace, records: dict[str, Any], month: str
) -> None:
    response = page_client(people.admin).get("/reports/monthly/", {"month": month})
    assert response.status_code == 400


def test_the_month_limits_themselves_are_months(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any]
) -> None:
    client = api_as(people.admin)
    for month in ("1900-01", "2100-12"):
        assert client.get("/api/v1/reports/monthly/", {"month": month}).status_code == 200, month
        assert client.get("/api/v1/incidents/", {"month": month}).status_code == 200, month


@pytest.mark.parametrize("month", OUT_OF_RANGE_MONTHS)
def test_closing_or_reopening_a_month_out_of_range_is_400_and_starts_nothing(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any], month: str
) -> None:
    client = api_as(people.admin)
    for step in ("close", "reopen"):
        response = client.post(f"/api/v1/reports/months/{month}/{step}/", {"reason": "x"}, format="json")
        assert response.status_code == 400, (step, response.content)
        page = page_client(people.admin).post(f"/reports/months/{month}/{step}/", {"reason": "x", "note": ""})
        assert page.status_code == 400, step
    assert not Job.objects.exists()
    assert not ClosedMonth.objects.exists()


# --- 9: dates before 1900 or after 2100 are refused


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31"])
@pytest.mark.parametrize("kind", list(TYPES))
def test_a_date_before_1900_is_refused(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any], kind: str, day: str
) -> None:
    collection, _page, model, _factory, body = TYPES[kind]
    client = api_as(author(people, kind))
    before = model._default_manager.count()
    field = DATE_FIELD[kind]
    extra = {"occurred_on": None} if kind == "incidents" else {}
    response = client.post(collection, {**body, **extra, field: day}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert model._default_manager.count() == before
    # An edit is refused the same way.
    record = records[kind]
    unchanged = state(record)
    patch = client.patch(f"{collection}{record.pk}/", {field: day, "version": record.version}, format="json")
    assert patch.status_code == 400
    assert state(record) == unchanged


# --- 10, 11, 12, 13, 14, 15: a body that is not a JSON object

NOT_OBJECTS = ["[]", '"submit"', "[null, null]", "null", "42", '[{"version": 1}]']


@pytest.mark.parametrize("text", NOT_OBJECTS)
@pytest.mark.parametrize("kind", list(TYPES))
def test_a_workflow_step_or_edit_whose_body_is_not_an_object_is_400(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any], kind: str, text: str
) -> None:
    collection = TYPES[kind][0]
    record = records[kind]
    client = api_as(author(people, kind))
    before = state(record)
    for method, url in (("post", f"{collection}{record.pk}/submit/"), ("patch", f"{collection}{record.pk}/")):
        response = raw(client, method, url, text)
        assert response.status_code == 400, (method, response.content)
        assert "detail" in response.json()
    assert raw(client, "post", collection, text).status_code == 400
    assert state(record) == before


@pytest.mark.parametrize("text", NOT_OBJECTS)
def test_a_review_step_whose_body_is_not_an_object_is_400(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any], text: str
) -> None:
    submitted = records["submitted"]
    before = state(submitted)
    for step in ("verify", "return", "reject", "archive"):
        assert (
            raw(api_as(people.supervisor), "post", f"/api/v1/incidents/{submitted.pk}/{step}/", text).status_code == 400
        )
    assert state(submitted) == before


@pytest.mark.parametrize("text", NOT_OBJECTS)
def test_a_gbv_case_step_whose_body_is_not_an_object_is_400(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any], text: str
) -> None:
    referral = records["gbv-referrals"]
    before = state(referral)
    client = api_as(people.gbv)
    for step in ("withdraw-consent", "request-closure"):
        assert raw(client, "post", f"/api/v1/gbv-referrals/{referral.pk}/{step}/", text).status_code == 400
    assert state(referral) == before
    assert (referral.consent_to_referral, referral.consent_to_reporting) == (True, True)


@pytest.mark.parametrize("text", NOT_OBJECTS)
def test_an_export_close_or_reopen_whose_body_is_not_an_object_is_400(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any], text: str
) -> None:
    client = api_as(people.admin)
    assert raw(client, "post", "/api/v1/exports/", text).status_code == 400
    assert raw(client, "post", "/api/v1/reports/months/2021-12/close/", text).status_code == 400
    assert not Job.objects.exists()
    assert not ClosedMonth.objects.exists()
    ClosedMonth.objects.create(month="2021-11-01", is_closed=True, closed_by=people.admin)
    assert raw(client, "post", "/api/v1/reports/months/2021-11/reopen/", text).status_code == 400
    assert ClosedMonth.objects.get(month="2021-11-01").is_closed


# --- 16-18: a version that is not a whole number


BAD_VERSIONS = ['"abc"', "[]", "1e309", "-1e309", "1.5", "true", "{}", str(2**70), '"²"']


@pytest.mark.parametrize("version", BAD_VERSIONS)
@pytest.mark.parametrize("kind", list(TYPES))
def test_a_version_that_is_not_a_whole_number_is_400(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any], kind: str, version: str
) -> None:
    collection = TYPES[kind][0]
    record = records[kind]
    client = api_as(author(people, kind))
    before = state(record)
    for method, url in (("post", f"{collection}{record.pk}/submit/"), ("patch", f"{collection}{record.pk}/")):
        response = raw(client, method, url, f'{{"version": {version}, "urgent": true}}')
        assert response.status_code in {400, 409}, (method, response.content)
        if response.status_code == 400:
            assert "version" in response.json()
    assert state(record) == before


@pytest.mark.parametrize("version", ['"abc"', "[]", "1e309"])
def test_a_review_step_with_a_version_that_is_not_a_whole_number_is_400(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any], version: str
) -> None:
    submitted = records["submitted"]
    before = state(submitted)
    response = raw(
        api_as(people.supervisor), "post", f"/api/v1/incidents/{submitted.pk}/verify/", f'{{"version": {version}}}'
    )
    assert response.status_code == 400
    assert "version" in response.json()
    assert state(submitted) == before


@pytest.mark.parametrize("version", ['"abc"', "[]", "1e309"])
def test_a_gbv_case_step_with_a_version_that_is_not_a_whole_number_is_400(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any], version: str
) -> None:
    referral = records["gbv-referrals"]
    before = state(referral)
    response = raw(
        api_as(people.gbv),
        "post",
        f"/api/v1/gbv-referrals/{referral.pk}/withdraw-consent/",
        f'{{"version": {version}, "withdraw_reporting": true}}',
    )
    assert response.status_code == 400
    assert "version" in response.json()
    assert state(referral) == before


# --- 19: counts above 1,000,000


@pytest.mark.parametrize("value", [2**31, 2**63, 1_000_001])
@pytest.mark.parametrize("kind", list(CAPPED))
def test_a_count_above_a_million_is_400(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any], kind: str, value: Any
) -> None:
    collection, _page, model, _factory, body = TYPES[kind]
    before = model._default_manager.count()
    response = api_as(people.monitor).post(collection, {**body, **CAPPED[kind](value)}, format="json")
    assert response.status_code == 400, response.content
    assert "1000000" in json.dumps(response.json()).replace(",", "").replace("\u202f", "")
    assert model._default_manager.count() == before


@pytest.mark.parametrize(("kind", "overrides"), CAPPED_MORE)
def test_households_quantities_sessions_and_other_counts_are_capped(
    people: SimpleNamespace,
    api_as: Callable[[User], APIClient],
    records: dict[str, Any],
    kind: str,
    overrides: dict[str, Any],
) -> None:
    collection, _page, model, _factory, body = TYPES[kind]
    before = model._default_manager.count()
    response = api_as(people.monitor).post(collection, {**body, **overrides}, format="json")
    assert response.status_code == 400, response.content
    assert set(overrides) <= set(response.json())
    assert model._default_manager.count() == before


@pytest.mark.parametrize("kind", list(CAPPED))
def test_a_million_itself_is_accepted(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any], kind: str
) -> None:
    collection, _page, _model, _factory, body = TYPES[kind]
    response = api_as(people.monitor).post(collection, {**body, **CAPPED[kind](1_000_000)}, format="json")
    assert response.status_code == 201, response.content


def test_a_count_above_a_million_in_an_edit_is_400(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any]
) -> None:
    movement = records["movements"]
    before = state(movement)
    response = api_as(people.monitor).patch(
        f"/api/v1/movements/{movement.pk}/", {"men": 2**31, "version": movement.version}, format="json"
    )
    assert response.status_code == 400
    assert state(movement) == before


def test_amounts_stay_decimals_without_the_cap(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any]
) -> None:
    body = {**TYPES["assistance"][4], "amount": 25_000_000.5, "currency": "XOF"}
    response = api_as(people.monitor).post("/api/v1/assistance/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == 25_000_000.5


# --- 20-22: a NUL character in a code


NUL_CODES = [
    ("incidents", {"place": "ML07\x0001"}, "place"),
    ("movements", {"place": "ML07\x0003"}, "place"),
    ("sessions", {"place": "\x00"}, "place"),
    ("incidents", {"violations": [{"type": "threat\x00", "population_group": "host", "men": 1}]}, "violations"),
    ("incidents", {"perpetrator": "armed_group\x00"}, "perpetrator"),
    ("sessions", {"kind": "awareness\x00"}, "kind"),
    ("assistance", {"kind": "nfi_kit\x00"}, "kind"),
    ("assistance", {"country": "C\x00I"}, "country"),
    ("movements", {"nationality": "C\x00I"}, "nationality"),
    ("gbv-referrals", {"incident_type": "physical_assault\x00"}, "incident_type"),
    ("gbv-referrals", {"sex": "female\x00"}, "sex"),  # a choice: "not a valid choice"
    ("households", {"head_name": "Fatoumata\x00"}, "head_name"),
    ("sessions", {"topic": "Early\x00marriage"}, "topic"),
]


@pytest.mark.parametrize(("kind", "overrides", "field"), NUL_CODES)
def test_a_nul_character_in_a_code_or_a_text_is_400(
    people: SimpleNamespace,
    api_as: Callable[[User], APIClient],
    records: dict[str, Any],
    kind: str,
    overrides: dict[str, Any],
    field: str,
) -> None:
    collection, _page, model, _factory, body = TYPES[kind]
    before = model._default_manager.count()
    client = api_as(author(people, kind))
    response = client.post(collection, {**body, **overrides}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    if field != "sex":
        assert NUL_MESSAGE in json.dumps(response.json()[field])
    assert model._default_manager.count() == before
    record = records[kind]
    unchanged = state(record)
    patch = client.patch(f"{collection}{record.pk}/", {**overrides, "version": record.version}, format="json")
    assert patch.status_code == 400
    assert state(record) == unchanged


@pytest.mark.parametrize(
    "params",
    [
        {"q": "a\x00b"},
        {"region": "ML07\x00"},
        {"organisation": "AMSS\x00"},
        {"status": "draft\x00"},
        {"month": "2021\x00"},
    ],
)
@pytest.mark.parametrize("kind", list(TYPES))
def test_a_nul_character_in_a_filter_is_400(
    people: SimpleNamespace,
    api_as: Callable[[User], APIClient],
    records: dict[str, Any],
    kind: str,
    params: dict[str, str],
) -> None:
    response = api_as(author(people, kind)).get(TYPES[kind][0], params)
    assert response.status_code == 400, response.content


# --- 23: JSON nested 5,000 deep


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, '{"a": ' * 5000 + "1" + "}" * 5000])
def test_json_nested_five_thousand_deep_is_400(
    people: SimpleNamespace, api_as: Callable[[User], APIClient], records: dict[str, Any], text: str
) -> None:
    incident = records["incidents"]
    client = api_as(people.monitor)
    before, count = state(incident), Incident.objects.count()
    assert raw(client, "post", "/api/v1/incidents/", text).status_code == 400
    assert raw(client, "patch", f"/api/v1/incidents/{incident.pk}/", text).status_code == 400
    assert raw(client, "post", f"/api/v1/incidents/{incident.pk}/submit/", text).status_code == 400
    assert raw(api_as(people.admin), "post", "/api/v1/exports/", text).status_code == 400
    assert state(incident) == before
    assert Incident.objects.count() == count


# --- page edits require the version they are based on


def test_a_page_edit_posted_without_version_is_refused_and_changes_nothing(
    people: SimpleNamespace, records: dict[str, Any]
) -> None:
    session = records["sessions"]
    client = page_client(people.monitor)
    data = session_data(topic="Overwritten without a version")
    before = state(session)
    response = client.post(f"/activities/sessions/{session.pk}/edit/", data)
    assert response.status_code == 400
    assert "without the version" in response.content.decode()
    assert state(session) == before
    assert session.topic != "Overwritten without a version"
    # With the version it was based on, the same edit is saved.
    response = client.post(f"/activities/sessions/{session.pk}/edit/", {**data, "version": session.version})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.topic == "Overwritten without a version"


@pytest.mark.parametrize("version", ["abc", "²", "1e309", ""])
def test_a_page_edit_with_a_version_that_is_not_a_whole_number_is_refused(
    people: SimpleNamespace, records: dict[str, Any], version: str
) -> None:
    incident_session = records["sessions"]
    before = state(incident_session)
    response = page_client(people.monitor).post(
        f"/activities/sessions/{incident_session.pk}/edit/", session_data(topic="Changed", version=version)
    )
    assert response.status_code == 400
    assert state(incident_session) == before


def test_a_page_step_with_a_version_that_is_not_a_whole_number_is_refused(
    people: SimpleNamespace, records: dict[str, Any]
) -> None:
    submitted = records["submitted"]
    before = state(submitted)
    response = page_client(people.supervisor).post(f"/incidents/{submitted.pk}/verify/", {"version": "²"})
    assert response.status_code in {400, 409}
    assert state(submitted) == before
