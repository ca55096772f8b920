"""A registration number seen twice is flagged as a likely duplicate, never refused (SPEC.md, Beneficiaries):
refusing it would tell a user that a household they may not see exists, with its number. The flag shows the pair
only to a reviewer who may see both households."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from beneficiaries.models import Household
from beneficiaries.tests.factories import HouseholdFactory
from beneficiaries.tests.test_views import household_data
from conftest import make_user
from core.models import AdminArea, Organisation, User

pytestmark = pytest.mark.django_db

URL = "/api/v1/households/"
NUMBER = "GAO-22-00042"


def _body(**overrides: Any) -> dict[str, Any]:
    data = {
        "registered_on": "2022-03-02",
        "registration_number": "",
        "head_name": "Fatoumata Maïga",
        "place": "ML0701",
        "members": [{"full_name": "Fatoumata Maïga", "sex": "female", "birth_year": 1980, "is_head": True}],
    }
    data.update(overrides)
    return data


def _pairs(client: Client) -> list[tuple[int, int, str]]:
    answer = client.get(f"{URL}duplicates/").json()
    return [(pair["keep"], pair["merge"], pair["same_registration_number"]) for pair in answer["results"]]


@pytest.fixture
def in_mopti(people: SimpleNamespace) -> Household:
    """A household of Mopti with the number a Gao monitor is about to type: out of every Gao user's scope."""
    return HouseholdFactory(
        created_by=people.outsider,
        place=AdminArea.objects.get(pcode="ML0501"),
        registration_number=NUMBER,
        head_name="Oumar Cissé",
        members=[{"full_name": "Oumar Cissé", "sex": "male", "birth_year": 1970, "is_head": True}],
    )


class TestNeverRefused:
    def test_the_api_creates_a_second_household_with_a_number_held_out_of_scope(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient], in_mopti: Household
    ) -> None:
        response = api_as(people.monitor).post(URL, _body(registration_number=NUMBER), format="json")
        assert response.status_code == 201, response.json()
        assert "Cissé" not in response.content.decode()
        assert Household.objects.filter(registration_number=NUMBER).count() == 2

    def test_the_api_changes_a_number_to_one_held_out_of_scope(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient], in_mopti: Household
    ) -> None:
        household = HouseholdFactory(created_by=people.monitor)
        response = api_as(people.monitor).patch(
            f"{URL}{household.pk}/", {"version": 1, "registration_number": NUMBER}, format="json"
        )
        assert response.status_code == 200, response.json()

    def test_the_form_saves_a_number_held_out_of_scope(
        self, people: SimpleNamespace, client: Client, in_mopti: Household
    ) -> None:
        client.force_login(people.monitor)
        response = client.post(reverse("beneficiaries:household-create"), household_data(registration_number=NUMBER))
        assert response.status_code == 302
        assert Household.objects.filter(registration_number=NUMBER).count() == 2


class TestFlaggedToWhoSeesBoth:
    def test_a_supervisor_of_gao_is_not_shown_the_mopti_household(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient], in_mopti: Household
    ) -> None:
        api_as(people.monitor).post(URL, _body(registration_number=NUMBER), format="json")
        assert _pairs(api_as(people.supervisor)) == []
        assert _pairs(api_as(people.outsider)) == []

    def test_an_admin_of_every_region_sees_the_pair(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient], in_mopti: Household
    ) -> None:
        created = api_as(people.monitor).post(URL, _body(registration_number=NUMBER), format="json").json()
        assert _pairs(api_as(people.admin)) == [(in_mopti.pk, created["id"], NUMBER)]

    def test_within_one_region_the_supervisor_sees_the_pair_on_the_page_too(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient], client: Client
    ) -> None:
        first = HouseholdFactory(created_by=people.monitor, registration_number=NUMBER, head_name="Awa Touré")
        second = HouseholdFactory(
            created_by=people.monitor,
            registration_number=NUMBER.lower(),
            registered_on=first.registered_on.replace(day=20),
            head_name="Ibrahim Sidibé",
            members=[{"full_name": "Ibrahim Sidibé", "sex": "male", "birth_year": 1960, "is_head": True}],
        )
        assert _pairs(api_as(people.supervisor)) == [(first.pk, second.pk, NUMBER)]
        client.force_login(people.supervisor)
        html = client.get(reverse("beneficiaries:household-duplicates")).content.decode()
        assert f"#{first.pk} · #{second.pk}" in html
        assert "Same registration number" in html

    def test_a_partner_does_not_see_the_lead_organisations_household(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient], partner: Organisation
    ) -> None:
        HouseholdFactory(created_by=people.monitor, registration_number=NUMBER)
        HouseholdFactory(created_by=people.partner_monitor, registration_number=NUMBER, head_name="Kadia Diarra")
        partner_supervisor = cast(User, make_user("partner_supervisor", "supervisor", ["ML07"], partner))
        assert _pairs(api_as(partner_supervisor)) == []
        assert len(_pairs(api_as(people.supervisor))) == 1

    def test_households_without_a_number_are_not_paired_by_it(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient]
    ) -> None:
        HouseholdFactory(created_by=people.monitor, registration_number="", head_name="Awa Touré")
        HouseholdFactory(
            created_by=people.monitor,
            registration_number="",
            head_name="Ibrahim Sidibé",
            members=[{"full_name": "Ibrahim Sidibé", "sex": "male", "birth_year": 1960, "is_head": True}],
        )
        assert _pairs(api_as(people.supervisor)) == []
