"""Walks every URL pattern of the project and checks each role's answer against tests/authorization_matrix.py, on
real records built once for the module: each record type (flash alerts included) in Gao (lead organisation), in Gao
(partner organisation) and in Mopti, a restricted incident, and export jobs of three admins.

Every text field of every record carries a marker naming it (``OUTOFSCOPE-7f3a-<type>-<place>``); a role must never
find the marker of a record it may not read in an answer, whatever the status (lists, error pages, files). The
restricted incident's narrative carries ``RESTRICTED-7f3a``, which only GBV focal points may read.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from activities.tests.factories import AssistanceFactory, SessionFactory
from alerts.tests.factories import AlertFactory
from beneficiaries.models import Household
from beneficiaries.tests.factories import HouseholdFactory, MovementFactory
from core import workflow
from core.choices import Status
from core.models import AdminArea, ApiToken, Job, Organisation, PopulationGroup, User, ViolationType
from core.reference import load_initial_data
from core.services import find_regions, user_create
from incidents import services as incident_services
from incidents.tests.factories import GbvReferralFactory, IncidentFactory
from reports.tasks import export_job
from tests.authorization_matrix import (
    ACCOUNT_OWNERS,
    EXPORTED,
    GROUP_SAMPLES,
    JOB_OWNERS,
    MATRIX,
    READS_RESTRICTED_NARRATIVE,
    RECORD_TYPES,
    RESTRICTED_TARGET_ROLES,
    ROLES,
    USER_TARGETS,
    Row,
    Target,
    job_targets,
    manages_account,
    reads,
    record_targets,
    resolve,
    rows,
    token_targets,
)

MARK = "OUTOFSCOPE-7f3a"
RESTRICTED = "RESTRICTED-7f3a"
PLACES = {"gao": "ML0703", "partner": "ML0703", "mopti": "ML0506", "restricted": "ML0703"}

# Cases that fail on today's code because of a bug another change of issue 10 fixes: (url name, role, target).
# Empty now that every fix of issue 10 the matrix depends on has landed; an entry is marked xfail(strict=True), so it
# fails as soon as its fix lands and must then be removed.
KNOWN_BUGS: dict[tuple[str, str, str | None], str] = {}


def marker(record_type: str, place: str) -> str:
    return f"{MARK}-{record_type}-{place}"


@dataclass
class World:
    users: dict[str, User]
    targets: dict[tuple[str, str], Target] = field(default_factory=dict)  # (record type or "job", place or job)
    # The strings that would show a record: its markers, and the survivor code of a GBV referral.
    markers: dict[tuple[str, str], list[str]] = field(default_factory=dict)


# --- the world, built once for the module


def _user(username: str, role: str, regions: list[str], organisation: Organisation) -> User:
    return user_create(
        username=username, role=role, password=None, organisation=organisation, regions=find_regions(regions)
    )


def _people() -> dict[str, User]:
    if not Organisation.objects.filter(is_lead=True).exists():
        load_initial_data(apps)
    lead = Organisation.objects.get(is_lead=True)
    partner = Organisation.objects.create(code="AMSS", name="Association Malienne pour la Survie au Sahel")
    return {
        "monitor": _user("monitor", "monitor", ["ML07"], lead),
        "supervisor": _user("supervisor", "supervisor", ["ML07"], lead),
        "outsider": _user("outsider", "supervisor", ["ML05"], lead),
        "partner_monitor": _user("partner_monitor", "monitor", ["ML07"], partner),
        "gbv": _user("gbv", "gbv_focal_point", ["ML07"], lead),
        "admin": _user("admin", "admin", [], lead),
        "region_admin": _user("region_admin", "admin", ["ML05"], lead),
        "partner_admin": _user("partner_admin", "admin", [], partner),
        "viewer": _user("viewer", "viewer", [], lead),
        # Authors who are none of the roles checked, so that reviewers review records that are not their own.
        "mopti_monitor": _user("mopti_monitor", "monitor", ["ML05"], lead),
        "gbv_author": _user("gbv_author", "gbv_focal_point", ["ML07"], lead),
        "partner_gbv": _user("partner_gbv", "gbv_focal_point", ["ML07"], partner),
        "mopti_gbv": _user("mopti_gbv", "gbv_focal_point", ["ML05"], lead),
    }


def _authors(users: dict[str, User], record_type: str) -> dict[str, User]:
    if record_type == "gbv":
        return {"gao": users["gbv_author"], "partner": users["partner_gbv"], "mopti": users["mopti_gbv"]}
    return {"gao": users["monitor"], "partner": users["partner_monitor"], "mopti": users["mopti_monitor"]}


# The record types made in one call, with no target details beside the record: each text field carries the marker.
MAKERS: dict[str, Callable[[dict[str, Any], str], Any]] = {
    "incident": lambda common, text: IncidentFactory(**common, narrative=f"Narrative {text}", locality=text),
    "movement": lambda common, text: MovementFactory(**common),
    "assistance": lambda common, text: AssistanceFactory(**common),
    "session": lambda common, text: SessionFactory(**common, topic=f"Topic {text}"),
    "alert": lambda common, text: AlertFactory(
        **common,
        narrative=f"Narrative {text}",
        response_triggered=True,
        response_by=f"Responder {text}",
        needs=["shelter", "food"],
    ),
}


def _make(record_type: str, place: str, author: User, text: str) -> tuple[Any, dict[str, Any]]:
    """One submitted record with `text` in each of its free-text fields; extra target details."""
    common = {
        "created_by": author,
        "place": AdminArea.objects.get(pcode=PLACES[place]),
        "status": Status.SUBMITTED,
        "submitted_at": timezone.now() - datetime.timedelta(days=2),
    }
    if record_type in MAKERS:
        return MAKERS[record_type](common, text), {}
    if record_type == "gbv":
        code = {"gao": "GAO-2021-730101", "partner": "GAO-2021-730102", "mopti": "MOP-2021-730103"}[place]
        referral = GbvReferralFactory(
            **common,
            organisation=author.organisation,
            survivor_code=code,
            notes=f"Notes {text}",
            services=[{"service": "health", "notes": f"Service {text}"}],
        )
        return referral, {"service_pk": referral.services.get().pk}
    if record_type == "household":
        head = f"Aminata {text}"
        members = [
            {"full_name": head, "sex": "female", "birth_year": 1985, "is_head": True},
            {"full_name": f"Moussa {text}", "sex": "male", "birth_year": 2012, "specific_needs": text},
        ]
        # Its likely duplicate: the same family, registered first, in the same scope (the newer one is merged into it).
        twin: Household = HouseholdFactory.create(**common, head_name=head, specific_needs=text, members=members)
        household: Household = HouseholdFactory.create(**common, head_name=head, specific_needs=text, members=members)
        return household, {"twin_pk": twin.pk}
    raise ValueError(f"No maker for the record type {record_type!r}")


def _restricted_incident(users: dict[str, User]) -> Any:
    """A Gao incident made as a monitor makes one (services): first a theft with a narrative, then a change adding a
    rape and rewriting the narrative (so the history holds both texts), then the rape removed again (the attack of
    issue 10: the restriction is a stored flag, not the current violations), then submitted."""
    monitor = users["monitor"]
    idp = PopulationGroup.objects.get(code="idp")
    incident = incident_services.incident_create(
        by=monitor,
        fields={
            "reported_on": datetime.date(2021, 12, 10),
            "occurred_on": datetime.date(2021, 12, 8),
            "place": AdminArea.objects.get(pcode=PLACES["restricted"]),
            "locality": marker("incident", "restricted"),
            "narrative": f"{RESTRICTED}-first Men stopped her near the well.",
        },
        violations=[{"type": ViolationType.objects.get(code="theft_extortion"), "population_group": idp, "men": 1}],
    )
    incident = incident_services.incident_update(
        incident=incident,
        by=monitor,
        version=incident.version,
        fields={"narrative": f"{RESTRICTED}-second The survivor was attacked near the well at night."},
        violations=[{"type": ViolationType.objects.get(code="rape"), "population_group": idp, "women": 1}],
    )
    incident = incident_services.incident_update(
        incident=incident,
        by=monitor,
        version=incident.version,
        fields={},
        violations=[{"type": ViolationType.objects.get(code="theft_extortion"), "population_group": idp, "men": 1}],
    )
    assert incident.narrative_restricted
    return workflow.take_step(incident, "submit", by=monitor, version=incident.version)


def _records(world: World) -> None:
    for record_type in RECORD_TYPES:
        for place, author in _authors(world.users, record_type).items():
            text = marker(record_type, place)
            record, extra = _make(record_type, place, author, text)
            # The last reviewer's note, and a comment in the history.
            type(record).objects.filter(pk=record.pk).update(review_note=f"Note {text}")
            workflow.add_comment(record, by=author, text=f"Comment {text}")
            record.refresh_from_db()
            world.targets[record_type, place] = Target(pk=record.pk, version=record.version, **extra)
            world.markers[record_type, place] = [text]
            if record_type == "gbv":
                world.markers[record_type, place].append(record.survivor_code)
    incident = _restricted_incident(world.users)
    world.targets["incident", "restricted"] = Target(pk=incident.pk, version=incident.version)
    world.markers["incident", "restricted"] = [marker("incident", "restricted")]


def _jobs(world: World) -> None:
    """Each admin exports each record type (CSV), as the worker does it."""
    for owner in JOB_OWNERS:
        for record_type in EXPORTED:
            job = Job.objects.create(
                kind="export_records",
                user=world.users[owner],
                params={"kind": "records", "month": None, "format": "csv", "record_type": record_type},
            )
            export_job(job.pk)
            job.refresh_from_db()
            assert job.status == Job.Status.DONE, job.errors
            world.targets["job", f"{owner}/{record_type}"] = Target(pk=job.pk)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """Built once, in a transaction rolled back after the module; each test's own changes are rolled back after it
    (the `db` fixture nests a savepoint), so every case starts from the same records."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
        built = World(users=_people())
        _records(built)
        _jobs(built)
        for place, username in ACCOUNT_OWNERS.items():
            built.targets["account", place] = Target(pk=built.users[username].pk)
        for username, user in built.users.items():
            token, _plain = ApiToken.objects.create(user=user, name="matrix")
            built.targets["token", username] = Target(pk=0, key=token.token_key)
        for name in USER_TARGETS:
            built.targets["user", name] = Target(pk=built.users[name].pk)
        yield built
        transaction.set_rollback(True)


