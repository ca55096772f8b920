"""Demo data loaders: each record app registers one; `manage.py load_demo` runs them in order.

`core` imports none of the record apps, so they add themselves here from their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable

DemoLoader = Callable[[Callable[[str], None]], None]  # takes a function that prints a line

_loaders: list[tuple[int, str, DemoLoader]] = []


def register(name: str, loader: DemoLoader, order: int = 100) -> None:
    if all(existing != name for _order, existing, _loader in _loaders):
        _loaders.append((order, name, loader))
        _loaders.sort(key=lambda entry: entry[0])


def loaders() -> list[tuple[str, DemoLoader]]:
    return [(name, loader) for _order, name, loader in _loaders]
