"""The closing checklist (issue 15), section by section, on a hand-built March 2022; its API for each role; the
close page; closing with and without the admin's word.

March 2022, the month checked:
- Gao, lead organisation: 1 verified incident (threat, 1 man) in each month from 2021-03 to 2022-02, then 8 in
  March: an outlier (incidents and category C violations; median 1, MAD 0);
- AMSS (a partner) in Gao: 1 verified incident in each of December, January and February, none verified in March
  and 1 still submitted: the missing partner, and a pending record;
- Tombouctou, lead: 1 verified incident in each of December, January and February, none in March: a missing region;
- Mopti, lead: 1 verified incident in each month from December to March: the March count (1) is suppressed;
- Gao, lead: an NFI distribution returned to its author in March: the second pending record;
- February 2022 is closed; a Gao incident of February left submitted is verified by an admin afterwards: a late
  record.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from activities.tests.factories import AssistanceFactory
from conftest import make_user
from core import workflow
from core.choices import Status
from core.models import AdminArea, AuditEntry, ClosedMonth, Job
from incidents.models import Incident
from incidents.tests.factories import IncidentFactory
from reports import checklist, publishing, suppression
from reports.figures import add_months
from reports.publishing import close_month, publish

MARCH = datetime.date(2022, 3, 1)
FEBRUARY = datetime.date(2022, 2, 1)
API = "/api/v1/reports/months/2022-03/checklist/"
PAGE = "/reports/months/2022-03/close/"


def _incident(by: Any, month: datetime.date, pcode: str = "ML0703", status: str = Status.VERIFIED, day: int = 5) -> Any:
    return IncidentFactory(
        created_by=by,
        place=AdminArea.objects.get(pcode=pcode),
        status=status,
        reported_on=month.replace(day=day),
        violations=[{"type": "threat", "men": 1}],
    )


@pytest.fixture
def march(people: SimpleNamespace) -> SimpleNamespace:
    for back in range(12, 0, -1):
        _incident(people.monitor, add_months(MARCH, -back))
    for day in range(1, 9):
        _incident(people.monitor, MARCH, day=day)
    for back in (3, 2, 1):
        earlier = add_months(MARCH, -back)
        _incident(people.partner_monitor, earlier)
        _incident(people.admin, earlier, pcode="ML0605")
        _incident(people.outsider, earlier, pcode="ML0506")
    _incident(people.outsider, MARCH, pcode="ML0506")
    submitted = _incident(people.partner_monitor, MARCH, status=Status.SUBMITTED, day=20)
    returned = AssistanceFactory(created_by=people.monitor, status=Status.RETURNED, delivered_on=MARCH.replace(day=9))
    late = _incident(people.monitor, FEBRUARY, status=Status.SUBMITTED, day=25)
    close_month(FEBRUARY, by=people.admin, published=publish(FEBRUARY))
    late = workflow.take_step(late, "verify", by=people.admin, version=late.version)
    return SimpleNamespace(submitted=submitted, returned=returned, late=late)


def _checklist(user: Any, *, with_suppression: bool = False) -> dict[str, Any]:
    """March's checklist; the suppression section (a closing's figures for every scope) only where it is tested."""
    return checklist.closing_checklist(user=user, month=MARCH, with_suppression=with_suppression)


# --- the sections


@pytest.mark.django_db
def test_the_records_still_waiting_are_listed_by_type_region_and_organisation(people, march) -> None:
    pending = _checklist(people.admin)["pending"]
    assert (pending["submitted"], pending["returned"]) == (1, 1)
    rows = {
        (row["record_type"], row["status"], row["region"]["pcode"], row["organisation"]["code"], row["count"])
        for row in pending["rows"]
    }
    assert rows == {
        ("incidents", "submitted", "ML07", "AMSS", 1),
        ("assistance", "returned", "ML07", people.admin.organisation.code, 1),
    }


@pytest.mark.django_db
def test_each_waiting_row_links_to_its_records_only(people, march, client: Client) -> None:
    """The submitted row opens the review queue filtered to the month, region, organisation and type; the returned
    one the type's list: each shows its record and nothing else waiting."""
    IncidentFactory(created_by=people.partner_monitor, status=Status.SUBMITTED, reported_on=datetime.date(2022, 4, 2))
    client.force_login(people.admin)
    rows = {row["status"]: row for row in _checklist(people.admin)["pending"]["rows"]}
    queue = client.get(rows["submitted"]["url"])
    assert queue.status_code == 200
    assert [entry.record.pk for entry in queue.context["entries"]] == [march.submitted.pk]
    listed = client.get(rows["returned"]["url"])
    assert listed.status_code == 200
    assert f"/activities/assistance/{march.returned.pk}/" in listed.content.decode()


