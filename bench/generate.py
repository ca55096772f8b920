"""The benchmark's data set, loaded with SQL (`INSERT … SELECT generate_series`), never the ORM row by row.

For N incidents (issue 14's default: 1,000,000) from 2016 to 2025 in every region and seven organisations:
1.5 N violations, 0.2 N movements, 0.2 N assistance events and 0.05 N GBV referrals. Statuses are mostly verified,
with some submitted (the review queues), returned, draft, rejected and archived, and some urgent; every reference
column holds a code of its reference list; the optional ones an incident usually has (source type, collection
method, location type, perpetrator) are filled, as on real records. A few users of each role, then some months
closed through the application's own closing (`reports.publishing`), so that published figures exist.

Randomness is seeded (`setseed`): the same N gives the same data set.

Every statement is built from this module's constants and integers, never from input (hence the `noqa: S608`).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from core.choices import AdminLevel, Role
from core.management.commands.load_demo import PARTNERS as DEMO_PARTNERS
from core.models import AdminArea, Organisation, User
from core.services import lead_organisation
from reports import rollup
from reports.publishing import close_month, publish, snapshot

FIRST_DAY = datetime.date(2016, 1, 1)
DAYS = (datetime.date(2026, 1, 1) - FIRST_DAY).days  # 2016-01-01 to 2025-12-31
OPEN_MONTH = datetime.date(2025, 12, 1)  # the last month: open, as the month being reported on usually is
CLOSED_MONTHS = (datetime.date(2025, 10, 1), datetime.date(2025, 11, 1))
SCRATCH_MONTH = datetime.date(2025, 9, 1)  # closed and reopened by the "closing one month" case

PARTNERS = [*DEMO_PARTNERS, ("TASSAGHT", "Tassaght")]  # the demo's partners and one more: seven organisations
# Regions weighted by how much is reported there: the centre and the north more than the south (Gao: 2 of 15).
REGION_WEIGHTS = {"ML01": 1, "ML02": 1, "ML03": 1, "ML04": 1, "ML05": 3, "ML06": 2, "ML07": 2, "ML08": 1, "ML09": 1}
REGION_WEIGHTS["ML10"] = 2
# Violation types that make most of the caseload (the others each count once in the draw).
COMMON_TYPES = {"threat": 6, "theft_extortion": 5, "assault_injury": 4, "forced_displacement_conflict": 3, "murder": 3}
PASSWORD = "Bench-only-2026"  # noqa: S105  the benchmark's throw-away users, on a throw-away database

Say = Callable[[str], None]


def generate(incidents: int, *, say: Say, closed_months: tuple[datetime.date, ...] = CLOSED_MONTHS) -> None:
    """Load the data set into the (migrated, empty) database, ANALYZE it, and close `closed_months`."""
    started = time.perf_counter()
    users = _people()
    say(f"users and organisations: {len(users)} users, {Organisation.objects.count()} organisations")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.14)")
        cursor.execute("SET LOCAL jit = off")  # compiling these one-off statements costs more than it saves
        _pick_tables(cursor, users)
        for name, statement in _statements(incidents):
            step = time.perf_counter()
            cursor.execute(statement)
            say(f"{name}: {cursor.rowcount:,} rows in {time.perf_counter() - step:.1f} s")
        _restart_identities(cursor)
    step = time.perf_counter()
    rollup.rebuild()  # the rows went in by SQL, which sends no signal: the figures' monthly cells are counted here
    say(f"monthly figure cells counted in {time.perf_counter() - step:.1f} s")
    with connection.cursor() as cursor:
        step = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        say(f"VACUUM ANALYZE in {time.perf_counter() - step:.1f} s")
    for month in closed_months:
        step = time.perf_counter()
        close(month, by=users["admin"])
        say(f"closed {month:%Y-%m} (reports.publishing) in {time.perf_counter() - step:.1f} s")
    say(f"data set loaded in {time.perf_counter() - started:.0f} s")


def close(month: datetime.date, *, by: User) -> None:
    """Close a month as the closing job does: its figures for every scope, read in one snapshot, then stored."""
    with snapshot():
        published = publish(month)
    close_month(month, by=by, published=published, note="bench")


def _people() -> dict[str, User]:
    """Seven organisations (the lead and six partners), and users: an admin, a viewer, a Gao supervisor, a GBV focal
    point of Gao, and a monitor per region. Few rows: the ORM is fine here."""
    lead = lead_organisation()
    partners = [Organisation.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in PARTNERS]
    regions = {area.pcode: area for area in AdminArea.objects.filter(level=AdminLevel.REGION)}
    wanted: list[tuple[str, str, Organisation, list[str]]] = [
        ("admin", Role.ADMIN, lead, []),
        ("viewer", Role.VIEWER, lead, []),
        ("supervisor_gao", Role.SUPERVISOR, lead, ["ML07"]),
        ("gbv_gao", Role.GBV_FOCAL_POINT, lead, ["ML07"]),
    ]
    wanted += [
        (f"monitor_{pcode.lower()}", Role.MONITOR, partners[index % len(partners)], [pcode])
        for index, pcode in enumerate(sorted(regions))
    ]
    users, password = {}, make_password(PASSWORD)  # hashed once: hashing is slow on purpose
    for username, role, organisation, pcodes in wanted:
        user = User.objects.create(username=username, password=password, role=role, organisation=organisation)
        user.regions.set([regions[pcode] for pcode in pcodes])
        users[username] = user
    return users


def _pick_tables(cursor: CursorWrapper, users: dict[str, User]) -> None:
    """Temporary tables the loading statements draw from: weighted regions with their places and their monitor,
    and weighted violation types."""
    cursor.execute(
        "CREATE TEMP TABLE bench_region (slot int, region_id bigint, places bigint[], monitor_id bigint, "
        "reviewer_id bigint) ON COMMIT DROP"
    )
    slot = 0
    for area in AdminArea.objects.filter(level=AdminLevel.REGION).order_by("pcode"):
        places = list(AdminArea.objects.filter(parent=area).values_list("pk", flat=True)) or [area.pk]
        monitor = users[f"monitor_{area.pcode.lower()}"].pk
        reviewer = users["supervisor_gao" if area.pcode == "ML07" else "admin"].pk
        for _copy in range(REGION_WEIGHTS.get(area.pcode, 1)):
            cursor.execute(
                "INSERT INTO bench_region VALUES (%s, %s, %s, %s, %s)", [slot, area.pk, places, monitor, reviewer]
            )
            slot += 1
    cursor.execute("CREATE TEMP TABLE bench_type (slot int, type_id bigint, collective bool) ON COMMIT DROP")
    cursor.execute(
        "INSERT INTO bench_type SELECT row_number() OVER (ORDER BY t.code, n) - 1, t.id, t.collective "
        "FROM core_violationtype t CROSS JOIN LATERAL generate_series(1, "
        "CASE t.code " + " ".join(f"WHEN '{code}' THEN {weight}" for code, weight in COMMON_TYPES.items()) + " ELSE 1 "
        "END) n"
    )


def _ids(table: str) -> str:
    """An SQL array of a reference list's ids, to draw from: `(SELECT array_agg(id) FROM …)`."""
    return f"(SELECT array_agg(id ORDER BY id) FROM {table})"  # noqa: S608  a table name of this module


