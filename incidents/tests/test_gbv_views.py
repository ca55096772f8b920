"""The GBV referral pages: need-to-know, the access log, the form's rules, consent, closure, services, the board."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from core.choices import Status
from core.models import AdminArea, AuditEntry, GbvIncidentType, GbvService, PopulationGroup, RecordEvent
from incidents.choices import CaseStatus, ServiceStatus
from incidents.models import GbvReferral
from incidents.tests.factories import GbvReferralFactory, IncidentFactory

pytestmark = pytest.mark.django_db

LIST, CREATE, BOARD = reverse("incidents:gbv-list"), reverse("incidents:gbv-create"), reverse("incidents:gbv-board")


def _viewed():
    """The audit log's GBV record views (sign-ins are in the log too)."""
    return AuditEntry.objects.filter(action=AuditEntry.Action.GBV_RECORD_VIEWED)


def _pk(model, code: str) -> int:
    field = "pcode" if model is AdminArea else "code"
    return model.objects.get(**{field: code}).pk


def service_row(index: int, service: str = "health", **values: Any) -> dict[str, Any]:
    row = {"service": _pk(GbvService, service), "organisation": "CSCom Ansongo", "referred_on": "2022-03-15"}
    row.update({"status": "pending", "provided_on": "", "follow_up_on": "", "notes": ""})
    row.update(values)
    return {f"services-{index}-{key}": value for key, value in row.items()}