@pytest.mark.django_db
def test_the_partner_and_the_region_that_did_not_report_are_named(people, march) -> None:
    completeness = _checklist(people.admin)["completeness"]
    assert completeness["months"] == ["2021-12", "2022-01", "2022-02"]
    missing = {
        (row["organisation"]["code"], row["region"]["pcode"], row["waiting"]) for row in completeness["organisations"]
    }
    lead = people.admin.organisation.code
    assert missing == {("AMSS", "ML07", 1), (lead, "ML06", 0)}
    assert [(row["region"]["pcode"], row["waiting"]) for row in completeness["regions"]] == [("ML06", 0)]


@pytest.mark.django_db
def test_a_figure_out_of_its_usual_range_comes_with_its_12_months(people, march) -> None:
    outliers = {(row["region"]["pcode"], row["indicator"]): row for row in _checklist(people.admin)["outliers"]}
    assert set(outliers) == {("ML07", "incidents"), ("ML07", "violations.C")}
    gao = outliers[("ML07", "incidents")]
    assert (gao["count"], gao["median"], gao["mad"], gao["limit"], gao["direction"]) == (8, 1.0, 0.0, 5.0, "above")
    # February: the lead's incident, AMSS's, and the late one verified after closing
    assert [point["count"] for point in gao["history"]] == [1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3]
    assert [point["month"] for point in gao["history"]][::11] == ["2021-03", "2022-02"]
    assert outliers[("ML07", "violations.C")]["label"] == "Violations: Physical and psychological integrity"


@pytest.mark.parametrize(
    ("history", "count", "flagged"),
    [
        ([10] * 12, 15, False),  # MAD 0: 5 away is not more than 5
        ([10] * 12, 16, True),
        ([10] * 12, 4, True),  # a drop counts too
        ([8, 12] * 6, 18, False),  # median 10, MAD 2: 8 is within 3 x 1.4826 x 2 = 8.8956
        ([8, 12] * 6, 19, True),
        ([8, 12] * 6, 1, True),
        ([0] * 11 + [40], 3, False),  # one big month does not make every small one unusual
    ],
)
def test_the_rule_is_median_and_mad(history: list[int], count: int, flagged: bool) -> None:
    months = [add_months(MARCH, back) for back in range(-12, 0)]
    series = checklist._Series("ML07", "Gao", "incidents", "Incidents", checklist.defaultdict(int))
    for at, value in zip(months, history, strict=True):
        series.values[at] = value
    series.values[MARCH] = count
    assert (checklist._judged(series, MARCH, months) is not None) is flagged


@pytest.mark.django_db
def test_what_suppression_will_hide_is_counted_and_placed(people, march) -> None:
    suppressed = _checklist(people.admin, with_suppression=True)["suppression"]
    hidden = {(cell["month"], cell["scope"], cell["measure"]) for cell in suppressed["hidden"]}
    assert ("2022-03", "ML05", "incidents") in hidden  # Mopti's one incident
    assert suppressed["cells"] == len(suppressed["hidden"]) == sum(place["cells"] for place in suppressed["by_scope"])
    mopti = next(place for place in suppressed["by_scope"] if place["scope"] == "ML05")
    assert mopti["name"] == "Mopti"
    assert "incidents" in {section["section"] for section in mopti["sections"]}
    assert suppressed["by_scope"][0]["name"] == "Whole operation"


