"""Closed months: the published figures stored when a month closes, and which figures a request gets.

A month's figures are published for every scope a user can have: the whole operation ("all"), each region,
and each set of regions some user works in — as numbers and codes, once for every language: labels are added
when the figures are read (`reports.labels`). Each region's figures are computed once and every other scope is
merged from them (`reports.merging`), so closing does not grow with the number of users or languages. A closed
month answers its published figures; `current=true` gives today's.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from celery import Task
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer

from core import audit
from core.access import aggregate_scope
from core.choices import AdminLevel, Role
from core.closing import MonthState, lock_month, month_state
from core.db import reading_replica
from core.errors import ConflictError
from core.jobs import hold_claim, progress_kept, start_job
from core.models import AdminArea, ClosedMonth, Job, MonthLog, Organisation, ReferenceItem, User
from reports import counting, reference_lists, suppression
from reports.figures import add_months, figure_numbers, monthly_figures
from reports.labels import add_labels
from reports.merging import merge_figures
from reports.models import Publication
from reports.tallies import tallies

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Regions:
    """A scope by regions alone, standing in for a user when figures are published for every scope."""

    pcodes: frozenset[str]

    def region_pcodes(self) -> frozenset[str]:
        return self.pcodes


def scope_key(regions: frozenset[str]) -> str:
    return ",".join(sorted(regions)) or "all"


def request_scope_key(user: User, region: AdminArea | None) -> str:
    return region.pcode if region is not None else scope_key(user.region_pcodes())


def is_closed(month: datetime.date) -> bool:
    return ClosedMonth.objects.filter(month=month, is_closed=True).exists()


def _changed_since_closing(user: User, month: datetime.date, region: AdminArea | None) -> bool:
    """Whether a record of the month in this scope changed after closing: one query over every counted type."""
    end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    flagged = []
    for record_type in counting.counted_types():
        model = record_type.model
        records = aggregate_scope(model._default_manager.all(), user).filter(
            changed_after_closing=True, **{f"{model.month_field}__gte": month, f"{model.month_field}__lt": end}
        )
        if region is not None:
            records = records.filter(region=region)
        flagged.append(records.order_by().values("pk"))
    return flagged[0].union(*flagged[1:], all=True).exists()


# --- closed months' answers, cached per scope x month x language (Django's cache)
#
# A closed month's answer is its published figures, labelled, and whether a record of it changed since: it changes
# only when a record of a closed month is written (flagged changed after closing), a month closes or reopens, or a
# label or region name changes. Each of these forgets every cached answer (a new version in the keys); the closing
# itself is in the key too (a month closed again is a new answer). A day at most, in case a label was changed by
# a bulk update that sent no signal.
PUBLISHED_SECONDS = 24 * 3600
_VERSION = "reports:published:version"


def _new_version() -> None:
    try:
        cache.set(_VERSION, uuid.uuid4().hex, None)
    except Exception:  # noqa: BLE001  the cache down (Redis): the write goes on; should the cache come back with
        # its data, an answer cached before may be read until it expires (PUBLISHED_SECONDS): said in the logs.
        logger.exception("The cache could not forget closed months' answers (a new version).")


def forget_published_answers() -> None:
    """Every cached answer of a closed month forgotten: now (later reads in this transaction), and again when the
    transaction commits (an answer another request cached meanwhile read the records as they were before it)."""
    _new_version()
    transaction.on_commit(_new_version)


def record_written(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    """A record of a closed month written (it is flagged changed after closing): its month answers otherwise."""
    if getattr(instance, "changed_after_closing", False):
        forget_published_answers()


def labels_written(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    """A label or a region's name changed: the cached answers hold labels."""
    if isinstance(instance, ReferenceItem | AdminArea):
        forget_published_answers()


def _answer_key(closed: ClosedMonth, scope: str, kind: str) -> str:
    version = cache.get(_VERSION)
    if version is None:
        cache.add(_VERSION, uuid.uuid4().hex, None)
        version = cache.get(_VERSION)
    closing = f"{closed.pk}.{closed.closed_at.timestamp() if closed.closed_at else ''}"
    return f"reports:published:{version}:{closing}:{kind}:{scope}:{translation.get_language()}"


