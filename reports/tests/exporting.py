"""Starting an export through the API and running its job in the test, as the worker would: one helper for every
export test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient

from core.models import Job, User

EXPORTS_URL = "/api/v1/exports/"


def export(
    api_as: Callable[[User], APIClient], user: User, capture: DjangoCaptureOnCommitCallbacks, **params: Any
) -> Job:
    """`user` starts the export described by `params`; its job has run and is done when this returns."""
    with capture(execute=True):
        response = api_as(user).post(EXPORTS_URL, params, format="json")
    assert response.status_code == 202, response.json()
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == "done", job.errors
    return job