@pytest.mark.django_db
def test_suppression_reads_what_the_closing_then_stores(people, march) -> None:
    """The preview is the decision the closing makes: once March is closed, viewers' hidden cells are those."""
    preview = {
        (cell["scope"], cell["measure"])
        for cell in _checklist(people.admin, with_suppression=True)["suppression"]["hidden"]
    }
    close_month(MARCH, by=people.admin, published=publish(MARCH))
    stored = {
        (cell["scope"], cell["measure"])
        for cell in _checklist(people.admin, with_suppression=True)["suppression"]["hidden"]
    }
    assert preview == stored


@pytest.mark.django_db
def test_a_record_verified_after_its_month_closed_is_late(people, march) -> None:
    late = _checklist(people.admin)["late"]
    assert late["records"] == 1
    assert [(row["month"], row["records"], row["verified"]) for row in late["months"]] == [("2022-02", 1, 1)]
    assert late["months"][0]["by_type"] == [{"record_type": "incidents", "label": "Protection incidents", "records": 1}]
    assert late["months"][0]["url"] == "/reports/monthly/?month=2022-02"


@pytest.mark.django_db
def test_a_comment_is_no_late_change_and_a_month_closed_again_starts_afresh(people, march) -> None:
    workflow.add_comment(march.late, by=people.admin, text="Checked with the field team.")
    assert _checklist(people.admin)["late"]["records"] == 1
    closed = ClosedMonth.objects.get(month=FEBRUARY)
    closed.is_closed = False
    closed.save()
    close_month(FEBRUARY, by=people.admin, published=publish(FEBRUARY))  # published again, the late record in it
    assert _checklist(people.admin)["late"] == {"records": 0, "months": []}


@pytest.mark.django_db
def test_a_later_closed_month_is_not_late_for_this_one(people, march) -> None:
    """Only earlier closed months: the checklist of January does not count February's late record."""
    found = checklist.closing_checklist(user=people.admin, month=datetime.date(2022, 1, 1), with_suppression=False)
    assert found["late"]["records"] == 0


@pytest.mark.django_db
def test_findings_need_an_acknowledgement_and_an_empty_month_has_none(people, march) -> None:
    found = _checklist(people.admin)
    assert found["findings"] == {"pending": 2, "missing": 3, "outliers": 2, "late": 1}
    assert found["needs_acknowledgement"]
    empty = checklist.closing_checklist(user=people.admin, month=datetime.date(2020, 1, 1))
    assert empty["findings"] == {"pending": 0, "missing": 0, "outliers": 0, "late": 0}
    assert not empty["needs_acknowledgement"]
    assert empty["suppression"]["cells"] == 0


# --- the API, role by role


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["monitor", "supervisor", "outsider", "gbv", "viewer"])
def test_other_roles_get_403(people, march, api_as, role: str) -> None:
    response = api_as(getattr(people, role)).get(API)
    assert response.status_code == 403
    assert "AMSS" not in response.content.decode()


@pytest.mark.django_db
def test_without_credentials_401(march, api_client) -> None:
    assert api_client.get(API).status_code == 401


