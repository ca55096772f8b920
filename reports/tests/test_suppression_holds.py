"""Suppression holds across every answer a viewer can get (issue 10, SPEC.md "Access and data protection").

A hand-built November and December 2021 in three regions and two organisations, with counts chosen so that
suppression worked out answer by answer leaks (the national total minus the other regions, year to date minus
last month's, national by group against the regions'). Both months are closed; then every viewer answer is
collected — monthly figures for the whole operation, each region and a two-region viewer, for both months, and
the tallies — and a small solver (linear programming over the relations between the answers) checks that no
hidden value can be worked out.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

import pytest
from django.test import Client
from openpyxl import load_workbook
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient
from scipy.optimize import linprog

from conftest import make_user
from core.choices import AdminLevel, Status
from core.models import AdminArea, User, ViolationType
from incidents.tests.factories import GbvReferralFactory, IncidentFactory
from reports.pdf import render_report_pdf
from reports.tests.test_api import MONTHLY, TALLIES

pytestmark = pytest.mark.django_db
GROUPS = ["women", "girls", "men", "boys", "unknown"]
PLACES = {"ML07": "ML0703", "ML05": "ML0506", "ML06": "ML0605"}
NOVEMBER, DECEMBER = "2021-11", "2021-12"


def _incidents(creator: User, region: str, month: int, number: int, violations: list[dict[str, Any]]) -> None:
    for day in range(1, number + 1):
        IncidentFactory(
            created_by=creator,
            place=AdminArea.objects.get(pcode=PLACES[region]),
            status=Status.VERIFIED,
            reported_on=datetime.date(2021, month, day),
            violations=violations,
        )


@pytest.fixture
def leaky(people: SimpleNamespace) -> User:
    """
    November: Gao 6 incidents (threat, men 2), Mopti 5 (theft, women 2 + men 3), Tombouctou 3 (murder, men 1).
    December: Gao 7 (threat, men 2) by the lead organisation and 1 by the partner: a single forced-labour
              victim (men 1); Mopti 6 (theft, women 2 + men 3); Tombouctou 3 (murder, men 1), 1 of them with a
              girl; GBV referrals: 3 in Gao, 6 in Mopti.
    """
    lead, partner, mopti = people.monitor, people.partner_monitor, people.outsider
    _incidents(lead, "ML07", 11, 6, [{"type": "threat", "men": 2}])
    _incidents(mopti, "ML05", 11, 5, [{"type": "theft_extortion", "women": 2, "men": 3}])
    _incidents(people.admin, "ML06", 11, 3, [{"type": "murder", "men": 1}])
    _incidents(lead, "ML07", 12, 7, [{"type": "threat", "men": 2}])
    _incidents(partner, "ML07", 12, 1, [{"type": "forced_labour", "men": 1}])
    _incidents(mopti, "ML05", 12, 6, [{"type": "theft_extortion", "women": 2, "men": 3}])
    _incidents(people.admin, "ML06", 12, 2, [{"type": "murder", "men": 1}])
    _incidents(people.admin, "ML06", 12, 1, [{"type": "murder", "girls": 1}])
    for _number in range(3):
        GbvReferralFactory(created_by=people.gbv, status=Status.VERIFIED, reported_on=datetime.date(2021, 12, 4))
    for _number in range(6):
        GbvReferralFactory(
            created_by=people.gbv,
            place=AdminArea.objects.get(pcode="ML0506"),
            status=Status.VERIFIED,
            reported_on=datetime.date(2021, 12, 4),
            age=30,
        )
    return cast(User, make_user("viewer_two", "viewer", ["ML05", "ML07"], people.viewer.organisation))


def _close(
    api_as: Callable[[User], APIClient], people: SimpleNamespace, capture: DjangoCaptureOnCommitCallbacks, month: str
) -> None:
    with capture(execute=True):
        response = api_as(people.admin).post(f"/api/v1/reports/months/{month}/close/", {}, format="json")
    assert response.status_code == 202
    assert api_as(people.admin).get(f"/api/v1/jobs/{response.json()['id']}/").json()["status"] == "done"


@pytest.fixture
def published(
    leaky: User,
    people: SimpleNamespace,
    api_as: Callable[[User], APIClient],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> User:
    for month in (NOVEMBER, DECEMBER):
        _close(api_as, people, django_capture_on_commit_callbacks, month)
    return leaky


# --- what a viewer can collect, as unknowns and equations


Var = tuple[str, str, str]  # month, scope, what


class Attacker:
    """Everything viewers read, and the relations they know between figures."""

    def __init__(self, regions: list[str]) -> None:
        self.regions = regions
        self.shown: dict[Var, Any] = {}  # an int, or None / "<5" / "x" when hidden
        # rows of a list or of the tallies: both hold only rows above zero, so each is at least 1
        self.present: set[Var] = set()
        self.monthly: set[tuple[str, str]] = set()
        self.tallied: set[tuple[str, str]] = set()
        # answers whose violations are not zero but list no category: the breakdown is withheld, not zero
        self.withheld: set[tuple[str, str]] = set()
        types = ViolationType.objects.select_related("category")
        self.categories: dict[str, list[str]] = defaultdict(list)
        for item in types:
            self.categories[item.category.code].append(item.code)
        self.collective = {item.code for item in types if item.collective}

    def see(self, var: Var, value: Any, *, listed: bool = False) -> None:
        if listed:
            self.present.add(var)
        previous = self.shown.get(var)
        if isinstance(previous, int) and not isinstance(value, int):
            pytest.fail(f"{var} is shown as {previous} in one answer and hidden ({value}) in another")
        if isinstance(value, int) or var not in self.shown or value in {"<5", "x"}:
            self.shown[var] = value

    def read_monthly(self, body: dict[str, Any], scope: str) -> None:
        month = body["month"]
        self.monthly.add((month, scope))
        previous = f"2021-{int(month[5:]) - 1:02d}"

        def see(what: str, value: Any, at: str = scope, of: str = month, *, listed: bool = False) -> None:
            self.see((of, at, what), value, listed=listed)

        incidents, violations = body["incidents"], body["violations"]
        if violations["count"] != 0 and not violations["by_category"]:
            self.withheld.add((month, scope))
        see("incidents", incidents["count"])
        see("incidents", incidents["previous_month"], of=previous)
        see("incidents.ytd", incidents["year_to_date"])
        for row in incidents["by_region"]:
            see("incidents", row["count"], at=row["pcode"], listed=True)
        see("violations", violations["count"])
        see("violations", violations["previous_month"], of=previous)
        see("violations.ytd", violations["year_to_date"])
        for group in GROUPS:
            see(f"violations.{group}", violations["by_group"][group])
            see(f"violations.ytd.{group}", violations["year_to_date_by_group"][group])
        for row in violations["by_category"]:
            see(f"violations.{row['code']}", row["count"], listed=True)
        for row in violations["by_type"]:
            see(f"violations.{row['code']}", row["count"], listed=True)
        for row in violations["by_region"]:
            see("violations", row["count"], at=row["pcode"], listed=True)
        for row in violations["year_to_date_by_region"]:
            see("violations.ytd", row["count"], at=row["pcode"], listed=True)
        for row in body["trend"]:
            see("incidents", row["incidents"], of=row["month"])
            see("violations", row["violations"], of=row["month"])
        gbv = body["gbv_referrals"]
        if gbv is not None:
            see("gbv", gbv["count"])
            for group in GROUPS:
                see(f"gbv.{group}", gbv["by_group"][group])
            for row in gbv["by_incident_type"]:
                see(f"gbv.{row['code']}", row["count"], listed=True)

    def read_tallies(self, text: str, month: str) -> None:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        header = rows[0]
        indicators: dict[tuple[str, str], set[str]] = defaultdict(set)
        for region in self.regions:
            self.tallied.add((month, region))
        for cells in rows[2:]:
            row = dict(zip(header, cells, strict=True))
            at, what = row["admin1_pcode"], row["indicator"]
            indicators[row["month"], at].add(what)
            self.see((row["month"], at, what), _cell(row["total"]), listed=True)
            for group in GROUPS:
                if row[group] != "":
                    self.see((row["month"], at, f"{what}.{group}"), _cell(row[group]))
        for place, names in indicators.items():
            if "violations" in names and not {f"violations.{code}" for code in self.categories} & names:
                self.withheld.add(place)

    # the relations

    def relations(self) -> list[dict[Var, int]]:
        found: list[dict[Var, int]] = []

        def total(whole: Var, parts: list[Var]) -> None:
            relation: dict[Var, int] = defaultdict(int)
            relation[whole] += 1
            for part in parts:
                relation[part] -= 1
            found.append(dict(relation))

        for month, scope, what in list(self.shown):
            if scope != "all" and "," not in scope or what.startswith("gbv"):
                continue
            members = self.regions if scope == "all" else scope.split(",")
            total((month, scope, what), [(month, region, what) for region in members])
        for month, scope in self.monthly | self.tallied:

            def v(what: str, month: str = month, scope: str = scope) -> Var:
                return (month, scope, what)

            total(v("violations"), [v(f"violations.{code}") for code in self.categories])
            for code, types in self.categories.items():
                total(v(f"violations.{code}"), [v(f"violations.{kind}") for kind in types])
            ordinary = [kind for types in self.categories.values() for kind in types if kind not in self.collective]
            total(
                v("violations"),
                [v(f"violations.{group}") for group in GROUPS]
                + [v(f"violations.{kind}") for kind in sorted(self.collective)],
            )
            if (month, scope) in self.tallied:
                for kind in ordinary:
                    total(v(f"violations.{kind}"), [v(f"violations.{kind}.{group}") for group in GROUPS])
                for code, types in self.categories.items():
                    for group in GROUPS:
                        total(
                            v(f"violations.{code}.{group}"),
                            [v(f"violations.{kind}.{group}") for kind in types if kind not in self.collective],
                        )
            if scope == "all":
                total(v("gbv"), [v(f"gbv.{group}") for group in GROUPS])
            if (month, scope) in self.monthly:
                # year to date: the month plus last month's year to date; the trend's months add up to it
                for what in ["incidents", "violations", *[f"violations.{group}" for group in GROUPS]]:
                    ytd = what.replace("violations", "violations.ytd", 1) if what != "incidents" else "incidents.ytd"
                    earlier = [] if month.endswith("-01") else [v(ytd, f"2021-{int(month[5:]) - 1:02d}")]
                    total(v(ytd), [v(what), *earlier])
                for what in ("incidents", "violations"):
                    ytd = f"{what}.ytd"
                    total(v(ytd), [v(what, f"2021-{number:02d}") for number in range(1, int(month[5:]) + 1)])
        return found

    def known_zero(self, var: Var) -> bool:
        month, scope, what = var
        codes = set(self.categories) | {kind for types in self.categories.values() for kind in types}
        if (month, scope) in self.withheld and what.split(".")[:2][-1] in codes:
            return False
        if (month, scope) in self.tallied and ".ytd" not in what and not what.startswith("gbv"):
            return True
        listed = what.count(".") <= 1 or ".ytd" in what  # a figure, a row of a list, or a sex and age cell
        return (month, scope) in self.monthly and listed

    def worked_out(self) -> dict[Var, float]:
        """Hidden figures whose value the visible ones fix: each is minimised and maximised under the relations."""
        relations = self.relations()
        unknown = sorted(
            {var for relation in relations for var in relation if not isinstance(self._value(var), int)}
            | {var for var, value in self.shown.items() if not isinstance(value, int)}
        )
        index = {var: number for number, var in enumerate(unknown)}
        rows, rhs = [], []
        for relation in relations:
            row = [0.0] * len(unknown)
            constant = 0.0
            for var, coefficient in relation.items():
                value = self._value(var)
                if isinstance(value, int):
                    constant += coefficient * value
                else:
                    row[index[var]] += coefficient
            if any(row):
                rows.append(row)
                rhs.append(-constant)
            else:
                assert constant == 0, f"the answers disagree: {relation}"
        bounds = [self._bounds(var) for var in unknown]
        found = {}
        for var in unknown:
            if var not in self.shown:
                continue
            objective = [0.0] * len(unknown)
            objective[index[var]] = 1.0
            low = linprog(objective, A_eq=rows, b_eq=rhs, bounds=bounds, method="highs")
            high = linprog([-c for c in objective], A_eq=rows, b_eq=rhs, bounds=bounds, method="highs")
            assert low.status == 0, f"the answers are inconsistent: {low.message}"
            # a cell worked out as zero singles nobody out (a written zero hidden only to shield others)
            if high.status == 0 and abs(-high.fun - low.fun) < 0.5 and low.fun > 0.5:
                found[var] = low.fun
        return found

    def _bounds(self, var: Var) -> tuple[int, int | None]:
        """What the marks say: `<5` is 1 to 4; a row of a list or of the tallies is above zero, so a hidden one is
        at least 1 and, written `x`, at least 5; `x` (or null) elsewhere hides a larger value, or a written zero
        that was hidden only because nothing else could protect a cell."""
        shown = self.shown.get(var, "unknown")
        if shown == "<5":
            return (1, 4)
        if var in self.present:
            return (5 if shown == "x" else 1, None)
        return (0, None)

    def _value(self, var: Var) -> Any:
        if var in self.shown:
            return self.shown[var]
        return 0 if self.known_zero(var) else "unknown"


def _cell(text: str) -> Any:
    return text if text in {"<5", "x"} else int(text)


def _everything_a_viewer_reads(api_as: Callable[[User], APIClient], viewers: list[User]) -> Attacker:
    regions = sorted(AdminArea.objects.filter(level=AdminLevel.REGION).values_list("pcode", flat=True))
    attacker = Attacker(regions)
    for viewer in viewers:
        client = api_as(viewer)
        scope = ",".join(sorted(viewer.region_pcodes())) or "all"
        mine = sorted(viewer.region_pcodes()) or regions
        for month in (NOVEMBER, DECEMBER):
            response = client.get(MONTHLY, {"month": month})
            assert response.status_code == 200
            attacker.read_monthly(response.json(), scope)
            for region in mine:
                response = client.get(MONTHLY, {"month": month, "region": region})
                assert response.status_code == 200
                attacker.read_monthly(response.json(), region)
            response = client.get(TALLIES, {"month": month, "format": "csv"})
            assert response.status_code == 200
            attacker.read_tallies(response.content.decode(), month)
    return attacker


def test_no_hidden_figure_can_be_worked_out_from_all_the_answers(
    published: User, people: SimpleNamespace, api_as: Callable[[User], APIClient]
) -> None:
    attacker = _everything_a_viewer_reads(api_as, [people.viewer, published])
    hidden = [var for var, value in attacker.shown.items() if not isinstance(value, int)]
    # the small counts are among them: Tombouctou's 3 incidents, the lone forced-labour victim
    assert (DECEMBER, "ML06", "incidents") in hidden
    assert (DECEMBER, "ML07", "violations.forced_labour") in hidden
    assert attacker.worked_out() == {}


def test_the_naive_leak_is_closed(
    published: User, people: SimpleNamespace, api_as: Callable[[User], APIClient]
) -> None:
    """The attack of the issue: the whole operation minus the other regions gives Tombouctou's incidents."""
    client = api_as(people.viewer)
    national = client.get(MONTHLY, {"month": DECEMBER}).json()
    regions = {pcode: client.get(MONTHLY, {"month": DECEMBER, "region": pcode}).json() for pcode in PLACES}
    assert regions["ML06"]["incidents"]["count"] is None
    others = [regions[pcode]["incidents"]["count"] for pcode in ("ML07", "ML05")]
    assert national["incidents"]["count"] is None or None in others


