"""What schemathesis (tests/test_schema_fuzz.py) found, pinned as plain tests: each answer matches the schema
that `/api/schema/` declares, and every error has the shape API.md gives it."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from activities.tests.factories import AssistanceFactory, SessionFactory
from alerts.tests.factories import AlertFactory
from beneficiaries.tests.factories import HouseholdFactory, MovementFactory
from core.choices import Status
from incidents.tests.factories import GbvReferralFactory, IncidentFactory

pytestmark = pytest.mark.django_db

ERROR_CODES = ("400", "401", "403", "404", "406", "409", "415", "429")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    generated: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
    return generated


def _component(schema: dict[str, Any], path: str) -> dict[str, Any]:
    """The schema component of the 200 answer of GET `path`."""
    reference = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]


def _undeclared_nulls(answer: dict[str, Any], component: dict[str, Any]) -> list[str]:
    properties = component["properties"]
    return [name for name, value in answer.items() if value is None and not properties[name].get("nullable")]


@pytest.mark.parametrize(
    ("path", "factory", "creator"),
    [
        ("/api/v1/incidents/{id}/", IncidentFactory, "monitor"),
        ("/api/v1/gbv-referrals/{id}/", GbvReferralFactory, "gbv"),
        ("/api/v1/assistance/{id}/", AssistanceFactory, "monitor"),
        ("/api/v1/sessions/{id}/", SessionFactory, "monitor"),
        ("/api/v1/households/{id}/", HouseholdFactory, "monitor"),
        ("/api/v1/movements/{id}/", MovementFactory, "monitor"),
        ("/api/v1/alerts/{id}/", AlertFactory, "monitor"),
    ],
)
def test_a_draft_answers_null_only_where_the_schema_says_nullable(
    people, api_as, schema, path: str, factory: Any, creator: str
) -> None:
    """Found by schemathesis: `submitted_at`, `reviewed_by`, `duplicate_of`, `merged_into` are null until the
    record is submitted, reviewed, marked or merged, and the schema said they were always a string or a number."""
    record = factory(created_by=getattr(people, creator), status=Status.DRAFT)
    answer = api_as(getattr(people, creator)).get(path.replace("{id}", str(record.pk))).json()
    assert _undeclared_nulls(answer, _component(schema, path)) == []


def test_a_restricted_narrative_is_null_as_the_schema_says(people, api_as, schema) -> None:
    """Found by schemathesis: a monitor reads a sexual-violence incident's narrative as null (restricted)."""
    incident = IncidentFactory(created_by=people.monitor, violations=[{"type": "rape", "women": 1}])
    answer = api_as(people.monitor).get(f"/api/v1/incidents/{incident.pk}/").json()
    assert answer["narrative"] is None
    assert _undeclared_nulls(answer, _component(schema, "/api/v1/incidents/{id}/")) == []


def test_a_null_narrative_is_saved_as_no_narrative(people, api_as) -> None:
    """The schema now says the narrative may be null (as it is answered); sending null then means "none", never a
    500 from a NOT NULL column."""
    incident = IncidentFactory(created_by=people.monitor)
    response = api_as(people.monitor).patch(
        f"/api/v1/incidents/{incident.pk}/", {"narrative": None, "version": incident.version}, format="json"
    )
    assert response.status_code == 200, response.content
    incident.refresh_from_db()
    assert incident.narrative == ""


def test_withdraw_consent_refuses_a_flag_that_is_not_a_boolean_per_field(people, api_as) -> None:
    """Found by schemathesis: `withdraw_reporting` that is not a boolean gave a 400 whose body was a bare list
    (`["Must be a valid boolean."]`), not API.md's message per field."""
    referral = GbvReferralFactory(created_by=people.gbv)
    response = api_as(people.gbv).post(
        f"/api/v1/gbv-referrals/{referral.pk}/withdraw-consent/", {"withdraw_reporting": "maybe"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["withdraw_reporting"]


def test_every_operation_declares_the_errors_it_answers(schema) -> None:
    """Every authenticated operation declares 401 and 403, every one 404 and 406, every write 400 and 415; the
    token endpoint 429; workflow steps and PATCH 409 -- each with an error schema component."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            public = {} in operation.get("security", [{}])
            expected = {"404", "406"} | ({"429"} if public else {"401", "403"})
            if method in {"post", "patch"}:
                expected |= {"400", "415"}
            if method == "patch" or (method == "post" and "/{id}/" in path and not path.endswith("{id}/")):
                expected.add("409")
            assert expected <= declared, f"{method.upper()} {path} lacks {sorted(expected - declared)}"
            for code in declared & set(ERROR_CODES):
                body = operation["responses"][code]["content"]["application/json"]["schema"]
                assert body["$ref"] in {"#/components/schemas/Error", "#/components/schemas/ValidationError"}
    assert "429" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]


@pytest.mark.parametrize(("step", "field"), [("return", "comment"), ("reject", "reason")])
@pytest.mark.parametrize("content_type", ["json", "multipart"])
def test_a_step_comment_holding_a_nul_is_a_400_per_field(people, api_as, step: str, field: str, content_type) -> None:
    """Found by schemathesis on PostgreSQL (which cannot store a NUL: a 500): a form-encoded return comment with a
    NUL character went to the database. JSON or form, it is a 400 on the field, and the record is unchanged."""
    session = SessionFactory(created_by=people.monitor, status=Status.SUBMITTED)
    answer = api_as(people.supervisor).post(
        f"/api/v1/sessions/{session.pk}/{step}/",
        {field: "Bad\x00text"},
        format="json" if content_type == "json" else None,
    )
    assert answer.status_code == 400
    assert field in answer.json()
    session.refresh_from_db()
    assert session.status == Status.SUBMITTED


def test_a_token_key_holding_a_nul_is_a_404(people, api_as) -> None:
    """Found by schemathesis on PostgreSQL: DELETE /api/v1/auth/tokens/%00/ asked the database with a NUL."""
    assert api_as(people.monitor).delete("/api/v1/auth/tokens/%00/").status_code == 404


def test_a_user_name_longer_than_any_account_is_a_400(db, api_client) -> None:
    """On PostgreSQL a user name over 255 characters overflowed django-axes' record of the failure (a 500)."""
    answer = api_client.post("/api/v1/auth/token/", {"username": "a" * 300, "password": "x"}, format="json")
    assert answer.status_code == 400