@pytest.mark.django_db
def test_an_admin_reads_the_whole_checklist(people, march, api_as, django_assert_max_num_queries) -> None:
    # token, user, regions; the four quick sections as on the close page (29); then suppression: the month's figures
    # for every scope as a closing computes them (about 26 per region, the breakdowns by sector and population group
    # included: 11 regions, then the scopes merged; each reference list read once: reports.reference_lists), the
    # tallies, and the decision's reference lists, viewers and closed months. 319 on this month run alone, 320 after
    # other tests (one lookup Django caches per process, as the 414-415 before each reference list was read once).
    with django_assert_max_num_queries(320):
        response = api_as(people.admin).get(API)
    assert response.status_code == 200
    answer = response.json()
    assert answer["findings"] == {"pending": 2, "missing": 3, "outliers": 2, "late": 1}
    assert answer["needs_acknowledgement"] is True
    assert answer["closed"] is False
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_an_admin_of_mopti_reads_mopti_only(people, march, api_as) -> None:
    mopti_admin = make_user("mopti_admin", "admin", ["ML05"], people.admin.organisation)
    answer = api_as(mopti_admin).get(API).json()
    assert answer["pending"]["rows"] == []
    assert answer["completeness"]["organisations"] == []
    assert answer["outliers"] == []
    assert answer["late"]["records"] == 0  # the late record is Gao's
    assert {place["scope"] for place in answer["suppression"]["by_scope"]} == {"ML05"}
    assert "AMSS" not in str(answer)
    assert "Gao" not in str(answer)


@pytest.mark.django_db
def test_an_admin_of_mopti_asking_for_gao_gets_404(people, march, api_as) -> None:
    mopti_admin = make_user("mopti_admin", "admin", ["ML05"], people.admin.organisation)
    response = api_as(mopti_admin).get(API, {"region": "ML07"})
    assert response.status_code == 404
    assert "AMSS" not in response.content.decode()


@pytest.mark.django_db
def test_a_region_narrows_the_checklist(people, march, api_as) -> None:
    answer = api_as(people.admin).get(API, {"region": "ML07"}).json()
    assert answer["region"] == "ML07"
    assert {row["region"]["pcode"] for row in answer["pending"]["rows"]} == {"ML07"}
    assert answer["completeness"]["regions"] == []
    assert {place["scope"] for place in answer["suppression"]["by_scope"]} <= {"ML07"}


@pytest.mark.django_db
def test_a_partners_admin_gets_links_to_its_own_records_only(people, march, api_as) -> None:
    partner_admin = make_user("partner_admin", "admin", [], people.partner_monitor.organisation)
    rows = {row["organisation"]["code"]: row for row in api_as(partner_admin).get(API).json()["pending"]["rows"]}
    assert rows["AMSS"]["url"].startswith("/review/?")
    assert rows[people.admin.organisation.code]["url"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "query"), [("2022-13", {}), ("march", {}), ("2022-03", {"region": "ML0703"})])
def test_bad_input_is_400(people, api_as, path: str, query: dict[str, str]) -> None:
    response = api_as(people.admin).get(f"/api/v1/reports/months/{path}/checklist/", query)
    assert response.status_code == 400


# --- closing by API: the contract of API.md holds; what the checklist found is logged


