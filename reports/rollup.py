"""The monthly figure cells (reports.models: IncidentCell, ViolationTypeCell, ViolationCategoryCell), written.

A cell is a month x region x organisation. The incident and violation figures and the trend are sums of cells
(`reports.figures` reads them), so they cost the same at ten thousand incidents and at a million. A cell is never
stale: every save or delete of an incident or a violation (the workflow's steps and edits, the GBV and duplicate
services, the admin site, tests' factories) recounts, in its own transaction, the cells it touches — the one the
incident was in before and the one it is in now — from the records, never by adding to what was there. Writes
that send no signal (`bulk_create`, `QuerySet.update`: the demo loader, a benchmark's generator) are followed by
`rebuild()` (`manage.py rebuild_figures`); `manage.py check_figures` recounts every cell and says what differs.

Only verified incidents count, as in the figures. The counting rule is `reports.counting`'s: a collective
violation type counts once per incident, others their people (applied when the cells are read).
"""

from __future__ import annotations

import datetime
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.apps import apps as installed_apps
from django.apps.registry import Apps
from django.db import connection, models
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth

from core.choices import Status
from core.db import CELL_LOCKS, advisory_locks
from core.records import PEOPLE_FIELDS, people_sums

# month (first day), region id, organisation id
Cell = tuple[datetime.date, int, int]

# The incident fields a cell depends on: a save that changes none of them (update_fields) recounts nothing.
COUNTED_FIELDS = frozenset({"status", "reported_on", "occurred_on", "region", "organisation"})


@dataclass(frozen=True)
class CellModels:
    """The models the cells are counted with: the installed ones, or a migration's historical ones."""

    incident: type[models.Model]
    violation: type[models.Model]
    incident_cell: type[models.Model]
    type_cell: type[models.Model]
    category_cell: type[models.Model]

    @classmethod
    def of(cls, apps: Apps = installed_apps) -> CellModels:
        return cls(
            incident=apps.get_model("incidents", "Incident"),
            violation=apps.get_model("incidents", "Violation"),
            incident_cell=apps.get_model("reports", "IncidentCell"),
            type_cell=apps.get_model("reports", "ViolationTypeCell"),
            category_cell=apps.get_model("reports", "ViolationCategoryCell"),
        )


def cell_of(reported_on: datetime.date, region_id: int, organisation_id: int) -> Cell:
    return (reported_on.replace(day=1), region_id, organisation_id)


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _incidents_in(cells: Iterable[Cell] | None, prefix: str = "") -> Q:
    """The incidents of `cells` (every incident when None); `prefix` reaches the incident from a violation."""
    if cells is None:
        return Q()
    wanted = Q(pk__in=[])
    for month, region_id, organisation_id in cells:
        wanted |= Q(
            **{
                f"{prefix}reported_on__gte": month,
                f"{prefix}reported_on__lt": _next_month(month),
                f"{prefix}region_id": region_id,
                f"{prefix}organisation_id": organisation_id,
            }
        )
    return wanted


def _cells_in(cells: Iterable[Cell] | None) -> Q:
    if cells is None:
        return Q()
    wanted = Q(pk__in=[])
    for month, region_id, organisation_id in cells:
        wanted |= Q(month=month, region_id=region_id, organisation_id=organisation_id)
    return wanted


# --- the cells counted from the records: one GROUP BY query per table, inserted as they are selected


def counted_incidents(models_: CellModels, cells: Iterable[Cell] | None = None) -> QuerySet[Any]:
    """Per cell: the verified incidents and those that occurred in an earlier month (the columns of
    IncidentCell, in its insert order)."""
    verified = models_.incident._default_manager.filter(Q(status=Status.VERIFIED) & _incidents_in(cells))
    counted: QuerySet[Any] = (
        verified.annotate(cell_month=TruncMonth("reported_on"))
        .values("cell_month", "region_id", "organisation_id")
        .annotate(incidents=Count("id"), occurred_earlier=Count("id", filter=Q(occurred_on__lt=F("cell_month"))))
        .order_by()
    )
    return counted


