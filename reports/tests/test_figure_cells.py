"""Published figures are numbers and codes, computed once per region and merged into every other scope (issue 13):
closing does not grow with the number of users or languages, and every language reads the same published figures."""

from __future__ import annotations

import datetime
import importlib
import json
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import translation

from activities.tests.factories import AssistanceFactory, SessionFactory
from alerts.tests.factories import AlertFactory
from beneficiaries.tests.factories import MovementFactory
from conftest import make_user
from core.choices import AdminLevel, Status
from core.models import AdminArea, AlertEventType, AssistanceKind, ClosedMonth, SessionKind, ViolationCategory
from reports import figures, publishing
from reports.figures import figure_numbers
from reports.labels import add_labels
from reports.merging import merge_figures
from reports.publishing import Regions

DEC = datetime.date(2021, 12, 1)


def _area(pcode: str) -> AdminArea:
    return AdminArea.objects.get(pcode=pcode)


@pytest.fixture
def every_section(people: SimpleNamespace, data: None) -> None:
    """On top of `data` (incidents and GBV referrals in Gao, Mopti, Tombouctou): movements, assistance (with
    amounts and decimal quantities), sessions and flash alerts in several regions and organisations."""
    verified = {"status": Status.VERIFIED}
    MovementFactory(created_by=people.monitor, **verified)
    MovementFactory(created_by=people.partner_monitor, nationality="NE", men=3, women=0, girls=0, **verified)
    MovementFactory(created_by=people.outsider, place=_area("ML0506"), nationality="NE", men=4, **verified)
    MovementFactory(
        created_by=people.outsider, place=_area("ML0506"), identified_on=datetime.date(2021, 11, 3), **verified
    )
    cash, nfi = AssistanceKind.objects.get(code="cash"), AssistanceKind.objects.get(code="nfi_kit")
    AssistanceFactory(created_by=people.monitor, kind=cash, women=50, amount=Decimal("9.99"), currency="XOF")  # draft
    AssistanceFactory(
        created_by=people.monitor, kind=cash, women=5, amount=Decimal("1000.10"), currency="XOF", **verified
    )
    AssistanceFactory(
        created_by=people.outsider,
        place=_area("ML0506"),
        kind=cash,
        men=2,
        amount=Decimal("0.20"),
        currency="XOF",
        **verified,
    )
    AssistanceFactory(created_by=people.partner_monitor, kind=nfi, quantity=Decimal("1.50"), women=3, **verified)
    AssistanceFactory(created_by=people.outsider, place=_area("ML0506"), kind=nfi, quantity=Decimal("1.50"), **verified)
    AssistanceFactory(created_by=people.monitor, kind=nfi, delivered_on=datetime.date(2021, 3, 2), men=1, **verified)
    awareness, training = SessionKind.objects.get(code="awareness"), SessionKind.objects.get(code="training")
    SessionFactory(created_by=people.monitor, kind=awareness, **verified)
    SessionFactory(created_by=people.outsider, place=_area("ML0506"), kind=awareness, men=1, **verified)
    SessionFactory(created_by=people.partner_monitor, kind=training, **verified)
    flood = AlertEventType.objects.get(code="flood")
    AlertFactory(created_by=people.monitor, **verified)
    AlertFactory(created_by=people.partner_monitor, women=10, girls=0, men=0, boys=0, unknown=5, **verified)
    AlertFactory(created_by=people.outsider, place=_area("ML0506"), event_type=flood, **verified)
    AlertFactory(created_by=people.admin, place=_area("ML0605"), event_type=flood, men=1, **verified)


def _cell(pcode: str) -> dict[str, Any]:
    return figure_numbers(user=Regions(frozenset({pcode})), month=DEC, region=_area(pcode))


def _level_one() -> list[str]:
    return list(AdminArea.objects.filter(level=AdminLevel.REGION).values_list("pcode", flat=True))


def _same(merged: dict[str, Any], direct: dict[str, Any]) -> None:
    """Section by section, as JSON (so that 3 and 3.0 differ, as they do in the answer)."""
    assert merged.keys() == direct.keys()
    for section, value in direct.items():
        assert json.dumps(merged[section], sort_keys=True) == json.dumps(value, sort_keys=True), section


def _walk_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in _walk_keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in _walk_keys(item)}
    return set()