# --- the cases


def iter_url_patterns(patterns: list, namespace: str = "") -> Iterator[tuple[str, set[str]]]:
    """Every URL pattern's name and the arguments its route takes (with those of the includes above it)."""
    for pattern in patterns:
        arguments = set(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from ((name, arguments | inner) for name, inner in iter_url_patterns(pattern.url_patterns, prefix))
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name or '<unnamed ' + str(pattern.pattern) + '>'}", arguments


def iter_url_names(patterns: list) -> Iterator[str]:
    return (name for name, _arguments in iter_url_patterns(patterns))


def row_key(url_name: str) -> str | None:
    if url_name in MATRIX:
        return url_name
    return next((key for key in MATRIX if key.endswith(":*") and url_name.startswith(key[:-1])), None)


def test_every_url_pattern_has_a_row():
    missing = sorted(name for name in set(iter_url_names(get_resolver().url_patterns)) if row_key(name) is None)
    assert missing == [], f"URL patterns without a row in tests/authorization_matrix.py: {missing}"


def test_every_row_names_a_url_that_exists():
    names = set(iter_url_names(get_resolver().url_patterns))
    stale = sorted(key for key in MATRIX if not key.endswith(":*") and key not in names)
    assert stale == [], f"Rows for URLs that no longer exist: {stale}"