def _closed_month(month: datetime.date) -> ClosedMonth | None:
    """The month if it is closed. Its published figures (every scope's: a large JSON document) are left in the
    database until an answer is not in the cache: reading them on every request was most of a cached answer's time."""
    return ClosedMonth.objects.filter(month=month, is_closed=True).defer("published").first()


Answer = TypeVar("Answer", dict[str, Any], dict[str, Any] | None, bytes | None)


def _published_answer(
    closed: ClosedMonth, user: User, region: AdminArea | None, make: Callable[[], Answer], kind: str
) -> Answer:
    """The cached answer, or `make()` cached; with the cache down, `make()` (the answer is never wrong, only slower).
    A `make()` answering None (nothing published for the scope) is not cached."""
    try:
        key = _answer_key(closed, request_scope_key(user, region), kind)
        answer = cache.get(key)
    except Exception:  # noqa: BLE001  the cache down (Redis): answer from the database
        logger.warning("The cache cannot be read: a closed month's answer is made again.", exc_info=True)
        return make()
    if answer is None:
        answer = make()
        if answer is None:
            return answer
        try:
            cache.set(key, answer, PUBLISHED_SECONDS)
        except Exception:  # noqa: BLE001  as above: the answer stands, uncached
            logger.warning("The cache cannot be written.", exc_info=True)
    return answer


def figures_for(
    *,
    user: User,
    month: datetime.date,
    region: AdminArea | None = None,
    organisation: Organisation | None = None,
    current: bool = False,
) -> dict[str, Any]:
    closed = _closed_month(month)
    if closed is not None and not current and organisation is None:
        answer = _published_figures(closed, user, region)
        if answer is not None:
            return answer
    with reading_replica():  # today's figures may lag the primary by the replica's delay; published ones never
        figures = monthly_figures(user=user, month=month, region=region, organisation=organisation)
    return _figures_answer(figures, closed, user, region)


def _published_figures(closed: ClosedMonth, user: User, region: AdminArea | None) -> dict[str, Any] | None:
    """A closed month's answer as published for the user's scope, cached; None if it was not published for it."""

    def published_answer() -> dict[str, Any] | None:
        published = closed.published.get(request_scope_key(user, region))
        return _figures_answer(add_labels(published), closed, user, region) if published else None

    return _published_answer(closed, user, region, published_answer, "figures")


def figures_json(*, user: User, month: datetime.date, region: AdminArea | None = None) -> bytes | None:
    """A published month's `figures_for` answer as the API writes it, cached beside it; None when the month is not
    closed or was not published for the user's scope (the answer is worked out: the API renders it)."""
    closed = _closed_month(month)
    if closed is None:
        return None
    return _published_json(closed, user, region, partial(_published_figures, closed, user, region), "figures")


def viewer_figures_json(*, user: User, month: datetime.date, region: AdminArea | None = None) -> bytes:
    """`viewer_figures` as the API writes it, cached beside it (NotPublished and DoesNotExist as it raises them)."""
    closed = _closed_month(month)
    content = None
    if closed is not None:  # viewer_figures answers or raises: never None
        content = _published_json(closed, user, region, partial(viewer_figures, user=user, month=month, region=region))
    if content is None:
        raise ClosedMonth.DoesNotExist(month)
    return content


def _published_json(
    closed: ClosedMonth,
    user: User,
    region: AdminArea | None,
    answer: Callable[[], dict[str, Any] | None],
    kind: str = "viewer",
) -> bytes | None:
    """`answer()` rendered (`rendered`), cached beside the answer itself under `<kind>.json`; None, uncached, when
    it answers None."""

    def make() -> bytes | None:
        found = answer()
        return None if found is None else rendered(found)

    return _published_answer(closed, user, region, make, f"{kind}.json")


def rendered(answer: dict[str, Any]) -> bytes:
    """An answer written as the API's JSON renderer writes it. A national answer is some 200 kB of JSON: reading it
    from the cache as objects and writing it again took most of a cached answer's time (8 ms against 1.4 ms for a
    reference list); its bytes are read in a fraction of that."""
    return JSONRenderer().render(answer)