@pytest.mark.django_db
def test_a_client_that_knows_nothing_of_the_checklist_still_closes(
    people, march, api_as, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(people.admin).post("/api/v1/reports/months/2022-03/close/", {"note": "Sent"}, format="json")
    assert response.status_code == 202
    closed = ClosedMonth.objects.get(month=MARCH)
    assert (closed.is_closed, closed.note) == (True, "Sent")
    entry = AuditEntry.objects.get(action="month_closed", details__month="2022-03")
    assert entry.details["checklist"] == {"pending": 2, "missing": 3, "outliers": 2, "late": 1, "acknowledged": False}


@pytest.mark.django_db
def test_a_client_says_it_read_the_checklist(people, march, api_as, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(people.admin).post(
            "/api/v1/reports/months/2022-03/close/", {"acknowledged": True}, format="json"
        )
    assert response.status_code == 202
    entry = AuditEntry.objects.get(action="month_closed", details__month="2022-03")
    assert entry.details["checklist"]["acknowledged"] is True


@pytest.mark.django_db
def test_an_acknowledgement_that_is_not_a_boolean_is_400(people, march, api_as) -> None:
    response = api_as(people.admin).post(
        "/api/v1/reports/months/2022-03/close/", {"acknowledged": "maybe"}, format="json"
    )
    assert response.status_code == 400
    assert "acknowledged" in response.json()
    assert not Job.objects.filter(kind="close_month").exists()


# --- the close page


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["monitor", "supervisor", "gbv", "viewer"])
def test_the_close_page_is_for_admins(people, march, client: Client, role: str) -> None:
    client.force_login(getattr(people, role))
    assert client.get(PAGE).status_code == 403
    assert client.get("/reports/months/2022-03/close/suppression/").status_code == 403
    assert client.post(PAGE, {"acknowledge": "on"}).status_code == 403
    assert not Job.objects.filter(kind="close_month").exists()


@pytest.mark.django_db
def test_the_close_page_shows_the_checklist(people, march, client: Client, django_assert_max_num_queries) -> None:
    client.force_login(people.admin)
    # session, user; the month's state, whether it is closed; the admin's regions; pending: one GROUP BY per record
    # type (6); completeness: the incident cells, then one per other type (6); outliers: incident cells, category
    # labels, type cells, movements, assistance kinds, assistance (6); late: closed months, then the flagged records
    # of each type (6) and the history of those found (1); unread notifications; the session saved (3). Whatever the
    # rows (the hand-built month has several in each section).
    with django_assert_max_num_queries(35):
        response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Records of the month still waiting",
        "Open in the review queue",
        "Association Malienne pour la Survie au Sahel (AMSS)",
        "Tombouctou",
        "above its usual range",
        "Show the 12 months",
        "2021-03",
        "2022-02",
        "I have read the checklist and close the month anyway",
    ):
        assert text in html, text
    # the slow section comes after the page (checklist.js), or in it on asking (without scripts)
    assert "Whole operation" not in html
    assert 'data-fragment="/reports/months/2022-03/close/suppression/"' in html
    assert 'href="?suppression=1#suppression"' in html
    assert "Whole operation" in client.get(PAGE, {"suppression": "1"}).content.decode()
    fragment = client.get("/reports/months/2022-03/close/suppression/")
    assert fragment.status_code == 200
    assert "Whole operation" in fragment.content.decode()
    assert 'data-summary="' in fragment.content.decode()
    report = client.get("/reports/monthly/", {"month": "2022-03"}).content.decode()
    assert f'href="{PAGE}"' in report


@pytest.mark.django_db
def test_findings_unacknowledged_close_nothing(people, march, client: Client) -> None:
    client.force_login(people.admin)
    response = client.post(PAGE, {"note": "Sent to the cluster"})
    assert response.status_code == 400
    assert "tick this box to close the month anyway" in response.content.decode()
    assert "Sent to the cluster" in response.content.decode()  # the note is kept in the form
    assert not Job.objects.filter(kind="close_month").exists()
    assert not ClosedMonth.objects.filter(month=MARCH).exists()


@pytest.mark.django_db
def test_the_admin_closes_anyway_with_a_note(people, march, client: Client, django_capture_on_commit_callbacks) -> None:
    client.force_login(people.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, {"note": "AMSS reports late; Gao's rise checked", "acknowledge": "on"})
    assert response.status_code == 302
    closed = ClosedMonth.objects.get(month=MARCH)
    assert (closed.is_closed, closed.note, closed.closed_by) == (
        True,
        "AMSS reports late; Gao's rise checked",
        people.admin,
    )
    entry = AuditEntry.objects.get(action="month_closed", details__month="2022-03")
    assert entry.details["checklist"]["acknowledged"] is True


@pytest.mark.django_db
def test_trying_a_failed_closing_again_keeps_the_admins_word(
    people, march, client: Client, django_capture_on_commit_callbacks
) -> None:
    """A closing whose job failed is started again from its job page with its note and, when the admin had said
    they close anyway, that too: the same closing, not a refusal for a box ticked before."""
    checklist_then = {"pending": 2, "missing": 3, "outliers": 2, "late": 1, "acknowledged": True}
    failed = Job.objects.create(
        user=people.admin,
        kind="close_month",
        task="reports.close_month",
        status=Job.Status.FAILED,
        params={"month": "2022-03-01", "note": "Sent", "checklist": checklist_then},
    )
    client.force_login(people.admin)
    page = client.get(f"/reports/jobs/{failed.pk}/").content.decode()
    assert 'name="acknowledge" value="on"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, {"note": "Sent", "acknowledge": "on"})
    assert response.status_code == 302
    assert ClosedMonth.objects.get(month=MARCH).is_closed


