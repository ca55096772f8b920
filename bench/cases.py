"""The timed cases of `make bench` (issue 14's table), each beside its baseline, on the data set of bench.generate.

Every case runs in this process, on the same data: one warm-up, then the median of BENCH_REPEAT runs (default 7),
with the query count of the last run. Requests go through Django's test client (no network): the figures are the
application's own work. Baselines: hand-written SQL for the headline figures (checked EQUAL to the API's numbers),
`COPY … TO STDOUT` for the export, pandas on a CSV of the year's violations (skipped without pandas), and, under
load, an authenticated reference-list endpoint of the same app (bench.load).

Imported once Django is set up (bench.__main__, tests/test_bench.py).
"""

from __future__ import annotations

import datetime
import importlib.util
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bench import generate, hand_sql
from core.models import AdminArea, ApiToken, User
from incidents.models import Incident
from reports import figures as app_figures
from reports.publishing import reopen_month

Say = Callable[[str], None]
ROOT = Path(__file__).resolve().parent.parent
PAGE = 200  # the deep page of the lists and the queue


def repeat() -> int:
    return max(1, int(os.environ.get("BENCH_REPEAT", "7")))


@dataclass
class Result:
    """One row of the table: what was measured, its value, its baseline, their ratio and the query count."""

    what: str
    value: str
    baseline: str = "—"
    ratio: float | None = None
    queries: int | None = None
    seconds: float | None = None  # the value in seconds where it is a time
    mismatch: str = ""  # set when the baseline computed other numbers than the application
    notes: list[str] = field(default_factory=list)


@dataclass
class Timed:
    seconds: float  # median
    queries: int  # of the last run
    answer: Any  # of the last run


def timed(call: Callable[[], Any], times: int | None = None) -> Timed:
    """The median of `times` runs of `call` (after one warm-up), the last run's query count and answer."""
    call()
    timings, answer, queries = [], None, 0
    for _run in range(times or repeat()):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            answer = call()
            timings.append(time.perf_counter() - start)
        queries = len(captured)
    return Timed(statistics.median(timings), queries, answer)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"  # noqa: PLR2004


def _get(client: Client, url: str) -> Any:
    response = client.get(url)
    if response.status_code != HTTPStatus.OK:
        raise RuntimeError(f"{url}: {response.status_code} instead of 200: {response.content[:300]!r}")
    return response


def _json(client: Client, url: str) -> Any:
    return _get(client, url).json()


def api_client(user: User) -> tuple[APIClient, str]:
    client = APIClient()
    _token, key = ApiToken.objects.create(user=user, name="bench")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client, key


def page_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


CASE_GROUPS = ("figures", "closing", "lists", "queue", "export", "pandas", "load")


def run_all(
    *, say: Say, with_load: bool = True, database_url: str = "", only: frozenset[str] = frozenset()
) -> list[Result]:
    """Every case of the table, in the table's order (or only the groups named, to re-time one part)."""
    admin, gao = User.objects.get(username="admin"), User.objects.get(username="supervisor_gao")
    admin_api, admin_key = api_client(admin)
    gao_api, _gao_key = api_client(gao)
    region = AdminArea.objects.get(pcode="ML07")
    say(f"Cases on {Incident.objects.count():,} incidents, median of {repeat()} runs (after a warm-up)")
    results: list[Result] = []
    every_case: list[tuple[str, Callable[[], list[Result]]]] = [
        ("figures", partial(figure_cases, admin_api, gao_api, admin, region)),
        ("closing", partial(closing_case, admin)),
        ("lists", partial(list_cases, admin_api)),
        ("queue", partial(queue_cases, page_client(gao), page_client(admin))),
        ("export", partial(export_cases, admin, database_url)),
        ("pandas", partial(pandas_case, admin_api, admin)),
    ]
    for group, case in every_case:
        if only and group not in only:
            continue
        for result in case():
            say(
                f"  {result.what}: {result.value} (baseline {result.baseline})"
                + (f" {result.mismatch}" if result.mismatch else "")
            )
            results.append(result)
    if with_load and (not only or "load" in only):
        from bench import load  # noqa: PLC0415  only with gunicorn and hey

        results += load.load_cases(admin_key, database_url=database_url, say=say)
    return results


