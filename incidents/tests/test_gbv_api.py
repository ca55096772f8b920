"""GBV referrals through the API: need-to-know, consent, anonymisation, closure, survivor codes, services."""

from __future__ import annotations

import datetime

import pytest

from conftest import make_user
from core.choices import Status
from core.models import AuditEntry, Notification, RecordEvent
from incidents.models import GbvReferral
from incidents.selectors import overdue_services
from incidents.services import gbv_notify_overdue_follow_ups
from incidents.tasks import notify_overdue_follow_ups
from incidents.tests.factories import GbvReferralFactory, IncidentFactory

URL = "/api/v1/gbv-referrals/"


def body(**overrides) -> dict:
    data = {
        "survivor_code": "GAO-2022-0042",
        "reported_on": "2022-03-15",
        "place": "ML0701",
        "sex": "female",
        "age": 16,
        "population_group": "idp",
        "incident_type": "physical_assault",
        "incident_date": None,
        "consent_to_referral": True,
        "consent_to_reporting": True,
        "services": [
            {"service": "health", "organisation": "CSCom Ansongo", "referred_on": "2022-03-15", "status": "pending"},
            {"service": "psychosocial", "organisation": "AMSS", "referred_on": "2022-03-15", "status": "pending"},
        ],
    }
    data.update(overrides)
    return data


@pytest.fixture
def other_focal_point(people):
    return make_user("gbv2", "gbv_focal_point", ["ML07"], people.gbv.organisation)


@pytest.fixture
def referral(people):
    return GbvReferralFactory(created_by=people.gbv, status=Status.SUBMITTED)


class TestNeedToKnow:
    @pytest.mark.parametrize("role", ["monitor", "supervisor", "admin", "viewer", "outsider", "partner_monitor"])
    def test_other_roles_get_403_on_the_collection_and_404_on_a_record(self, people, api_as, referral, role):
        client = api_as(getattr(people, role))
        assert client.get(URL).status_code == 403
        assert client.post(URL, body(), format="json").status_code == 403
        assert client.get(f"{URL}{referral.pk}/").status_code == 404
        assert client.post(f"{URL}{referral.pk}/verify/").status_code == 404
        assert client.patch(f"{URL}{referral.pk}/", {"version": 1}, format="json").status_code == 404

    def test_a_focal_point_of_another_region_gets_404(self, people, api_as, referral):
        mopti = make_user("gbv_mopti", "gbv_focal_point", ["ML05"], people.gbv.organisation)
        client = api_as(mopti)
        assert client.get(URL).json()["count"] == 0
        assert client.get(f"{URL}{referral.pk}/").status_code == 404

    def test_a_superuser_admin_sees_none_either(self, people, api_as, referral):
        people.admin.is_superuser = True
        people.admin.save()
        assert api_as(people.admin).get(f"{URL}{referral.pk}/").status_code == 404

    def test_gbv_records_never_appear_in_incident_lists_or_search(self, people, api_as, client):
        # A referral linked to an incident every role below reads: the incident is found by its own words, never
        # by the referral's, and neither its answers nor its page carry the referral's code or notes.
        incident = IncidentFactory(created_by=people.monitor, narrative="Checkpoint ZANDERMOOR, two men beaten.")
        referral = GbvReferralFactory(
            created_by=people.gbv,
            status=Status.SUBMITTED,
            incident=incident,
            notes="Survivor stays with her aunt near QUILLBROOK market.",
        )
        for role in ("monitor", "supervisor", "admin"):
            api = api_as(getattr(people, role))
            assert [row["id"] for row in api.get("/api/v1/incidents/", {"q": "ZANDERMOOR"}).json()["results"]] == [
                incident.pk
            ]
            assert api.get("/api/v1/incidents/", {"q": "QUILLBROOK"}).json()["count"] == 0
            assert api.get("/api/v1/incidents/", {"q": referral.survivor_code}).json()["count"] == 0
            client.force_login(getattr(people, role))
            link = f'href="/incidents/{incident.pk}/"'
            assert link in client.get("/incidents/", {"q": "ZANDERMOOR"}).content.decode()
            assert link not in client.get("/incidents/", {"q": "QUILLBROOK"}).content.decode()
            answers = [
                api.get("/api/v1/incidents/").content.decode(),
                api.get(f"/api/v1/incidents/{incident.pk}/").content.decode(),
                client.get(f"/incidents/{incident.pk}/").content.decode(),
            ]
            for answer in answers:
                assert "QUILLBROOK" not in answer
                assert referral.survivor_code not in answer
            assert "ZANDERMOOR" in answers[1]

    def test_every_read_is_logged_without_content(self, people, api_as, referral):
        client = api_as(people.gbv)
        client.get(f"{URL}{referral.pk}/")
        client.get(URL)
        logged = AuditEntry.objects.filter(
            action=AuditEntry.Action.GBV_RECORD_VIEWED, actor=people.gbv, object_id=str(referral.pk)
        )
        assert [entry.details for entry in logged.order_by("id")] == [{"channel": "api"}, {"channel": "api"}]
        assert {entry.object_type for entry in logged} == {"incidents.gbvreferral"}

    def test_django_admin_has_no_gbv_pages_even_for_a_superuser(self, people, client):
        people.admin.is_superuser = True
        people.admin.save()
        client.force_login(people.admin)
        assert client.get("/admin/incidents/gbvreferral/").status_code == 404
        assert b"gbvreferral" not in client.get("/admin/").content.lower()