def form_data(*services: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A filled referral form as the page posts it: one health service unless others are given; a field given
    as None is left out (an unticked box)."""
    services = services if services else (service_row(0),)
    data = {
        "survivor_code": "GAO-2022-0042",
        "reported_on": "2022-03-15",
        "place": _pk(AdminArea, "ML0701"),
        "sex": "female",
        "age": "16",
        "population_group": _pk(PopulationGroup, "idp"),
        "incident_type": _pk(GbvIncidentType, "physical_assault"),
        "incident_date": "",
        "consent_to_referral": "on",
        "consent_to_reporting": "on",
        "incident": "",
        "notes": "",
        "services-TOTAL_FORMS": str(len(services)),
        "services-INITIAL_FORMS": "0",
        "action": "draft",
    }
    for row in services:
        data.update(row)
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def detail_url(referral: GbvReferral) -> str:
    return reverse("incidents:gbv-detail", args=[referral.pk])


def record_pages(referral: GbvReferral) -> list[tuple[str, str, dict[str, Any]]]:
    """Every page of one referral: (method, url, data)."""
    pk, version = referral.pk, {"version": referral.version}
    service = referral.services.first()
    assert service is not None
    return [
        ("get", detail_url(referral), {}),
        ("get", reverse("incidents:gbv-edit", args=[pk]), {}),
        ("post", reverse("incidents:gbv-edit", args=[pk]), form_data()),
        ("post", reverse("incidents:gbv-step", args=[pk, "verify"]), version),
        ("post", reverse("incidents:gbv-step", args=[pk, "archive"]), {**version, "confirm": "1"}),
        ("post", reverse("incidents:gbv-closure", args=[pk, "request"]), version),
        ("post", reverse("incidents:gbv-closure", args=[pk, "approve"]), version),
        ("post", reverse("incidents:gbv-consent", args=[pk]), {**version, "confirm": "1"}),
        ("post", reverse("incidents:gbv-comment", args=[pk]), {"comment": "Seen"}),
        (
            "post",
            reverse("incidents:gbv-service-provided", args=[pk, service.pk]),
            {**version, "provided_on": "2021-12-12"},
        ),
    ]


@pytest.fixture
def referral(people) -> GbvReferral:
    return GbvReferralFactory(
        created_by=people.gbv, status=Status.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=2)
    )


@pytest.fixture
def other_focal_point(people):
    return make_user("gbv2", "gbv_focal_point", ["ML07"], people.gbv.organisation)


class TestNeedToKnow:
    @pytest.fixture(params=["monitor", "supervisor", "admin", "superuser", "viewer", "outsider", "partner_monitor"])
    def reader(self, request, people):
        if request.param == "superuser":
            people.admin.is_superuser = people.admin.is_staff = True
            people.admin.save()
            return people.admin
        return getattr(people, request.param)

    def test_other_roles_get_403_on_collection_pages_and_404_on_every_record_page(self, client, referral, reader):
        client.force_login(reader)
        for url in (LIST, CREATE, BOARD):
            assert client.get(url).status_code == 403, url
        assert client.post(CREATE, form_data()).status_code == 403
        for method, url, data in record_pages(referral):
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, f"{method} {url}"
            assert referral.survivor_code not in response.content.decode()
        referral.refresh_from_db()
        assert referral.status == Status.SUBMITTED
        assert referral.version == 1
        assert not _viewed().exists()

    def test_gbv_records_never_show_in_their_lists_search_queue_or_my_records(self, client, referral, reader):
        client.force_login(reader)
        for url in ("/incidents/", "/review/", "/my-records/", "/"):
            html = client.get(url).content.decode()
            assert referral.survivor_code not in html, url
            assert detail_url(referral) not in html, url
            assert "GBV referral #" not in html, url
            assert LIST not in html
            assert BOARD not in html
        search = client.get("/incidents/", {"q": referral.survivor_code})
        if search.status_code == 200:  # viewers read no list at all (403)
            html = search.content.decode()
            assert "No incident matches these filters." in html
            assert detail_url(referral) not in html

    def test_a_focal_point_of_another_region_gets_404_and_an_empty_list(self, people, client, referral):
        mopti = make_user("gbv_mopti", "gbv_focal_point", ["ML05"], people.gbv.organisation)
        client.force_login(mopti)
        assert client.get(detail_url(referral)).status_code == 404
        html = client.get(LIST, {"q": referral.survivor_code}).content.decode()
        assert detail_url(referral) not in html
        assert "No referral matches these filters." in html
        assert referral.survivor_code not in client.get("/review/").content.decode()

    def test_the_menu_offers_gbv_pages_to_focal_points(self, people, client):
        client.force_login(people.gbv)
        html = client.get("/").content.decode()
        assert f'href="{LIST}"' in html
        assert f'href="{BOARD}"' in html
        assert "Review queue" in html


class TestAccessLog:
    def test_the_detail_page_logs_the_view(self, people, client, referral):
        client.force_login(people.gbv)
        assert client.get(detail_url(referral)).status_code == 200
        logged = _viewed().get()
        assert (logged.actor, logged.object_id, logged.details) == (people.gbv, str(referral.pk), {"channel": "page"})
        assert logged.object_type == GbvReferral._meta.label_lower

    def test_the_list_logs_each_record_it_shows(self, people, client, referral):
        other = GbvReferralFactory(created_by=people.gbv)
        GbvReferralFactory(created_by=people.gbv, place=AdminArea.objects.get(pcode="ML0501"))  # Mopti: not shown
        client.force_login(people.gbv)
        html = client.get(LIST).content.decode()
        assert referral.survivor_code in html
        assert other.survivor_code in html
        logged = _viewed().filter(actor=people.gbv, details__channel="page")
        assert sorted(logged.values_list("object_id", flat=True)) == sorted([str(referral.pk), str(other.pk)])

    def test_the_queue_logs_the_referrals_it_shows(self, people, client, referral, other_focal_point):
        client.force_login(other_focal_point)
        html = client.get("/review/").content.decode()
        assert f"GBV referral #{referral.pk}" in html
        assert list(_viewed().values_list("object_id", flat=True)) == [str(referral.pk)]

    def test_list_query_count_does_not_grow_with_the_referrals(self, people, client):
        def count_queries(total: int) -> int:
            GbvReferral.objects.all().delete()
            for _ in range(total):
                GbvReferralFactory(created_by=people.gbv, services=[{"service": "health"}, {"service": "legal"}])
            with CaptureQueriesContext(connection) as queries:
                assert client.get(LIST).status_code == 200
            return len(queries)

        client.force_login(people.gbv)
        # session, user, regions; the count, the page's referrals and their services; the access log written;
        # unread notifications; the session saved
        assert count_queries(5) == count_queries(50)

    def test_detail_and_board_query_budgets(self, people, client, referral, django_assert_max_num_queries):
        today = timezone.localdate()
        for _ in range(3):
            GbvReferralFactory(
                created_by=people.gbv,
                services=[
                    {"service": "health", "follow_up_on": today - datetime.timedelta(days=2)},
                    {"service": "legal", "follow_up_on": today - datetime.timedelta(days=3)},
                ],
            )
        client.force_login(people.gbv)
        # session, user, regions; the referral (with its references) and its services; the access log (content
        # type, insert); the history (with actors); unread notifications; the session saved (3)
        with django_assert_max_num_queries(12):
            client.get(detail_url(referral))
        # session, user, regions; the count and the page's services (with their referrals and regions); the access
        # log written; unread notifications; the session saved (3)
        with django_assert_max_num_queries(10):
            assert client.get(BOARD).status_code == 200


class TestForm:
    def test_focal_point_enters_a_referral_with_two_services_and_submits_it(self, people, client):
        client.force_login(people.gbv)
        html = client.get(CREATE).content.decode()
        assert "Survivor code" in html
        assert "never a name" in html
        assert 'name="name"' not in html
        assert "data-draft-key" not in html
        data = form_data(service_row(0), service_row(1, "psychosocial", follow_up_on="2022-03-20"), action="submit")
        response = client.post(CREATE, data)
        referral = GbvReferral.objects.get()
        assert response.status_code == 302
        assert response["Location"] == detail_url(referral)
        assert referral.status == Status.SUBMITTED
        assert referral.region.pcode == "ML07"
        assert sorted(item.service.code for item in referral.services.all()) == ["health", "psychosocial"]

    @pytest.mark.parametrize("code", ["Aminata Traoré", "aminata", "GAO 2022 42"])
    def test_a_survivor_code_that_could_be_a_name_is_refused_on_the_field(self, people, client, code):
        client.force_login(people.gbv)
        response = client.post(CREATE, form_data(survivor_code=code))
        assert response.status_code == 400
        assert "e.g. GAO-22-0001" in response.content.decode()
        assert "never a name." in response.content.decode()
        assert not GbvReferral.objects.exists()

    def test_without_consent_to_referral_the_services_part_says_why(self, people, client):
        client.force_login(people.gbv)
        response = client.post(CREATE, form_data(consent_to_referral=None))
        html = response.content.decode()
        assert response.status_code == 400
        assert "The survivor did not consent to be referred: no service can be referred." in html
        assert html.index("did not consent") > html.index('id="services"')  # on the services part of the form
        assert (
            client.post(CREATE, form_data(consent_to_referral=None, **{"services-TOTAL_FORMS": "0"})).status_code == 302
        )

    @pytest.mark.parametrize(
        ("values", "message"),
        [
            ({"status": "provided"}, "Service 1: give the date the service was provided."),
            ({"provided_on": "2022-03-16"}, "Service 1: a date provided only goes with the status “provided”."),
            (
                {"status": "provided", "provided_on": "2022-03-01"},
                "it cannot have been provided before it was referred",
            ),
            ({"follow_up_on": "2022-03-01"}, "Service 1: the follow-up date comes before the date referred."),
        ],
    )
    def test_service_status_rules_show_on_the_form(self, people, client, values, message):
        client.force_login(people.gbv)
        response = client.post(CREATE, form_data(service_row(0, **values)))
        assert response.status_code == 400
        assert message in response.content.decode()

    def test_links_only_an_incident_the_focal_point_may_read(self, people, client):
        gao = IncidentFactory(created_by=people.monitor)
        mopti = IncidentFactory(created_by=people.outsider, place=AdminArea.objects.get(pcode="ML0501"))
        client.force_login(people.gbv)
        response = client.post(CREATE, form_data(incident=mopti.pk))
        assert response.status_code == 400
        assert "No incident with this number in your scope." in response.content.decode()
        assert client.post(CREATE, form_data(incident=gao.pk)).status_code == 302
        assert GbvReferral.objects.get().incident == gao

    def test_editing_keeps_the_services_and_consent_is_not_untaken_here(self, people, client, referral):
        client.force_login(people.gbv)
        html = client.get(reverse("incidents:gbv-edit", args=[referral.pk])).content.decode()
        assert 'name="consent_to_referral"' in html
        assert "disabled" in html
        data = form_data(
            service_row(0, referred_on="2021-12-10"),
            consent_to_referral=None,  # a disabled box is not sent: the saved consent stands
            reported_on="2021-12-10",
            age="17",
            version=str(referral.version),
            **{"services-INITIAL_FORMS": "1"},
        )
        response = client.post(reverse("incidents:gbv-edit", args=[referral.pk]), data)
        assert response.status_code == 302
        referral.refresh_from_db()
        assert referral.age == 17
        assert referral.consent_to_referral
        assert referral.services.count() == 1

    def test_a_stale_version_shows_the_conflict(self, people, client, referral):
        client.force_login(people.gbv)
        data = form_data(reported_on="2021-12-10", version="1")
        assert client.post(reverse("incidents:gbv-edit", args=[referral.pk]), data).status_code == 302
        response = client.post(reverse("incidents:gbv-edit", args=[referral.pk]), data)
        assert response.status_code == 409
        assert "Someone else changed this referral" in response.content.decode()


class TestSteps:
    def test_the_author_cannot_verify_another_focal_point_does(self, people, client, referral, other_focal_point):
        url = reverse("incidents:gbv-step", args=[referral.pk, "verify"])
        client.force_login(people.gbv)
        assert client.post(url, {"version": 1}).status_code == 403
        client.force_login(other_focal_point)
        assert client.post(url, {"version": 1}).status_code == 302
        referral.refresh_from_db()
        assert referral.status == Status.VERIFIED
        assert referral.reviewed_by == other_focal_point
        assert client.post(url, {"version": 1}).status_code == 409  # stale, and no longer submitted

    def test_return_needs_a_comment_and_archive_is_confirmed_first(self, people, client, referral, other_focal_point):
        client.force_login(other_focal_point)
        response = client.post(reverse("incidents:gbv-step", args=[referral.pk, "return"]), {"version": 1})
        assert response.status_code == 400
        assert "Write a comment for the author." in response.content.decode()
        response = client.post(reverse("incidents:gbv-step", args=[referral.pk, "archive"]), {"version": 1})
        assert response.status_code == 200
        assert "Archive GBV referral" in response.content.decode()
        referral.refresh_from_db()
        assert referral.status == Status.SUBMITTED

    def test_a_focal_point_reviews_gbv_referrals_from_the_queue(self, people, client, referral, other_focal_point):
        client.force_login(people.supervisor)
        assert f"#{referral.pk}" not in client.get("/review/").content.decode()
        client.force_login(other_focal_point)
        html = client.get("/review/").content.decode()
        step_url = reverse("incidents:gbv-step", args=[referral.pk, "verify"])
        assert f"GBV referral #{referral.pk}" in html
        assert step_url in html
        response = client.post(step_url, {"version": 1, "next": "/review/"})
        assert response.status_code == 302
        assert response["Location"] == "/review/"


class TestCase:
    def test_closing_needs_a_second_focal_point_and_both_are_in_the_history(
        self, people, client, referral, other_focal_point
    ):
        client.force_login(people.gbv)
        url = reverse("incidents:gbv-closure", args=[referral.pk, "request"])
        assert client.post(url, {"version": 1}).status_code == 302
        html = client.get(detail_url(referral)).content.decode()
        assert "another focal point of the region approves it" in html
        assert "Approve closure" not in html
        response = client.post(reverse("incidents:gbv-closure", args=[referral.pk, "approve"]), {"version": 2})
        assert response.status_code == 403
        assert "You asked to close this case: another focal point must approve it." in response.content.decode()

        client.force_login(other_focal_point)
        assert "Approve closure" in client.get(detail_url(referral)).content.decode()
        assert (
            client.post(reverse("incidents:gbv-closure", args=[referral.pk, "approve"]), {"version": 2}).status_code
            == 302
        )
        referral.refresh_from_db()
        assert referral.case_status == CaseStatus.CLOSED
        html = client.get(detail_url(referral)).content.decode()
        assert "Closure requested" in html
        assert "Case closed" in html
        assert "This case is closed." in html

    def test_withdrawing_consent_is_confirmed_then_anonymises(self, people, client, referral):
        client.force_login(people.gbv)
        url = reverse("incidents:gbv-consent", args=[referral.pk])
        response = client.post(url, {"version": 1, "withdraw_reporting": "on"})
        assert response.status_code == 200
        assert "Withdraw consent for GBV referral" in response.content.decode()
        assert GbvReferral.objects.get().consent_to_referral  # asked, not done yet
        assert client.post(url, {"version": 1, "withdraw_reporting": "on", "confirm": "1"}).status_code == 302
        referral.refresh_from_db()
        assert not referral.consent_to_referral
        assert not referral.consent_to_reporting
        assert referral.notes == ""
        assert referral.anonymised_at is not None
        assert referral.services.get().organisation == ""
        html = client.get(detail_url(referral)).content.decode()
        assert "free text was cleared" in html
        assert "no longer counts in shared statistics" in html
        assert "family is supportive" not in html

    def test_consent_to_be_counted_stands_unless_withdrawn_too(self, people, client, referral):
        client.force_login(people.gbv)
        client.post(reverse("incidents:gbv-consent", args=[referral.pk]), {"version": 1, "confirm": "1"})
        referral.refresh_from_db()
        assert not referral.consent_to_referral
        assert referral.consent_to_reporting
        assert RecordEvent.objects.filter(object_id=referral.pk, action="anonymised").exists()

    def test_the_withdrawal_line_reads_in_the_readers_language(self, people, client, referral):
        """The history line is written by the system, so it is stored as its English source and shown in the
        language of whoever reads it (it used to be stored in the writer's language: English for a French reader)."""
        client.force_login(people.gbv)
        url = reverse("incidents:gbv-consent", args=[referral.pk])
        assert client.post(url, {"version": 1, "confirm": "1"}).status_code == 302
        event = RecordEvent.objects.get(object_id=referral.pk, action="anonymised")
        assert event.comment == "Consent withdrawn: free text cleared."
        assert "Consent withdrawn: free text cleared." in client.get(detail_url(referral)).content.decode()
        client.post(reverse("set_language"), {"language": "fr", "next": "/"})
        html = client.get(detail_url(referral)).content.decode()
        assert "Consentement retiré\u00a0: texte libre effacé." in html
        assert "Consent withdrawn: free text cleared." not in html


class TestServices:
    def test_marking_one_service_provided(self, people, client):
        referral = GbvReferralFactory(created_by=people.gbv, services=[{"service": "health"}, {"service": "legal"}])
        health = referral.services.get(service__code="health")
        client.force_login(people.gbv)
        url = reverse("incidents:gbv-service-provided", args=[referral.pk, health.pk])
        assert client.post(url, {"version": 1, "provided_on": "2021-12-12"}).status_code == 302
        statuses = dict(referral.services.values_list("service__code", "status"))
        assert statuses == {"health": ServiceStatus.PROVIDED, "legal": ServiceStatus.PENDING}
        # From the page as it was before: the referral was saved since, so it is a conflict.
        legal = reverse("incidents:gbv-service-provided", args=[referral.pk, health.pk + 1])
        response = client.post(legal, {"version": 1, "provided_on": "2021-12-12"})
        assert response.status_code == 409
        assert "Someone else saved this record" in response.content.decode()

    def test_marking_a_service_provided_keeps_a_verified_referral_verified(self, people, client):
        referral = GbvReferralFactory(created_by=people.gbv, status="verified")
        client.force_login(people.gbv)
        url = reverse("incidents:gbv-service-provided", args=[referral.pk, referral.services.get().pk])
        assert client.post(url, {"version": 1, "provided_on": "2021-12-12"}).status_code == 302
        referral.refresh_from_db()
        assert referral.status == "verified"
        assert referral.services.get().status == ServiceStatus.PROVIDED

    def test_a_service_cannot_be_provided_before_it_was_referred(self, people, client, referral):
        client.force_login(people.gbv)
        url = reverse("incidents:gbv-service-provided", args=[referral.pk, referral.services.get().pk])
        response = client.post(url, {"version": 1, "provided_on": "2021-12-01"})
        assert response.status_code == 400
        assert "it cannot have been provided before it was referred" in response.content.decode()

    def test_the_board_lists_overdue_services_by_region_oldest_first(self, people, client):
        today = timezone.localdate()
        late = GbvReferralFactory(
            created_by=people.gbv,
            services=[
                {"service": "health", "follow_up_on": today - datetime.timedelta(days=2)},
                {"service": "legal", "follow_up_on": today - datetime.timedelta(days=9)},
                {"service": "psychosocial", "follow_up_on": today + datetime.timedelta(days=2)},
            ],
        )
        mopti = GbvReferralFactory(
            created_by=people.gbv,
            place=AdminArea.objects.get(pcode="ML0501"),
            services=[{"service": "health", "follow_up_on": today - datetime.timedelta(days=3)}],
        )
        client.force_login(people.gbv)
        html = client.get(BOARD).content.decode()
        assert html.index("Legal") < html.index("Health")  # the oldest follow-up first
        assert "Psychosocial" not in html
        assert mopti.survivor_code not in html
        assert list(_viewed().values_list("object_id", flat=True)) == [str(late.pk)]
