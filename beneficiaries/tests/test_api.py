"""The households and movements APIs against API.md, for every role."""

from __future__ import annotations

import pytest

from beneficiaries.models import Household, Movement
from beneficiaries.tests.factories import HouseholdFactory, MovementFactory
from beneficiaries.tests.record_api_cases import RecordApiCases
from core.choices import Status
from core.models import RecordEvent


class TestMovementApi(RecordApiCases):
    url = "/api/v1/movements/"
    factory = MovementFactory
    edit = ("destination_country", "NE")
    # token with its user, the user's regions, the user's organisation, count, page (with place, region,
    # organisation, authors)
    list_queries = 5

    def body(self, **overrides):
        data = {
            "identified_on": "2022-03-02",
            "place": "ML0703",
            "nationality": "CI",
            "origin_country": "CI",
            "destination_country": "DZ",
            "women": 2,
            "girls": 1,
            "men": 9,
            "boys": 0,
            "unknown": 0,
            "unaccompanied_children": 0,
            "separated_children": 0,
            "specific_needs": 1,
        }
        data.update(overrides)
        return data

    def test_the_answer_has_the_body_of_api_md(self, people, api_as):
        record = api_as(people.monitor).post(self.url, self.body(), format="json").json()
        for key, value in self.body().items():
            assert record[key] == value, key
        assert record["total"] == 12

    def test_countries_may_be_null_and_codes_are_upper_cased(self, people, api_as):
        response = api_as(people.monitor).post(
            self.url, self.body(nationality="gn", origin_country=None, destination_country=None), format="json"
        )
        assert response.status_code == 201, response.json()
        assert (response.json()["nationality"], response.json()["destination_country"]) == ("GN", None)

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"nationality": "XX"}, "nationality", "Unknown country code"),
            ({"origin_country": "Ivory"}, "origin_country", "Unknown country code"),
            ({"men": -1}, "men", "greater than"),
            ({"women": 0, "girls": 0, "men": 0, "specific_needs": 0}, "non_field_errors", "at least one person"),
            ({"identified_on": "2099-01-01"}, "identified_on", "in the future"),
            ({"identified_on": "02/03/2022"}, "identified_on", "wrong format"),
            ({"unaccompanied_children": 3}, "separated_children", "More unaccompanied and separated children"),
            ({"specific_needs": 40}, "specific_needs", "More persons with specific needs"),
        ],
    )
    def test_invalid_input_is_400_with_a_message_on_the_field(self, people, api_as, overrides, field, message):
        response = api_as(people.monitor).post(self.url, self.body(**overrides), format="json")
        assert response.status_code == 400
        assert message in str(response.json().get(field)), response.json()
        assert not Movement.objects.exists()

    def test_missing_required_fields_are_named(self, people, api_as):
        response = api_as(people.monitor).post(self.url, {}, format="json")
        assert {"identified_on", "place", "nationality"} <= set(response.json())

    def test_patching_one_count_keeps_the_others(self, people, api_as):
        draft = MovementFactory(created_by=people.monitor)
        response = api_as(people.monitor).patch(f"{self.url}{draft.pk}/", {"version": 1, "boys": 3}, format="json")
        assert response.status_code == 200
        assert response.json()["total"] == 15

    def test_filters_by_nationality_and_search_by_country_name(self, people, api_as):
        ivorian = MovementFactory(created_by=people.monitor)
        MovementFactory(created_by=people.monitor, nationality="GN", origin_country="GN")
        client = api_as(people.monitor)
        assert [row["id"] for row in client.get(self.url, {"nationality": "CI"}).json()["results"]] == [ivorian.pk]
        assert client.get(self.url, {"q": "Guinea"}).json()["count"] == 1
        assert client.get(self.url, {"q": "algeria"}).json()["count"] == 2  # both head for Algeria