@pytest.mark.django_db
def test_a_month_without_findings_closes_without_acknowledgement(
    people, client: Client, django_capture_on_commit_callbacks
) -> None:
    client.force_login(people.admin)
    page = client.get("/reports/months/2020-01/close/").content.decode()
    assert "Nothing waiting" in page
    assert "I have read the checklist" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/months/2020-01/close/", {"note": ""})
    assert response.status_code == 302
    assert ClosedMonth.objects.get(month=datetime.date(2020, 1, 1)).is_closed


@pytest.mark.django_db
def test_a_closed_month_has_no_close_page(people, march, client: Client) -> None:
    client.force_login(people.admin)
    response = client.get("/reports/months/2022-02/close/", follow=True)
    assert "This month is already closed." in response.content.decode()
    assert response.redirect_chain[-1][0] == "/reports/monthly/?month=2022-02"


@pytest.mark.django_db
def test_the_close_page_in_french(people, march, client: Client) -> None:
    client.force_login(people.admin)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    html = client.get(PAGE, {"suppression": "1"}).content.decode()
    for text in ("Liste de contrôle de la clôture", "Ensemble de l’opération", "Atteintes à l&#x27;intégrité physique"):
        assert text in html, text


# --- the review queue: records left submitted in a closed month


@pytest.mark.django_db
def test_a_supervisor_is_told_a_closed_months_record_needs_an_admin(people, march, client: Client) -> None:
    waiting = _incident(people.monitor, FEBRUARY, status=Status.SUBMITTED, day=26)
    Incident.objects.filter(pk=waiting.pk).update(submitted_at=waiting.created_at)
    client.force_login(people.supervisor)
    page = client.get(reverse("review-queue"))
    entry = next(entry for entry in page.context["entries"] if entry.record.pk == waiting.pk)
    assert entry.needs_admin
    html = page.content.decode()
    assert "Closed month: needs an admin" in html
    assert "2022-02 is closed: its figures are published. Only an admin can verify" in html
    assert f'value="incidents:{waiting.pk}:' not in html  # no box to tick for "Verify selected"
    open_month = next(entry for entry in page.context["entries"] if entry.record.pk == march.submitted.pk)
    assert not open_month.needs_admin


@pytest.mark.django_db
def test_an_admin_sees_the_mark_and_verifies(people, march, client: Client) -> None:
    waiting = _incident(people.monitor, FEBRUARY, status=Status.SUBMITTED, day=26)
    client.force_login(people.admin)
    page = client.get(reverse("review-queue"), {"month": "2022-02"})
    assert [entry.record.pk for entry in page.context["entries"]] == [waiting.pk]
    html = page.content.decode()
    assert "Closed month" in html
    assert "needs an admin" not in html
    assert f"/incidents/{waiting.pk}/verify/" in html


@pytest.mark.django_db
def test_the_queues_month_filter_refuses_a_bad_month(people, client: Client) -> None:
    client.force_login(people.admin)
    response = client.get(reverse("review-queue"), {"month": "2022-13"})
    assert response.status_code == 400
    assert "Enter a month as YYYY-MM" in response.content.decode()


