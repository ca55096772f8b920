"""Assistance and sessions by sector, population group, sex and age (issue 15, "the report covers what the seed
report says"): in the monthly figures, the tallies (`assistance.<kind>.<sector>.persons` …), the published figures of
a closed month, the viewers' suppressed answers, the report page and its PDF."""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

import jsonschema  # type: ignore[import-untyped, unused-ignore]  # no stubs installed here
import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient
from scipy.optimize import linprog

from activities.models import AssistanceEvent, Session
from activities.tests.factories import AssistanceFactory, SessionFactory
from core.choices import AdminLevel, Status
from core.models import AdminArea, AssistanceKind, ClosedMonth, PopulationGroup, Sector, SessionKind, User
from core.records import PEOPLE_FIELDS
from reports import publishing
from reports.figures import figure_numbers
from reports.merging import merge_figures
from reports.pdf import render_report_pdf
from reports.publishing import Regions
from reports.tests.test_api import MONTHLY, TALLIES
from tests.pdf import pdf_text

DEC = datetime.date(2021, 12, 1)
GAO, MOPTI = "ML0701", "ML0506"


def _people(**counts: int) -> dict[str, int]:
    return {group: counts.get(group, 0) for group in PEOPLE_FIELDS}


def _cash(user: User, pcode: str, sector: str | None, group: str | None, **values: Any) -> AssistanceEvent:
    values.setdefault("status", Status.VERIFIED)
    event: AssistanceEvent = AssistanceFactory(
        created_by=user,
        place=AdminArea.objects.get(pcode=pcode),
        kind=AssistanceKind.objects.get(code=values.pop("kind", "cash")),
        sector=Sector.objects.get(code=sector) if sector else None,
        population_group=PopulationGroup.objects.get(code=group) if group else None,
        households=values.pop("households", None),
        **values,
    )
    return event


def _session(user: User, pcode: str, group: str | None, sessions: int, **people: int) -> Session:
    session: Session = SessionFactory(
        created_by=user,
        place=AdminArea.objects.get(pcode=pcode),
        kind=SessionKind.objects.get(code="awareness"),
        sector=Sector.objects.get(code="gbv"),
        population_group=PopulationGroup.objects.get(code=group) if group else None,
        sessions=sessions,
        status=Status.VERIFIED,
        **_people(**people),
    )
    return session


@pytest.fixture
def month(people: SimpleNamespace) -> None:
    """
    December 2021, verified:
      cash   Gao   GBV        refugees 2 women; IDPs 18 women + 2 girls; host community 17 women + 2 girls
      cash   Gao   education  IDPs 140 girls + 152 boys (the learners)
      cash   Mopti GBV        IDPs 9 women + 1 girl
      cash   Gao   no sector, no population group: 6 men
      NFI    Gao   shelter    IDPs, 30 households
      awareness sessions (GBV) in Gao: IDPs 174 women (3 sessions), host community 58 women (1), no group 263 women
      and 52 men (6); in Mopti: IDPs 186 women and 73 men (3).
    Not counted: a Gao cash to 50 GBV survivors still submitted; a verified one of November (7 women).
    """
    monitor, mopti = people.monitor, people.outsider
    xof = {"amount": Decimal(1000), "currency": "XOF"}
    _cash(monitor, GAO, "gbv", "refugee", **_people(women=2), **xof)
    _cash(monitor, GAO, "gbv", "idp", **_people(women=18, girls=2), **xof)
    _cash(monitor, GAO, "gbv", "host", **_people(women=17, girls=2), **xof)
    _cash(monitor, GAO, "education", "idp", **_people(girls=140, boys=152), **xof)
    _cash(mopti, MOPTI, "gbv", "idp", **_people(women=9, girls=1), **xof)
    _cash(monitor, GAO, None, None, **_people(men=6), **xof)
    _cash(monitor, GAO, "shelter_nfi", "idp", kind="nfi_kit", households=30, **_people())
    _cash(monitor, GAO, "gbv", "idp", status=Status.SUBMITTED, **_people(women=50), **xof)
    _cash(monitor, GAO, "gbv", "idp", delivered_on=datetime.date(2021, 11, 20), **_people(women=7), **xof)
    _session(monitor, GAO, "idp", 3, women=174)
    _session(monitor, GAO, "host", 1, women=58)
    _session(monitor, GAO, None, 6, women=263, men=52)
    _session(mopti, MOPTI, "idp", 3, women=186, men=73)