class TestHouseholdApi(RecordApiCases):
    url = "/api/v1/households/"
    factory = HouseholdFactory
    edit = ("specific_needs", "Disabled head of household")
    # token with its user, the user's regions, the user's organisation, count, page (with place and its cercle,
    # region, organisation, authors, population group), members
    list_queries = 6

    def body(self, **overrides):
        data = {
            "registered_on": "2022-03-02",
            "registration_number": "GAO-22-00042",
            "head_name": "Fatoumata Maïga",
            "population_group": "idp",
            "place": "ML0701",
            "specific_needs": "",
            "members": [
                {"full_name": "Fatoumata Maïga", "sex": "female", "birth_year": 1980, "is_head": True},
                {"full_name": "Ali Maïga", "sex": "male", "birth_year": 2010},
                {"full_name": "Awa Maïga", "sex": "female", "birth_year": 2015},
                {"full_name": "Hamma Maïga", "sex": "male", "birth_year": None},
            ],
        }
        data.update(overrides)
        return data

    def test_people_counts_are_derived_from_the_members(self, people, api_as):
        record = api_as(people.monitor).post(self.url, self.body(), format="json").json()
        assert record["people"] == {"women": 1, "girls": 1, "men": 0, "boys": 1, "unknown": 1}
        assert record["size"] == 4
        assert [member["full_name"] for member in record["members"]][0] == "Fatoumata Maïga"

    def test_a_household_may_have_no_registration_number_yet(self, people, api_as):
        client = api_as(people.monitor)
        for _ in range(2):
            response = client.post(self.url, self.body(registration_number=""), format="json")
            assert response.status_code == 201, response.json()
        assert Household.objects.filter(registration_number="").count() == 2

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"population_group": "martians"}, "population_group", "Unknown code"),
            ({"registered_on": "2099-01-01"}, "registered_on", "in the future"),
            ({"head_name": ""}, "head_name", "may not be blank"),
            ({"members": [{"full_name": "A", "sex": "alien"}]}, "members", "not a valid choice"),
            ({"members": [{"full_name": "A", "birth_year": 1700}]}, "members", "greater than"),
            ({"members": [{"full_name": "A", "birth_year": 2023}]}, "members", "born after the household"),
            (
                {"members": [{"full_name": "A", "is_head": True}, {"full_name": "B", "is_head": True}]},
                "members",
                "one head",
            ),
        ],
    )
    def test_invalid_input_is_400_with_a_message_on_the_field(self, people, api_as, overrides, field, message):
        response = api_as(people.monitor).post(self.url, self.body(**overrides), format="json")
        assert response.status_code == 400
        assert message in str(response.json().get(field)), response.json()
        assert not Household.objects.exists()

    def test_sent_members_replace_the_whole_list(self, people, api_as):
        draft = HouseholdFactory(created_by=people.monitor)
        members = [{"full_name": "Aminata Traoré", "sex": "female", "birth_year": 1985, "is_head": True}]
        response = api_as(people.monitor).patch(
            f"{self.url}{draft.pk}/", {"version": 1, "members": members}, format="json"
        )
        assert [member["full_name"] for member in response.json()["members"]] == ["Aminata Traoré"]
        change = RecordEvent.objects.get(object_id=draft.pk, action="changed")
        assert "Moussa Traoré" in change.changes["members"][0]

    def test_search_by_registration_number_and_member_name(self, people, api_as):
        household = HouseholdFactory(created_by=people.monitor, registration_number="GAO-21-77777")
        HouseholdFactory(created_by=people.monitor, head_name="Oumar Cissé", members=[])
        client = api_as(people.monitor)
        assert [row["id"] for row in client.get(self.url, {"q": "77777"}).json()["results"]] == [household.pk]
        assert [row["id"] for row in client.get(self.url, {"q": "moussa"}).json()["results"]] == [household.pk]
        assert client.get(self.url, {"q": "Cissé"}).json()["count"] == 1


