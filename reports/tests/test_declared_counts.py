"""What a record type declares it counts (core.records.Tally) is counted once, by reports.counting.declared_counts,
for the monthly figures and the tallies alike (issue 12, done when: "a test adds a figure to a record type's
declaration once and sees it in both"); flash alerts are the first type whose figures are only their declaration."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

import pytest
from django import forms
from django.db.models import Count, Sum
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient

from activities.tests.factories import SessionFactory
from alerts.models import FlashAlert
from alerts.tests.factories import AlertFactory
from beneficiaries.tests.factories import MovementFactory
from conftest import make_user
from core import records
from core.choices import Status
from core.models import AdminArea, AlertEventType, Organisation, PopulationGroup, User
from core.records import PEOPLE_FIELDS, Tally, get_record_type
from reports import counting, publishing
from reports.figures import monthly_figures
from reports.forms import ExportForm
from reports.tallies import tallies
from reports.tests.exporting import export

DEC, JAN = datetime.date(2021, 12, 1), datetime.date(2022, 1, 1)
NOV = datetime.date(2021, 11, 1)


def _alert(user: Any, **fields: Any) -> FlashAlert:
    """A verified alert of `user`'s organisation (an armed attack in Gao on 10 December unless `fields` say)."""
    if "event_type" in fields:
        fields["event_type"] = AlertEventType.objects.get(code=fields["event_type"])
    if "place" in fields:
        fields["place"] = AdminArea.objects.get(pcode=fields["place"])
    alert: FlashAlert = AlertFactory(created_by=user, status=fields.pop("status", Status.VERIFIED), **fields)
    return alert


@pytest.fixture
def alerts(people: SimpleNamespace) -> None:
    """
    December, verified:  Gao     armed attack (60/45/50/40/0 = 195), lead organisation
                         Gao     armed attack, partner's (women 10, unknown 5 = 15)
                         Gao     flood (men 7 = 7)
                         Mopti   flood (girls 3, boys 2 = 5)
    Not counted: a Gao draft and a submitted one (December), a Gao armed attack verified in November.
    """
    _alert(people.monitor)
    _alert(people.partner_monitor, women=10, girls=0, men=0, boys=0, unknown=5)
    _alert(people.monitor, event_type="flood", women=0, girls=0, men=7, boys=0)
    _alert(people.outsider, place="ML0506", event_type="flood", women=0, girls=3, men=0, boys=2)
    _alert(people.monitor, status=Status.DRAFT, men=100)
    _alert(people.monitor, status=Status.SUBMITTED, men=100)
    _alert(people.monitor, reported_on=datetime.date(2021, 11, 20), occurred_on=datetime.date(2021, 11, 19))


def _figure(section: list[dict[str, Any]], indicator: str) -> dict[str, Any]:
    return next(row for row in section if row["indicator"] == indicator)


def _tally_total(rows: list[dict[str, Any]], indicator: str) -> int:
    return sum(row["total"] for row in rows if row["indicator"] == indicator)


def test_the_alerts_figures_count_verified_alerts_by_event_type_and_region(people: Any, alerts: None) -> None:
    section = monthly_figures(user=people.admin, month=DEC)["alerts"]

    assert [(row["indicator"], row["count"]) for row in section] == [
        ("alerts", 4),
        ("alerts.armed_attack", 2),  # the breakdown largest first
        ("alerts.flood", 2),
        ("alerts.persons_affected", 222),
    ]
    everyone = _figure(section, "alerts")
    assert (everyone["label"], everyone["by"], everyone["by_group"]) == ("Flash alerts", None, None)
    assert everyone["by_region"] == [
        {"pcode": "ML07", "name": "Gao", "count": 3, "share_pct": 75.0},
        {"pcode": "ML05", "name": "Mopti", "count": 1, "share_pct": 25.0},
    ]
    flood = _figure(section, "alerts.flood")
    assert (flood["label"], flood["by"]) == ("Flood", "event_type")
    assert [(row["pcode"], row["count"]) for row in flood["by_region"]] == [("ML05", 1), ("ML07", 1)]
    persons = _figure(section, "alerts.persons_affected")
    assert persons["by_group"] == {"women": 70, "girls": 48, "men": 57, "boys": 42, "unknown": 5}
    assert [(row["pcode"], row["count"]) for row in persons["by_region"]] == [("ML07", 217), ("ML05", 5)]