def _figures_answer(
    figures: dict[str, Any], closed: ClosedMonth | None, user: User, region: AdminArea | None
) -> dict[str, Any]:
    return {
        **figures,
        "closed": closed is not None,
        "changed_since_closing": closed is not None and _changed_since_closing(user, closed.month, region),
        "suppressed": False,
    }


def publication_scopes() -> list[frozenset[str]]:
    """Every scope a reader can ask for: all regions, each region, each multi-region set of an active user."""
    regions = [
        frozenset({pcode})
        for pcode in AdminArea.objects.filter(level=AdminLevel.REGION).values_list("pcode", flat=True)
    ]
    user_sets = {
        user.region_pcodes()
        for user in User.objects.filter(is_active=True).prefetch_related("regions")
        if len(user.region_pcodes()) > 1
    }
    return [frozenset(), *regions, *sorted(user_sets, key=sorted)]


def publish(month: datetime.date, progress=lambda done, total: None) -> dict[str, dict[str, Any]]:
    """The figures of the month for every scope, as they stand now: {scope key: numbers and codes}. Each region's
    figures are computed once; the whole operation and every set of regions are merged from them."""
    scopes = publication_scopes()
    areas = {area.pcode: area for area in AdminArea.objects.filter(level=AdminLevel.REGION)}
    steps = len(areas) + len(scopes)
    cells: dict[str, dict[str, Any]] = {}
    published: dict[str, dict[str, Any]] = {}
    with reference_lists.read_once():  # the same short lists for every region
        for done, (pcode, area) in enumerate(areas.items(), start=1):
            cells[pcode] = figure_numbers(user=Regions(frozenset({pcode})), month=month, region=area)
            progress(done, steps)
        every_record_in_a_cell = _every_record_in_a_region()
        for done, regions in enumerate(scopes, start=len(areas) + 1):
            published[scope_key(regions)] = _scope_figures(month, regions, cells, whole=every_record_in_a_cell)
            progress(done, steps)
    return published


def _every_record_in_a_region() -> bool:
    """A record's region is its place's level-1 region when it is saved; an admin-areas import that later changed
    an area's level leaves records whose region is no cell's."""
    return not any(
        record_type.model._default_manager.exclude(region__level=AdminLevel.REGION).exists()
        for record_type in counting.counted_types()
    )


def _scope_figures(
    month: datetime.date, regions: frozenset[str], cells: dict[str, dict[str, Any]], *, whole: bool = True
) -> dict[str, Any]:
    """A scope's figures from its regions' cells. The whole operation is every cell when every record's region
    is a level-1 region (`whole`); otherwise, and for a scope naming a region that is not one, the scope is
    computed directly."""
    wanted = regions or (frozenset(cells) if whole else frozenset())
    if not wanted or not wanted <= cells.keys():
        return figure_numbers(user=Regions(regions), month=month)
    if len(regions) == 1:
        return cells[next(iter(regions))]
    return merge_figures(month, [cells[pcode] for pcode in sorted(wanted)])


# A closing note's length: the close page refuses longer, the API keeps the first NOTE_LENGTH characters.
NOTE_LENGTH = 2000


def begin_closing(
    month: datetime.date, *, by: User, note: str, task: Task[Any, Any], checklist: dict[str, Any] | None = None
) -> Job:
    """Accept a closing: in one transaction, wait for the writes into the month already under way (its lock),
    refuse a month closing or closed (409), and mark it closing with the job that will store its figures. From
    the commit on, no write enters the month (core.closing) until the job ends. When the task queue cannot be
    reached, the job is deleted, which un-marks the month, and QueueUnavailable (503) is raised.

    `checklist`: what the closing checklist found when the admin closed, and whether they said they close anyway
    (reports.checklist); the audit log keeps it with the closing."""
    with transaction.atomic():
        lock_month(month, exclusive=True)
        row, _created = ClosedMonth.objects.select_for_update().get_or_create(month=month)
        state = month_state(month)
        if state is MonthState.CLOSING:
            raise ConflictError(_("This month is being closed already."))
        if state is MonthState.CLOSED:
            raise ConflictError(_("This month is already closed."))
        params: dict[str, Any] = {"month": month.isoformat(), "note": note}
        if checklist is not None:
            params["checklist"] = checklist
        row.closing_job = start_job(kind="close_month", user=by, task=task, params=params)
        row.save(update_fields=["closing_job"])
        return row.closing_job


