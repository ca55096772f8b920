"""The records export reads rows from the database (values, not ORM objects): its files are byte for byte those of
the object-building writer it replaced (issue 14), kept here only, for every exportable type, user and period."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.models import DateField, QuerySet

from activities.tests.factories import AssistanceFactory, SessionFactory
from alerts.tests.factories import AlertFactory
from beneficiaries.tests.factories import MovementFactory
from core import access
from core.choices import Status
from core.models import AdminArea, PerpetratorCategory
from core.records import RecordType, get_record_type
from incidents.tests.factories import IncidentFactory
from reports.exports import LIST_SEPARATOR, _own_fields, exportable_slugs, record_rows, write_table

# --- the writer before issue 14, as it was: one ORM object per record, children prefetched


def _legacy_common_columns() -> list[tuple[str, Callable[[Any], Any]]]:
    return [
        ("id", lambda r: r.pk),
        ("status", lambda r: r.status),
        ("admin1_pcode", lambda r: r.region.pcode),
        ("admin1_name", lambda r: r.region.name),
        ("place_pcode", lambda r: r.place.pcode),
        ("place_name", lambda r: r.place.name),
        ("organisation", lambda r: r.organisation.code),
        ("entered_by", lambda r: r.created_by.username),
        ("changed_after_closing", lambda r: r.changed_after_closing),
    ]


def _legacy_dotted(item: Any, path: str) -> Any:
    for name in path.split("."):
        item = getattr(item, name)
        if item is None:
            return ""
    return item


def _legacy_cell(record: Any, field: Any) -> Any:
    if field.many_to_many:
        return LIST_SEPARATOR.join(sorted(item.code for item in getattr(record, field.name).all()))
    value = getattr(record, field.name)
    return getattr(value, "code", value) if field.is_relation else value


def _legacy_rows(queryset: QuerySet, record_type: RecordType) -> Iterator[list[Any]]:
    own = _own_fields(record_type)
    dates = [field for field in own if isinstance(field, DateField)]
    others = [field for field in own if not isinstance(field, DateField)]
    columns = _legacy_common_columns()
    yield [
        record_type.month_field,
        *[field.name for field in dates],
        *[name for name, _get in columns],
        *[field.name for field in others],
        *[header for header, _path in record_type.export_child_columns],
    ]
    prefix = record_type.export_rows_per
    children = [
        "__".join([prefix, *path.split(".")[:-1]]) for _header, path in record_type.export_child_columns if "." in path
    ]
    related = [field.name for field in own if field.is_relation and not field.many_to_many]
    listed = [field.name for field in own if field.many_to_many]
    rows = queryset.select_related("region", "place", "organisation", "created_by", *related)
    for record in rows.prefetch_related(*listed, *children).iterator(chunk_size=2000):
        values = [
            getattr(record, record_type.month_field),
            *[_legacy_cell(record, field) for field in dates],
            *[get(record) for _name, get in columns],
            *[_legacy_cell(record, field) for field in others],
        ]
        if not prefix:
            yield values
            continue
        for child in getattr(record, prefix).all():
            yield [*values, *[_legacy_dotted(child, path) for _header, path in record_type.export_child_columns]]


def _legacy_record_rows(user: Any, slug: str, month: str | None) -> Iterator[list[Any]]:
    declared = get_record_type(slug)
    model = declared.model
    queryset = access.records_in_scope(model._default_manager.all(), user, declared.family)
    if month:
        start = datetime.date.fromisoformat(month)
        end = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        queryset = queryset.filter(**{f"{model.month_field}__gte": start, f"{model.month_field}__lt": end})
    yield from _legacy_rows(queryset.order_by(model.month_field, "pk"), declared)


# --- a varied data set: every exportable type, references set and not, lists, text a spreadsheet would run


@pytest.fixture
def varied(people, data) -> None:
    armed = PerpetratorCategory.objects.get(code="armed_group")
    IncidentFactory(
        created_by=people.monitor,
        status=Status.VERIFIED,
        reported_on=datetime.date(2021, 12, 21),
        occurred_on=None,
        perpetrator=armed,
        violations=[
            {"type": "rape", "women": 1, "population_group": "host"},
            {"type": "threat", "men": 2, "boys": 1},
            {"type": "forced_displacement_conflict", "unknown": 30},
        ],
    )
    IncidentFactory(created_by=people.outsider, place=AdminArea.objects.get(pcode="ML0506"), violations=[])
    AlertFactory(created_by=people.monitor, needs=["shelter", "food", "protection"], narrative="=HYPERLINK(1)")
    AlertFactory(created_by=people.outsider, place=AdminArea.objects.get(pcode="ML0506"), needs=[])
    AlertFactory(created_by=people.admin, reported_on=datetime.date(2021, 11, 30), needs=["nfi"])
    SessionFactory(created_by=people.monitor, topic="-2 risks", status=Status.VERIFIED)
    SessionFactory(created_by=people.outsider, place=AdminArea.objects.get(pcode="ML0506"), sector=None)
    AssistanceFactory(created_by=people.monitor, status=Status.SUBMITTED)
    AssistanceFactory(created_by=people.admin, delivered_on=datetime.date(2021, 11, 2))
    MovementFactory(created_by=people.monitor)
    MovementFactory(created_by=people.outsider, place=AdminArea.objects.get(pcode="ML0506"))


def _csv(rows: Iterator[Any], target: Path) -> bytes:
    write_table(rows, "csv", target, lambda _done: None)
    return target.read_bytes()


@pytest.mark.parametrize("slug", ["incidents", "alerts", "sessions", "assistance", "movements"])
@pytest.mark.parametrize("who", ["admin", "supervisor", "outsider", "monitor"])
@pytest.mark.parametrize("month", [None, "2021-12-01"])
def test_the_rows_are_those_of_the_object_writer(people, varied, tmp_path, slug, who, month) -> None:
    assert slug in exportable_slugs()
    user = getattr(people, who)
    old = _csv(_legacy_record_rows(user, slug, month), tmp_path / "old.csv")
    new = _csv(record_rows(user, slug, month), tmp_path / "new.csv")
    assert new == old
    if who == "admin" and month is None:
        assert old.count(b"\r\n") > 2  # the data set gives each type rows to compare