def _violations(models_: CellModels, cells: Iterable[Cell] | None) -> QuerySet[Any]:
    violations: QuerySet[Any] = models_.violation._default_manager.filter(
        Q(incident__status=Status.VERIFIED) & _incidents_in(cells, prefix="incident__")
    ).annotate(cell_month=TruncMonth("incident__reported_on"))
    return violations


def counted_types(models_: CellModels, cells: Iterable[Cell] | None = None) -> QuerySet[Any]:
    """Per cell and violation type: its category and whether it is collective, the five people sums and the
    distinct incidents (the columns of ViolationTypeCell, in its insert order)."""
    counted: QuerySet[Any] = (
        _violations(models_, cells)
        .values(
            "cell_month",
            "incident__region_id",
            "incident__organisation_id",
            "type__code",
            "type__category__code",
            "type__collective",
        )
        .annotate(**people_sums(), incidents=Count("incident", distinct=True))
        .order_by()
    )
    return counted


def counted_categories(models_: CellModels, cells: Iterable[Cell] | None = None) -> QuerySet[Any]:
    """Per cell and violation category: the distinct incidents with a violation of it."""
    counted: QuerySet[Any] = (
        _violations(models_, cells)
        .values("cell_month", "incident__region_id", "incident__organisation_id", "type__category__code")
        .annotate(incidents=Count("incident", distinct=True))
        .order_by()
    )
    return counted


_COLUMNS = {
    "incident_cell": ["month", "region_id", "organisation_id", "incidents", "occurred_earlier"],
    "type_cell": [
        "month",
        "region_id",
        "organisation_id",
        "type_code",
        "category_code",
        "collective",
        *PEOPLE_FIELDS,
        "incidents",
    ],
    "category_cell": ["month", "region_id", "organisation_id", "category_code", "incidents"],
}


def _counted(models_: CellModels, cells: Iterable[Cell] | None) -> dict[str, QuerySet[Any]]:
    cells = None if cells is None else list(cells)
    return {
        "incident_cell": counted_incidents(models_, cells),
        "type_cell": counted_types(models_, cells),
        "category_cell": counted_categories(models_, cells),
    }


def _insert_select(model: type[models.Model], columns: list[str], counted: QuerySet[Any]) -> None:
    """INSERT INTO the cell table the rows of a counting query, in the database (no row comes to Python)."""
    select, params = counted.query.get_compiler(connection=connection).as_sql()
    fields = [cast(models.Field[Any, Any], model._meta.get_field(column)) for column in columns]
    names = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {select}", params)  # noqa: S608  names from the models


def _lock(cells: list[Cell]) -> None:
    """Two transactions recounting one cell take turns: the second counts once the first has committed (READ
    COMMITTED reads it then), so neither writes a count that misses the other's change."""
    advisory_locks(CELL_LOCKS, (cell_key(cell) for cell in cells))


def cell_key(cell: Cell) -> int:
    month, region, organisation = cell
    return zlib.crc32(f"{month}:{region}:{organisation}".encode()) - 2**31


def recount(cells: Iterable[Cell], models_: CellModels | None = None) -> None:
    """Count `cells` again from the records, in the caller's transaction: 7 queries whatever their number."""
    wanted = sorted(set(cells))
    if not wanted:
        return
    models_ = models_ or CellModels.of()
    _lock(wanted)
    for name, counted in _counted(models_, wanted).items():
        model = getattr(models_, name)
        model._default_manager.filter(_cells_in(wanted)).delete()
        _insert_select(model, _COLUMNS[name], counted)


def rebuild(models_: CellModels | None = None) -> None:
    """Every cell counted again from the records (after writes that send no signal, or to repair)."""
    models_ = models_ or CellModels.of()
    for name, counted in _counted(models_, None).items():
        model = getattr(models_, name)
        model._default_manager.all().delete()
        _insert_select(model, _COLUMNS[name], counted)


# --- the check: every cell as stored beside a recount


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple[Any, ...]
    stored: tuple[Any, ...] | None
    counted: tuple[Any, ...] | None

    def __str__(self) -> str:
        return f"{self.table} {self.key}: stored {self.stored}, counted from the records {self.counted}"