# --- what viewers may ask


@pytest.mark.parametrize("parameter", [{"organisation": "AMSS"}, {"current": "true"}, {"current": "false"}])
def test_viewers_may_not_narrow_or_ask_for_todays_figures(
    published: User, people: SimpleNamespace, api_as: Callable[[User], APIClient], parameter: dict[str, str]
) -> None:
    client = api_as(people.viewer)
    assert client.get(MONTHLY, {"month": DECEMBER, **parameter}).status_code == 403
    assert client.get(TALLIES, {"month": DECEMBER, **parameter}).status_code == 403
    # others still may
    assert api_as(people.admin).get(MONTHLY, {"month": DECEMBER, **parameter}).status_code == 200


def test_viewers_get_gbv_figures_for_the_whole_operation_only(
    published: User, people: SimpleNamespace, api_as: Callable[[User], APIClient]
) -> None:
    client = api_as(people.viewer)
    assert client.get(MONTHLY, {"month": DECEMBER}).json()["gbv_referrals"]["count"] == 9
    assert client.get(MONTHLY, {"month": DECEMBER, "region": "ML05"}).json()["gbv_referrals"] is None
    # a viewer of two regions is not the whole operation
    assert api_as(published).get(MONTHLY, {"month": DECEMBER}).json()["gbv_referrals"] is None
    rows = client.get(TALLIES, {"month": DECEMBER}).json()
    assert rows
    assert not [row for row in rows if row["indicator"] == "gbv_referrals"]
    # other roles keep the regions' GBV figures
    admin = api_as(people.admin).get(MONTHLY, {"month": DECEMBER, "region": "ML05"}).json()
    assert admin["gbv_referrals"]["count"] == 6


