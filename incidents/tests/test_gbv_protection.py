"""What protects a GBV survivor beyond need-to-know (SPEC.md "Access and data protection"): withdrawing consent
clears every free text, wherever it was copied; every answer holding a referral is in the access log; a survivor
code cannot be a name; closed cases lose their free text after the retention period; e-mails never carry text."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import cast

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import connection
from django.db.models import QuerySet
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings
from rest_framework.test import APIClient

from conftest import make_user
from core import workflow
from core.choices import Status
from core.models import AuditEntry, Notification, RecordEvent, User
from incidents import services
from incidents.choices import CaseStatus
from incidents.models import GbvReferral
from incidents.tasks import clear_closed_case_text
from incidents.tests.factories import GbvReferralFactory, IncidentFactory
from incidents.tests.test_gbv_api import body
from incidents.tests.test_gbv_views import form_data

pytestmark = pytest.mark.django_db

URL = "/api/v1/gbv-referrals/"


def viewed(**conditions: object) -> QuerySet[AuditEntry]:
    """The audit log's GBV record views matching `conditions`."""
    return AuditEntry.objects.filter(action=AuditEntry.Action.GBV_RECORD_VIEWED, **conditions)


RETURN_COMMENT = "Survivor M. T., lives behind the mosque, phone 7612"
# Pieces of the comment that would identify her on their own.
IDENTIFYING = ("mosque", "7612", "M. T.")


@pytest.fixture
def other_focal_point(people: SimpleNamespace) -> User:
    return cast(User, make_user("gbv2", "gbv_focal_point", ["ML07"], people.gbv.organisation))


@pytest.fixture
def referral(people: SimpleNamespace) -> GbvReferral:
    return GbvReferralFactory(created_by=people.gbv, status=Status.SUBMITTED)