class TestCreateAndReview:
    def test_focal_point_creates_a_referral_with_services(self, people, api_as):
        response = api_as(people.gbv).post(URL, body(), format="json")
        assert response.status_code == 201, response.json()
        record = response.json()
        assert (record["status"], record["region"], record["case_status"]) == ("draft", "ML07", "open")
        assert [s["service"] for s in record["services"]] == ["health", "psychosocial"]
        assert "name" not in record

    def test_another_focal_point_verifies_not_the_author(self, people, api_as, referral, other_focal_point):
        assert api_as(people.gbv).post(f"{URL}{referral.pk}/verify/").status_code == 403
        response = api_as(other_focal_point).post(f"{URL}{referral.pk}/verify/")
        assert response.status_code == 200
        assert response.json()["status"] == "verified"

    def test_links_only_an_incident_the_focal_point_may_read(self, people, api_as):
        gao = IncidentFactory(created_by=people.monitor)
        mopti = IncidentFactory(created_by=people.outsider, place=people.outsider.regions.get().children.first())
        client = api_as(people.gbv)
        assert client.post(URL, body(incident=gao.pk), format="json").status_code == 201
        response = client.post(URL, body(incident=mopti.pk, survivor_code="GAO-2022-0043"), format="json")
        assert response.status_code == 400
        assert "incident" in response.json()

    def test_stale_version_is_409(self, people, api_as, referral):
        client = api_as(people.gbv)
        assert client.patch(f"{URL}{referral.pk}/", {"version": 1, "age": 17}, format="json").status_code == 200
        assert client.patch(f"{URL}{referral.pk}/", {"version": 1, "age": 18}, format="json").status_code == 409


class TestRules:
    @pytest.mark.parametrize("code", ["Aminata Traoré", "aminata", "GAO 2022 42", "12"])
    def test_survivor_code_must_follow_the_pattern_so_it_cannot_be_a_name(self, people, api_as, code):
        response = api_as(people.gbv).post(URL, body(survivor_code=code), format="json")
        assert response.status_code == 400
        assert "never a name" in response.json()["survivor_code"][0]

    def test_without_consent_to_referral_no_service_can_be_referred(self, people, api_as):
        response = api_as(people.gbv).post(URL, body(consent_to_referral=False), format="json")
        assert response.status_code == 400
        assert "did not consent to be referred" in str(response.json()["services"])
        assert (
            api_as(people.gbv).post(URL, body(consent_to_referral=False, services=[]), format="json").status_code == 201
        )

    def test_both_consents_are_required_answers(self, people, api_as):
        data = body()
        del data["consent_to_reporting"]
        response = api_as(people.gbv).post(URL, data, format="json")
        assert response.status_code == 400
        assert "consent_to_reporting" in response.json()

    @pytest.mark.parametrize(
        ("service", "message"),
        [
            ({"status": "provided"}, "give the date the service was provided"),
            ({"status": "pending", "provided_on": "2022-03-16"}, "only goes with the status"),
            ({"status": "provided", "provided_on": "2022-03-01"}, "provided before it was referred"),
            ({"follow_up_on": "2022-03-01"}, "follow-up date comes before"),
            ({"status": "lost"}, "is not a valid choice"),
        ],
    )
    def test_service_status_rules(self, people, api_as, service, message):
        row = {"service": "health", "referred_on": "2022-03-15", **service}
        response = api_as(people.gbv).post(URL, body(services=[row]), format="json")
        assert response.status_code == 400
        assert message in str(response.json()["services"])

    def test_marking_a_service_provided(self, people, api_as, referral):
        row = {"service": "health", "referred_on": "2021-12-10", "status": "provided", "provided_on": "2021-12-12"}
        response = api_as(people.gbv).patch(f"{URL}{referral.pk}/", {"version": 1, "services": [row]}, format="json")
        assert response.status_code == 200
        assert response.json()["services"][0]["status"] == "provided"