def _json_schema(node: Any, components: dict[str, Any]) -> Any:
    """An OpenAPI 3.0 schema as plain JSON Schema: references inlined, `nullable` as a null type."""
    if isinstance(node, list):
        return [_json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _json_schema(components[node["$ref"].rsplit("/", 1)[-1]], components)
    converted = {key: _json_schema(value, components) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") and "type" in converted:
        converted["type"] = [converted["type"], "null"]
    return converted


@pytest.mark.django_db
def test_the_answer_is_what_the_schema_declares(people, march, api_as) -> None:
    from drf_spectacular.generators import SchemaGenerator  # noqa: PLC0415
    from jsonschema import validate  # type: ignore[import-untyped]  # noqa: PLC0415

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/reports/months/{month}/checklist/"]["get"]
    declared = operation["responses"]["200"]["content"]["application/json"]["schema"]
    components = schema["components"]["schemas"]
    answer = api_as(people.admin).get(API).json()
    # every shape filled, so each is checked
    assert answer["outliers"]
    assert answer["late"]["months"]
    assert answer["suppression"]["hidden"]
    validate(answer, _json_schema(declared, components))
    required = _json_schema(declared, components)["required"]
    assert set(required) == set(answer)  # every key declared, none left out


@pytest.mark.django_db
def test_the_suppression_preview_is_decided_again_only_when_what_it_reads_changed(people, march, monkeypatch) -> None:
    """Deciding is the slow part (13 s on the demo's December): asked twice of the same records, it is decided once;
    a record verified meanwhile changes the figures, and the preview is decided again."""
    decided: list[datetime.date] = []
    decide = publishing._decide

    def counted(month: datetime.date, *args: Any, **kwargs: Any) -> Any:
        decided.append(month)
        return decide(month, *args, **kwargs)

    monkeypatch.setattr(publishing, "_decide", counted)
    first = publishing.decision_if_closed_now(MARCH)
    assert publishing.decision_if_closed_now(MARCH) == first
    assert decided == [MARCH]
    _incident(people.outsider, MARCH, pcode="ML0506", day=10)  # Mopti's March: 2 incidents
    publishing.decision_if_closed_now(MARCH)
    assert decided == [MARCH, MARCH]


def _nothing_protects(monkeypatch: pytest.MonkeyPatch, cell: str) -> None:
    """The month's decision leaves `cell` worked out (as a <5 total of four <5 parts does, whatever else is hidden)."""
    decide = suppression.decide

    def exposing(*args: Any, **kwargs: Any) -> suppression.Decision:
        decision = decide(*args, **kwargs)
        return suppression.Decision(decision.hidden | {cell}, undetermined=False, unprotected={cell})

    monkeypatch.setattr(suppression, "decide", exposing)


@pytest.mark.django_db
def test_the_checklist_says_which_hidden_cells_viewers_could_still_work_out(
    people, march, api_as, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing said it before the admin closed: the stored flag (`Publication.protected`) was read by no page."""
    _nothing_protects(monkeypatch, "2022-03|ML07|violations.g.women")
    answer = api_as(people.admin).get(API).json()["suppression"]
    assert answer["protected"] is False
    assert answer["unprotected"] == [{"month": "2022-03", "scope": "ML07", "measure": "violations.g.women"}]
    client.force_login(people.admin)
    html = client.get(f"{reverse('reports:close-month', args=['2022-03'])}?suppression=1").content.decode()
    assert "1 hidden cell can still be worked out from what viewers read" in html
    assert "ML07 · violations.g.women" in html
    # the preview comes back the same from the cache
    assert api_as(people.admin).get(API).json()["suppression"]["unprotected"] == answer["unprotected"]


@pytest.mark.django_db
def test_a_fully_protected_month_says_nothing_more(people, march, api_as) -> None:
    answer = api_as(people.admin).get(API).json()["suppression"]
    assert (answer["protected"], answer["unprotected"]) == (True, [])


@pytest.mark.django_db
def test_a_closed_month_not_fully_protected_says_so(people, march, client: Client, monkeypatch) -> None:
    _nothing_protects(monkeypatch, "2022-03|all|violations.g.women")
    close_month(MARCH, by=people.admin, published=publish(MARCH))
    client.force_login(people.admin)
    html = client.get(reverse("reports:close-month-suppression", args=["2022-03"])).content.decode()
    assert "Some hidden cells of this month can still be worked out from what viewers read" in html