_KEYS = {"incident_cell": 3, "type_cell": 4, "category_cell": 4}


def differences(models_: CellModels | None = None) -> list[Difference]:
    """Every stored cell row that differs from a recount of the records (missing, extra or with other numbers)."""
    models_ = models_ or CellModels.of()
    found: list[Difference] = []
    for name, counted in _counted(models_, None).items():
        model, size = getattr(models_, name), _KEYS[name]
        stored_rows = model._default_manager.values_list(*_COLUMNS[name])
        stored = {tuple(row[:size]): tuple(row[size:]) for row in stored_rows}
        recounted = {tuple(row[:size]): tuple(row[size:]) for row in map(tuple, (row.values() for row in counted))}
        found.extend(
            Difference(model._meta.db_table, key, stored.get(key), recounted.get(key))
            for key in sorted(stored.keys() | recounted.keys(), key=repr)
            if stored.get(key) != recounted.get(key)
        )
    return found


# --- kept in step with every write: the records' signals, connected by ReportsConfig.ready()


def _verified_cell(incident_id: int | None) -> Cell | None:
    from incidents.models import Incident  # noqa: PLC0415  the record app's model, loaded after the registry

    if incident_id is None:
        return None
    row = (
        Incident.objects.filter(pk=incident_id)
        .values_list("status", "reported_on", "region_id", "organisation_id")
        .first()
    )
    if row is None or row[0] != Status.VERIFIED:
        return None
    return cell_of(row[1], row[2], row[3])


def incident_before_save(sender: type[models.Model], instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """Remember the cell the incident counted in before this save (None: the save changes nothing counted)."""
    if update_fields is not None and not COUNTED_FIELDS & {name.removesuffix("_id") for name in update_fields}:
        instance._figure_cells_before = None
        return
    before = _verified_cell(instance.pk) if instance.pk is not None else None
    instance._figure_cells_before = {before} if before else set()


def incident_saved(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    """Recount the cell the incident left and the one it counts in now."""
    cells: set[Cell] | None = getattr(instance, "_figure_cells_before", set())
    if cells is None:
        return
    instance._figure_cells_before = None
    if instance.status == Status.VERIFIED:
        cells = {*cells, cell_of(instance.reported_on, instance.region_id, instance.organisation_id)}
    recount(cells)


def incident_deleted(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    if instance.status == Status.VERIFIED:
        recount([cell_of(instance.reported_on, instance.region_id, instance.organisation_id)])


def violation_written(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    """A violation saved or deleted on a verified incident: recount its cell."""
    cell = _verified_cell(instance.incident_id)
    if cell is not None:
        recount([cell])


def type_before_save(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    before = sender._default_manager.filter(pk=instance.pk).values_list("category_id", "collective").first()
    instance._figure_cells_stale = before is not None and before != (instance.category_id, instance.collective)


def type_saved(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    """A violation type moved to another category, or made collective or not: every cell is counted again (a
    reference-list change, rare; the cells hold the category and the rule of the type when counted)."""
    if getattr(instance, "_figure_cells_stale", False):
        rebuild()


def connect() -> None:
    from django.db.models.signals import post_delete, post_save, pre_save  # noqa: PLC0415

    from core.models import ViolationType  # noqa: PLC0415
    from incidents.models import Incident, Violation  # noqa: PLC0415

    uid = "reports.rollup"
    pre_save.connect(incident_before_save, sender=Incident, dispatch_uid=f"{uid}.incident_before")
    post_save.connect(incident_saved, sender=Incident, dispatch_uid=f"{uid}.incident_saved")
    post_delete.connect(incident_deleted, sender=Incident, dispatch_uid=f"{uid}.incident_deleted")
    post_save.connect(violation_written, sender=Violation, dispatch_uid=f"{uid}.violation_saved")
    post_delete.connect(violation_written, sender=Violation, dispatch_uid=f"{uid}.violation_deleted")
    pre_save.connect(type_before_save, sender=ViolationType, dispatch_uid=f"{uid}.type_before")
    post_save.connect(type_saved, sender=ViolationType, dispatch_uid=f"{uid}.type_saved")