@contextlib.contextmanager
def snapshot() -> Iterator[None]:
    """Read the database as it stood at one moment, on the primary: on PostgreSQL a REPEATABLE READ, read-only
    transaction. The job's progress is kept meanwhile (its row cannot be written here) and written by its
    heartbeat. Inside a transaction already (tests), it reads that.

    SQLite (embedded mode) opens its transactions IMMEDIATE, which would hold the database's one write lock, and
    so stop every write of the application, while the figures are read: there the figures are read without one
    (the month itself is frozen by the closing mark; an earlier month may move meanwhile)."""
    if connection.vendor != "postgresql":
        yield
        return
    fresh = not connection.in_atomic_block
    with transaction.atomic(using=DEFAULT_DB_ALIAS), progress_kept():
        if fresh:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


@transaction.atomic
def close_month(
    month: datetime.date, *, by: User, published: dict[str, Any], note: str = "", job: Job | None = None
) -> ClosedMonth:
    """Store the published figures and close the month. Given its closing job, only that job's closing is
    stored (a closing the month no longer waits for fails), and a second run of it changes nothing."""
    closed, _created = ClosedMonth.objects.select_for_update().get_or_create(month=month)
    if job is not None and closed.closing_job_id != job.pk:
        raise ConflictError(_("This closing was replaced or given up: start it again."))
    if job is not None:
        hold_claim(job)  # a run the sweeper gave up on stores nothing: the month was open again meanwhile
    if job is not None and closed.is_closed:
        return closed  # this job stored the figures, then its worker stopped before the job was marked done
    closed.is_closed, closed.closed_at, closed.closed_by = True, timezone.now(), by
    closed.note, closed.published = note, published
    closed.save()
    decide_publication(month, published)
    forget_published_answers()
    MonthLog.objects.create(month=month, action=MonthLog.Action.CLOSED, by=by, reason=note)
    # The note stays in the month's own log: the audit log names the month, not what was written about it; it keeps
    # what the closing checklist found (counts) and whether the admin said they closed anyway.
    details: dict[str, Any] = {"month": f"{month:%Y-%m}"}
    if job is not None and "checklist" in job.params:
        details["checklist"] = job.params["checklist"]
    audit.record(audit.Action.MONTH_CLOSED, actor=by, obj=closed, details=details)
    return closed


@transaction.atomic
def reopen_month(month: datetime.date, *, by: User, reason: str, request: HttpRequest | None = None) -> ClosedMonth:

    if not reason.strip():
        raise ValidationError({"reason": _("Say why the month is reopened.")})
    closed = ClosedMonth.objects.select_for_update().filter(month=month, is_closed=True).first()
    if closed is None:
        raise ConflictError(_("This month is not closed."))
    if month_state(month) is MonthState.CLOSING:
        raise ConflictError(_("This month is being closed already."))
    closed.is_closed = False
    closed.save(update_fields=["is_closed"])
    forget_published_answers()
    MonthLog.objects.create(month=month, action=MonthLog.Action.REOPENED, by=by, reason=reason.strip())
    audit.record(
        audit.Action.MONTH_REOPENED, request=request, actor=by, obj=closed, details={"month": f"{month:%Y-%m}"}
    )
    return closed


# --- what viewers read of a closed month: suppression decided once, over every answer they can get

# Measures of other closed months that tie into this month's answers: the trend, `previous_month`, year to date.
LINKED = ("incidents", "violations", "movements.persons")


def _linked(measure: str) -> bool:
    return measure in LINKED or measure.endswith(".ytd") or ".ytd." in measure


def viewer_answer(figures: dict[str, Any], scope: str) -> dict[str, Any]:
    """A published answer as far as viewers get it: GBV referral figures for the whole operation only."""
    shown = copy.deepcopy(figures)
    if scope != suppression.ALL and "gbv_referrals" in shown:
        shown["gbv_referrals"] = None
    return shown