def _draw(array: str, random: str = "random()") -> str:
    """One element of an SQL array, drawn at random."""
    return f"({array})[1 + floor({random} * cardinality({array}))::int]"


# Statuses: mostly verified; 7 % waiting for review, the rest returned, draft, rejected or archived.
_STATUS = (
    "CASE WHEN s.r_status < 0.86 THEN 'verified' WHEN s.r_status < 0.93 THEN 'submitted' "
    "WHEN s.r_status < 0.95 THEN 'returned' WHEN s.r_status < 0.97 THEN 'draft' "
    "WHEN s.r_status < 0.985 THEN 'rejected' ELSE 'archived' END"
)
# The workflow's columns every reviewed record has, from a subquery `s` with day, r_status, r_urgent and a
# region row `g`.
_WORKFLOW_COLUMNS = (
    "status, status_before_archive, version, created_at, updated_at, submitted_at, reviewed_at, review_note, "
    "urgent, changed_after_closing, created_by_id, reviewed_by_id, organisation_id, region_id, place_id"
)


# Reviewed: verified, returned, rejected and archived records.
_REVIEWED = "(s.r_status < 0.86 OR s.r_status >= 0.97 OR (s.r_status >= 0.93 AND s.r_status < 0.95))"


def _workflow_values(date: str) -> str:
    created = f"({date})::timestamptz + interval '9 hours'"
    return (
        f"{_STATUS}, CASE WHEN s.r_status >= 0.985 THEN 'verified' ELSE '' END, 1, {created}, "
        f"{created} + interval '3 days', "
        f"CASE WHEN s.r_status >= 0.95 AND s.r_status < 0.97 THEN NULL ELSE {created} + interval '1 day' END, "
        f"CASE WHEN {_REVIEWED} THEN {created} + interval '3 days' END, "
        "CASE WHEN s.r_status >= 0.93 AND s.r_status < 0.95 THEN 'Please give the place and the date.' ELSE '' END, "
        "s.r_urgent < 0.04, false, g.monitor_id, "
        f"CASE WHEN {_REVIEWED} THEN g.reviewer_id END, "
        f"{_ids('core_organisation')}[1 + s.org_slot], g.region_id, {_draw('g.places', 's.r_place')}"
    )


