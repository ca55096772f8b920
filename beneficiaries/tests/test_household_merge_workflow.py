"""A household merge goes through the shared workflow (issue 12): a stale version of either household is a 409,
every record it re-links is changed as any edit is (version bumped, closed month obeyed, a history line with the
household old → new), and nothing is changed when the merge is refused."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from activities.models import AssistanceEvent
from activities.tests.factories import AssistanceFactory
from beneficiaries import services
from beneficiaries.models import Household
from beneficiaries.tests.factories import HouseholdFactory
from core import closing, workflow
from core.choices import Status
from core.models import AdminArea, ClosedMonth, RecordEvent

API = "/api/v1/households/"


@pytest.fixture
def family(people):
    """Two registrations of one family, the older verified, and the assistance that reached them: one event for the
    older only, one for the newer only (in October), one for the newer and another household, one for both."""
    older = HouseholdFactory(created_by=people.monitor, status=Status.VERIFIED, registered_on=datetime.date(2021, 3, 1))
    newer = HouseholdFactory(
        created_by=people.monitor,
        registered_on=datetime.date(2021, 11, 1),
        registration_number="",
        members=[
            {"full_name": "Aminata Traoré", "sex": "female", "birth_year": 1985, "is_head": True},
            {"full_name": "Fanta Traoré", "sex": "female", "birth_year": 2018},
        ],
    )
    other = HouseholdFactory(created_by=people.monitor)
    events = {
        "older_only": AssistanceFactory(created_by=people.monitor, households_assisted=[older]),
        "october": AssistanceFactory(
            created_by=people.monitor, delivered_on=datetime.date(2021, 10, 5), households_assisted=[newer]
        ),
        "with_other": AssistanceFactory(created_by=people.monitor, households_assisted=[newer, other]),
        "both": AssistanceFactory(created_by=people.monitor, households_assisted=[older, newer]),
    }
    return older, newer, other, events


def _relinked(events: dict[str, AssistanceEvent]) -> list[AssistanceEvent]:
    return [events[name] for name in ("october", "with_other", "both")]


def _state(older: Household, newer: Household, events: dict[str, AssistanceEvent]) -> dict[str, object]:
    """Everything a merge would change, read afresh."""
    households = {household.pk: household for household in Household.objects.filter(pk__in=[older.pk, newer.pk])}
    return {
        "households": {
            pk: (household.version, household.status, household.merged_into_id, household.changed_after_closing)
            for pk, household in households.items()
        },
        "members": sorted(households[newer.pk].members.values_list("full_name", flat=True)),
        "events": {
            name: (
                event.version,
                event.changed_after_closing,
                sorted(event.households_assisted.values_list("pk", flat=True)),
            )
            for name, event in ((name, AssistanceEvent.objects.get(pk=event.pk)) for name, event in events.items())
        },
        "history": RecordEvent.objects.filter(action=RecordEvent.Action.MERGED).count(),
    }


def _stale(record: Household) -> int:
    """The version a page opened before someone else saved `record`: that save happens now."""
    opened = record.version
    Household.objects.filter(pk=record.pk).update(version=opened + 1)
    return opened


# --- version conflicts


class TestVersions:
    @pytest.mark.parametrize("stale", ["version", "into_version"])
    def test_api_merge_on_a_stale_version_of_either_household_is_409_and_changes_nothing(
        self, people, api_as, family, stale
    ):
        older, newer, _other, events = family
        body = {"into": older.pk, "version": newer.version, "into_version": older.version}
        body[stale] = _stale(newer if stale == "version" else older)
        before = _state(older, newer, events)
        response = api_as(people.supervisor).post(f"{API}{newer.pk}/merge/", body, format="json")
        assert response.status_code == 409, response.json()
        assert f"#{(newer if stale == 'version' else older).pk}" in response.json()["detail"]
        assert _state(older, newer, events) == before

    def test_api_version_that_is_not_a_whole_number_is_400(self, people, api_as, family):
        older, newer, _other, _events = family
        body = {"into": older.pk, "version": "three", "into_version": older.version}
        response = api_as(people.supervisor).post(f"{API}{newer.pk}/merge/", body, format="json")
        assert response.status_code == 400
        assert "version" in response.json()

    def test_the_confirmation_page_carries_both_versions(self, people, client, family):
        older, newer, _other, _events = family
        client.force_login(people.supervisor)
        html = client.post(reverse("beneficiaries:household-merge", args=[newer.pk]), {"into": older.pk}).content
        assert f'name="version" value="{newer.version}"' in html.decode()
        assert f'name="into_version" value="{older.version}"' in html.decode()

    @pytest.mark.parametrize("stale", ["version", "into_version"])
    def test_page_merge_on_a_stale_version_of_either_household_is_409_and_changes_nothing(
        self, people, client, family, stale
    ):
        older, newer, _other, events = family
        body = {"into": older.pk, "confirm": "1", "version": newer.version, "into_version": older.version}
        body[stale] = _stale(newer if stale == "version" else older)
        before = _state(older, newer, events)
        client.force_login(people.supervisor)
        response = client.post(reverse("beneficiaries:household-merge", args=[newer.pk]), body)
        assert response.status_code == 409
        assert "after you opened" in response.content.decode()
        assert _state(older, newer, events) == before

    def test_a_merge_on_current_versions_bumps_both_households_and_every_relinked_record(self, people, api_as, family):
        older, newer, other, events = family
        before = _state(older, newer, events)
        body = {"into": older.pk, "version": newer.version, "into_version": older.version}
        response = api_as(people.supervisor).post(f"{API}{newer.pk}/merge/", body, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["version"] == older.version + 1
        after = _state(older, newer, events)
        assert after["households"][older.pk][0] == older.version + 1
        # Merged (one change), then archived (one step).
        assert after["households"][newer.pk][0] == newer.version + 2
        for name in ("october", "with_other", "both"):
            assert after["events"][name][0] == before["events"][name][0] + 1, name
            assert after["events"][name][2] == sorted({older.pk, *({other.pk} if name == "with_other" else set())})
        assert after["events"]["older_only"] == before["events"]["older_only"]
        assert Household.objects.get(pk=other.pk).version == other.version


# --- closed months


def _close(month: datetime.date, people) -> None:
    ClosedMonth.objects.create(month=month, is_closed=True, closed_by=people.admin)


class TestClosedMonths:
    def test_a_non_admin_may_not_relink_a_record_of_a_closed_month(self, people, family):
        older, newer, _other, events = family
        _close(datetime.date(2021, 10, 1), people)
        before = _state(older, newer, events)
        with pytest.raises(closing.MonthClosed) as refused:
            services.household_merge(household=newer, into=older, by=people.supervisor)
        assert "2021-10" in str(refused.value)
        assert _state(older, newer, events) == before

    def test_api_says_409_naming_the_month(self, people, api_as, family):
        older, newer, _other, events = family
        _close(datetime.date(2021, 10, 1), people)
        before = _state(older, newer, events)
        response = api_as(people.supervisor).post(f"{API}{newer.pk}/merge/", {"into": older.pk}, format="json")
        assert response.status_code == 409
        assert "2021-10" in response.json()["detail"]
        assert _state(older, newer, events) == before

    def test_page_says_409_naming_the_month(self, people, client, family):
        older, newer, _other, events = family
        _close(datetime.date(2021, 10, 1), people)
        before = _state(older, newer, events)
        client.force_login(people.supervisor)
        response = client.post(
            reverse("beneficiaries:household-merge", args=[newer.pk]), {"into": older.pk, "confirm": "1"}
        )
        assert response.status_code == 409
        assert "2021-10" in response.content.decode()
        assert _state(older, newer, events) == before

    def test_an_admin_relinks_and_each_record_of_a_closed_month_is_flagged(self, people, family):
        older, newer, _other, events = family
        _close(datetime.date(2021, 10, 1), people)
        _close(datetime.date(2021, 3, 1), people)  # the kept household's month too
        services.household_merge(household=newer, into=older, by=people.admin)
        after = _state(older, newer, events)
        assert after["events"]["october"][1] is True
        assert after["events"]["october"][2] == [older.pk]
        for name in ("with_other", "both", "older_only"):
            assert after["events"][name][1] is False, name
        assert after["households"][older.pk][3] is True
        assert after["households"][newer.pk][3] is False  # November is open


# --- history


class TestHistory:
    def test_each_relinked_record_has_a_history_line_household_old_to_new(self, people, family):
        older, newer, other, events = family
        services.household_merge(household=newer, into=older, by=people.supervisor)
        expected = {
            "october": [f"#{newer.pk}", f"#{older.pk}"],
            "with_other": [
                ", ".join(f"#{pk}" for pk in sorted((newer.pk, other.pk))),
                ", ".join(f"#{pk}" for pk in sorted((older.pk, other.pk))),
            ],
            "both": [
                ", ".join(f"#{pk}" for pk in sorted((older.pk, newer.pk))),
                f"#{older.pk}",
            ],
        }
        for name, change in expected.items():
            line = workflow.history(events[name]).get(action=RecordEvent.Action.MERGED)
            assert line.actor == people.supervisor, name
            assert line.at is not None
            assert line.changes == {"households_assisted": change}, name
            assert f"#{newer.pk} was merged into #{older.pk}" in line.comment
        assert not workflow.history(events["older_only"]).exists()

    def test_the_kept_and_the_merged_household_say_what_changed(self, people, family):
        older, newer, _other, _events = family
        services.household_merge(household=newer, into=older, by=people.supervisor)
        kept_line = workflow.history(older).get(action=RecordEvent.Action.MERGED)
        assert kept_line.actor == people.supervisor
        assert "Fanta Traoré" not in kept_line.changes["members"][0]
        assert "Fanta Traoré" in kept_line.changes["members"][1]
        merged_line = workflow.history(newer).get(action=RecordEvent.Action.MERGED)
        assert merged_line.actor == people.supervisor
        assert merged_line.changes["merged_into"] == ["", f"#{older.pk}"]
        assert "Fanta Traoré" in merged_line.changes["members"][0]
        assert "Fanta Traoré" not in merged_line.changes["members"][1]


def test_a_relinked_record_outside_the_reviewers_scope_is_still_relinked(people, family):
    """Assistance of another region (entered by an admin of every region) that the reviewer cannot see: the merge,
    theirs to make, still re-links it through the workflow, so no assistance is lost."""
    older, newer, _other, _events = family
    elsewhere = AssistanceFactory(
        created_by=people.admin,
        place=AdminArea.objects.get(pcode="ML0501"),
        households_assisted=[newer],
    )
    services.household_merge(household=newer, into=older, by=people.supervisor)
    elsewhere.refresh_from_db()
    assert list(elsewhere.households_assisted.values_list("pk", flat=True)) == [older.pk]
    assert elsewhere.version == 2
    assert workflow.history(elsewhere).get(action=RecordEvent.Action.MERGED).changes == {
        "households_assisted": [f"#{newer.pk}", f"#{older.pk}"]
    }