# --- monthly figures, beside the hand SQL


def _figures_url(month: datetime.date) -> str:
    return f"/api/v1/reports/monthly/?month={month:%Y-%m}"


def figure_cases(admin_api: APIClient, gao_api: APIClient, admin: User, region: AdminArea) -> list[Result]:
    month, closed = generate.OPEN_MONTH, generate.CLOSED_MONTHS[-1]
    results = []
    for who, client, scope_region in (("national (admin)", admin_api, None), ("Gao supervisor", gao_api, region)):
        api = timed(partial(_json, client, _figures_url(month)))
        hand = timed(partial(hand_sql.headline, month, region=scope_region))
        result = Result(
            f"monthly figures, open month {month:%Y-%m}, {who}",
            ms(api.seconds),
            f"hand SQL {ms(hand.seconds)}",
            api.seconds / hand.seconds,
            api.queries,
            api.seconds,
        )
        result.mismatch = hand_sql.compare(api.answer, hand.answer)
        results.append(result)
    results += _section_cases(admin, month)
    for who, client in (("national (admin)", admin_api), ("Gao supervisor", gao_api)):
        api = timed(partial(_json, client, _figures_url(closed)))
        if not api.answer.get("closed"):
            raise RuntimeError(f"{closed:%Y-%m} is not closed: the generator closes it")
        results.append(
            Result(
                f"monthly figures, closed month {closed:%Y-%m} (published), {who}",
                ms(api.seconds),
                queries=api.queries,
                seconds=api.seconds,
            )
        )
    return results


def _section_cases(admin: User, month: datetime.date) -> list[Result]:
    """The incidents, violations and 12-month trend parts of the national figures, timed apart: the answer reads
    them from the monthly cells, in one pass (reports.figures.counted_from_cells), beside the hand SQL of the same
    headline figures and trend on the raw tables."""
    from_cells = getattr(app_figures, "counted_from_cells", None)
    scope_class, period_class = getattr(app_figures, "Scope", None), getattr(app_figures, "Period", None)
    if None in (from_cells, scope_class, period_class):
        return [Result("monthly figures, national: incidents, violations and trend apart", "n/a: figures changed")]
    scope, period = scope_class(admin), period_class(month)  # type: ignore[misc]
    cells = timed(lambda: from_cells(scope, period))  # type: ignore[misc]
    hand = timed(lambda: hand_sql.headline(month, region=None))
    return [
        Result(
            "  of which incidents, violations and the 12-month trend (national, from the monthly cells)",
            ms(cells.seconds),
            f"hand SQL {ms(hand.seconds)} (the same figures from the raw tables)",
            cells.seconds / hand.seconds,
            cells.queries,
            cells.seconds,
        )
    ]


# --- closing one month


def closing_case(admin: User) -> list[Result]:
    """Close a scratch month through reports.publishing (publish, then close_month), reopen it between runs."""
    month = generate.SCRATCH_MONTH
    times = max(1, int(os.environ.get("BENCH_CLOSING_REPEAT", "1")))
    timings, queries = [], 0
    for _run in range(times):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            generate.close(month, by=admin)
            timings.append(time.perf_counter() - start)
        queries = len(captured)
        reopen_month(month, by=admin, reason="bench: closed again on the next run")
    seconds = statistics.median(timings)
    result = Result(f"closing one month ({month:%Y-%m})", f"{seconds:,.1f} s", queries=queries, seconds=seconds)
    result.notes.append(f"median of {times} (BENCH_CLOSING_REPEAT)")
    return [result]


# --- lists and the review queue