def _sample(count: str, extra: str = "") -> str:
    """The random draws of `count` records: a day of 2016-2025, a status, urgency, a region slot, a place and an
    organisation, and `extra` draws."""
    return (
        f"SELECT n, (DATE '{FIRST_DAY}' + floor(random() * {DAYS})::int) AS day, random() AS r_status, "  # noqa: S608
        "random() AS r_urgent, floor(random() * (SELECT count(*) FROM bench_region))::int AS region_slot, "
        "random() AS r_place, floor(random() * (SELECT count(*) FROM core_organisation))::int AS org_slot"
        f"{extra} FROM generate_series(1, {count}) n"
    )


def _people_values(scale: str = "1") -> str:
    """women, girls, men, boys, unknown: small counts, at least one person (the tables' constraint)."""
    draws = [f"floor(random() * 3 * {scale})::int" for _group in range(4)]
    return ", ".join([f"1 + {draws[0]}", *draws[1:], "(random() < 0.1)::int"])


def _statements(incidents: int) -> list[tuple[str, str]]:
    share = {name: max(1, round(incidents * ratio)) for name, ratio in (("m", 0.2), ("a", 0.2), ("gbv", 0.05))}
    return [
        ("incidents", _incident_sql(incidents)),
        ("violations", _violation_sql(incidents)),
        ("restricted narratives", _restricted_sql()),
        ("movements", _movement_sql(share["m"])),
        ("assistance events", _assistance_sql(share["a"])),
        ("GBV referrals", _gbv_sql(share["gbv"])),
    ]


def _incident_sql(count: int) -> str:
    return (
        f"INSERT INTO incidents_incident (id, {_WORKFLOW_COLUMNS}, reported_on, occurred_on, perpetrator_count, "  # noqa: S608
        "credibility, time_of_day, locality, displaced_persons, narrative, narrative_restricted, "
        "collection_method_id, location_type_id, perpetrator_id, source_type_id) "
        f"SELECT s.n, {_workflow_values('s.day')}, s.day, "
        "CASE WHEN random() < 0.9 THEN s.day - floor(random() * 20)::int END, "
        "CASE WHEN random() < 0.7 THEN 1 + floor(random() * 10)::int END, "
        "(ARRAY['confirmed', 'probable', 'unverified'])[1 + floor(random() * 3)::int], "
        "(ARRAY['morning', 'afternoon', 'evening', 'night', 'unknown'])[1 + floor(random() * 5)::int], "
        "'Locality ' || (s.n % 700), CASE WHEN random() < 0.1 THEN floor(random() * 500)::int END, "
        "'Synthetic incident ' || s.n || ': what happened, in a few words.', false, "
        f"{_draw(_ids('core_collectionmethod'))}, {_draw(_ids('core_locationtype'))}, "
        f"{_draw(_ids('core_perpetratorcategory'))}, {_draw(_ids('core_sourcetype'))} "
        f"FROM ({_sample(str(count))}) s JOIN bench_region g ON g.slot = s.region_slot"
    )


def _violation_sql(incidents: int) -> str:
    """One violation per incident, a second one for every other incident: 1.5 N. A collective type (a village
    displaced) touches tens of people; another type, a few."""
    return (
        "INSERT INTO incidents_violation (incident_id, type_id, population_group_id, women, girls, men, boys, "  # noqa: S608
        "unknown, with_disability) "
        "SELECT v.incident_id, t.type_id, v.population_group_id, "
        "v.women * CASE WHEN t.collective THEN 12 ELSE 1 END, v.girls * CASE WHEN t.collective THEN 15 ELSE 1 END, "
        "v.men * CASE WHEN t.collective THEN 10 ELSE 1 END, v.boys * CASE WHEN t.collective THEN 14 ELSE 1 END, "
        "CASE WHEN v.women + v.girls + v.men + v.boys = 0 THEN 1 ELSE v.unknown END, "
        "(random() < 0.05)::int "
        "FROM (SELECT i AS incident_id, floor(random() * (SELECT count(*) FROM bench_type))::int AS type_slot, "
        f"{_draw(_ids('core_populationgroup'))} AS population_group_id, "
        "floor(random() * 3)::int AS women, floor(random() * 2)::int AS girls, floor(random() * 3)::int AS men, "
        "floor(random() * 2)::int AS boys, (random() < 0.1)::int AS unknown "
        f"FROM generate_series(1, {incidents}) i CROSS JOIN generate_series(1, 2) k WHERE k = 1 OR i % 2 = 0) v "
        "JOIN bench_type t ON t.slot = v.type_slot"
    )


