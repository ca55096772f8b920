"""Request bodies that are JSON but not an object (a list, a string) get a 400 on the step endpoints, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from core.choices import Status
from core.models import User
from incidents.tests.factories import IncidentFactory

URL = "/api/v1/incidents/"


@pytest.mark.parametrize("payload", [[], ["version", 1], "submit", 3])
def test_a_step_body_that_is_not_an_object_is_400(
    people: object, api_as: Callable[[User], APIClient], payload: object
) -> None:
    monitor = people.monitor  # type: ignore[attr-defined]
    incident = IncidentFactory(created_by=monitor)
    response = api_as(monitor).post(f"{URL}{incident.pk}/submit/", payload, format="json")
    assert response.status_code == 400
    assert "detail" in response.json() or "non_field_errors" in response.json()
    incident.refresh_from_db()
    assert incident.status == Status.DRAFT
