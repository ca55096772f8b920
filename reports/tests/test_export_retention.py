"""Export files are private to the server (0600 in a 0700 folder) and deleted EXPORT_RETENTION_DAYS after they
were made, by a beat task; the job stays and says its file is gone (SPEC "Access and data protection")."""

from __future__ import annotations

import datetime
import logging
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings
from rest_framework.test import APIClient

from config.celery import app as celery_app
from core.models import Job, User
from reports.tasks import delete_old_exports
from reports.tests.exporting import export


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "records", "format": "csv", "record_type": "incidents"},
        {"kind": "records", "format": "xlsx", "record_type": "incidents"},
        {"kind": "5w", "format": "csv"},
        {"kind": "report_pdf", "format": "pdf", "month": "2021-12"},
    ],
)
def test_export_files_are_readable_by_the_server_alone(
    people: SimpleNamespace,
    api_as: Callable[[User], APIClient],
    data: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    params: dict[str, Any],
) -> None:
    job = export(api_as, people.admin, django_capture_on_commit_callbacks, **params)
    path = Path(job.result.path)
    assert path.is_file()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


def finished_days_ago(job: Job, days: float) -> Job:
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(days=days))
    job.refresh_from_db()
    return job


def test_the_beat_deletes_old_files_keeps_recent_ones_and_logs_it(
    people: SimpleNamespace,
    api_as: Callable[[User], APIClient],
    client: Client,
    data: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    capture = django_capture_on_commit_callbacks
    old = finished_days_ago(export(api_as, people.admin, capture, kind="records", format="csv"), 7.5)
    recent = finished_days_ago(export(api_as, people.admin, capture, kind="5w", format="xlsx"), 6.5)
    old_path, recent_path = Path(old.result.path), Path(recent.result.path)
    assert old_path.is_file()

    with caplog.at_level(logging.INFO, logger="core.jobs"):
        delete_old_exports.delay()

    assert not old_path.exists()
    assert recent_path.is_file()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.expired_at is not None
    assert not old.result
    assert recent.expired_at is None
    assert re.search(rf"job {old.pk}\b", caplog.text)
    assert not re.search(rf"job {recent.pk}\b", caplog.text)
    assert "1 export file" in caplog.text

    # The job still answers its owner, without a link, and says why; the download is gone (410) with a reason.
    answer = api_as(people.admin).get(f"/api/v1/jobs/{old.pk}/").json()
    assert answer["status"] == "done"
    assert answer["result_url"] is None
    assert answer["expired"] is True
    assert api_as(people.admin).get(f"/api/v1/jobs/{recent.pk}/").json()["expired"] is False
    client.force_login(people.admin)
    gone = client.get(f"/reports/jobs/{old.pk}/download/")
    assert gone.status_code == 410
    assert "was deleted" in gone.content.decode()
    assert client.get(f"/reports/jobs/{recent.pk}/download/").status_code == 200
    assert "was deleted" in client.get(f"/reports/jobs/{old.pk}/").content.decode()
    exports_page = client.get("/reports/exports/").content.decode()
    assert f"/reports/jobs/{old.pk}/download/" not in exports_page
    assert f"/reports/jobs/{recent.pk}/download/" in exports_page

    # Another admin still gets 404, not 410: an expired job is no more theirs than a live one.
    client.force_login(people.partner_monitor)
    assert client.get(f"/reports/jobs/{old.pk}/download/").status_code == 404


def test_the_retention_is_read_from_the_setting(
    people: SimpleNamespace,
    api_as: Callable[[User], APIClient],
    data: None,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.VIGIE_EXPORT_RETENTION_DAYS = 2
    capture = django_capture_on_commit_callbacks
    old = finished_days_ago(export(api_as, people.admin, capture, kind="records", format="csv"), 3)
    recent = finished_days_ago(export(api_as, people.admin, capture, kind="records", format="csv"), 1)
    with caplog.at_level(logging.INFO, logger="core.jobs"):
        delete_old_exports.delay()
    assert not Path(settings.MEDIA_ROOT, old.result.name or "").exists()
    assert Path(recent.result.path).is_file()
    assert "2 days" in caplog.text


def test_the_task_is_scheduled_and_defaults_to_seven_days() -> None:
    expected = int(os.environ.get("EXPORT_RETENTION_DAYS", "7"))
    assert expected == settings.VIGIE_EXPORT_RETENTION_DAYS
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reports.delete_old_exports" in tasks
    assert "reports.delete_old_exports" in celery_app.tasks
