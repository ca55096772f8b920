"""The timed requests of `make bench`: imported once `bench.__main__` has set up Django and loaded the demo."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from http import HTTPStatus

from django.db import connection
from django.http.response import HttpResponseBase
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.models import ApiToken, User
from incidents.models import Incident

REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))


def _measure(call: Callable[[], HttpResponseBase]) -> tuple[float, int]:
    call()  # warm-up
    timings = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = call()
        timings.append(time.perf_counter() - start)
        if response.status_code != HTTPStatus.OK:
            raise RuntimeError(f"{response.status_code} instead of 200")
    return statistics.median(timings) * 1000, len(queries)


def _api_client(username: str) -> APIClient:
    client = APIClient()
    _token, key = ApiToken.objects.create(user=User.objects.get(username=username), name="bench")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def run() -> int:
    gao, admin = _api_client("supervisor_gao"), _api_client("admin")
    cases = {
        "incident list API, Gao supervisor, 50/page": lambda: gao.get("/api/v1/incidents/"),
        "incident list API, admin (all regions), 50/page": lambda: admin.get("/api/v1/incidents/"),
        "incident list API, admin, 200/page": lambda: admin.get("/api/v1/incidents/?page_size=200"),
        "incident list API, admin, month + type filter": lambda: admin.get(
            "/api/v1/incidents/?month=2021-12&type=murder"
        ),
        "incident detail API, admin": lambda: admin.get(
            f"/api/v1/incidents/{Incident.objects.values_list('pk', flat=True)[0]}/"
        ),
        "monthly figures API, Gao supervisor, 2021-12": lambda: gao.get("/api/v1/reports/monthly/?month=2021-12"),
        "monthly figures API, admin, 2021-12": lambda: admin.get("/api/v1/reports/monthly/?month=2021-12"),
        "tallies API, admin, 2021 (12 months) as CSV": lambda: admin.get(
            "/api/v1/reports/tallies/?year=2021&format=csv"
        ),
    }
    print(f"Vigie benchmarks — {Incident.objects.count()} incidents, median of {REPEAT} runs")
    results = {}
    for name, call in cases.items():
        results[name] = _measure(call)
        print(f"  {name:<56} {results[name][0]:8.1f} ms  {results[name][1]:3d} queries")
    gao_ms = results["incident list API, Gao supervisor, 50/page"][0]
    admin_ms = results["incident list API, admin (all regions), 50/page"][0]
    page_ms = results["incident list API, admin, 200/page"][0]
    print("Ratios")
    print(f"  admin list / Gao list (6x the rows in scope, same page size): {admin_ms / gao_ms:.2f}")
    print(f"  200 per page / 50 per page:                                   {page_ms / admin_ms:.2f}")
    gao_figures = results["monthly figures API, Gao supervisor, 2021-12"][0]
    all_figures = results["monthly figures API, admin, 2021-12"][0]
    print(f"  monthly figures, all regions / Gao (about 6x the records):    {all_figures / gao_figures:.2f}")
    return 0
