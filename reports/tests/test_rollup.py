"""The monthly figure cells (reports.rollup): the incident and violation figures and the trend read from them equal
a recount from the records (`raw_figure_numbers`) after every kind of write, for every scope; `check_figures`
finds a cell that was altered by hand."""

from __future__ import annotations

import datetime
import random
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connections, transaction

from conftest import make_user
from core import workflow
from core.choices import Status
from core.models import AdminArea, PopulationGroup, ViolationType
from incidents import services as incident_services
from incidents.models import Incident
from incidents.tests.factories import IncidentFactory
from reports import rollup
from reports.figures import Period, Scope, counted_from_cells, figure_numbers, raw_figure_numbers
from reports.models import IncidentCell, ViolationCategoryCell, ViolationTypeCell

COUNTED = ("incidents", "violations", "trend")
MONTHS = [datetime.date(2021, 11, 1), datetime.date(2021, 12, 1), datetime.date(2022, 1, 1)]
# Individual and collective types, two of category E (one collective), so an incident counts once in its category.
TYPES = ["theft_extortion", "illegal_occupation", "threat", "murder", "forced_displacement_conflict", "illegal_tax"]
PLACES = {"ML07": ["ML0701", "ML0703"], "ML05": ["ML0506"], "ML06": ["ML0601"]}


@pytest.fixture
def cast(people: SimpleNamespace, partner: Any) -> SimpleNamespace:
    """Authors in three regions and two organisations; the admin reviews (nobody reviews their own records)."""
    return SimpleNamespace(
        **vars(people),
        mopti_monitor=make_user("mopti_monitor", "monitor", ["ML05"], partner),
        tombouctou_monitor=make_user("tombouctou_monitor", "monitor", ["ML06"], people.admin.organisation),
        partner=partner,
    )


def _scopes(cast: SimpleNamespace) -> list[dict[str, Any]]:
    gao = AdminArea.objects.get(pcode="ML07")
    return [
        {"user": cast.admin},
        {"user": cast.supervisor},  # Gao's
        {"user": cast.admin, "region": gao},
        {"user": cast.supervisor, "organisation": cast.partner},
    ]


def assert_cells_equal_a_recount(cast: SimpleNamespace) -> None:
    assert rollup.differences() == []
    for month in MONTHS:
        for scope in _scopes(cast):
            from_cells = figure_numbers(month=month, **scope)
            recounted = raw_figure_numbers(month=month, **scope)
            assert {key: from_cells[key] for key in COUNTED} == {key: recounted[key] for key in COUNTED}, (month, scope)


def _violations(rng: random.Random) -> list[dict[str, Any]]:
    group = PopulationGroup.objects.first()
    chosen = rng.sample(TYPES, rng.randint(1, 3))
    return [
        {
            "type": ViolationType.objects.get(code=code),
            "population_group": group,
            "men": rng.randint(1, 4),
            "girls": rng.randint(0, 30),
        }
        for code in chosen
    ]


def _new_incident(cast: SimpleNamespace, rng: random.Random, index: int) -> Incident:
    region = ["ML07", "ML07", "ML05", "ML06"][index % 4]
    author = {"ML07": [cast.monitor, cast.partner_monitor][index % 2], "ML05": cast.mopti_monitor}.get(
        region, cast.tombouctou_monitor
    )
    reported_on = rng.choice(MONTHS).replace(day=rng.randint(1, 28))
    fields = {
        "reported_on": reported_on,
        "occurred_on": reported_on - datetime.timedelta(days=rng.choice([0, 3, 40])),
        "place": AdminArea.objects.get(pcode=rng.choice(PLACES[region])),
    }
    return incident_services.incident_create(by=author, fields=fields, violations=_violations(rng))


def _step(incident: Incident, name: str, by: Any, text: str = "") -> Incident:
    incident.refresh_from_db()
    return workflow.take_step(incident, name, by=by, text=text)


def _author(cast: SimpleNamespace, incident: Incident) -> Any:
    return incident.created_by


def test_figures_from_cells_equal_a_recount_after_every_kind_of_write(cast: SimpleNamespace) -> None:
    rng = random.Random(14)  # noqa: S311  reproducible test data
    incidents = [_new_incident(cast, rng, index) for index in range(14)]
    assert_cells_equal_a_recount(cast)  # drafts count nowhere
    for incident in incidents:
        _step(incident, "submit", _author(cast, incident))
    for incident in incidents[:12]:
        _step(incident, "verify", cast.admin)
    assert IncidentCell.objects.exists()
    assert ViolationCategoryCell.objects.exists()
    assert_cells_equal_a_recount(cast)

    # A verified incident edited: moved to another month and region, with other violations (back to submitted).
    moved = incidents[0]
    moved.refresh_from_db()
    incident_services.incident_update(
        incident=moved,
        by=cast.admin,
        version=moved.version,
        fields={"reported_on": datetime.date(2022, 1, 20), "place": AdminArea.objects.get(pcode="ML0506")},
        violations=_violations(rng),
    )
    assert_cells_equal_a_recount(cast)
    _step(moved, "verify", cast.admin)  # counted again, in its new month and region
    assert_cells_equal_a_recount(cast)

    _step(incidents[1], "archive", cast.admin)
    assert_cells_equal_a_recount(cast)
    _step(incidents[1], "restore", cast.admin)  # verified again
    assert_cells_equal_a_recount(cast)
    _step(incidents[12], "return", cast.admin, "Add the village.")
    _step(incidents[13], "reject", cast.admin, "A duplicate.")
    assert_cells_equal_a_recount(cast)