def _kind(section: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(row for row in section if row["kind"] == kind)


def _coded(rows: list[dict[str, Any]], code: str | None) -> dict[str, Any]:
    return next(row for row in rows if row["code"] == code)


def _persons(rows: list[dict[str, Any]], field: str = "persons") -> list[tuple[str | None, Any]]:
    return [(row["code"], row[field]) for row in rows]


def _tally(rows: list[dict[str, Any]], indicator: str) -> dict[str, dict[str, Any]]:
    return {row["admin1_pcode"]: row for row in rows if row["indicator"] == indicator}


# --- the sector split, through the API: figures and tallies


def test_cash_to_gbv_survivors_and_cash_to_learners_stand_apart_in_the_figures(
    people: SimpleNamespace, month: None, api_as: Callable[[User], APIClient]
) -> None:
    body = api_as(people.admin).get(MONTHLY, {"month": "2021-12"}).json()
    cash = _kind(body["assistance"], "cash")

    assert cash["persons"] == 2 + 20 + 19 + 292 + 10 + 6
    # sectors in the order of their reference list; the records naming no sector last
    assert _persons(cash["by_sector"]) == [("gbv", 51), ("education", 292), (None, 6)]
    assert [row["label"] for row in cash["by_sector"]] == ["Gender-based violence", "Education", "Not given"]
    assert sum(row["persons"] for row in cash["by_sector"]) == cash["persons"]


def test_cash_to_gbv_survivors_and_cash_to_learners_stand_apart_in_the_tallies(
    people: SimpleNamespace, month: None, api_as: Callable[[User], APIClient]
) -> None:
    rows = api_as(people.admin).get(TALLIES, {"month": "2021-12"}).json()

    gbv, education = _tally(rows, "assistance.cash.gbv.persons"), _tally(rows, "assistance.cash.education.persons")
    assert {pcode: row["total"] for pcode, row in gbv.items()} == {"ML07": 41, "ML05": 10}
    assert {pcode: row["total"] for pcode, row in education.items()} == {"ML07": 292}
    assert (gbv["ML07"]["women"], gbv["ML07"]["girls"], gbv["ML07"]["men"]) == (37, 4, 0)
    assert (education["ML07"]["girls"], education["ML07"]["boys"]) == (140, 152)
    # the kind's tally still counts every record, a sector or not; the sectors' rows name only those with one
    assert _tally(rows, "assistance.cash.persons")["ML07"]["total"] == 2 + 20 + 19 + 292 + 6
    assert {row["indicator"] for row in rows if row["indicator"].startswith("assistance.cash.")} == {
        "assistance.cash.persons",
        "assistance.cash.gbv.persons",
        "assistance.cash.education.persons",
        "assistance.cash.gbv.refugee.persons",
        "assistance.cash.gbv.idp.persons",
        "assistance.cash.gbv.host.persons",
        "assistance.cash.education.idp.persons",
    }
    # cash reaches persons, not households: no households row (API.md: only rows with a total above zero)
    assert _tally(rows, "assistance.nfi_kit.shelter_nfi.households")["ML07"]["total"] == 30
    assert _tally(rows, "assistance.nfi_kit.shelter_nfi.households")["ML07"]["women"] is None


def test_each_tally_of_a_breakdown_equals_its_figure(people: SimpleNamespace, month: None, api_as: Any) -> None:
    """API.md: `total` equals the matching figure of the monthly report for that month and region."""
    client = api_as(people.admin)
    rows = client.get(TALLIES, {"month": "2021-12"}).json()
    for pcode in ("ML07", "ML05"):
        figures = client.get(MONTHLY, {"month": "2021-12", "region": pcode}).json()
        for section, names in (("assistance", ("households", "persons")), ("sessions", ("sessions", "participants"))):
            for kind in figures[section]:
                for sector in kind["by_sector"]:
                    for row, indicator in [
                        (sector, f"{section}.{kind['kind']}.{sector['code']}"),
                        *[
                            (group, f"{section}.{kind['kind']}.{sector['code']}.{group['code']}")
                            for group in sector["by_population_group"]
                        ],
                    ]:
                        if row["code"] is None:
                            continue  # records naming no sector or group: no tally row
                        for name in names:
                            tallied = _tally(rows, f"{indicator}.{name}").get(pcode)
                            assert (tallied["total"] if tallied else 0) == row[name], (pcode, indicator, name)


# --- sex and age, population groups


def test_the_sectors_and_population_groups_give_sex_and_age(people: SimpleNamespace, month: None) -> None:
    figures = figure_numbers(user=people.admin, month=DEC)
    gbv = _coded(_kind(figures["assistance"], "cash")["by_sector"], "gbv")

    assert gbv["by_group"] == _people(women=46, girls=5)
    # "cash to 51 GBV survivors (including 2 refugees, 30 IDPs and 19 from the host community)"
    assert _persons(gbv["by_population_group"]) == [("refugee", 2), ("idp", 30), ("host", 19)]
    assert _coded(gbv["by_population_group"], "idp")["by_group"] == _people(women=27, girls=3)
    learners = _coded(_kind(figures["assistance"], "cash")["by_sector"], "education")
    assert learners["by_group"] == _people(girls=140, boys=152)
    not_given = _coded(_kind(figures["assistance"], "cash")["by_sector"], None)
    assert (not_given["by_group"], _persons(not_given["by_population_group"])) == (_people(men=6), [(None, 6)])
    nfi = _kind(figures["assistance"], "nfi_kit")["by_sector"]
    assert [(row["code"], row["households"], row["persons"]) for row in nfi] == [("shelter_nfi", 30, 0)]


def test_sessions_by_population_group_give_sex_and_age(people: SimpleNamespace, month: None) -> None:
    awareness = _kind(figure_numbers(user=people.admin, month=DEC)["sessions"], "awareness")
    (gbv,) = awareness["by_sector"]
    assert (gbv["code"], gbv["sessions"], gbv["participants"]) == ("gbv", 13, 174 + 58 + 315 + 259)
    groups = gbv["by_population_group"]
    assert [(row["code"], row["sessions"], row["participants"]) for row in groups] == [
        ("idp", 6, 174 + 259),
        ("host", 1, 58),
        (None, 6, 315),
    ]
    assert _coded(groups, None)["by_group"] == _people(women=263, men=52)


def test_a_region_reads_its_own_sectors_and_groups(
    people: SimpleNamespace, month: None, api_as: Callable[[User], APIClient]
) -> None:
    """ "174 IDP women and 58 women from the host community", in Gao's figures; the supervisor of Mopti reads
    Mopti's breakdown only (the user's scope applies to every figure)."""
    gao = api_as(people.supervisor).get(MONTHLY, {"month": "2021-12"}).json()
    groups = _kind(gao["sessions"], "awareness")["by_sector"][0]["by_population_group"]
    assert [(row["code"], row["by_group"]["women"]) for row in groups] == [("idp", 174), ("host", 58), (None, 263)]

    mopti = api_as(people.outsider).get(MONTHLY, {"month": "2021-12"}).json()
    assert _persons(_kind(mopti["assistance"], "cash")["by_sector"]) == [("gbv", 10)]
    assert _persons(_kind(mopti["assistance"], "cash")["by_sector"][0]["by_population_group"]) == [("idp", 10)]
    assert api_as(people.outsider).get(MONTHLY, {"month": "2021-12", "region": "ML07"}).status_code == 404


def test_the_operation_merged_from_its_regions_has_the_same_breakdowns(people: SimpleNamespace, month: None) -> None:
    """A closing computes each region once and merges the rest (reports.merging): the breakdowns too."""
    regions = AdminArea.objects.filter(level=AdminLevel.REGION)
    cells = [figure_numbers(user=Regions(frozenset({area.pcode})), month=DEC, region=area) for area in regions]
    direct = figure_numbers(user=Regions(frozenset()), month=DEC)
    merged = merge_figures(DEC, cells)
    assert merged["assistance"] == direct["assistance"]
    assert merged["sessions"] == direct["sessions"]


# --- closing: the published figures carry the breakdowns


def test_closing_publishes_the_breakdowns_and_a_later_change_shows_beside_them(
    people: SimpleNamespace,
    month: None,
    api_as: Callable[[User], APIClient],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = api_as(people.admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/api/v1/reports/months/2021-12/close/", {}, format="json").status_code == 202
    stored = ClosedMonth.objects.get(month=DEC).published
    assert _persons(_kind(stored["all"]["assistance"], "cash")["by_sector"]) == [
        ("gbv", 51),
        ("education", 292),
        (None, 6),
    ]
    assert _persons(_kind(stored["ML05"]["assistance"], "cash")["by_sector"]) == [("gbv", 10)]
    assert any(row["indicator"] == "assistance.cash.gbv.persons" for row in publishing.publication_for(DEC).tallies)

    # an admin's late record of the closed month: the published answer stays, today's has it
    late = _cash(people.admin, GAO, "gbv", "host", **_people(women=5), amount=Decimal(1), currency="XOF")
    AssistanceEvent.objects.filter(pk=late.pk).update(changed_after_closing=True)
    published = client.get(MONTHLY, {"month": "2021-12"}).json()
    current = client.get(MONTHLY, {"month": "2021-12", "current": "true"}).json()
    assert published["closed"]
    assert _coded(_kind(published["assistance"], "cash")["by_sector"], "gbv")["persons"] == 51
    assert _coded(_kind(current["assistance"], "cash")["by_sector"], "gbv")["persons"] == 56


# --- viewers: a small cell of a breakdown is suppressed, and cannot be worked out


@pytest.fixture
def closed(
    people: SimpleNamespace,
    month: None,
    api_as: Callable[[User], APIClient],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(people.admin).post("/api/v1/reports/months/2021-12/close/", {}, format="json")
    assert response.status_code == 202


def test_a_small_cell_of_a_breakdown_is_suppressed_for_viewers(
    people: SimpleNamespace, closed: None, api_as: Callable[[User], APIClient]
) -> None:
    client = api_as(people.viewer)
    body = client.get(MONTHLY, {"month": "2021-12"}).json()
    gbv = _coded(_kind(body["assistance"], "cash")["by_sector"], "gbv")
    refugees = _coded(gbv["by_population_group"], "refugee")
    assert body["suppressed"]
    assert (refugees["persons"], refugees["by_group"]["women"]) == (None, None)  # 2 refugees, 2 women
    for row in [gbv, *gbv["by_population_group"]]:
        for value in [row["persons"], *row["by_group"].values()]:
            assert value is None or value == 0 or value > 4, row

    rows = client.get(TALLIES, {"month": "2021-12"}).json()
    assert _tally(rows, "assistance.cash.gbv.refugee.persons")["ML07"]["total"] == "<5"
    assert _tally(rows, "assistance.cash.gbv.persons")["ML07"]["girls"] == "<5"  # 4 girls in Gao


def test_no_hidden_cell_of_a_breakdown_can_be_worked_out(
    people: SimpleNamespace, closed: None, api_as: Callable[[User], APIClient]
) -> None:
    """Every viewer answer (the operation, each region, the tallies), and the sums a reader knows: a kind is its
    sectors, a sector its population groups, a row its five people groups, the operation its regions. A linear
    programme minimises and maximises each hidden cell: none is fixed."""
    client = api_as(people.viewer)
    seen = _Cells()
    regions = sorted(AdminArea.objects.filter(level=AdminLevel.REGION).values_list("pcode", flat=True))
    seen.read_figures(client.get(MONTHLY, {"month": "2021-12"}).json(), "all")
    for pcode in regions:
        seen.read_figures(client.get(MONTHLY, {"month": "2021-12", "region": pcode}).json(), pcode)
    response = client.get(TALLIES, {"month": "2021-12", "format": "csv"})
    seen.read_tallies(response.content.decode())
    hidden = [cell for cell, value in seen.values.items() if not isinstance(value, int)]
    assert ("all", "assistance.cash.gbv.refugee.persons") in hidden
    assert seen.worked_out(regions) == {}


def test_a_shared_export_of_an_open_month_suppresses_the_breakdowns_too(
    people: SimpleNamespace, month: None, api_as: Callable[[User], APIClient]
) -> None:
    """An open month's tallies suppressed on their own (no published figures): a reader of the tallies alone takes
    the rows by population group to add up to their sector's, so a lone small one is paired as any other."""
    rows = api_as(people.admin).get(TALLIES, {"month": "2021-12", "suppress_small_counts": "true"}).json()
    gao = {row["indicator"]: row for row in rows if row["admin1_pcode"] == "ML07"}
    assert gao["assistance.cash.gbv.refugee.persons"]["total"] == "<5"
    assert gao["assistance.cash.gbv.persons"]["girls"] == "<5"
    assert gao["assistance.cash.education.persons"]["total"] == 292  # nothing small there
    gbv_groups = [gao[f"assistance.cash.gbv.{code}.persons"]["total"] for code in ("refugee", "idp", "host")]
    assert [value for value in gbv_groups if isinstance(value, str)] != ["<5"]  # not alone: a partner is hidden


class _Cells:
    """What a viewer reads of the breakdowns: (scope, quantity) → a number, or None / "<5" / "x" when hidden."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], Any] = {}
        self.shown: dict[str, set[tuple[str, str, str, str | None]]] = defaultdict(set)  # scope → rows read

    def see(self, scope: str, name: str, value: Any) -> None:
        if isinstance(self.values.get((scope, name)), int) and not isinstance(value, int):
            pytest.fail(f"{scope} {name} is shown in one answer and hidden in another")
        # the tallies say what the API's null is: "<5" (1 to 4) or "x"
        if (scope, name) not in self.values or isinstance(value, int) or self.values[(scope, name)] is None:
            self.values[(scope, name)] = value

    def read_figures(self, body: dict[str, Any], scope: str) -> None:
        for section, names in (("assistance", ("households", "persons")), ("sessions", ("sessions", "participants"))):
            for kind in body[section]:
                at = f"{section}.{kind['kind']}"
                self._row(scope, at, kind, names)
                for sector in kind["by_sector"]:
                    code = sector["code"] or "~"
                    self.shown[scope].add((section, kind["kind"], code, None))
                    self._row(scope, f"{at}.{code}", sector, names)
                    for group in sector["by_population_group"]:
                        self.shown[scope].add((section, kind["kind"], code, group["code"] or "~"))
                        self._row(scope, f"{at}.{code}.{group['code'] or '~'}", group, names)

    def _row(self, scope: str, at: str, row: dict[str, Any], names: tuple[str, str]) -> None:
        for name in names:
            self.see(scope, f"{at}.{name}", row[name])
        for group in PEOPLE_FIELDS:
            self.see(scope, f"{at}.{names[1]}.{group}", row["by_group"][group])

    def read_tallies(self, text: str) -> None:
        for row in list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))[1:]:
            if not row["indicator"].startswith(("assistance.", "sessions.")):
                continue
            value = row["total"]
            self.see(row["admin1_pcode"], row["indicator"], value if value in {"<5", "x"} else int(value))
            for group in PEOPLE_FIELDS:
                if row[group] != "":
                    cell = row[group] if row[group] in {"<5", "x"} else int(row[group])
                    self.see(row["admin1_pcode"], f"{row['indicator']}.{group}", cell)

    def relations(self, regions: list[str]) -> list[dict[tuple[str, str], int]]:
        found: list[dict[tuple[str, str], int]] = []

        def total(scope: str, whole: str, parts: list[str]) -> None:
            relation = {(scope, whole): 1}
            for part in parts:
                relation[(scope, part)] = relation.get((scope, part), 0) - 1
            found.append(relation)

        names = {"assistance": ("households", "persons"), "sessions": ("sessions", "participants")}
        for scope in ["all", *regions]:
            sectors: dict[tuple[str, str], set[str]] = defaultdict(set)
            groups: dict[tuple[str, str, str], set[str]] = defaultdict(set)
            for section, kind, sector, group in self.shown[scope] | self.shown["all"]:
                sectors[(section, kind)].add(sector)
                if group is not None:
                    groups[(section, kind, sector)].add(group)
            for (section, kind), codes in sectors.items():
                people = names[section][1]
                for name in names[section]:
                    total(scope, f"{section}.{kind}.{name}", [f"{section}.{kind}.{code}.{name}" for code in codes])
                for group in PEOPLE_FIELDS:
                    whole = f"{section}.{kind}.{people}.{group}"
                    total(scope, whole, [f"{section}.{kind}.{code}.{people}.{group}" for code in codes])
            for (section, kind, sector), codes in groups.items():
                at, people = f"{section}.{kind}.{sector}", names[section][1]
                for name in names[section]:
                    total(scope, f"{at}.{name}", [f"{at}.{code}.{name}" for code in codes])
                for group in PEOPLE_FIELDS:
                    total(scope, f"{at}.{people}.{group}", [f"{at}.{code}.{people}.{group}" for code in codes])
        for scope, name in list(self.values):
            if scope == "all":
                total("all", name, [])
                found[-1].update({(region, name): -1 for region in regions})
            if name.rsplit(".", 1)[-1] in {"persons", "participants"}:
                total(scope, name, [f"{name}.{group}" for group in PEOPLE_FIELDS])
        return found

    def worked_out(self, regions: list[str]) -> dict[tuple[str, str], float]:
        """Hidden cells whose value the visible ones and the sums fix (a cell no answer shows is zero there)."""
        relations = self.relations(regions)
        unknown = sorted({cell for cell, value in self.values.items() if not isinstance(value, int)})
        index = {cell: number for number, cell in enumerate(unknown)}
        matrix, rhs = [], []
        for relation in relations:
            row, constant = [0.0] * len(unknown), 0.0
            for cell, coefficient in relation.items():
                value = self.values.get(cell, 0)
                if isinstance(value, int):
                    constant += coefficient * value
                else:
                    row[index[cell]] += coefficient
            if any(row):
                matrix.append(row)
                rhs.append(-constant)
            else:
                assert constant == 0, f"the answers disagree: {relation}"
        bounds = [(1, 4) if self.values[cell] == "<5" else (0, None) for cell in unknown]
        found = {}
        for cell in unknown:
            objective = [0.0] * len(unknown)
            objective[index[cell]] = 1.0
            low = linprog(objective, A_eq=matrix, b_eq=rhs, bounds=bounds, method="highs")
            high = linprog([-value for value in objective], A_eq=matrix, b_eq=rhs, bounds=bounds, method="highs")
            assert low.status == 0, low.message
            if high.status == 0 and abs(-high.fun - low.fun) < 0.5 and low.fun > 0.5:
                found[cell] = low.fun
        return found


# --- the OpenAPI schema describes the answers


def _json_schema(node: Any, components: dict[str, Any]) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: references inlined, `nullable` as "or null"."""
    if isinstance(node, list):
        return [_json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _json_schema(components[node["$ref"].rsplit("/", 1)[1]], components)
    converted = {key: _json_schema(value, components) for key, value in node.items() if key != "nullable"}
    return {"anyOf": [converted, {"type": "null"}]} if node.get("nullable") else converted


@pytest.fixture
def figures_schema(db: None) -> dict[str, Any]:
    generated: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
    answer = generated["paths"][MONTHLY]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return cast(dict[str, Any], _json_schema(answer, generated["components"]["schemas"]))


def test_the_schema_describes_the_breakdowns(figures_schema: dict[str, Any]) -> None:
    kind = figures_schema["properties"]["assistance"]["items"]
    sector = kind["properties"]["by_sector"]["items"]
    assert {"code", "label", "households", "persons", "by_group", "by_population_group"} <= set(sector["required"])
    group = sector["properties"]["by_population_group"]["items"]
    assert set(group["properties"]) == {"code", "label", "households", "persons", "by_group"}
    sessions = figures_schema["properties"]["sessions"]["items"]["properties"]["by_sector"]["items"]
    assert {"sessions", "participants", "by_population_group"} <= set(sessions["properties"])


def test_the_answers_match_the_schema_suppressed_or_not(
    people: SimpleNamespace, closed: None, api_as: Callable[[User], APIClient], figures_schema: dict[str, Any]
) -> None:
    for user, parameters in [
        (people.admin, {"current": "true"}),
        (people.admin, {}),
        (people.viewer, {}),
        (people.viewer, {"region": "ML07"}),
    ]:
        answer = api_as(user).get(MONTHLY, {"month": "2021-12", **parameters}).json()
        jsonschema.validate(answer, figures_schema)
    assert _kind(answer["assistance"], "cash")["by_sector"][0]["by_population_group"][0]["persons"] is None
    # the schema can fail: a count written as a mark is not an integer
    _kind(answer["assistance"], "cash")["by_sector"][0]["persons"] = "<5"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(answer, figures_schema)


# --- the report page and its PDF


def test_the_report_page_shows_the_breakdowns(people: SimpleNamespace, month: None, client: Client) -> None:
    client.force_login(people.admin)
    html = client.get("/reports/monthly/", {"month": "2021-12"}).content.decode()
    section = html[html.index('id="assistance-breakdown"') : html.index('id="sessions-breakdown"')]

    cells = '<td class="num">{}</td>' * 7
    assert "<td>Gender-based violence</td>" + cells.format(0, 51, 46, 5, 0, 0, 0) in section
    assert "<td>Education</td>" + cells.format(0, 292, 0, 140, 0, 152, 0) in section
    assert "<td>Refugees</td>" + cells.format(0, 2, 2, 0, 0, 0, 0) in section
    assert "<td>Host community</td>" + cells.format(0, 19, 17, 2, 0, 0, 0) in section
    sessions = html[html.index('id="sessions-breakdown"') :]
    assert "<td>Host community</td>" + cells.format(1, 58, 58, 0, 0, 0, 0) in sessions


def test_the_viewers_page_writes_the_small_cells_of_a_breakdown_lt5(
    people: SimpleNamespace, closed: None, client: Client
) -> None:
    client.force_login(people.viewer)
    html = client.get("/reports/monthly/", {"month": "2021-12"}).content.decode()
    section = html[html.index('id="assistance-breakdown"') : html.index('id="sessions-breakdown"')]
    refugees = section[section.index("<td>Refugees</td>") :].split("</tr>", 1)[0]
    assert refugees.count('<td class="num">&lt;5</td>') == 2  # 2 persons, 2 women


def test_the_pdf_reads_the_breakdowns_row_by_row(people: SimpleNamespace, month: None) -> None:
    lines = pdf_text(render_report_pdf(people.admin, DEC)).splitlines()
    assert "Assistance by sector, population group, sex and age" in lines
    assert "Gender-based violence 0 51 46 5 0 0 0" in lines
    assert "Education 0 292 0 140 0 152 0" in lines
    assert "Internally displaced persons 0 30 27 3 0 0 0" in lines
    assert "Host community 1 58 58 0 0 0 0" in lines  # the sessions' host community