class TestConsentWithdrawal:
    def test_anonymises_the_record_and_the_history_keeps_no_cleared_text(self, people, api_as, referral):
        client = api_as(people.gbv)
        client.patch(f"{URL}{referral.pk}/", {"version": 1, "notes": "Lives near the market"}, format="json")
        response = client.post(f"{URL}{referral.pk}/withdraw-consent/", {"withdraw_reporting": False}, format="json")
        assert response.status_code == 200
        record = response.json()
        assert record["notes"] == ""
        assert record["consent_to_referral"] is False
        assert record["consent_to_reporting"] is True  # still counted: consent to statistics stands
        assert record["services"][0]["organisation"] == ""
        assert record["anonymised_at"]
        history = RecordEvent.objects.filter(object_id=referral.pk)
        assert history.filter(action="anonymised").exists()
        assert "market" not in str(list(history.values_list("changes", "comment")))

    def test_withdrawing_reporting_consent_too(self, people, api_as, referral):
        response = api_as(people.gbv).post(
            f"{URL}{referral.pk}/withdraw-consent/", {"withdraw_reporting": True}, format="json"
        )
        assert response.json()["consent_to_reporting"] is False


class TestClosure:
    def test_closing_needs_a_second_focal_point(self, people, api_as, referral, other_focal_point):
        assert api_as(people.gbv).post(f"{URL}{referral.pk}/approve-closure/").status_code == 409
        response = api_as(people.gbv).post(f"{URL}{referral.pk}/request-closure/")
        assert response.status_code == 200
        assert response.json()["closure_requested_by"] == "gbv"
        assert api_as(people.gbv).post(f"{URL}{referral.pk}/approve-closure/").status_code == 403
        response = api_as(other_focal_point).post(f"{URL}{referral.pk}/approve-closure/")
        assert response.status_code == 200
        assert response.json()["case_status"] == "closed"
        actions = list(RecordEvent.objects.filter(object_id=referral.pk).values_list("action", "actor__username"))
        assert ("closure_requested", "gbv") in actions
        assert ("closed", "gbv2") in actions

    def test_a_closed_case_cannot_be_asked_to_close_again(self, people, api_as, referral, other_focal_point):
        api_as(people.gbv).post(f"{URL}{referral.pk}/request-closure/")
        api_as(other_focal_point).post(f"{URL}{referral.pk}/approve-closure/")
        assert api_as(people.gbv).post(f"{URL}{referral.pk}/request-closure/").status_code == 409


@pytest.mark.parametrize("rows", [5, 50])
def test_list_runs_a_fixed_number_of_queries(people, api_as, django_assert_num_queries, rows):
    for _ in range(rows):
        GbvReferralFactory(created_by=people.gbv, services=[{"service": "health"}, {"service": "legal"}])
    client = api_as(people.gbv)
    # token with user, regions, organisation, count, page, services (with their service), access log insert
    with django_assert_num_queries(7):
        response = client.get(URL, {"page_size": 200})
    assert response.json()["count"] == rows


def test_list_is_newest_first_and_filtered(people, api_as):
    older = GbvReferralFactory(created_by=people.gbv, reported_on=datetime.date(2021, 11, 2))
    newer = GbvReferralFactory(created_by=people.gbv)
    client = api_as(people.gbv)
    assert [r["id"] for r in client.get(URL).json()["results"]] == [newer.pk, older.pk]
    assert [r["id"] for r in client.get(URL, {"month": "2021-11"}).json()["results"]] == [older.pk]
    assert client.get(URL, {"q": older.survivor_code}).json()["count"] == 1
    assert GbvReferral.objects.count() == 2


class TestFollowUps:
    def test_focal_points_are_notified_once_when_a_follow_up_date_passes(self, people, referral, other_focal_point):
        service = referral.services.get()
        service.follow_up_on = datetime.date(2021, 12, 20)
        service.save()
        assert notify_overdue_follow_ups.delay().get() == 1
        assert notify_overdue_follow_ups.delay().get() == 0  # once per service
        recipients = set(Notification.objects.values_list("recipient__username", flat=True))
        assert recipients == {"gbv", "gbv2"}  # the region's focal points, nobody else
        assert referral.survivor_code not in Notification.objects.first().message

    def test_provided_services_are_not_chased(self, people, referral):
        referral.services.update(
            status="provided", provided_on=datetime.date(2021, 12, 11), follow_up_on=datetime.date(2021, 12, 20)
        )
        assert gbv_notify_overdue_follow_ups() == 0

    def test_the_board_lists_overdue_services_oldest_first(self, people, other_focal_point):
        late = GbvReferralFactory(
            created_by=people.gbv, services=[{"service": "health", "follow_up_on": datetime.date(2021, 12, 11)}]
        )
        later = GbvReferralFactory(
            created_by=people.gbv, services=[{"service": "legal", "follow_up_on": datetime.date(2021, 12, 15)}]
        )
        GbvReferralFactory(
            created_by=people.gbv, services=[{"service": "legal", "follow_up_on": datetime.date(2099, 1, 1)}]
        )
        board = list(overdue_services(user=other_focal_point, today=datetime.date(2022, 1, 1)))
        assert [service.referral_id for service in board] == [late.pk, later.pk]
        assert list(overdue_services(user=people.supervisor, today=datetime.date(2022, 1, 1))) == []
