"""Schemathesis against `/api/schema/` on a live server, as a monitor and as an admin (issue 11).

Every operation of the schema gets up to 20 generated requests per phase; the run fails on any server error and
on any answer that does not match the schema (a status code not declared is a non-conformance too, which is why
the schema declares every error a view answers: core/api/schema.py). It runs in CI (PostgreSQL); locally:
`VIGIE_CELERY_WORKER=1 .venv/bin/python -m pytest -s -p no:cacheprovider tests/test_schema_fuzz.py` (SQLite), with
DATABASE_URL=postgres://... for PostgreSQL. `schemathesis_command` gives the command line for any server and token.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest
from django.db import connection
from django.db.models import Model
from drf_spectacular.generators import SchemaGenerator

from activities.tests.factories import AssistanceFactory, SessionFactory
from alerts.tests.factories import AlertFactory
from beneficiaries.tests.factories import HouseholdFactory, MovementFactory
from core.choices import Status
from core.models import ApiToken, User
from incidents.tests.factories import GbvReferralFactory, IncidentFactory

# Transactional: the live server's threads see the records. (Sequences are not reset: the migrations' own rows
# would collide with them on PostgreSQL.)
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = "not_a_server_error,response_schema_conformance"
MAX_EXAMPLES = 20
# Issue 11: at most five minutes in all. The two users run side by side, each in its own process with one worker
# (Hypothesis describes its strategies with `ast`, which Python 3.11 does not make safe across threads). The
# coverage phase is left out: it enumerates edge cases without regard to --max-examples (10,000 requests).
DEADLINE_SECONDS = 280
PHASES = "fuzzing,stateful"
# Never fuzz what would cut the fuzzer's own access short: revoking its token, deactivating or editing users.
EXCLUDED_PATHS = r"auth/token/revoke|auth/tokens/\{|/users/\{"


def schemathesis_command(base_url: str, token: str, config: Path) -> list[str]:
    """The CLI against a server; the schema itself needs the token too (it is served to signed-in users)."""
    return [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "run",
        f"{base_url}/api/schema/",
        "--header",
        f"Authorization: Token {token}",
        "--checks",
        CHECKS,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--phases",
        PHASES,
        "--workers",
        "1",
        "--exclude-path-regex",
        EXCLUDED_PATHS,
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--no-color",
    ]


def run_all(
    commands: dict[str, list[str]], workdir: Path, deadline: float, *, together: bool
) -> dict[str, tuple[int, str]]:
    """Run the commands, side by side (`together`) or one after the other, within one deadline; a command still
    running then is stopped and reported with exit status -1."""
    started = time.monotonic()
    results: dict[str, tuple[int, str]] = {}
    running: dict[str, tuple[subprocess.Popen[str], IO[str]]] = {}

    def finish(name: str) -> None:
        process, out = running.pop(name)
        try:
            status = process.wait(timeout=max(1.0, deadline - (time.monotonic() - started)))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            status = -1
        out.seek(0)
        elapsed = time.monotonic() - started
        results[name] = (status, f"[{name}: exit {status} after {elapsed:.0f} s of {deadline} s]\n{out.read()}")
        out.close()

    for name, command in commands.items():
        out = (workdir / f"{name}.txt").open("w+")
        running[name] = (
            subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=workdir, text=True),  # noqa: S603
            out,
        )
        if not together:
            finish(name)
    for name in list(running):
        finish(name)
    return results


@pytest.fixture
def records(people) -> dict[str, list[int]]:
    """Records of every kind, some past draft, in Gao (the monitor's region), by API collection."""
    made: dict[str, list[Model]] = {
        "incidents": [
            IncidentFactory(created_by=people.monitor),
            IncidentFactory(created_by=people.monitor, status=Status.SUBMITTED, reported_on=datetime.date(2021, 11, 3)),
        ],
        "gbv-referrals": [GbvReferralFactory(created_by=people.gbv)],
        "assistance": [AssistanceFactory(created_by=people.monitor)],
        "sessions": [SessionFactory(created_by=people.monitor, status=Status.SUBMITTED)],
        "households": [HouseholdFactory(created_by=people.monitor), HouseholdFactory(created_by=people.monitor)],
        "movements": [MovementFactory(created_by=people.monitor)],
        # Another organisation's alert of the region too: read by everyone there, acted on by its own (a 403).
        "alerts": [
            AlertFactory(created_by=people.monitor, needs=["shelter", "food"]),
            AlertFactory(created_by=people.partner_monitor, status=Status.SUBMITTED),
        ],
    }
    return {collection: [record.pk for record in found] for collection, found in made.items()}


def config_with_records(records: dict[str, list[int]], path: Path) -> Path:
    """A schemathesis.toml whose dictionaries give each collection's `{id}` the real records most of the time, so
    details, PATCH bodies and workflow steps are fuzzed on records that exist rather than answering 404."""
    lines = []
    for collection, ids in records.items():
        name = collection.replace("-", "_")
        lines += [f"[dictionaries.{name}]", f"values = {ids}", ""]
    for collection in records:
        name = collection.replace("-", "_")
        lines += [
            "[[operations]]",
            f'include-path-regex = "/{collection}/\\\\{{id\\\\}}/"',
            f'parameters = {{ "path.id" = {{ dictionary = "{name}", probability = 0.8 }} }}',
            "",
        ]
    path.write_text("\n".join(lines))
    return path


def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema_as_monitor_and_admin(
    live_server, people, records: dict[str, list[int]], tmp_path: Path
) -> None:
    # drf-spectacular loads its extensions on the first schema it builds, and two first requests at once raced
    # (AttributeError, a 500): build one here before the two runs ask for it together.
    SchemaGenerator().get_schema(request=None, public=True)
    config = config_with_records(records, tmp_path / "schemathesis.toml")
    commands = {}
    for role in ("monitor", "admin"):
        user: User = getattr(people, role)
        _token, key = ApiToken.objects.create(user=user, name="schemathesis")
        commands[role] = schemathesis_command(live_server.url, key, config)
    # SQLite (a local run) takes one writer at a time: "database table is locked" would be a 500. CI's PostgreSQL
    # serves both runs at once; SQLite gets them one after the other, each with the whole deadline.
    together = connection.vendor != "sqlite"
    deadline = DEADLINE_SECONDS if together else 2 * DEADLINE_SECONDS
    results = run_all(commands, tmp_path, deadline, together=together)
    failed = {role: output for role, (status, output) in results.items() if status != 0}
    assert not failed, "\n\n".join(failed.values())
    for _status, output in results.values():
        print(output.splitlines()[0], output[-700:], sep="\n")  # noqa: T201 -- each summary, shown with -s