def test_the_whole_operation_merged_from_the_regions_is_its_figures_computed_directly(every_section: None) -> None:
    direct = figure_numbers(user=Regions(frozenset()), month=DEC)
    assert direct["assistance"]
    assert direct["sessions"]
    assert direct["alerts"]
    assert direct["movements"]["by_nationality"]
    _same(merge_figures(DEC, [_cell(pcode) for pcode in _level_one()]), direct)


def test_a_set_of_regions_merged_from_its_regions_is_its_figures_computed_directly(every_section: None) -> None:
    regions = frozenset({"ML05", "ML07"})
    direct = figure_numbers(user=Regions(regions), month=DEC)
    assert len(direct["violations"]["by_region"]) == 2
    assert direct["assistance"]
    _same(merge_figures(DEC, [_cell("ML07"), _cell("ML05")]), direct)


def test_one_region_merged_alone_is_its_own_figures(every_section: None) -> None:
    _same(merge_figures(DEC, [_cell("ML05")], region="ML05"), _cell("ML05"))


def test_the_figures_answered_are_the_numbers_labelled(people: SimpleNamespace, every_section: None) -> None:
    for language in ("en", "fr"):
        with translation.override(language):
            assert figures.monthly_figures(user=people.admin, month=DEC) == add_labels(
                figure_numbers(user=people.admin, month=DEC)
            )


def test_closing_computes_each_region_once_whatever_the_users_and_languages(
    people: SimpleNamespace, every_section: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number, regions in enumerate([["ML05", "ML07"], ["ML06", "ML07"], ["ML05", "ML06", "ML07"], ["ML01", "ML02"]]):
        make_user(f"multi{number}", "viewer", regions, people.admin.organisation)
    calls: list[Any] = []

    def counted(**kwargs: Any) -> dict[str, Any]:
        calls.append(kwargs.get("region"))
        return figure_numbers(**kwargs)

    monkeypatch.setattr(publishing, "figure_numbers", counted)
    published = publishing.publish(DEC)
    assert sorted(area.pcode for area in calls) == sorted(_level_one())
    assert {"all", "ML05,ML07", "ML06,ML07", "ML05,ML06,ML07", "ML01,ML02"} <= set(published)
    assert published["ML05,ML07"]["incidents"]["count"] == 3
    assert published["all"]["incidents"]["count"] == 4


def test_a_closed_month_reads_the_same_numbers_in_english_and_french(
    people: SimpleNamespace, every_section: None
) -> None:
    publishing.close_month(DEC, by=people.admin, published=publishing.publish(DEC))
    read = {}
    for language in ("en", "fr"):
        with translation.override(language):
            read[language] = publishing.figures_for(user=people.admin, month=DEC)
    assert read["en"]["closed"]
    category = ViolationCategory.objects.get(code=read["en"]["violations"]["by_category"][0]["code"])
    assert read["en"]["violations"]["by_category"][0]["label"] == category.label_en
    assert read["fr"]["violations"]["by_category"][0]["label"] == category.label_fr != category.label_en
    stored = ClosedMonth.objects.get(month=DEC).published
    with translation.override("fr"):
        assert add_labels(stored["all"]) == {key: read["fr"][key] for key in stored["all"]}
    with translation.override("en"):
        assert add_labels(stored["all"]) == {key: read["en"][key] for key in stored["all"]}


def test_the_published_figures_are_stored_without_labels_or_languages(
    people: SimpleNamespace, every_section: None
) -> None:
    publishing.close_month(DEC, by=people.admin, published=publishing.publish(DEC))
    stored = ClosedMonth.objects.get(month=DEC).published
    assert "all" in stored
    assert not {"en", "fr"} & set(stored)
    assert "label" not in _walk_keys(stored)


def test_a_viewer_reads_the_french_labels_of_a_closed_month(people: SimpleNamespace, every_section: None) -> None:
    publishing.close_month(DEC, by=people.admin, published=publishing.publish(DEC))
    with translation.override("fr"):
        sessions = publishing.viewer_figures(user=people.viewer, month=DEC)["sessions"]
    assert sessions[0]["label"] == SessionKind.objects.get(code=sessions[0]["kind"]).label_fr


def test_the_migration_keeps_one_language_of_the_figures_stored_per_language() -> None:
    migration = importlib.import_module("reports.migrations.0003_published_without_languages")
    english = {"all": {"incidents": {"count": 4}}, "ML07": {"incidents": {"count": 2}}}
    french = {"all": {"incidents": {"count": 4}}}
    assert migration.without_languages({"en": english, "fr": french}) == english
    assert migration.without_languages({"fr": french}) == french
    assert migration.without_languages(english) == english
    assert migration.without_languages({}) == {}