def test_every_url_naming_a_record_is_checked_on_real_records():
    """No case probes a record that does not exist: a row whose URL takes a `pk` names the record (or job) it is
    checked on."""
    takes_pk = {
        row_key(name): bool({"pk", "key"} & arguments)  # a record's pk, or an API token's key
        for name, arguments in iter_url_patterns(get_resolver().url_patterns)
    }
    wrong = sorted(key for key in MATRIX for row in rows(key) if takes_pk.get(key) != (row.target is not None))
    assert wrong == []


def _targets(row: Row, role: str) -> tuple[str | None, ...]:
    if row.target is None:
        return (None,)
    if row.target == "token":
        return token_targets(role)
    if row.target == "job":
        return job_targets(role)
    if row.target == "user":
        return USER_TARGETS
    return record_targets(row.target, role)


def in_scope(role: str, target_type: str | None, place: str | None) -> bool:
    if target_type is None or place is None:
        return True
    if target_type == "token":
        return place == role
    if target_type == "job":
        return place.split("/")[0] == role
    if target_type == "account":
        return manages_account(role, place)
    if target_type == "user":
        return True  # a user is no record with a scope: who manages whom is core/tests/test_users.py's
    return reads(role, target_type, place)


def _cases() -> Iterator[Any]:
    for key in MATRIX:
        for index, row in enumerate(rows(key)):
            for url_name, fixed in GROUP_SAMPLES.get(key, [(key, None)]):
                for role in ROLES:
                    for place in _targets(row, role):
                        case_id = "-".join(str(part) for part in (url_name, row.method, role, place) if part)
                        reason = KNOWN_BUGS.get((url_name, role, place))
                        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                        yield pytest.param(key, index, url_name, fixed, role, place, id=case_id, marks=marks)


