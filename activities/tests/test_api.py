"""The assistance and sessions APIs against API.md, for every role."""

from __future__ import annotations

import pytest

from activities.models import AssistanceEvent, Session
from activities.tests.factories import AssistanceFactory, SessionFactory
from beneficiaries.tests.factories import HouseholdFactory
from beneficiaries.tests.record_api_cases import RecordApiCases
from core.models import AdminArea


class TestAssistanceApi(RecordApiCases):
    url = "/api/v1/assistance/"
    factory = AssistanceFactory
    edit = ("households", 130)
    # token with its user, the user's regions, the user's organisation, count, page (with place, region,
    # organisation, author, kind), the sector (optional references are prefetched: core.records.read_relations; the
    # reviewer and population group are empty here, so not read), linked households
    list_queries = 7

    def body(self, **overrides):
        data = {
            "delivered_on": "2022-03-20",
            "place": "ML0701",
            "kind": "nfi_kit",
            "population_group": "idp",
            "sector": "shelter_nfi",
            "households": 120,
            "women": 0,
            "girls": 0,
            "men": 0,
            "boys": 0,
            "unknown": 0,
            "quantity": None,
            "amount": None,
            "currency": None,
            "country": None,
        }
        data.update(overrides)
        return data

    def test_the_answer_has_the_body_of_api_md(self, people, api_as):
        record = api_as(people.monitor).post(self.url, self.body(), format="json").json()
        for key, value in self.body().items():
            assert record[key] == value, key
        assert record["warnings"] == []
        assert record["unit"] == "households"

    def test_cash_has_an_amount_in_a_currency_answered_as_numbers(self, people, api_as):
        body = self.body(
            kind="cash", sector="gbv", households=None, women=51, amount=2550000, currency="xof", population_group="idp"
        )
        record = api_as(people.monitor).post(self.url, body, format="json").json()
        assert (record["amount"], record["currency"], record["women"]) == (2550000.0, "XOF", 51)

    def test_a_return_is_tied_to_a_country(self, people, api_as):
        body = self.body(kind="voluntary_repatriation", households=None, men=80, women=84, country="CI")
        assert api_as(people.monitor).post(self.url, body, format="json").json()["country"] == "CI"

    def test_a_quantity_in_the_kinds_unit(self, people, api_as):
        body = self.body(kind="shelter_built", households=None, quantity=115)
        record = api_as(people.monitor).post(self.url, body, format="json").json()
        assert (record["quantity"], record["unit"]) == (115.0, "shelters")

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"kind": "teleporter"}, "kind", "Unknown code"),
            ({"kind": None}, "kind", "may not be null"),
            ({"sector": "astronomy"}, "sector", "Unknown code"),
            ({"population_group": "martians"}, "population_group", "Unknown code"),
            ({"households": -1}, "households", "greater than"),
            ({"women": -3}, "women", "greater than"),
            ({"delivered_on": "2099-01-01"}, "delivered_on", "in the future"),
            ({"amount": 5000}, "currency", "Give the currency"),
            ({"currency": "XOF"}, "amount", "Give the amount"),
            ({"amount": 10, "currency": "FCFA"}, "currency", "three-letter"),
            ({"amount": -10, "currency": "XOF"}, "amount", "greater than"),
            ({"country": "ZZ"}, "country", "Unknown country code"),
            ({"households": None}, "households", "households, persons or a quantity"),
            ({"households_assisted": [999999]}, "households_assisted", "does not exist"),
        ],
    )
    def test_invalid_input_is_400_with_a_message_on_the_field(self, people, api_as, overrides, field, message):
        response = api_as(people.monitor).post(self.url, self.body(**overrides), format="json")
        assert response.status_code == 400
        assert message in str(response.json().get(field)), response.json()
        assert not AssistanceEvent.objects.exists()

    def test_a_household_of_another_region_cannot_be_linked(self, people, api_as):
        household = HouseholdFactory(created_by=people.outsider, place=AdminArea.objects.get(pcode="ML0506"))
        response = api_as(people.monitor).post(self.url, self.body(households_assisted=[household.pk]), format="json")
        assert response.status_code == 400
        assert "households_assisted" in response.json()

    def test_filters_by_kind_sector_and_household(self, people, api_as):
        household = HouseholdFactory(created_by=people.monitor)
        nfi = AssistanceFactory(created_by=people.monitor, households_assisted=[household])
        client = api_as(people.monitor)
        assert [row["id"] for row in client.get(self.url, {"kind": "nfi_kit"}).json()["results"]] == [nfi.pk]
        assert client.get(self.url, {"kind": "cash"}).json()["count"] == 0
        assert client.get(self.url, {"sector": "shelter_nfi"}).json()["count"] == 1
        assert client.get(self.url, {"household": household.pk}).json()["count"] == 1
        assert client.get(self.url, {"kind": "nope"}).status_code == 400