def test_writes_outside_the_workflow_are_counted_too(cast: SimpleNamespace) -> None:
    """Direct saves (factories, the admin site) and deletes send signals: the cells follow them."""
    incident = IncidentFactory(
        created_by=cast.monitor,
        status=Status.VERIFIED,
        reported_on=datetime.date(2021, 12, 4),
        violations=[{"type": "forced_displacement_conflict", "women": 40}, {"type": "threat", "men": 2}],
    )
    IncidentFactory(created_by=cast.partner_monitor, status=Status.VERIFIED, reported_on=datetime.date(2021, 12, 6))
    assert_cells_equal_a_recount(cast)
    incident.violations.filter(type__code="threat").delete()
    assert_cells_equal_a_recount(cast)
    incident.occurred_on = datetime.date(2021, 11, 2)  # occurred in an earlier month now
    incident.save()
    assert_cells_equal_a_recount(cast)
    incident.reported_on = datetime.date(2021, 11, 20)  # still verified, moved to another month (the admin site)
    incident.save()
    assert_cells_equal_a_recount(cast)
    incident.delete()
    assert_cells_equal_a_recount(cast)


def test_a_type_made_collective_in_the_reference_list_recounts_the_cells(cast: SimpleNamespace) -> None:
    IncidentFactory(
        created_by=cast.monitor,
        status=Status.VERIFIED,
        violations=[{"type": "threat", "men": 3}, {"type": "murder", "men": 1}],
    )
    threat = ViolationType.objects.get(code="threat")
    threat.collective = True
    threat.save()
    assert_cells_equal_a_recount(cast)
    assert figure_numbers(user=cast.admin, month=MONTHS[1])["violations"]["count"] == 2  # threat once + murder 1
    category = ViolationType.objects.get(code="murder").category
    threat.category = category
    threat.save()
    assert_cells_equal_a_recount(cast)


def test_the_counted_sections_take_five_queries_whatever_the_records(
    cast: SimpleNamespace, django_assert_num_queries: Any
) -> None:
    for day in (3, 4, 5):
        IncidentFactory(created_by=cast.monitor, status=Status.VERIFIED, reported_on=datetime.date(2021, 12, day))
    # the user's regions (Gao); incident cells by month and region; violations by month and region; type cells by
    # type, with a sum per period; the month's category cells by category (the scope is a condition of each)
    with django_assert_num_queries(5):
        counted_from_cells(Scope(cast.supervisor), Period(MONTHS[1]))


def test_rebuild_counts_what_was_written_in_bulk(cast: SimpleNamespace) -> None:
    IncidentFactory(created_by=cast.monitor, status=Status.SUBMITTED)
    Incident.objects.update(status=Status.VERIFIED)  # no signal: the cells miss it
    assert rollup.differences()
    call_command("rebuild_figures", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    assert_cells_equal_a_recount(cast)


@pytest.mark.parametrize("alter", ["changed", "missing", "extra"])
def test_check_figures_finds_a_cell_altered_by_hand(cast: SimpleNamespace, alter: str, capsys: Any) -> None:
    IncidentFactory(created_by=cast.monitor, status=Status.VERIFIED)
    call_command("check_figures")  # equal: no error
    assert "equals a recount" in capsys.readouterr().out
    if alter == "changed":
        IncidentCell.objects.update(incidents=2)
    elif alter == "missing":
        ViolationTypeCell.objects.all().delete()
    else:
        cell = ViolationCategoryCell.objects.get()
        ViolationCategoryCell.objects.create(
            month=cell.month, region=cell.region, organisation=cell.organisation, category_code="G", incidents=1
        )
    with pytest.raises(CommandError, match="differ"):
        call_command("check_figures")
    assert "counted from the records" in capsys.readouterr().out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_verifications_in_one_cell_at_the_same_moment_both_count(cast: SimpleNamespace) -> None:
    """The second recount of a cell waits for the first transaction to commit, then counts its change too (without
    the cell's lock it would count without it, and collide with the rows the first one inserted)."""
    first, second = (
        IncidentFactory(created_by=cast.monitor, status=Status.SUBMITTED, reported_on=datetime.date(2021, 12, day))
        for day in (3, 4)
    )
    counted, errors = threading.Event(), []

    def verify_slowly() -> None:
        try:
            with transaction.atomic():
                workflow.take_step(Incident.objects.get(pk=first.pk), "verify", by=cast.admin)
                counted.set()
                time.sleep(1.0)  # the other verification starts now, while this one is not committed
        except Exception as error:  # noqa: BLE001  reported by the test's thread below
            errors.append(error)
        finally:
            connections.close_all()

    writer = threading.Thread(target=verify_slowly)
    writer.start()
    assert counted.wait(10)
    workflow.take_step(Incident.objects.get(pk=second.pk), "verify", by=cast.admin)
    writer.join()
    assert errors == []
    assert rollup.differences() == []
    assert IncidentCell.objects.get().incidents == 2