def _all_database_text() -> Iterator[tuple[str, str]]:
    """Every text value of every table, as (table, value): what is left on disk, whatever copied it where."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 -- table names come from the schema itself
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, str):
                        yield table, value


def _leaks(text: str) -> list[str]:
    return [piece for piece in IDENTIFYING if piece in text]


class TestConsentWithdrawalClearsEveryCopy:
    def test_a_return_comment_is_gone_from_record_page_api_history_notifications_and_tables(
        self,
        people: SimpleNamespace,
        api_as: Callable[[User], APIClient],
        client: Client,
        referral: GbvReferral,
        other_focal_point: User,
    ) -> None:
        returned = api_as(other_focal_point).post(f"{URL}{referral.pk}/return/", {"comment": RETURN_COMMENT})
        assert returned.status_code == 200
        workflow.add_comment(referral, by=other_focal_point, text=f"Called her: {RETURN_COMMENT}")
        # The return reached the author, text and all: what has to be cleared is there to start with.
        assert _leaks(Notification.objects.get(recipient=people.gbv).message)
        assert any(_leaks(value) for _table, value in _all_database_text())

        withdrawn = api_as(people.gbv).post(f"{URL}{referral.pk}/withdraw-consent/", {"withdraw_reporting": False})
        assert withdrawn.status_code == 200

        referral.refresh_from_db()
        assert not _leaks(referral.review_note)
        assert not _leaks(str(withdrawn.json()))
        assert not _leaks(api_as(people.gbv).get(f"{URL}{referral.pk}/").content.decode())
        client.force_login(people.gbv)
        assert not _leaks(client.get(reverse("incidents:gbv-detail", args=[referral.pk])).content.decode())
        assert not _leaks(client.get(reverse("notifications")).content.decode())
        history = RecordEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(GbvReferral), object_id=referral.pk
        )
        assert not _leaks(str(list(history.values_list("changes", "comment"))))
        # The author still knows something happened to the referral, without the text.
        notification = Notification.objects.get(recipient=people.gbv)
        assert f"#{referral.pk}" in notification.message
        assert not _leaks(notification.message)
        assert [(table, value) for table, value in _all_database_text() if _leaks(value)] == []

    def test_a_rejection_reason_is_cleared_too(
        self,
        people: SimpleNamespace,
        api_as: Callable[[User], APIClient],
        referral: GbvReferral,
        other_focal_point: User,
    ) -> None:
        api_as(other_focal_point).post(f"{URL}{referral.pk}/reject/", {"reason": RETURN_COMMENT})
        api_as(people.gbv).post(f"{URL}{referral.pk}/withdraw-consent/", {"withdraw_reporting": True})
        assert [(table, value) for table, value in _all_database_text() if _leaks(value)] == []

    def test_another_referrals_notifications_are_kept(
        self,
        people: SimpleNamespace,
        api_as: Callable[[User], APIClient],
        referral: GbvReferral,
        other_focal_point: User,
    ) -> None:
        other = GbvReferralFactory(created_by=people.gbv, status=Status.SUBMITTED)
        api_as(other_focal_point).post(f"{URL}{other.pk}/return/", {"comment": "Check the date of the incident"})
        api_as(people.gbv).post(f"{URL}{referral.pk}/withdraw-consent/", {"withdraw_reporting": False})
        assert "Check the date of the incident" in Notification.objects.get(recipient=people.gbv).message


class TestEmailsCarryNoText:
    @pytest.fixture(autouse=True)
    def _email_configured(self, settings: Settings) -> None:
        settings.EMAIL_HOST = "smtp.example.org"
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    def test_a_returned_gbv_referral_mails_a_link_and_a_sentence_only(
        self,
        people: SimpleNamespace,
        api_as: Callable[[User], APIClient],
        referral: GbvReferral,
        other_focal_point: User,
        mailoutbox: list[EmailMessage],
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            api_as(other_focal_point).post(f"{URL}{referral.pk}/return/", {"comment": RETURN_COMMENT})
        assert len(mailoutbox) == 1
        mail = mailoutbox[0]
        assert mail.to == ["gbv@example.org"]
        assert not _leaks(str(mail.subject) + mail.body)
        assert "GBV" not in str(mail.subject) + mail.body
        assert referral.survivor_code not in mail.body
        assert reverse("notifications") in mail.body

    def test_a_returned_incident_mails_no_comment_either(
        self,
        people: SimpleNamespace,
        api_as: Callable[[User], APIClient],
        mailoutbox: list[EmailMessage],
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    ) -> None:
        incident = IncidentFactory(created_by=people.monitor, status=Status.SUBMITTED)
        with django_capture_on_commit_callbacks(execute=True):
            response = api_as(people.supervisor).post(
                f"/api/v1/incidents/{incident.pk}/return/", {"comment": "The narrative names the victim, Mme Diallo"}
            )
        assert response.status_code == 200
        assert Notification.objects.get(recipient=people.monitor).message.endswith("Mme Diallo")
        assert len(mailoutbox) == 1
        assert "Diallo" not in str(mailoutbox[0].subject) + mailoutbox[0].body
        assert reverse("notifications") in mailoutbox[0].body

    def test_an_urgent_incident_mail_names_no_place(
        self,
        people: SimpleNamespace,
        api_as: Callable[[User], APIClient],
        mailoutbox: list[EmailMessage],
        django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    ) -> None:
        incident = IncidentFactory(created_by=people.monitor, urgent=True)
        with django_capture_on_commit_callbacks(execute=True):
            assert api_as(people.monitor).post(f"/api/v1/incidents/{incident.pk}/submit/").status_code == 200
        assert len(mailoutbox) == 1
        assert "Gao" not in mailoutbox[0].body
        assert "Urgent" not in mailoutbox[0].body


class TestEveryAnswerWithAReferralIsLogged:
    """The audit log holds every answer that carries a referral: reads, and writes that answer the record."""

    def _logged(self, referral: GbvReferral, user: User, channel: str) -> int:
        return viewed(object_id=str(referral.pk), actor=user, details__channel=channel).count()

    def test_api_create_patch_and_each_step(
        self,
        people: SimpleNamespace,
        api_as: Callable[[User], APIClient],
        referral: GbvReferral,
        other_focal_point: User,
    ) -> None:
        created = api_as(people.gbv).post(URL, body(), format="json")
        assert created.status_code == 201
        assert viewed(object_id=str(created.json()["id"]), actor=people.gbv, details__channel="api").count() == 1

        calls = [
            (people.gbv, "patch", f"{URL}{referral.pk}/", {"version": 1, "age": 17}),
            (other_focal_point, "post", f"{URL}{referral.pk}/return/", {"comment": "Age?"}),
            (people.gbv, "post", f"{URL}{referral.pk}/submit/", {}),
            (other_focal_point, "post", f"{URL}{referral.pk}/reject/", {"reason": "Entered twice"}),
            (people.gbv, "post", f"{URL}{referral.pk}/archive/", {}),
            (people.gbv, "post", f"{URL}{referral.pk}/restore/", {}),
        ]
        for user, method, url, data in calls:
            before = self._logged(referral, user, "api")
            response = getattr(api_as(user), method)(url, data, format="json")
            assert response.status_code == 200, (url, response.content)
            assert self._logged(referral, user, "api") == before + 1, url

    def test_api_verify_and_case_actions(
        self,
        people: SimpleNamespace,
        api_as: Callable[[User], APIClient],
        referral: GbvReferral,
        other_focal_point: User,
    ) -> None:
        calls = [
            (other_focal_point, f"{URL}{referral.pk}/verify/", {}),
            (people.gbv, f"{URL}{referral.pk}/request-closure/", {}),
            (other_focal_point, f"{URL}{referral.pk}/approve-closure/", {}),
            (people.gbv, f"{URL}{referral.pk}/withdraw-consent/", {"withdraw_reporting": False}),
        ]
        for user, url, data in calls:
            before = self._logged(referral, user, "api")
            response = api_as(user).post(url, data, format="json")
            assert response.status_code == 200, (url, response.content)
            assert self._logged(referral, user, "api") == before + 1, url

    def test_a_refused_step_answers_no_record_and_logs_nothing(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient], referral: GbvReferral
    ) -> None:
        response = api_as(people.gbv).post(f"{URL}{referral.pk}/verify/")  # the author may not verify
        assert response.status_code == 403
        assert self._logged(referral, people.gbv, "api") == 0

    def test_pages_create_edit_steps_and_case_actions(
        self, people: SimpleNamespace, client: Client, referral: GbvReferral, other_focal_point: User
    ) -> None:
        client.force_login(people.gbv)
        assert client.post(reverse("incidents:gbv-create"), form_data()).status_code == 302
        created = GbvReferral.objects.exclude(pk=referral.pk).get()
        assert self._logged(created, people.gbv, "page") == 1

        calls = [
            (people.gbv, reverse("incidents:gbv-edit", args=[referral.pk]), {**form_data(), "version": 1}),
            (other_focal_point, reverse("incidents:gbv-step", args=[referral.pk, "verify"]), {"version": 2}),
            (people.gbv, reverse("incidents:gbv-closure", args=[referral.pk, "request"]), {"version": 3}),
            (other_focal_point, reverse("incidents:gbv-closure", args=[referral.pk, "approve"]), {"version": 4}),
            (people.gbv, reverse("incidents:gbv-consent", args=[referral.pk]), {"version": 5, "confirm": "1"}),
        ]
        for user, url, data in calls:
            client.force_login(user)
            before = self._logged(referral, user, "page")
            assert client.post(url, data).status_code == 302, url
            assert self._logged(referral, user, "page") > before, url


class TestSurvivorCode:
    @pytest.mark.parametrize("code", ["GAO-22-0001", "IRC/2022/17", "gao_2022.3", "A1B"])
    def test_codes_of_the_api_rule_are_accepted(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient], code: str
    ) -> None:
        response = api_as(people.gbv).post(URL, body(survivor_code=code), format="json")
        assert response.status_code == 201, response.content
        assert response.json()["survivor_code"] == code.upper()

    @pytest.mark.parametrize(
        "code", ["Mariam Traore", "abc", "MARIAM", "A1", "A" * 31 + "12", "GAO 22 0001", "GAO-22#0001", "Aïcha-1"]
    )
    def test_names_and_codes_outside_the_rule_are_refused(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient], code: str
    ) -> None:
        response = api_as(people.gbv).post(URL, body(survivor_code=code), format="json")
        assert response.status_code == 400
        assert "never a name" in response.json()["survivor_code"][0]

    def test_an_operation_may_set_a_stricter_pattern_but_not_a_looser_one(
        self, people: SimpleNamespace, api_as: Callable[[User], APIClient], settings: Settings
    ) -> None:
        settings.VIGIE_SURVIVOR_CODE_PATTERN = r"GAO-[0-9]{2}-[0-9]{4}"
        client = api_as(people.gbv)
        assert client.post(URL, body(survivor_code="IRC/2022/17"), format="json").status_code == 400
        assert client.post(URL, body(survivor_code="GAO-22-0001"), format="json").status_code == 201
        settings.VIGIE_SURVIVOR_CODE_PATTERN = r".*"
        assert client.post(URL, body(survivor_code="Mariam Traore"), format="json").status_code == 400

    def test_the_form_shows_the_rule_and_refuses_a_name(self, people: SimpleNamespace, client: Client) -> None:
        client.force_login(people.gbv)
        html = client.get(reverse("incidents:gbv-create")).content.decode()
        assert "GAO-22-0001" in html
        response = client.post(reverse("incidents:gbv-create"), form_data(survivor_code="Mariam Traore"))
        assert response.status_code == 400
        assert "never a name" in response.content.decode()


def _close(referral: GbvReferral, *, by: User, approver: User, days_ago: int) -> None:
    """Close the case as the two focal points would, dated `days_ago`."""
    services.gbv_request_closure(referral=referral, by=by)
    services.gbv_approve_closure(referral=referral, by=approver)
    closed_at = timezone.now() - datetime.timedelta(days=days_ago)
    RecordEvent.objects.filter(object_id=referral.pk, action=RecordEvent.Action.CLOSED).update(at=closed_at)


class TestRetention:
    @pytest.fixture
    def cases(self, people: SimpleNamespace, other_focal_point: User) -> tuple[GbvReferral, GbvReferral, GbvReferral]:
        old, recent, still_open = (
            GbvReferralFactory(created_by=people.gbv, status=Status.SUBMITTED, notes=f"{name}: {RETURN_COMMENT}")
            for name in ("old", "recent", "open")
        )
        for case in (old, recent, still_open):
            workflow.take_step(case, "return", by=other_focal_point, text=f"Fix the age. {RETURN_COMMENT}")
            workflow.take_step(case, "submit", by=people.gbv)
            workflow.take_step(case, "verify", by=other_focal_point)
            workflow.add_comment(case, by=people.gbv, text=f"Visited behind the mosque ({case.pk})")
        _close(old, by=people.gbv, approver=other_focal_point, days_ago=400)
        _close(recent, by=people.gbv, approver=other_focal_point, days_ago=300)
        return old, recent, still_open

    def _text_of(self, referral: GbvReferral) -> str:
        referral.refresh_from_db()
        events = RecordEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(GbvReferral), object_id=referral.pk
        )
        services = list(referral.services.values_list("notes", "organisation"))
        messages = list(Notification.objects.filter(url__endswith=f"/gbv/{referral.pk}/").values_list("message"))
        return str([referral.notes, referral.review_note, services, messages, list(events.values_list("comment"))])

    def test_an_old_closed_case_loses_its_text_the_others_keep_it(
        self,
        people: SimpleNamespace,
        cases: tuple[GbvReferral, GbvReferral, GbvReferral],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        old, recent, still_open = cases
        with caplog.at_level("INFO", logger="incidents.services"):
            assert clear_closed_case_text() == 1
        assert not _leaks(self._text_of(old))
        assert _leaks(self._text_of(recent))
        assert _leaks(self._text_of(still_open))
        old.refresh_from_db()
        assert old.case_status == CaseStatus.CLOSED
        assert old.anonymised_at is None  # consent was not withdrawn: the detail page must not say it was
        last = RecordEvent.objects.filter(object_id=old.pk).last()
        assert last is not None
        assert last.action == RecordEvent.Action.ANONYMISED
        assert "365" in last.comment
        assert f"#{old.pk}" in caplog.text
        # Once cleared, the next day's run finds nothing more to do.
        assert clear_closed_case_text() == 0

    @override_settings(VIGIE_GBV_RETENTION_DAYS=200)
    def test_the_period_is_a_setting(self, cases: tuple[GbvReferral, GbvReferral, GbvReferral]) -> None:
        old, recent, _open = cases
        assert clear_closed_case_text() == 2
        assert not _leaks(self._text_of(recent))

    def test_the_figures_stay_the_same(
        self,
        people: SimpleNamespace,
        api_as: Callable[[User], APIClient],
        cases: tuple[GbvReferral, GbvReferral, GbvReferral],
    ) -> None:
        client = api_as(people.admin)
        before = client.get("/api/v1/reports/monthly/", {"month": "2021-12"}).json()
        assert before["gbv_referrals"]["count"] == 3
        clear_closed_case_text()
        assert client.get("/api/v1/reports/monthly/", {"month": "2021-12"}).json() == before

    def test_the_beat_runs_it_daily(self, settings: Settings) -> None:
        schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert schedule["incidents.clear_closed_case_text"] <= 60 * 60 * 24