class TestRepeatAssistanceWarning:
    url = "/api/v1/assistance/"

    def _body(self, household, day: str, kind: str = "nfi_kit") -> dict:
        return {
            "delivered_on": day,
            "place": "ML0701",
            "kind": kind,
            "households": 1,
            "households_assisted": [household.pk],
        }

    def test_the_same_kind_to_the_same_household_within_the_window_is_a_warning(self, people, api_as, settings):
        settings.VIGIE_REPEAT_ASSISTANCE_DAYS = 30
        household = HouseholdFactory(created_by=people.monitor)
        client = api_as(people.monitor)
        first = client.post(self.url, self._body(household, "2021-12-01"), format="json").json()
        assert first["warnings"] == []
        second = client.post(self.url, self._body(household, "2021-12-20"), format="json")
        assert second.status_code == 201  # a warning, not an error
        assert len(second.json()["warnings"]) == 1
        assert f"Household #{household.pk} already received" in second.json()["warnings"][0]
        assert f"assistance #{first['id']}" in second.json()["warnings"][0]

    def test_another_kind_or_outside_the_window_is_no_warning(self, people, api_as, settings):
        settings.VIGIE_REPEAT_ASSISTANCE_DAYS = 10
        household = HouseholdFactory(created_by=people.monitor)
        client = api_as(people.monitor)
        client.post(self.url, self._body(household, "2021-12-01"), format="json")
        assert client.post(self.url, self._body(household, "2021-12-20"), format="json").json()["warnings"] == []
        food = self._body(household, "2021-12-02", kind="food_kit")
        assert client.post(self.url, food, format="json").json()["warnings"] == []

    def test_linking_by_patch_warns_too(self, people, api_as):
        household = HouseholdFactory(created_by=people.monitor)
        AssistanceFactory(created_by=people.monitor, households_assisted=[household])
        later = AssistanceFactory(created_by=people.monitor)
        response = api_as(people.monitor).patch(
            f"{self.url}{later.pk}/", {"version": 1, "households_assisted": [household.pk]}, format="json"
        )
        assert response.status_code == 200
        assert len(response.json()["warnings"]) == 1


class TestSessionApi(RecordApiCases):
    url = "/api/v1/sessions/"
    factory = SessionFactory
    edit = ("topic", "Early marriage")
    # token with its user, the user's regions, the user's organisation, count, page (with place, region,
    # organisation, authors, kind, sector, population group)
    list_queries = 5

    def body(self, **overrides):
        data = {
            "held_on": "2022-03-08",
            "place": "ML0701",
            "kind": "awareness",
            "topic": "GBV and early marriage",
            "sector": "gbv",
            "population_group": "idp",
            "sessions": 2,
            "women": 263,
            "girls": 0,
            "men": 52,
            "boys": 0,
            "unknown": 0,
        }
        data.update(overrides)
        return data

    def test_the_answer_has_the_body_of_api_md(self, people, api_as):
        record = api_as(people.monitor).post(self.url, self.body(), format="json").json()
        for key, value in self.body().items():
            assert record[key] == value, key
        assert record["total"] == 315

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"kind": "lecture"}, "kind", "Unknown code"),
            ({"sector": "astronomy"}, "sector", "Unknown code"),
            ({"sessions": 0}, "sessions", "greater than or equal to 1"),
            ({"men": -1}, "men", "greater than"),
            ({"women": 0, "men": 0}, "non_field_errors", "at least one person"),
            ({"held_on": "2099-01-01"}, "held_on", "in the future"),
        ],
    )
    def test_invalid_input_is_400_with_a_message_on_the_field(self, people, api_as, overrides, field, message):
        response = api_as(people.monitor).post(self.url, self.body(**overrides), format="json")
        assert response.status_code == 400
        assert message in str(response.json().get(field)), response.json()
        assert not Session.objects.exists()

    def test_missing_required_fields_are_named(self, people, api_as):
        response = api_as(people.monitor).post(self.url, {}, format="json")
        assert {"held_on", "place", "kind"} <= set(response.json())

    def test_filters_by_kind_and_search_by_topic(self, people, api_as):
        awareness = SessionFactory(created_by=people.monitor)
        client = api_as(people.monitor)
        assert [row["id"] for row in client.get(self.url, {"kind": "awareness"}).json()["results"]] == [awareness.pk]
        assert client.get(self.url, {"kind": "training"}).json()["count"] == 0
        assert client.get(self.url, {"q": "early marriage"}).json()["count"] == 1
