"""The reference lists as the figures read them: within `read_once`, each list is read from the database once.

Working out a month's figures for every scope (a closing, the closing checklist's preview) reads the same few short
lists (assistance and session kinds, sectors, population groups) for every region: 100 of the checklist's 415
queries. Lists change rarely and never matter mid-computation; outside `read_once` every call reads afresh."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import TypeVar

from core.models import ReferenceItem

Item = TypeVar("Item", bound=ReferenceItem)

_READ: ContextVar[dict[type[ReferenceItem], list[ReferenceItem]] | None] = ContextVar("reference_lists", default=None)


@contextlib.contextmanager
def read_once() -> Iterator[None]:
    """Each reference list read once until the block ends (nested blocks share the outer one's reads)."""
    if _READ.get() is not None:
        yield
        return
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


def items(model: type[Item]) -> list[Item]:
    """Every item of a reference list, in its order (sort order, then code)."""
    read = _READ.get()
    if read is None:
        return list(model._default_manager.all())
    if model not in read:
        read[model] = list(model._default_manager.all())
    return read[model]  # type: ignore[return-value]  # keyed by the model: its own items


def by_code(model: type[Item], codes: Iterable[str]) -> dict[str, Item]:
    """The items of these codes (none read when there is no code)."""
    wanted = set(codes)
    if not wanted:
        return {}
    return {item.code: item for item in items(model) if item.code in wanted}