def test_a_shared_export_reads_the_same_stored_decision(
    published: User, people: SimpleNamespace, api_as: Callable[[User], APIClient]
) -> None:
    viewer = api_as(people.viewer).get(TALLIES, {"month": DECEMBER}).json()
    shared = api_as(people.admin).get(TALLIES, {"month": DECEMBER, "suppress_small_counts": "true"}).json()
    assert [row for row in shared if row["indicator"] != "gbv_referrals"] == viewer


# --- how hidden cells are written


def test_hidden_cells_are_written_lt5_or_x_in_the_tallies(
    published: User, people: SimpleNamespace, api_as: Callable[[User], APIClient]
) -> None:
    client = api_as(people.viewer)
    rows = client.get(TALLIES, {"month": DECEMBER}).json()
    cells = {(row["admin1_pcode"], row["indicator"]): row for row in rows}
    assert cells[("ML07", "violations.forced_labour")]["total"] == "<5"
    assert cells[("ML06", "incidents")]["total"] == "<5"
    larger = [value for row in rows for value in (row["total"], *[row[g] for g in GROUPS]) if value == "x"]
    assert larger, "a larger cell is hidden to protect a small one, and written x"
    text = client.get(TALLIES, {"month": DECEMBER, "format": "csv"}).content.decode()
    assert ",<5" in text
    assert ",x" in text
    sheet = load_workbook(io.BytesIO(client.get(TALLIES, {"month": DECEMBER, "format": "xlsx"}).content)).worksheets[0]
    values = [cell for row in sheet.iter_rows(min_row=3, values_only=True) for cell in row]
    assert "<5" in values
    assert "x" in values


def test_hidden_cells_are_written_lt5_or_x_on_the_page(
    published: User, people: SimpleNamespace, client: Client
) -> None:
    client.force_login(people.viewer)
    response = client.get("/reports/monthly/", {"month": DECEMBER})
    figures = response.context["figures"]
    assert figures["incidents"]["by_region"]
    shown = {row["pcode"]: row["count"] for row in figures["incidents"]["by_region"]}
    assert shown["ML06"] == "<5"
    assert "x" in shown.values() or figures["incidents"]["count"] == "x"
    html = response.content.decode()
    assert "&lt;5" in html
    assert '<td class="num">x</td>' in html


def test_hidden_cells_are_written_lt5_or_x_in_the_pdf(published: User, people: SimpleNamespace) -> None:
    pdfplumber = pytest.importorskip("pdfplumber")
    pytest.importorskip("weasyprint")
    pdf = render_report_pdf(people.viewer, datetime.date(2021, 12, 1))
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    assert "<5" in text
    assert "\nx" in text or " x\n" in text or " x " in text