def _last_page(count: int, size: int) -> int:
    return max(1, -(-count // size))


def list_cases(admin_api: APIClient) -> list[Result]:
    query = "region=ML07&status=verified"
    matching = Incident.objects.filter(region__pcode="ML07", status="verified").count()
    deep = min(PAGE, _last_page(matching, 50))
    results = []
    for label, url in (
        (f"incident list API, {query}, page 1", f"/api/v1/incidents/?{query}"),
        (f"incident list API, {query}, page {deep}", f"/api/v1/incidents/?{query}&page={deep}"),
        ("incident list API, type=threat, page 1", "/api/v1/incidents/?type=threat"),
    ):
        answer = timed(partial(_get, admin_api, url))
        results.append(Result(label, ms(answer.seconds), queries=answer.queries, seconds=answer.seconds))
    return results


def queue_cases(gao_page: Client, admin_page: Client) -> list[Result]:
    waiting = Incident.objects.filter(region__pcode="ML07", status="submitted").count()
    deep = min(PAGE, _last_page(waiting, 25))
    results = []
    for label, client, url in (
        ("review queue page, Gao supervisor, page 1", gao_page, "/review/"),
        (f"review queue page, Gao supervisor, page {deep}", gao_page, f"/review/?page={deep}"),
        ("review queue page, admin, page 1", admin_page, "/review/"),
    ):
        answer = timed(partial(_get, client, url))
        results.append(Result(label, ms(answer.seconds), queries=answer.queries, seconds=answer.seconds))
    return results


# --- the records export, beside COPY


def export_cases(admin: User, database_url: str) -> list[Result]:
    """The records export of every incident with its violations, as CSV, in a child process (its peak memory is its
    own), beside `COPY (SELECT …) TO STDOUT` of the same rows."""
    child = subprocess.run(  # noqa: S603  our own module, with our own interpreter
        [sys.executable, "-m", "bench.export_child", str(admin.pk)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url or os.environ["DATABASE_URL"]},
        capture_output=True,
        text=True,
        check=True,
    )
    exported = json.loads(child.stdout.strip().splitlines()[-1])
    rows, seconds = exported["rows"], exported["seconds"]
    copy = timed(hand_sql.copy_export, times=1)
    copy_rows, copy_seconds = copy.answer
    result = Result(
        f"records export CSV, all incidents with violations ({rows:,} rows)",
        f"{rows / seconds:,.0f} rows/s, {exported['max_rss_mb']:,.0f} MB peak, {seconds:,.1f} s",
        f"COPY {copy_rows / copy_seconds:,.0f} rows/s, {copy_seconds:,.1f} s",
        seconds / copy_seconds,
        seconds=seconds,
    )
    if rows != copy_rows:
        result.mismatch = f"MISMATCH: the export wrote {rows:,} rows, COPY {copy_rows:,}"
    return [result]


# --- pandas on a CSV of the year's violations


def pandas_case(admin_api: APIClient, admin: User) -> list[Result]:
    """What an information-management officer does today: read a CSV of the year's verified violations and compute
    the headline figures of its last month with pandas; beside Vigie computing the same figures (the incidents,
    violations and trend part of the answer, from the monthly cells), and beside Vigie's whole monthly answer
    (every section of the report, which pandas does not compute)."""
    if importlib.util.find_spec("pandas") is None:  # a development requirement only: production does without
        return [Result("pandas: headline figures from a CSV of the year's violations", "skipped: pandas not installed")]
    month = generate.OPEN_MONTH
    csv_text = hand_sql.year_csv(month)
    computed = timed(lambda: hand_sql.pandas_headline(io.StringIO(csv_text), month))
    scope, period = app_figures.Scope(admin), app_figures.Period(month)
    same_figures = timed(lambda: app_figures.counted_from_cells(scope, period))
    whole = timed(partial(_json, admin_api, _figures_url(month)))
    result = Result(
        f"pandas: headline figures from a CSV of {month:%Y}'s violations (read + compute)",
        ms(computed.seconds),
        f"Vigie, the same figures {ms(same_figures.seconds)} ({same_figures.queries} queries); "
        f"Vigie's whole monthly answer {ms(whole.seconds)}",
        computed.seconds / same_figures.seconds,
        seconds=computed.seconds,
    )
    result.mismatch = hand_sql.compare(whole.answer, computed.answer)
    return [result]