def viewer_tally_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tally rows viewers get: GBV referrals are national only, so never by region."""
    return [row for row in rows if row["indicator"] != "gbv_referrals"]


def _answers(published: dict[str, Any]) -> dict[str, Any]:
    """A closed month's published figures by scope (numbers: suppression reads no label)."""
    return published or {}


def decide_publication(month: datetime.date, published: dict[str, Any]) -> Publication:
    """Work out, once, what viewers never see of this month: over every scope's answer (national, each region,
    each set of regions), the month's tallies, and what earlier or later closed months already published."""
    decision, rows = _decide(month, published)
    publication, _created = Publication.objects.update_or_create(
        month=month,
        defaults={"tallies": rows, "hidden": sorted(decision.stored()), "protected": decision.undetermined},
    )
    return publication


# A preview of what a closing would hide is kept this long, under a key made of everything the decision reads.
PREVIEW_SECONDS = 3600


def decision_if_closed_now(month: datetime.date) -> tuple[set[str], set[str]]:
    """What viewers would not see of an open month were it closed now (the closing checklist says it before the
    admin closes), and which of those hidden cells they could still work out (`suppression.Decision.unprotected`):
    the month's figures for every scope as a closing would publish them, and the same decision, stored nowhere. The
    figures cost what a closing's cost (about a second on the demo); the decision may take longer, so it is cached
    under a digest of all it reads: asked again while no counted record, reference list, viewer's regions or closed
    month changed, the preview costs the figures alone."""
    published = publish(month)
    rows = _month_tally_rows(month)
    key = _preview_key(month, published, rows)
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001  the cache down (Redis): worked out again, only slower
        logger.warning("The cache cannot be read: the suppression preview is worked out again.", exc_info=True)
        cached = None
    if cached is not None:
        return set(cached["hidden"]), set(cached["unprotected"])
    decision, _rows = _decide(month, published, rows)
    hidden, unprotected = decision.stored(), set(decision.unprotected)
    try:
        cache.set(key, {"hidden": sorted(hidden), "unprotected": sorted(unprotected)}, PREVIEW_SECONDS)
    except Exception:  # noqa: BLE001  as above: the preview stands, uncached
        logger.warning("The cache cannot be written.", exc_info=True)
    return hidden, unprotected