def test_the_alerts_figures_follow_the_users_scope_every_organisation_included(people: Any, alerts: None) -> None:
    # Aggregates include every organisation of the user's regions: the partner's monitor counts the lead's alerts.
    gao = monthly_figures(user=people.partner_monitor, month=DEC)["alerts"]
    assert [(row["indicator"], row["count"]) for row in gao] == [
        ("alerts", 3),
        ("alerts.armed_attack", 2),
        ("alerts.flood", 1),
        ("alerts.persons_affected", 217),
    ]
    mopti = monthly_figures(user=people.outsider, month=DEC)["alerts"]
    assert _figure(mopti, "alerts.persons_affected")["by_group"] == {
        **dict.fromkeys(PEOPLE_FIELDS, 0),
        "girls": 3,
        "boys": 2,
    }
    partner = Organisation.objects.get(pk=people.partner_monitor.organisation_id)
    narrowed = monthly_figures(user=people.admin, month=DEC, organisation=partner)["alerts"]
    assert [(row["indicator"], row["count"]) for row in narrowed] == [
        ("alerts", 1),
        ("alerts.armed_attack", 1),
        ("alerts.persons_affected", 15),
    ]
    assert monthly_figures(user=people.admin, month=datetime.date(2021, 10, 1))["alerts"] == []


def test_pending_review_counts_the_months_submitted_alerts(people: Any, alerts: None) -> None:
    pending = monthly_figures(user=people.admin, month=DEC)["pending_review"]
    assert list(pending) == ["incidents", "gbv_referrals", "movements", "assistance", "sessions", "alerts"]
    assert pending["alerts"] == 1


def test_the_alerts_tallies_are_the_figures_by_month_and_region(people: Any, alerts: None) -> None:
    rows = [row for row in tallies(user=people.admin, start=NOV, end=JAN) if row["indicator"].startswith("alerts")]
    shaped = [
        (row["month"], row["admin1_pcode"], row["indicator"], row["total"], row["women"], row["unknown"])
        for row in rows
    ]
    assert shaped == [
        ("2021-11", "ML07", "alerts", 1, None, None),
        ("2021-11", "ML07", "alerts.armed_attack", 1, None, None),
        ("2021-11", "ML07", "alerts.persons_affected", 195, 60, 0),
        ("2021-12", "ML05", "alerts", 1, None, None),
        ("2021-12", "ML05", "alerts.flood", 1, None, None),
        ("2021-12", "ML05", "alerts.persons_affected", 5, 0, 0),
        ("2021-12", "ML07", "alerts", 3, None, None),
        ("2021-12", "ML07", "alerts.armed_attack", 2, None, None),
        ("2021-12", "ML07", "alerts.flood", 1, None, None),
        ("2021-12", "ML07", "alerts.persons_affected", 217, 70, 5),
    ]
    december = [row for row in rows if row["month"] == "2021-12"]
    for figure in monthly_figures(user=people.admin, month=DEC)["alerts"]:
        assert figure["count"] == _tally_total(december, figure["indicator"])


