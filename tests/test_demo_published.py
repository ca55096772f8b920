"""`load_demo` closes and publishes the twelve months of 2021, so the December 2021 report stays the seed report
(../shared/seeds/unhcr-mali-operational-update-2021-12.txt) whatever a visitor does, and the page shows their changes
beside it; January and February 2022 are open with records in every status, so the queues have work."""

from __future__ import annotations

import datetime
import html
import re
from io import StringIO
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Max

from activities.models import AssistanceEvent, Session
from beneficiaries.models import Movement
from core.choices import Status
from core.closing import MonthState, month_state
from core.models import ClosedMonth, RecordEvent, User
from core.records import record_types
from incidents.models import GbvReferral, Incident

MONTHLY = "/api/v1/reports/monthly/"
REPORT = "/reports/monthly/"
DECEMBER = datetime.date(2021, 12, 1)


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _seed_figures(answer: dict[str, Any]) -> tuple[int, int, int, int]:
    return (
        answer["incidents"]["count"],
        answer["incidents"]["previous_month"],
        answer["violations"]["year_to_date"],
        answer["movements"]["persons"]["count"],
    )


def _no_history_after_closing() -> bool:
    """Every history line of a 2021 record is older than its month's closing: no record is late."""
    closed_at = dict(ClosedMonth.objects.values_list("month", "closed_at"))
    for record_type in record_types():
        model = record_type.model
        months = dict(
            model._default_manager.filter(**{f"{model.month_field}__year": 2021}).values_list("pk", model.month_field)
        )
        last_lines = (
            RecordEvent.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=months)
            .values("object_id")
            .annotate(last=Max("at"))
        )
        if any(line["last"] >= closed_at[months[line["object_id"]].replace(day=1)] for line in last_lines):
            return False
    return True


def test_the_demo_year_is_published_and_stays_the_seed_report(db: Any, api_as: Any, client: Any) -> None:
    output = StringIO()
    call_command("load_demo", stdout=output)
    assert "12 months of 2021 closed and published in" in output.getvalue()

    # 2021 closed and published, on the 10th of each next month; 2022 open
    assert [month_state(datetime.date(2021, number, 1)) for number in range(1, 13)] == [MonthState.CLOSED] * 12
    assert month_state(datetime.date(2022, 1, 1)) is MonthState.OPEN
    assert month_state(datetime.date(2022, 2, 1)) is MonthState.OPEN
    december = ClosedMonth.objects.select_related("closed_by").get(month=DECEMBER)
    assert december.closed_by is not None
    assert (december.closed_by.username, f"{december.closed_at:%Y-%m-%d}") == ("admin", "2022-01-10")
    assert "December 2021 operational update" in december.note
    assert _no_history_after_closing()

    admin, supervisor, viewer = (User.objects.get(username=name) for name in ("admin", "supervisor_gao", "viewer"))
    assert _seed_figures(api_as(admin).get(MONTHLY, {"month": "2021-12"}).json()) == (373, 531, 6412, 1762)
    published = api_as(viewer).get(MONTHLY, {"month": "2021-12"}).json()
    assert (published["closed"], published["suppressed"]) == (True, True)
    assert _seed_figures(published) == (373, 531, 6412, 1762)

    # Gao's supervisor may not verify a record still submitted in December 2021 (SPEC: a closed month needs an
    # admin): refused, and nothing changes
    incident = Incident.objects.filter(status=Status.SUBMITTED, reported_on__year=2021, region__pcode="ML07")[0]
    client.force_login(supervisor)
    refused = client.post(f"/incidents/{incident.pk}/verify/", {"version": incident.version})
    assert refused.status_code == 409
    assert "2021-12 is closed: its figures are published. Ask an admin to make this change." in _text(
        refused.content.decode()
    )
    incident.refresh_from_db()
    assert (incident.status, incident.changed_after_closing) == (Status.SUBMITTED, False)

    # the admin may: the published figures stay, today's are beside them, the record is listed
    client.force_login(admin)
    assert client.post(f"/incidents/{incident.pk}/verify/", {"version": incident.version}).status_code == 302
    answer = api_as(admin).get(MONTHLY, {"month": "2021-12"}).json()
    assert _seed_figures(answer) == (373, 531, 6412, 1762)
    assert answer["changed_since_closing"] is True
    now = api_as(admin).get(MONTHLY, {"month": "2021-12", "current": "true"}).json()
    assert now["incidents"]["count"] == 374
    assert now["violations"]["year_to_date"] > 6412
    assert _seed_figures(api_as(viewer).get(MONTHLY, {"month": "2021-12"}).json()) == (373, 531, 6412, 1762)

    page = client.get(REPORT, {"month": "2021-12"})
    text = _text(page.content.decode())
    assert "Closed and published on 10 January 2022 by admin." in text
    assert "373 documented protection incidents" in text  # the highlights: as published
    assert "Protection incidents this month 373 374 +1" in text  # beside them: as now
    violations = next(
        row for row in page.context["differences"] if (row.section, row.figure) == ("Violations", "since January")
    )
    assert violations.published == 6412
    assert violations.now > 6412
    assert f"Incident #{incident.pk}" in text
    assert "Verified (Submitted → Verified) by admin" in text


def test_the_open_months_of_2022_have_records_in_every_status(db: Any, client: Any) -> None:
    call_command("load_demo", keep_open=True, stdout=StringIO())  # 2022 is the same either way
    incidents = Incident.objects.filter(reported_on__year=2022)
    assert set(incidents.values_list("status", flat=True)) == set(Status.values)
    assert {day.month for day in incidents.values_list("reported_on", flat=True)} == {1, 2}
    archived = incidents.get(status=Status.ARCHIVED)
    history = RecordEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Incident), object_id=archived.pk
    ).values_list("action", flat=True)
    assert list(history) == ["created", "archived"]
    for model, month_field in (
        (GbvReferral, "reported_on"),
        (Movement, "identified_on"),
        (AssistanceEvent, "delivered_on"),
        (Session, "held_on"),
    ):
        statuses = set(model.objects.filter(**{f"{month_field}__year": 2022}).values_list("status", flat=True))
        assert {Status.VERIFIED, Status.SUBMITTED} <= statuses, model

    # Gao's supervisor has work they can do: a submitted record of January 2022, verified
    submitted = incidents.filter(status=Status.SUBMITTED, region__pcode="ML07").first()
    assert submitted is not None
    client.force_login(User.objects.get(username="supervisor_gao"))
    assert client.post(f"/incidents/{submitted.pk}/verify/", {"version": submitted.version}).status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.changed_after_closing) == (Status.VERIFIED, False)
