"""GBV-sector assistance is never tied to registered households: a linked household names the head, which would
tell every monitor of the region who the survivors are (issue 10). Figures of GBV assistance stay as counts."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from activities.models import AssistanceEvent
from activities.tests.factories import AssistanceFactory
from activities.tests.test_views import assistance_data
from beneficiaries.models import Household
from beneficiaries.tests.factories import HouseholdFactory
from core.models import Sector, User

pytestmark = pytest.mark.django_db

URL = "/api/v1/assistance/"
MESSAGE = "Assistance of the GBV sector cannot be tied to registered households"


def _body(**overrides: Any) -> dict[str, Any]:
    data = {"delivered_on": "2021-12-10", "place": "ML0701", "kind": "cash", "sector": "gbv", "women": 3}
    data.update(overrides)
    return data


@pytest.fixture
def household(people: SimpleNamespace) -> Household:
    return HouseholdFactory(created_by=people.monitor)


class TestApi:
    def test_creating_gbv_assistance_with_households_is_400_on_the_field(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient], household: Household
    ) -> None:
        response = api_as(people.monitor).post(URL, _body(households_assisted=[household.pk]), format="json")
        assert response.status_code == 400
        assert MESSAGE in str(response.json()["households_assisted"])
        assert not AssistanceEvent.objects.exists()

    def test_gbv_assistance_without_households_and_other_sectors_with_them_are_accepted(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient], household: Household
    ) -> None:
        client = api_as(people.monitor)
        assert client.post(URL, _body(), format="json").status_code == 201
        linked = client.post(URL, _body(sector="shelter_nfi", households_assisted=[household.pk]), format="json")
        assert linked.status_code == 201
        assert linked.json()["households_assisted"] == [household.pk]

    def test_moving_linked_assistance_to_the_gbv_sector_is_refused(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient], household: Household
    ) -> None:
        event = AssistanceFactory(created_by=people.monitor, households_assisted=[household])
        response = api_as(people.monitor).patch(f"{URL}{event.pk}/", {"version": 1, "sector": "gbv"}, format="json")
        assert response.status_code == 400
        assert MESSAGE in str(response.json()["households_assisted"])
        event.refresh_from_db()
        assert event.sector is not None
        assert event.sector.code == "shelter_nfi"

    def test_linking_households_to_gbv_assistance_later_is_refused(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient], household: Household
    ) -> None:
        event = AssistanceFactory(created_by=people.monitor, sector=Sector.objects.get(code="gbv"))
        response = api_as(people.monitor).patch(
            f"{URL}{event.pk}/", {"version": 1, "households_assisted": [household.pk]}, format="json"
        )
        assert response.status_code == 400
        assert not event.households_assisted.exists()


class TestPage:
    def test_the_form_refuses_gbv_assistance_with_households_on_the_field(
        self, people: SimpleNamespace, client: Client, household: Household
    ) -> None:
        client.force_login(people.monitor)
        data = assistance_data(sector=Sector.objects.get(code="gbv").pk, households_assisted=[household.pk])
        response = client.post(reverse("activities:assistance-create"), data)
        assert response.status_code == 400
        html = response.content.decode()
        assert MESSAGE in html
        assert 'id="id_households_assisted_error"' in html
        assert not AssistanceEvent.objects.exists()

    def test_by_registration_number_too(self, people: SimpleNamespace, client: Client, household: Household) -> None:
        client.force_login(people.monitor)
        data = assistance_data(
            sector=Sector.objects.get(code="gbv").pk, registration_numbers=household.registration_number
        )
        assert client.post(reverse("activities:assistance-create"), data).status_code == 400
        assert not AssistanceEvent.objects.exists()