def _restricted_sql() -> str:
    """What the services do when a sexual-violence type is recorded: the narrative becomes restricted."""
    return (
        "UPDATE incidents_incident SET narrative_restricted = true WHERE id IN (SELECT v.incident_id "
        "FROM incidents_violation v JOIN core_violationtype t ON t.id = v.type_id WHERE t.sexual_violence)"
    )


def _movement_sql(count: int) -> str:
    countries = "(ARRAY['ML', 'NE', 'BF', 'DZ', 'MR', 'CI', 'GN', 'SN'])"
    return (
        f"INSERT INTO beneficiaries_movement ({_WORKFLOW_COLUMNS}, identified_on, women, girls, men, boys, unknown, "  # noqa: S608
        "nationality, origin_country, destination_country, unaccompanied_children, separated_children, "
        "specific_needs) "
        f"SELECT {_workflow_values('s.day')}, s.day, {_people_values('4')}, {_draw(countries)}, "
        f"{_draw(countries)}, CASE WHEN random() < 0.6 THEN {_draw(countries)} ELSE '' END, "
        "floor(random() * 2)::int, floor(random() * 2)::int, floor(random() * 3)::int "
        f"FROM ({_sample(str(count))}) s JOIN bench_region g ON g.slot = s.region_slot"
    )


def _assistance_sql(count: int) -> str:
    return (
        f"INSERT INTO activities_assistanceevent ({_WORKFLOW_COLUMNS}, delivered_on, women, girls, men, boys, "  # noqa: S608
        "unknown, kind_id, sector_id, population_group_id, households, quantity, amount, currency, country) "
        f"SELECT {_workflow_values('s.day')}, s.day, {_people_values('20')}, "
        f"{_draw(_ids('core_assistancekind'))}, {_draw(_ids('core_sector'))}, "
        f"{_draw(_ids('core_populationgroup'))}, floor(random() * 60)::int, "
        "CASE WHEN random() < 0.3 THEN 1 + floor(random() * 40) END, "
        "CASE WHEN s.r_cash < 0.2 THEN 25000 * (1 + floor(random() * 40)) END, "
        "CASE WHEN s.r_cash < 0.2 THEN 'XOF' ELSE '' END, '' "
        f"FROM ({_sample(str(count), ', random() AS r_cash')}) s JOIN bench_region g ON g.slot = s.region_slot"
    )


def _gbv_sql(count: int) -> str:
    return (
        f"INSERT INTO incidents_gbvreferral ({_WORKFLOW_COLUMNS}, survivor_code, reported_on, sex, age, "  # noqa: S608
        "incident_date, consent_to_referral, consent_to_reporting, notes, case_status, incident_type_id, "
        "population_group_id) "
        f"SELECT {_workflow_values('s.day')}, 'SV-' || to_char(s.day, 'YY') || '-' || s.n, s.day, "
        "CASE WHEN random() < 0.9 THEN 'female' WHEN random() < 0.8 THEN 'male' ELSE 'unknown' END, "
        "CASE WHEN random() < 0.9 THEN 8 + floor(random() * 50)::int END, "
        "s.day - floor(random() * 30)::int, random() < 0.9, random() < 0.85, '', "
        "CASE WHEN random() < 0.6 THEN 'closed' ELSE 'open' END, "
        f"{_draw(_ids('core_gbvincidenttype'))}, {_draw(_ids('core_populationgroup'))} "
        f"FROM ({_sample(str(count))}) s JOIN bench_region g ON g.slot = s.region_slot"
    )


def _restart_identities(cursor: CursorWrapper) -> None:
    """Incidents were given their ids (violations point at them): the next one the application creates follows."""
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence('incidents_incident', 'id'), (SELECT max(id) FROM incidents_incident))"
    )