@pytest.fixture
def planted_pair(people):
    """The same family registered twice in Ansongo: once with a number, once (later) without, names re-typed."""
    older = HouseholdFactory(
        created_by=people.monitor,
        status=Status.VERIFIED,
        head_name="Aminata Traoré",
        members=[
            {"full_name": "Aminata Traoré", "sex": "female", "birth_year": 1985, "is_head": True},
            {"full_name": "Moussa Traoré", "sex": "male", "birth_year": 2012},
        ],
    )
    newer = HouseholdFactory(
        created_by=people.partner_monitor,
        registration_number="",
        registered_on=older.registered_on.replace(day=20),
        head_name="Aminata Traore",
        members=[
            {"full_name": "TRAORE Aminata", "sex": "female", "birth_year": 1985, "is_head": True},
            {"full_name": "Fanta Traore", "sex": "female", "birth_year": 2016},
        ],
    )
    return older, newer


class TestDuplicatesAndMerge:
    url = "/api/v1/households/"

    def test_supervisor_lists_the_likely_duplicates_older_first(self, people, api_as, planted_pair):
        older, newer = planted_pair
        answer = api_as(people.supervisor).get(f"{self.url}duplicates/").json()
        assert answer["count"] == 1
        pair = answer["results"][0]
        assert (pair["keep"], pair["merge"], pair["cercle"]) == (older.pk, newer.pk, "ML0701")
        assert pair["matches"][0]["birth_year"] == 1985

    @pytest.mark.parametrize("role", ["monitor", "gbv", "viewer"])
    def test_other_roles_may_not_list_duplicates(self, people, api_as, role, planted_pair):
        assert api_as(getattr(people, role)).get(f"{self.url}duplicates/").status_code == 403

    def test_outsider_sees_no_duplicates_of_another_region(self, people, api_as, planted_pair):
        assert api_as(people.outsider).get(f"{self.url}duplicates/").json()["count"] == 0

    def test_supervisor_merges_the_newer_into_the_older(self, people, api_as, planted_pair):
        older, newer = planted_pair
        response = api_as(people.supervisor).post(f"{self.url}{newer.pk}/merge/", {"into": older.pk}, format="json")
        assert response.status_code == 200, response.json()
        kept = response.json()
        assert kept["id"] == older.pk
        assert sorted(member["full_name"] for member in kept["members"]) == [
            "Aminata Traoré",
            "Fanta Traore",
            "Moussa Traoré",
        ]
        newer.refresh_from_db()
        assert (newer.status, newer.merged_into_id) == ("archived", older.pk)

    def test_merging_the_older_into_the_newer_is_refused(self, people, api_as, planted_pair):
        older, newer = planted_pair
        response = api_as(people.supervisor).post(f"{self.url}{older.pk}/merge/", {"into": newer.pk}, format="json")
        assert response.status_code == 400
        assert "registered first" in str(response.json()["into"])

    def test_monitor_may_not_merge(self, people, api_as, planted_pair):
        older, newer = planted_pair
        response = api_as(people.monitor).post(f"{self.url}{newer.pk}/merge/", {"into": older.pk}, format="json")
        assert response.status_code == 403

    def test_outsider_gets_404(self, people, api_as, planted_pair):
        older, newer = planted_pair
        response = api_as(people.outsider).post(f"{self.url}{newer.pk}/merge/", {"into": older.pk}, format="json")
        assert response.status_code == 404

    def test_a_household_outside_scope_or_missing_is_400_on_into(self, people, api_as, planted_pair):
        _older, newer = planted_pair
        response = api_as(people.supervisor).post(f"{self.url}{newer.pk}/merge/", {"into": 999999}, format="json")
        assert response.status_code == 400
        assert "into" in response.json()

    def test_merging_an_archived_household_is_409(self, people, api_as, planted_pair):
        older, newer = planted_pair
        client = api_as(people.supervisor)
        assert client.post(f"{self.url}{newer.pk}/merge/", {"into": older.pk}, format="json").status_code == 200
        assert client.post(f"{self.url}{newer.pk}/merge/", {"into": older.pk}, format="json").status_code == 409
