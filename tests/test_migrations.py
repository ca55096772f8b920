"""Every migration runs from zero on an empty database, and the demo loads on top; the data migration's
frozen reference lists are what the live loader ships."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as live_apps

from core.reference import load_initial_data

ROOT = Path(__file__).resolve().parent.parent


def _manage(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL"}
    }
    environment.update(DEBUG="1", DATABASE_URL=database_url, REDIS_URL="")
    # This project's own manage.py under the test's own interpreter: no untrusted input.
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        check=False,  # the test asserts on the return code, with the output in the message
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_every_migration_from_zero_then_the_demo(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    migrated = _manage(database_url, "migrate", "--no-input")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "Applying core.0001_initial" in migrated.stdout
    demo = _manage(database_url, "load_demo")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    count = "from incidents.models import Incident; print(Incident.objects.count())"
    check = _manage(database_url, "shell", "-c", count)
    assert check.returncode == 0, check.stderr
    assert int(check.stdout.split()[-1]) > 100  # the last line: Django 5.2 first says what it imported


def _reference_snapshot() -> dict[str, list[tuple[Any, ...]]]:
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    for model in live_apps.get_app_config("core").get_models():
        if model.__name__ in {"AdminArea", "Organisation"} or hasattr(model, "label_en"):
            fields = [field.attname for field in model._meta.concrete_fields]
            snapshot[model.__name__] = sorted(model._default_manager.values_list(*fields))
    return snapshot


@pytest.mark.django_db
def test_the_frozen_data_migration_loads_what_the_live_loader_ships() -> None:
    migrated = _reference_snapshot()
    assert migrated["ViolationType"], "the migration loaded no violation type"
    load_initial_data(live_apps)
    assert _reference_snapshot() == migrated
