"""Reading OCHA-style admin-area lists and merging them into the database.

Two CSV shapes are understood:
- the long shape Vigie ships: `pcode, level, parent_pcode, name` (one row per area);
- OCHA's wide COD-AB shape: one row per lowest area with `ADM1_PCODE, ADM1_FR, ADM2_PCODE, ADM2_FR, …`
  (also spelt `admin1Pcode`, `admin1Name_fr`, …).

An import adds and updates; it never deletes an area a record uses.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

_WIDE_PCODE = re.compile(r"^adm(?:in)?([1-3])_?pcode$", re.IGNORECASE)
_WIDE_NAME = re.compile(r"^adm(?:in)?([1-3])_?(?:name)?_?(fr|en|ref)?$", re.IGNORECASE)
_LONG_COLUMNS = {"pcode", "level", "parent_pcode", "name"}
_NAME_PREFERENCE = ("fr", "", "en", "ref")


class AdminAreaImportError(ValueError):
    """The file cannot be imported; `errors` says which line and why, and nothing was changed."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class AreaRow:
    pcode: str
    level: int
    parent_pcode: str | None
    name: str


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    deactivated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    missing_kept: list[str] = field(default_factory=list)


def parse_admin_areas(text: str) -> list[AreaRow]:
    """Parse either CSV shape into area rows, parents first; raise AdminAreaImportError on any bad line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = columns
    if set(columns) >= _LONG_COLUMNS:
        rows, errors = _parse_long(reader)
    elif any(_WIDE_PCODE.match(name) for name in columns):
        rows, errors = _parse_wide(reader, columns)
    else:
        raise AdminAreaImportError(
            [
                _(
                    "Unrecognised columns: %(columns)s. Expected pcode, level, parent_pcode, name "
                    "or OCHA columns such as ADM1_PCODE, ADM1_FR."
                )
                % {"columns": ", ".join(columns) or _("none")}
            ]
        )
    errors += _check_consistency(rows)
    if errors:
        raise AdminAreaImportError(errors)
    return sorted(rows, key=lambda row: (row.level, row.pcode))


def _parse_long(reader: csv.DictReader[str]) -> tuple[list[AreaRow], list[str]]:
    rows: list[AreaRow] = []
    errors: list[str] = []
    for line, record in enumerate(reader, start=2):
        pcode = (record.get("pcode") or "").strip()
        name = (record.get("name") or "").strip()
        parent = (record.get("parent_pcode") or "").strip() or None
        level_text = (record.get("level") or "").strip()
        if not pcode or not name:
            errors.append(_("Line %(line)d: a P-code and a name are required.") % {"line": line})
            continue
        if level_text not in {"1", "2", "3"}:
            errors.append(
                _("Line %(line)d: level must be 1, 2 or 3, not “%(level)s”.") % {"line": line, "level": level_text}
            )
            continue
        rows.append(AreaRow(pcode=pcode, level=int(level_text), parent_pcode=parent, name=name))
    return rows, errors


def _wide_columns(columns: list[str]) -> dict[int, tuple[str, str]]:
    """For each level present, the (P-code column, name column) of the wide shape."""
    pcode_columns = {int(m.group(1)): name for name in columns if (m := _WIDE_PCODE.match(name))}
    found: dict[int, tuple[str, str]] = {}
    for level, pcode_column in pcode_columns.items():
        names = {}
        for name in columns:
            match = _WIDE_NAME.match(name)
            if match and int(match.group(1)) == level:
                names[(match.group(2) or "").lower()] = name
        preferred = next((names[key] for key in _NAME_PREFERENCE if key in names), None)
        if preferred:
            found[level] = (pcode_column, preferred)
    return found


def _parse_wide(reader: csv.DictReader[str], columns: list[str]) -> tuple[list[AreaRow], list[str]]:
    levels = _wide_columns(columns)
    if 1 not in levels:
        return [], [_("The file has no region (ADM1) P-code and name columns.")]
    areas: dict[str, AreaRow] = {}
    errors: list[str] = []
    for line, record in enumerate(reader, start=2):
        parent: str | None = None
        for level in sorted(levels):
            pcode_column, name_column = levels[level]
            pcode, name = (record.get(pcode_column) or "").strip(), (record.get(name_column) or "").strip()
            if not pcode:
                break
            if not name:
                errors.append(_("Line %(line)d: %(pcode)s has no name.") % {"line": line, "pcode": pcode})
                break
            areas.setdefault(pcode, AreaRow(pcode=pcode, level=level, parent_pcode=parent, name=name))
            parent = pcode
    return list(areas.values()), errors


def _check_consistency(rows: list[AreaRow]) -> list[str]:
    errors: list[str] = []
    seen: dict[str, AreaRow] = {}
    for row in rows:
        if row.pcode in seen and seen[row.pcode] != row:
            errors.append(_("%(pcode)s appears twice with different values.") % {"pcode": row.pcode})
        seen[row.pcode] = row
        if row.level == 1 and row.parent_pcode:
            errors.append(_("%(pcode)s is a region (level 1) and cannot have a parent.") % {"pcode": row.pcode})
        if row.level > 1 and not row.parent_pcode:
            errors.append(
                _("%(pcode)s (level %(level)d) needs a parent P-code.") % {"pcode": row.pcode, "level": row.level}
            )
    return errors


@transaction.atomic
def merge_admin_areas(rows: list[AreaRow], area_model: Any, *, prune: bool = False) -> ImportSummary:
    """Add and update `rows`; with `prune`, delete areas missing from the file unless a record uses them.

    All or nothing: any unknown parent or wrong level rolls the whole import back.
    """
    summary = ImportSummary()
    existing = {area.pcode: area for area in area_model.objects.all()}
    errors: list[str] = []
    for row in rows:
        parent = existing.get(row.parent_pcode) if row.parent_pcode else None
        if row.parent_pcode and parent is None:
            errors.append(_("%(pcode)s: unknown parent %(parent)s.") % {"pcode": row.pcode, "parent": row.parent_pcode})
            continue
        if parent is not None and parent.level != row.level - 1:
            errors.append(
                _("%(pcode)s: its parent %(parent)s is not one level up.")
                % {"pcode": row.pcode, "parent": parent.pcode}
            )
            continue
        existing[row.pcode] = _upsert_area(row, parent, existing.get(row.pcode), area_model, summary)
    if errors:
        raise AdminAreaImportError(errors)
    missing = sorted(set(existing) - {row.pcode for row in rows}, reverse=True)
    if prune:
        _prune(missing, existing, summary)
    else:
        summary.missing_kept = sorted(missing)
    return summary


def _upsert_area(row: AreaRow, parent: Any, area: Any, area_model: Any, summary: ImportSummary) -> Any:
    if area is None:
        summary.created.append(row.pcode)
        return area_model.objects.create(pcode=row.pcode, level=row.level, parent=parent, name=row.name)
    if (area.level, area.parent_id, area.name, area.is_active) == (
        row.level,
        getattr(parent, "id", None),
        row.name,
        True,
    ):
        summary.unchanged += 1
        return area
    area.level, area.parent, area.name, area.is_active = row.level, parent, row.name, True
    area.save()
    summary.updated.append(row.pcode)
    return area


def _prune(missing: list[str], existing: dict[str, Any], summary: ImportSummary) -> None:
    """Delete unused missing areas, deepest first; one a record (or a child) still uses is deactivated instead."""
    for pcode in sorted(missing, key=lambda code: -existing[code].level):
        area = existing[pcode]
        if _delete_if_unused(area):
            summary.deleted.append(pcode)
        elif area.is_active:
            area.is_active = False
            area.save(update_fields=["is_active"])
            summary.deactivated.append(pcode)


def _delete_if_unused(area: Any) -> bool:
    # A region removed from a user's scope would silently widen it to every region: never delete one in use.
    if area.scoped_users.exists():
        return False
    try:
        with transaction.atomic():
            area.delete()
    except ProtectedError:
        return False
    return True