def test_a_tally_declared_once_is_in_the_figures_and_the_tallies(
    people: Any, alerts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The done-when of issue 12: one line in the declaration, and both answers have it, with equal numbers."""
    declared = get_record_type("alerts")
    households = Tally("alerts.households", "Households affected", Sum("households"))
    monkeypatch.setitem(
        records._record_types, "alerts", dataclasses.replace(declared, tallies=(*declared.tallies, households))
    )

    figure = _figure(monthly_figures(user=people.admin, month=DEC)["alerts"], "alerts.households")
    rows = tallies(user=people.admin, start=DEC, end=JAN)

    assert (figure["label"], figure["count"], figure["by_group"]) == ("Households affected", 160, None)
    assert _tally_total(rows, "alerts.households") == 160  # four verified alerts of 40 households
    assert [(row["pcode"], row["count"]) for row in figure["by_region"]] == [("ML07", 120), ("ML05", 40)]
    assert [(row["admin1_pcode"], row["total"]) for row in rows if row["indicator"] == "alerts.households"] == [
        ("ML05", 40),
        ("ML07", 120),
    ]


def test_figures_and_tallies_call_the_same_counting(people: Any, alerts: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Change the shared function and both answers follow, for every declared type: flash alerts, and the
    movements' and sessions' figures of API.md's own shapes, which read the same declared counts."""
    MovementFactory(created_by=people.monitor, status=Status.VERIFIED, women=2, girls=0, men=9, boys=0, unknown=0)
    SessionFactory(created_by=people.monitor, status=Status.VERIFIED)  # 2 awareness sessions, women 26, men 5
    before = monthly_figures(user=people.admin, month=DEC)
    assert (before["movements"]["identifications"], before["movements"]["persons"]["count"]) == (1, 11)
    assert [(row["sessions"], row["participants"]) for row in before["sessions"]] == [(2, 31)]
    shared = counting.declared_counts

    def doubled(record_type: Any, queryset: Any, only: Any = None, **options: Any) -> list[counting.Counted]:
        return [
            dataclasses.replace(
                found,
                total=2 * found.total,
                groups=None if found.groups is None else {group: 2 * value for group, value in found.groups.items()},
            )
            for found in shared(record_type, queryset, only, **options)
        ]

    monkeypatch.setattr(counting, "declared_counts", doubled)
    after = monthly_figures(user=people.admin, month=DEC)
    rows = tallies(user=people.admin, start=DEC, end=JAN)
    assert (_figure(after["alerts"], "alerts")["count"], _tally_total(rows, "alerts")) == (8, 8)
    assert (after["movements"]["identifications"], _tally_total(rows, "movements.identifications")) == (2, 2)
    assert (after["movements"]["persons"]["count"], _tally_total(rows, "movements.persons")) == (22, 22)
    assert [(row["sessions"], row["participants"]) for row in after["sessions"]] == [(4, 62)]
    assert _tally_total(rows, "sessions.awareness.sessions") == 4
    # the breakdown by sector is the same declared counting (the session has no sector: its row is "not given")
    assert [(row["code"], row["participants"]) for row in after["sessions"][0]["by_sector"]] == [(None, 62)]
    assert counting.declared_section_types() == [get_record_type("alerts")]


def test_closing_a_month_publishes_the_alerts_figures(people: Any, alerts: None) -> None:
    publishing.close_month(DEC, by=people.admin, published=publishing.publish(DEC))
    _alert(people.admin, men=1000)  # verified in the closed month, by an admin: flagged, not published
    FlashAlert.objects.filter(men=1000).update(changed_after_closing=True)

    published = publishing.figures_for(user=people.admin, month=DEC)
    assert published["closed"]
    assert published["changed_since_closing"]
    assert _figure(published["alerts"], "alerts")["count"] == 4
    current = publishing.figures_for(user=people.admin, month=DEC, current=True)
    assert _figure(current["alerts"], "alerts")["count"] == 5
    gao = publishing.figures_for(user=people.supervisor, month=DEC)
    assert _figure(gao["alerts"], "alerts.persons_affected")["count"] == 217


@pytest.fixture
def many_alerts(people: SimpleNamespace) -> None:
    """December, verified: Gao 6 armed attacks (women 10, men 10 each) and 1 flood (women 10, girls 2, men 10);
    Mopti 5 floods (men 10 each). Small counts: Gao's one flood, and its 2 girls (Gao's and the operation's)."""
    for _number in range(6):
        _alert(people.monitor, women=10, girls=0, men=10, boys=0)
    _alert(people.monitor, event_type="flood", women=10, girls=2, men=10, boys=0)
    for _number in range(5):
        _alert(people.outsider, place="ML0506", event_type="flood", women=0, girls=0, men=10, boys=0)


def _hidden(value: Any) -> bool:
    return value is None


def _protected(section: list[dict[str, Any]]) -> None:
    """No count from 1 to 4 is shown, and no hidden one is alone in a sum a viewer can read: the alerts and their
    event types, the persons affected and their groups."""
    for row in section:
        assert row["count"] is None or row["count"] > 4, row
        for value in (row["by_group"] or {}).values():
            assert value is None or value == 0 or value > 4, row
    total = _figure(section, "alerts")["count"]
    breakdown = [row["count"] for row in section if row["by"] == "event_type"]
    hidden = [value for value in [total, *breakdown] if _hidden(value)]
    assert len(hidden) != 1, section
    persons = _figure(section, "alerts.persons_affected")
    hidden = [value for value in [persons["count"], *persons["by_group"].values()] if _hidden(value)]
    assert len(hidden) != 1, persons


def test_viewers_get_the_alerts_figures_suppressed(people: Any, many_alerts: None) -> None:
    """SPEC.md: viewers get every count from 1 to 4 suppressed, and the cells that would let one be worked out by
    subtraction; the alerts section follows the rule the stored decision applies to every other figure."""
    publishing.close_month(DEC, by=people.admin, published=publishing.publish(DEC))
    gao_area, mopti_area = (AdminArea.objects.get(pcode=pcode) for pcode in ("ML07", "ML05"))

    national = publishing.viewer_figures(user=people.viewer, month=DEC)["alerts"]
    gao = publishing.viewer_figures(user=people.viewer, month=DEC, region=gao_area)["alerts"]
    mopti = publishing.viewer_figures(user=people.viewer, month=DEC, region=mopti_area)["alerts"]
    for section in (national, gao, mopti):
        _protected(section)
    assert _figure(gao, "alerts.flood")["count"] is None  # 1
    assert _figure(national, "alerts.persons_affected")["by_group"]["girls"] is None  # 2
    flood_regions = {row["pcode"]: row for row in _figure(national, "alerts.flood")["by_region"]}
    assert (flood_regions["ML07"]["count"], flood_regions["ML07"]["share_pct"]) == (None, None)
    # What viewers do not get is only the suppressed cells: the rest is the published figure.
    assert _figure(national, "alerts")["count"] in (None, 12)

    rows = publishing.published_tally_rows(people.viewer, [DEC])
    gao_rows = {row["indicator"]: row for row in rows if row["admin1_pcode"] == "ML07"}
    assert gao_rows["alerts.flood"]["total"] == "<5"
    assert gao_rows["alerts.persons_affected"]["girls"] == "<5"
    assert "x" in (gao_rows["alerts"]["total"], gao_rows["alerts.armed_attack"]["total"])
    assert gao_rows["alerts.persons_affected"]["boys"] == 0  # a zero is no count to protect


def test_records_export_of_alerts_follows_their_scope_and_writes_needs_as_codes(
    people: Any,
    partner: Organisation,
    api_as: Callable[[Any], APIClient],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    lead_alert = _alert(people.monitor, status=Status.SUBMITTED, needs=["shelter", "food"])
    _alert(people.outsider, place="ML0506")  # Mopti: outside the partner admin's regions
    partner_admin = cast(User, make_user("partner_admin", "admin", ["ML07"], partner))

    job = export(
        api_as, partner_admin, django_capture_on_commit_callbacks, kind="records", record_type="alerts", format="csv"
    )
    rows = list(csv.DictReader(io.StringIO(job.result.read().decode("utf-8-sig"))))

    # Alerts are read by every organisation of the region: the partner's admin exports the lead's alert of Gao.
    assert [row["id"] for row in rows] == [str(lead_alert.pk)]
    row = rows[0]
    assert (row["reported_on"], row["event_type"], row["needs"], row["organisation"]) == (
        "2021-12-10",
        "armed_attack",
        "food; shelter",
        Organisation.objects.get(pk=lead_alert.organisation_id).code,
    )
    assert (row["women"], row["households"], row["admin1_pcode"]) == ("60", "40", "ML07")


def test_gbv_referrals_and_households_are_not_exportable(people: Any, api_as: Callable[[Any], APIClient]) -> None:
    for record_type in ("gbv-referrals", "households", "no-such-type"):
        response = api_as(people.admin).post(
            "/api/v1/exports/", {"kind": "records", "format": "csv", "record_type": record_type}, format="json"
        )
        assert response.status_code == 400, record_type
        assert "record_type" in response.json()


def test_the_export_form_offers_the_exportable_record_types_as_declared(db: None) -> None:
    field = cast(forms.ChoiceField, ExportForm().fields["record_type"])
    choices = [(slug, str(label)) for slug, label in cast(list[tuple[str, Any]], field.choices)]
    assert choices == [
        ("incidents", "Protection incidents"),
        ("movements", "Mixed movements"),
        ("assistance", "Assistance"),
        ("sessions", "Sessions"),
        ("alerts", "Flash alerts"),
    ]
    form = ExportForm({"kind": "records", "record_type": "alerts", "format": "xlsx"})
    assert form.is_valid(), form.errors
    assert not ExportForm({"kind": "records", "record_type": "gbv-referrals", "format": "csv"}).is_valid()


def test_the_report_page_shows_the_flash_alerts(people: Any, alerts: None, client: Client) -> None:
    client.force_login(people.supervisor)  # Gao
    page = client.get("/reports/monthly/", {"month": "2021-12"}).content.decode()
    section = page[page.index("<h2>Flash alerts</h2>") : page.index("Records still waiting for review")]
    assert '<strong>Flash alerts</strong></td><td class="num">3</td><td>Gao 3</td>' in section
    assert '&emsp;Armed attack</td><td class="num">2</td>' in section
    assert '&emsp;Flood</td><td class="num">1</td>' in section
    assert 'Persons affected (estimated)</strong></td><td class="num">217</td>' in section
    assert "Mopti" not in section


def test_a_tally_by_an_optional_reference_leaves_records_without_it_out_of_the_breakdown(
    people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    declared = get_record_type("sessions")
    by_group = Tally(
        "sessions.group.{population_group}", "Sessions by population group", Count("id"), by="population_group"
    )
    monkeypatch.setitem(records._record_types, "sessions", dataclasses.replace(declared, tallies=(by_group,)))
    SessionFactory(
        created_by=people.monitor, status=Status.VERIFIED, population_group=PopulationGroup.objects.get(code="idp")
    )
    SessionFactory(created_by=people.monitor, status=Status.VERIFIED, population_group=None)

    rows = tallies(user=people.admin, start=DEC, end=JAN)

    assert [(row["indicator"], row["total"]) for row in rows if row["indicator"].startswith("sessions.")] == [
        ("sessions.group.idp", 1)
    ]
