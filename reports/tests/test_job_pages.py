"""The exports page and a job's page (issue 15): the job's kind and status in the reader's words (the API keeps its
codes), Vigie's one date format, a format that follows the kind of export, and the page that follows the job's
progress until it is done, for its starter only."""

from __future__ import annotations

import datetime
import json
import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from conftest import make_user
from core.models import Job, Organisation, User
from reports.exports import FORMATS
from reports.jobs import FORMAT_NAMES
from reports.tasks import close_month_job, export_job

PAGE = "/reports/exports/"
API = "/api/v1/exports/"
RECORDS = {"kind": "records", "month": "2021-12-01", "format": "csv", "record_type": "incidents", "language": "en"}
QUERIES_EXPORTS_PAGE = 7  # pinned below, with what they are
QUERIES_JOB_PAGE = 8
REPORT = {"kind": "report_pdf", "month": "2021-12-01", "format": "pdf", "record_type": "incidents", "language": "en"}


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _job(user: User, **fields: Any) -> Job:
    values: dict[str, Any] = {"kind": "export_records", "params": RECORDS, "task": export_job.name}
    return Job.objects.create(user=user, **{**values, **fields})


def _signed_in(user: User, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    if language != "en":
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client


def _html(client: Client, path: str) -> str:
    """The page's text as a reader sees it (entities such as &#x27; read as the characters they stand for)."""
    return unescape(client.get(path).content.decode())


def _local(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _selected_format(html: str) -> str:
    """The format the exports form sends as it is shown (the option marked selected, else the first one)."""
    match = re.search(r'<select name="format"[^>]*>(.*?)</select>', html, re.DOTALL)
    assert match, "no format list on the page"
    options = re.findall(r'<option value="([^"]*)"([^>]*)>', match.group(1))
    chosen = [value for value, attributes in options if "selected" in attributes]
    return chosen[0] if chosen else options[0][0]


# --- the format follows the kind --------------------------------------------------------------------------------


def test_the_report_as_pdf_starts_from_the_form_as_shown_without_scripts(
    people: SimpleNamespace, data: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    """Issue 15: choosing the monthly report left the format on CSV, and starting it said the format was wrong. The
    form as shown, with only the kind and the month chosen, starts a PDF export."""
    client = _signed_in(people.admin)
    shown = _selected_format(client.get(PAGE).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, {"kind": "report_pdf", "month": "2021-12", "format": shown})
    assert response.status_code == 302, response.content.decode()
    job = Job.objects.get()
    assert (job.kind, job.params["format"], job.status) == ("export_report_pdf", "pdf", "done")
    assert str(job.result.name).endswith(".pdf")


@pytest.mark.parametrize(("kind", "usual"), [("records", "csv"), ("5w", "csv"), ("report_pdf", "pdf")])
def test_the_default_format_is_the_kinds_own(
    people: SimpleNamespace, data: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks, kind, usual
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _signed_in(people.admin).post(PAGE, {"kind": kind, "month": "2021-12", "format": ""})
    assert response.status_code == 302
    assert Job.objects.get().params["format"] == usual


def test_the_form_tells_its_script_each_kinds_formats(people: SimpleNamespace) -> None:
    html = _signed_in(people.admin).get(PAGE).content.decode()
    found = re.search(r"data-formats-by-kind=\"([^\"]*)\"", html)
    assert found
    assert json.loads(found.group(1).replace("&quot;", '"')) == {kind: list(fmts) for kind, fmts in FORMATS.items()}
    assert "js/exports.js" in html
    assert {fmt for formats in FORMATS.values() for fmt in formats} <= FORMAT_NAMES.keys()  # each has a name


@pytest.mark.parametrize(
    ("kind", "fmt", "message"),
    [
        ("report_pdf", "csv", "The monthly report is made as PDF only (format “pdf”)."),
        ("report_pdf", "xlsx", "The monthly report is made as PDF only (format “pdf”)."),
        ("records", "pdf", "Records are exported as CSV or Excel (format “csv” or “xlsx”)."),
        ("5w", "pdf", "The 5W table is made as CSV or Excel (format “csv” or “xlsx”)."),
    ],
)
def test_a_format_the_kind_is_not_made_in_is_a_form_error_saying_which(
    people: SimpleNamespace, kind: str, fmt: str, message: str
) -> None:
    response = _signed_in(people.admin).post(PAGE, {"kind": kind, "month": "2021-12", "format": fmt})
    assert response.status_code == 400
    assert response.context["form"].errors["format"] == [message]
    assert message in unescape(response.content.decode())
    assert not Job.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", ["pdf"], 5, "PDF", "docx"])
def test_the_api_refuses_a_report_in_another_format_with_a_400(
    people: SimpleNamespace, api_as: Any, fmt: object
) -> None:
    response = api_as(people.admin).post(API, {"kind": "report_pdf", "month": "2021-12", "format": fmt}, format="json")
    assert response.status_code == 400
    assert response.json() == {"format": ["The monthly report is made as PDF only (format “pdf”)."]}
    assert not Job.objects.exists()


def test_the_format_message_is_french_for_a_french_reader(people: SimpleNamespace) -> None:
    response = _signed_in(people.admin, "fr").post(PAGE, {"kind": "report_pdf", "month": "2021-12", "format": "csv"})
    assert response.status_code == 400
    assert response.context["form"].errors["format"] == ["Le rapport mensuel n'existe qu'en PDF (format « pdf »)."]


# --- labels in the reader's language, one date format -------------------------------------------------------------


def test_the_job_page_says_the_kind_and_status_in_words_and_dates_as_vigie_does(people: SimpleNamespace) -> None:
    finished = timezone.now()
    job = _job(people.admin, kind="export_report_pdf", params=REPORT, status="done", progress=100)
    Job.objects.filter(pk=job.pk).update(finished_at=finished)
    html = _signed_in(people.admin).get(f"/reports/jobs/{job.pk}/").content.decode()
    assert "<h1>Monthly report as PDF</h1>" in html
    assert "2021-12 · PDF" in html
    assert ">Done<" in html
    assert "export_report_pdf" not in html
    assert ">done<" not in html
    assert f">{_local(job.created_at)}</time>" in html  # Y-m-d H:i, as record pages and lists write a moment
    assert f">{_local(finished)}</time>" in html


def test_the_job_page_in_french(people: SimpleNamespace) -> None:
    job = _job(people.admin, kind="close_month", params={"month": "2021-12-01", "note": ""}, task=close_month_job.name)
    Job.objects.filter(pk=job.pk).update(status="running", progress=40)
    html = _html(_signed_in(people.admin, "fr"), f"/reports/jobs/{job.pk}/")
    assert "<h1>Clôture d'un mois</h1>" in html
    assert ">En cours<" in html
    assert "40\u00a0%" in html
    assert f">{_local(job.created_at)}</time>" in html  # the same format in French
    assert "close_month" not in html
    script_words = re.search(r'id="job-words"[^>]*>(.*?)</script>', html, re.DOTALL)
    assert script_words
    words = json.loads(script_words.group(1))
    assert words == {
        "statuses": {"queued": "En attente", "running": "En cours", "done": "Terminée", "failed": "Échouée"},
        "percent": "{n}\u00a0%",
    }


def test_the_exports_list_names_each_export_in_words(people: SimpleNamespace) -> None:
    _job(people.admin, kind="export_report_pdf", params=REPORT, status="done")
    year = {**RECORDS, "month": None, "year": "2021", "format": "xlsx"}
    _job(people.admin, params=year, status="running", progress=40)
    span = {"kind": "5w", "from": "2021-01-01", "to": "2021-06-01", "format": "csv", "record_type": "incidents"}
    _job(people.admin, kind="export_5w", params=span, status="failed", errors=["ValueError: boom"])
    everything = {**RECORDS, "month": None}
    _job(people.admin, params=everything)
    html = _signed_in(people.admin).get(PAGE).content.decode()
    for words in (
        "Monthly report as PDF",
        "2021-12 · PDF",
        "Export of records",
        "Protection incidents · 2021 · Excel",
        "In progress (40%)",
        "5W activity table",
        "2021-01 to 2021-06 · CSV",
        "Failed",
        "See why",
        "Protection incidents · every month · CSV",
        "Waiting to start (0%)",
    ):
        assert words in html, words
    for code in ("export_report_pdf", "export_records", "export_5w", ">running<", ">done<", "(xlsx)"):
        assert code not in html, code
    french = _signed_in(people.admin, "fr").get(PAGE).content.decode()
    for words in ("Rapport mensuel en PDF", "Exportation de fiches", "En cours (40\u00a0%)", "de 2021-01 à 2021-06"):
        assert words in french, words


def test_the_api_keeps_the_codes(people: SimpleNamespace, api_as: Any) -> None:
    job = _job(people.admin, kind="export_report_pdf", params=REPORT, status="running", progress=40)
    answer = api_as(people.admin).get(f"/api/v1/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert (answer["kind"], answer["status"], answer["progress"]) == ("export_report_pdf", "running", 40)


# --- progress -----------------------------------------------------------------------------------------------------


def test_starting_an_export_answers_with_the_jobs_page_while_the_job_waits(
    people: SimpleNamespace, data: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client = _signed_in(people.admin)
    with django_capture_on_commit_callbacks(execute=False) as queued:  # the queue holds it; no worker took it yet
        response = client.post(PAGE, {"kind": "report_pdf", "month": "2021-12"})
    assert response.status_code == 302
    assert len(queued) == 1
    job = Job.objects.get()
    assert response["Location"] == f"/reports/jobs/{job.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert ">Waiting to start<" in html
    assert "waiting for its turn" in html
    assert 'value="0"' in html


def test_a_running_job_shows_its_progress_and_the_page_follows_it(people: SimpleNamespace) -> None:
    job = _job(people.admin, status="running", progress=40)
    html = _signed_in(people.admin).get(f"/reports/jobs/{job.pk}/").content.decode()
    assert ">In progress<" in html
    assert re.search(r'<progress max="100" value="40"[^>]*>', html)
    assert "40%" in html
    assert f'data-job-follow="/api/v1/jobs/{job.pk}/"' in html  # the script asks the job's JSON
    assert "js/job_progress.js" in html
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html  # without scripts
    assert "Download" not in html


def test_a_running_job_without_steps_has_an_indeterminate_bar(people: SimpleNamespace) -> None:
    job = _job(people.admin, kind="export_report_pdf", params=REPORT, status="running", progress=0)
    html = _signed_in(people.admin).get(f"/reports/jobs/{job.pk}/").content.decode()
    bar = re.search(r"<progress [^>]*>", html)
    assert bar
    assert "value=" not in bar.group(0)


def test_a_done_export_offers_its_file_and_the_page_stops_following(
    people: SimpleNamespace, data: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client = _signed_in(people.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, {"kind": "records", "record_type": "incidents", "month": "2021-12"})
    html = client.get(response["Location"]).content.decode()
    assert ">Done<" in html
    assert "100%" in html
    assert "/download/" in html
    assert "data-job-follow" not in html
    assert "refresh" not in html
    assert "job_progress.js" not in html


def test_a_failed_export_says_so_in_words(people: SimpleNamespace) -> None:
    job = _job(people.admin, status="failed", errors=["The worker running this job stopped 3 times."])
    html = _signed_in(people.admin).get(f"/reports/jobs/{job.pk}/").content.decode()
    assert ">Failed<" in html
    assert "The export failed: no file was made." in html
    assert "The worker running this job stopped 3 times." in html
    assert "Try again" in html
    assert "data-job-follow" not in html
    assert "<progress" not in html  # where a failed job stopped tells the reader nothing
    french = _html(_signed_in(people.admin, "fr"), f"/reports/jobs/{job.pk}/")
    assert "L'exportation a échoué\u00a0: aucun fichier n'a été produit." in french


def test_a_failed_closing_says_the_month_is_still_open(people: SimpleNamespace) -> None:
    job = _job(
        people.admin,
        kind="close_month",
        params={"month": "2021-12-01", "note": ""},
        task=close_month_job.name,
        status="failed",
        errors=["OperationalError: the database went away"],
    )
    html = _signed_in(people.admin).get(f"/reports/jobs/{job.pk}/").content.decode()
    assert "The month could not be closed. It is still open: nothing was published." in html
    assert 'action="/reports/months/2021-12/close/"' in html


def test_trying_a_failed_years_export_again_keeps_its_year(people: SimpleNamespace) -> None:
    """The "Try again" form sent the month alone: a failed export of 2021 came back as one of every month."""
    params = {"kind": "records", "year": "2021", "format": "xlsx", "record_type": "incidents", "language": "en"}
    job = _job(people.admin, params={**params, "month": None}, status="failed", errors=["x"])
    html = _signed_in(people.admin).get(f"/reports/jobs/{job.pk}/").content.decode()
    assert 'name="year" value="2021"' in html
    span = {"kind": "5w", "from": "2021-01-01", "to": "2021-06-01", "format": "csv", "record_type": "incidents"}
    job = _job(people.admin, kind="export_5w", params={**span, "month": None}, status="failed", errors=["x"])
    html = _signed_in(people.admin).get(f"/reports/jobs/{job.pk}/").content.decode()
    assert 'name="from" value="2021-01"' in html
    assert 'name="to" value="2021-06"' in html


# --- who sees what ------------------------------------------------------------------------------------------------


@pytest.fixture
def mopti_admin(lead: Organisation) -> User:
    return cast(User, make_user("admin_mopti", "admin", ["ML05"], lead))


@pytest.mark.parametrize("role", ["monitor", "supervisor", "outsider", "partner_monitor", "gbv", "viewer"])
def test_only_admins_open_the_exports_page(people: SimpleNamespace, role: str) -> None:
    client = _signed_in(getattr(people, role))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"kind": "report_pdf", "month": "2021-12"}).status_code == 403
    assert not Job.objects.exists()


def test_someone_signed_out_is_sent_to_log_in(people: SimpleNamespace) -> None:
    job = _job(people.admin, status="running", progress=40)
    for path in (PAGE, f"/reports/jobs/{job.pk}/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert "login" in response["Location"]


@pytest.mark.parametrize("role", ["admin", "mopti_admin"])
def test_an_admin_follows_their_own_job(people: SimpleNamespace, mopti_admin: User, role: str) -> None:
    user = mopti_admin if role == "mopti_admin" else people.admin
    job = _job(user, kind="export_report_pdf", params=REPORT, status="running", progress=40)
    assert _signed_in(user).get(f"/reports/jobs/{job.pk}/").status_code == 200
    session_api = _signed_in(user).get(f"/api/v1/jobs/{job.pk}/")  # what the page's script asks
    assert session_api.status_code == 200
    assert session_api.json()["progress"] == 40


@pytest.mark.parametrize(
    ("owner", "other"),
    [("admin", "mopti_admin"), ("mopti_admin", "admin"), ("admin", "monitor"), ("admin", "outsider")],
)
def test_anyone_but_the_starter_gets_404_on_a_job(
    people: SimpleNamespace, mopti_admin: User, owner: str, other: str
) -> None:
    """An admin of another region, or of every region, a monitor or a supervisor: a job that isn't theirs does not
    exist for them (core.access.visible_jobs), on its page, its JSON and its download, and no list shows it."""
    cast_ = {**vars(people), "mopti_admin": mopti_admin}
    job = _job(
        cast_[owner],
        kind="export_report_pdf",
        params={**REPORT, "month": "2020-07-01"},
        status="running",
        progress=37,
    )
    client = _signed_in(cast_[other])
    for path in (f"/reports/jobs/{job.pk}/", f"/api/v1/jobs/{job.pk}/", f"/reports/jobs/{job.pk}/download/"):
        response = client.get(path)
        assert response.status_code == 404, path
        text = response.content.decode()
        for field in ("2020-07", "Monthly report as PDF", "37%", "export_report_pdf"):
            assert field not in text, (path, field)
    if cast_[other].role == "admin":
        assert f"/reports/jobs/{job.pk}/" not in client.get(PAGE).content.decode()


def test_an_admin_of_another_region_sees_only_their_own_exports_listed(
    people: SimpleNamespace, mopti_admin: User
) -> None:
    mine = _job(mopti_admin, kind="export_report_pdf", params=REPORT)
    theirs = _job(people.admin, params={**RECORDS, "month": "2020-07-01"})
    html = _signed_in(mopti_admin).get(PAGE).content.decode()
    assert f"/reports/jobs/{mine.pk}/" in html
    assert f"/reports/jobs/{theirs.pk}/" not in html
    assert "2020-07" not in html


# --- query budgets ----------------------------------------------------------------------------------------------


def test_the_exports_page_reads_a_fixed_number_of_queries(people: SimpleNamespace, django_assert_max_num_queries):
    for _number in range(3):
        _job(people.admin, kind="export_report_pdf", params=REPORT, status="done")
        _job(people.admin, status="running", progress=10)
    client = _signed_in(people.admin)
    # session, user, the jobs (one query, 20 at most: never one per job), unread notifications, and the session's
    # save (SESSION_SAVE_EVERY_REQUEST: its UPDATE inside a savepoint).
    with django_assert_max_num_queries(QUERIES_EXPORTS_PAGE):
        assert client.get(PAGE).status_code == 200


def test_the_job_page_reads_a_fixed_number_of_queries(people: SimpleNamespace, django_assert_max_num_queries):
    job = _job(people.admin, kind="close_month", params={"month": "2021-12-01"}, status="failed", errors=["x"])
    client = _signed_in(people.admin)
    # session, user, the job, the month's state (a failed closing only: is it still open?), unread notifications,
    # and the session's save (its UPDATE inside a savepoint).
    with django_assert_max_num_queries(QUERIES_JOB_PAGE):
        assert client.get(f"/reports/jobs/{job.pk}/").status_code == 200