def forbidden(world: World, role: str, url: str) -> list[str]:
    """What the role must not find in any answer: the markers of the records it may not read, the restricted
    narrative (unless a GBV focal point), and the pages of other users' jobs (but the one requested, which a 404 page
    may name)."""
    strings = [
        text
        for (record_type, place), texts in world.markers.items()
        if role == "anonymous" or not reads(role, record_type, place)
        for text in texts
    ]
    if role not in READS_RESTRICTED_NARRATIVE:
        strings.append(RESTRICTED)
    strings += [
        reverse("reports:job", args=[target.pk])
        for (kind, name), target in world.targets.items()
        if kind == "job" and name.split("/")[0] != role and not url.startswith(reverse("reports:job", args=[target.pk]))
    ]
    # Other users' API tokens (but the one requested, which the URL names).
    strings += [
        target.key
        for (kind, name), target in world.targets.items()
        if kind == "token" and name != role and target.key not in url
    ]
    return strings


def body(response: Any) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


@pytest.mark.parametrize(("key", "index", "url_name", "fixed", "role", "place"), list(_cases()))
def test_each_role_gets_the_expected_answer(world, db, client: Client, key, index, url_name, fixed, role, place):
    row = rows(key)[index]
    target = world.targets[row.target, place] if place else None
    if role != "anonymous":
        client.force_login(world.users[role])
    kwargs = fixed if fixed is not None else resolve(row.kwargs, target)
    url = reverse(url_name, kwargs=kwargs)
    data = resolve(row.data, target)
    if row.json:
        response = getattr(client, row.method)(url, json.dumps(data), content_type="application/json")
    else:
        response = getattr(client, row.method)(url, data)
    if role == "anonymous" or in_scope(role, row.target, place):
        expected = row.on_place.get(place or "", {}).get(role, row.expected[role])
    else:
        expected = 404
    text = body(response)
    assert response.status_code == expected, f"{role} {row.method.upper()} {url} on {place}: {text[:300]}"
    leaked = [string for string in forbidden(world, role, url) if string in text]
    assert leaked == [], f"{role} {row.method.upper()} {url} on {place} shows {leaked}"


@pytest.mark.parametrize("role", RESTRICTED_TARGET_ROLES)
@pytest.mark.parametrize("channel", ["/api/v1/incidents/", "incidents:list"])
def test_a_restricted_narrative_is_searched_by_gbv_focal_points_only(world, db, client: Client, role, channel):
    """Text search is a channel too: the words of a restricted narrative find the incident for GBV focal points only,
    so nobody else can test guesses word by word (the incident's violation was removed: the flag holds)."""
    client.force_login(world.users[role])
    restricted = world.targets["incident", "restricted"]
    found = []
    for words in (RESTRICTED, "attacked near the well", "at night"):
        response = client.get(channel if channel.startswith("/") else reverse(channel), {"q": words})
        assert response.status_code == 200
        text = body(response)
        found.append(f"/incidents/{restricted.pk}/" in text or f'"id":{restricted.pk},' in text.replace(" ", ""))
    expected = role in READS_RESTRICTED_NARRATIVE
    assert found == [expected] * 3, (role, channel, found)


def test_the_world_is_what_the_matrix_says(world, db):
    """The markers are really in the records' answers to those who read them (else the matrix could not fail)."""
    client = Client()
    client.force_login(world.users["admin"])
    detail = client.get(reverse("incidents:detail", args=[world.targets["incident", "mopti"].pk])).content.decode()
    assert marker("incident", "mopti") in detail
    client.force_login(world.users["gbv"])
    referral = world.targets["gbv", "gao"]
    assert marker("gbv", "gao") in client.get(reverse("incidents:gbv-detail", args=[referral.pk])).content.decode()
    restricted = world.targets["incident", "restricted"]
    assert RESTRICTED in client.get(reverse("incidents:detail", args=[restricted.pk])).content.decode()
    # A flash alert is shared in its region: the partner's monitor reads the lead's Gao alert, every text of it (the
    # page shows the last review note only once returned or rejected; the API always answers it).
    client.force_login(world.users["partner_monitor"])
    alert = world.targets["alert", "gao"]
    page_text = body(client.get(reverse("alerts:detail", args=[alert.pk])))
    api_text = body(client.get(reverse("alert-detail", args=[alert.pk])))
    text = marker("alert", "gao")
    assert all(f"{kind} {text}" in page_text for kind in ("Narrative", "Responder", "Comment"))
    assert all(f"{kind} {text}" in api_text for kind in ("Narrative", "Responder", "Note"))
    client.force_login(world.users["partner_admin"])
    download = client.get(reverse("reports:job-download", args=[world.targets["job", "partner_admin/sessions"].pk]))
    assert marker("session", "partner") in body(download)
    assert Path(Job.objects.get(pk=world.targets["job", "partner_admin/sessions"].pk).result.path).exists()
