"""make bench (bench/): it refuses SQLite, and on PostgreSQL every case of issue 14's table answers on a small data set
and the hand-written SQL computes the API's figures. Times are never asserted: this keeps the bench from rotting."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from bench import cases, generate
from bench.__main__ import Refused, bench_database_url, main
from core.models import Organisation
from core.reference import load_initial_data
from incidents.models import GbvReferral, Incident, Violation


@pytest.mark.parametrize("url", ["", "sqlite:///db.sqlite3"])
def test_bench_refuses_anything_but_postgresql(url: str) -> None:
    with pytest.raises(Refused, match="PostgreSQL only"):
        bench_database_url({"DATABASE_URL": url})


def test_make_bench_on_sqlite_exits_with_an_error_and_says_why(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///db.sqlite3")
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    assert main(["generate", "--incidents", "10"]) != 0
    assert "PostgreSQL only" in capsys.readouterr().err


def test_bench_uses_a_database_of_its_own_unless_told_which() -> None:
    server = "postgres://postgres@127.0.0.1:5432"
    assert bench_database_url({"DATABASE_URL": f"{server}/vigie"}) == f"{server}/vigie_bench"
    assert bench_database_url({"DATABASE_URL": f"{server}/vigie", "BENCH_DATABASE_URL": f"{server}/x"}) == f"{server}/x"


def _test_database_url() -> str:
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return f"postgres://{database['USER']}{password}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_every_case_answers_on_a_small_data_set(monkeypatch: pytest.MonkeyPatch) -> None:
    if not Organisation.objects.filter(is_lead=True).exists():
        load_initial_data(apps)  # a transactional test before this one emptied the tables
    monkeypatch.setenv("BENCH_REPEAT", "1")
    generate.generate(3000, say=lambda line: None, closed_months=generate.CLOSED_MONTHS[-1:])
    assert (Incident.objects.count(), Violation.objects.count(), GbvReferral.objects.count()) == (3000, 4500, 150)

    results = cases.run_all(say=lambda line: None, with_load=False, database_url=_test_database_url())

    assert [result.mismatch for result in results] == [""] * len(results)
    unanswered = [result.what for result in results if result.value.startswith("n/a")]
    assert unanswered == []
    timed = [result for result in results if not result.value.startswith("skipped")]
    assert len(timed) >= 14  # figures (5), closing, lists (3), queue (3), export, pandas (a development requirement)