def _preview_key(month: datetime.date, published: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """A digest of what `_decide` reads: the month's figures and tallies, the reference lists, the scopes viewers
    read, and the closed months (their published figures and decisions are fixed when they close)."""
    material = {
        "month": month.isoformat(),
        "published": published,
        "tallies": rows,
        "reference": dataclasses.asdict(suppression.Reference.load()),
        "viewer_scopes": sorted(viewer_scopes()),
        "closed": list(ClosedMonth.objects.filter(is_closed=True).order_by("month").values_list("month", "closed_at")),
    }
    digest = hashlib.sha256(json.dumps(material, sort_keys=True, default=_plain).encode()).hexdigest()
    return f"reports:hidden-preview:2:{digest}"  # 2: hidden and unprotected cells


def _plain(value: Any) -> Any:
    """JSON for what it does not write: a set in order (the same digest in every process), a date as text."""
    return sorted(value) if isinstance(value, set | frozenset) else str(value)


def _month_tally_rows(month: datetime.date) -> list[dict[str, Any]]:
    """The month's tallies as viewers may read them, whatever their scope: what the decision covers beside figures."""
    return viewer_tally_rows(tallies(user=Regions(frozenset()), start=month, end=add_months(month, 1)))


def _decide(
    month: datetime.date, published: dict[str, Any], rows: list[dict[str, Any]] | None = None
) -> tuple[suppression.Decision, list[dict[str, Any]]]:
    """The decision of `decide_publication` and the month's tally rows it was made on (`rows`, when the caller has
    them already)."""
    reference = suppression.Reference.load()
    system = suppression.System(reference)
    decidable: set[str] = set()
    readable = viewer_scopes()
    for scope, figures in _answers(published).items():
        if scope in readable:
            decidable |= {key for _c, _n, key in system.add_figures(viewer_answer(figures, scope), scope)}
    rows = _month_tally_rows(month) if rows is None else rows
    decidable |= {key for _c, _n, key in system.add_tallies(copy.deepcopy(rows), suppression.month_text(month))}
    fixed_hidden: set[str] = set()
    neighbours = Publication.objects.filter(
        month__gte=add_months(month, -11), month__lte=add_months(month, 11), month__in=_closed_months()
    ).exclude(month=month)
    for neighbour in neighbours:
        hidden = set(neighbour.hidden)
        closed = ClosedMonth.objects.get(month=neighbour.month)
        for scope, figures in _answers(closed.published).items():
            if scope not in readable:
                continue
            answer = viewer_answer(figures, scope)
            listed = suppression.listed_quantities(answer, scope)
            for container, name, key in suppression.figure_slots(answer, scope):
                if not _linked(key.split("|", 2)[2]):
                    continue
                if key in listed:
                    system.present.add(key)
                system.values.setdefault(key, container[name])
                decidable.discard(key)
                if key in hidden or suppression.is_small(container[name]):
                    fixed_hidden.add(key)
    return suppression.decide(system, decidable, fixed_hidden=fixed_hidden), rows


def viewer_scopes() -> set[str]:
    """The scopes viewers can ask for: the whole operation, each region, and the region sets of viewers."""
    regions = AdminArea.objects.filter(level=AdminLevel.REGION).values_list("pcode", flat=True)
    viewers = User.objects.filter(is_active=True, role=Role.VIEWER).prefetch_related("regions")
    return {suppression.ALL, *regions, *(scope_key(viewer.region_pcodes()) for viewer in viewers)}


def _closed_months() -> list[datetime.date]:
    return list(ClosedMonth.objects.filter(is_closed=True).values_list("month", flat=True))


def publication_for(month: datetime.date) -> Publication:
    """The stored decision of a closed month (decided now, once, for a month closed before decisions were stored)."""
    publication = Publication.objects.filter(month=month).first()
    if publication is None:
        closed = ClosedMonth.objects.get(month=month, is_closed=True)
        publication = decide_publication(month, closed.published)
    return publication


class NotPublished(Exception):
    """The month was not published for this scope (a set of regions nobody had when it closed)."""


def viewer_figures(
    *, user: User, month: datetime.date, region: AdminArea | None = None, marker: Callable[[Any], Any] | None = None
) -> dict[str, Any]:
    """A closed month's published figures as a viewer reads them, with the stored hidden set applied (hidden
    cells are None, or what `marker` writes for them)."""
    closed = _closed_month(month)
    if closed is None:
        raise ClosedMonth.DoesNotExist(month)
    scope = request_scope_key(user, region)

    def shown(cell_marker: Callable[[Any], Any]) -> dict[str, Any]:
        if scope not in closed.published:
            raise NotPublished(scope)
        figures = {
            **add_labels(closed.published[scope]),
            "closed": True,
            "changed_since_closing": _changed_since_closing(user, month, region),
        }
        hidden = set(publication_for(month).hidden)
        return {
            **suppression.hide_in_figures(viewer_answer(figures, scope), scope, hidden, cell_marker),
            "suppressed": True,
        }

    if marker is not None:  # the page's "<5" and "x": worked out each time (the API's answer is the one cached)
        return shown(marker)
    return _published_answer(closed, user, region, lambda: shown(lambda _value: None), "viewer")


def published_tally_rows(
    user: User, months: list[datetime.date], region: AdminArea | None = None
) -> list[dict[str, Any]]:
    """The tallies of closed months as published, within the user's scope, with the stored hidden set applied."""
    regions = user.region_pcodes()
    categories = set(suppression.Reference.load().categories)
    shown: list[dict[str, Any]] = []
    for month in months:
        publication = publication_for(month)
        rows = [
            row
            for row in viewer_tally_rows(publication.tallies)
            if (not regions or row["admin1_pcode"] in regions)
            and (region is None or row["admin1_pcode"] == region.pcode)
        ]
        shown.extend(suppression.hide_in_tallies(rows, set(publication.hidden), categories))
    return shown
