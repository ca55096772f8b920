"""Reads of incidents, always within the user's scope (core.access decides it)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import Http404

from core import access
from core.access import Family
from core.choices import AdminLevel, Status
from core.models import AdminArea, User
from core.records import with_relations
from incidents.choices import ServiceStatus
from incidents.filtersets import IncidentFilterSet
from incidents.models import GbvReferral, Incident, ServiceReferral, Violation

DUPLICATE_WINDOW = datetime.timedelta(days=2)
SET_ASIDE = (Status.ARCHIVED, Status.REJECTED)  # never offered as a possible duplicate


def _with_related(queryset: QuerySet[Incident], *, optional: bool = True) -> QuerySet[Incident]:
    # What the record points to, derived from the model (source, collection method, location type… filled on real
    # records, never in the demo); the place's cercle for duplicates; violations with their types.
    return (
        with_relations(queryset, optional=optional)
        .select_related("place__parent")
        .prefetch_related(
            Prefetch(
                "violations", queryset=Violation.objects.select_related("type", "type__category", "population_group")
            )
        )
    )


def incident_list(*, user: User, filters: Mapping | None = None, request=None) -> QuerySet[Incident]:
    """The incidents this user may read, with what the list shows; `filters` as in IncidentFilterSet.

    An invalid filter raises django_filters' ValidationError through `.qs`; callers check `filterset.is_valid()`
    where they need messages (see `incident_filterset`).
    """
    queryset = _with_related(access.records_in_scope(Incident.objects.all(), user, Family.GENERAL))
    if filters is None:
        return queryset
    return IncidentFilterSet(filters, queryset=queryset, request=request).qs


def incident_filterset(*, user: User, filters: Mapping, request=None) -> IncidentFilterSet:
    queryset = _with_related(access.records_in_scope(Incident.objects.all(), user, Family.GENERAL))
    return IncidentFilterSet(filters, queryset=queryset, request=request)


def incident_get(*, user: User, pk: int) -> Incident:
    """One incident the user may read, with its violations and follow-ups; 404 otherwise (never say it exists)."""
    incident = (
        _with_related(access.records_in_scope(Incident.objects.all(), user, Family.GENERAL))
        .prefetch_related("follow_ups")
        .filter(pk=pk)
        .first()
    )
    if incident is None:
        raise Http404
    return incident


def show_narrative(user: User, incident: Incident) -> bool:
    """An incident that has had a sexual-violence type (its stored flag, not its current violations) shows its
    narrative only to GBV focal points."""
    return not incident.narrative_hidden_from(user)


def visible_narrative(user: User, incident: Incident) -> str | None:
    """The narrative as this user may read it, for every channel that writes it out (API answers, exports): None
    when it is restricted and they are not a GBV focal point."""
    return incident.narrative if show_narrative(user, incident) else None


def _cercle_id(incident: Incident) -> int | None:
    place = incident.place
    return _cercle_of(place.pk, place.level, place.parent_id)


def _cercle_of(place_id: int, level: int, parent_id: int | None) -> int | None:
    """The cercle a place lies in (a commune's parent, or the cercle itself); None for a region."""
    if level >= AdminLevel.COMMUNE:
        return parent_id
    return place_id if level == AdminLevel.CERCLE else None


def _event_date(incident: Incident) -> datetime.date:
    return incident.occurred_on or incident.reported_on


# The day of the event: the incident's date, else the day it was reported (as `_event_date`); the index
# incidents_region_event_date holds it.
EVENT_DATE = Coalesce("occurred_on", "reported_on")


def _near_any(incidents: list[Incident]) -> Q:
    """Incidents of the same region and cercle as one of `incidents`, within two days of its event: each record its
    own window (one window from the page's earliest record to its latest read ten years of a region: issue 14), the
    windows of one cercle joined where they overlap (one condition per cercle, not per record: planning time)."""
    windows: dict[tuple[int, int | None], list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    for incident in incidents:
        day = _event_date(incident)
        windows[(incident.region_id, _cercle_id(incident))].append((day - DUPLICATE_WINDOW, day + DUPLICATE_WINDOW))
    near = Q()
    for (region, cercle), days in sorted(windows.items()):
        within = Q()
        for first, last in _joined(days):
            within |= Q(event_on__range=(first, last))
        near |= Q(region_id=region) & Q(place__in=_places_of(cercle)) & within
    return near


def _places_of(cercle: int | None) -> QuerySet[AdminArea, Any]:
    # The cercle and its communes, as a subquery: "place = cercle OR place's parent = cercle" on the joined place
    # made planning the query take 20-50 ms at a million incidents, against 2 ms.
    return AdminArea.objects.filter(Q(pk=cercle) | Q(parent_id=cercle)).values("pk")


def _joined(ranges: list[tuple[datetime.date, datetime.date]]) -> list[tuple[datetime.date, datetime.date]]:
    """Date ranges with those that overlap or touch joined into one."""
    joined: list[tuple[datetime.date, datetime.date]] = []
    for first, last in sorted(ranges):
        if joined and first <= joined[-1][1] + datetime.timedelta(days=1):
            joined[-1] = (joined[-1][0], max(joined[-1][1], last))
        else:
            joined.append((first, last))
    return joined


@dataclass
class _Compared:
    """An incident as the duplicate check compares it: read as plain values, no record built (a page's windows
    hold about a thousand incidents at a million: building each with its relations and violations took 0.9 s of the
    queue's page, issue 14)."""

    pk: int
    organisation_id: int
    cercle_id: int | None
    event_on: datetime.date
    set_aside: bool  # archived or rejected: never offered as a duplicate
    types: set[int] = field(default_factory=set)


def _compared(incidents: list[Incident], *, user: User) -> dict[int, _Compared]:
    """`incidents` and every other incident near one of them in the user's scope (not archived nor rejected), with
    their violation types: one query, one row per violation (the index incidents_region_event_date finds them)."""
    rows = (
        access.records_in_scope(Incident.objects.all(), user, Family.GENERAL)
        .annotate(event_on=EVENT_DATE)
        .filter((~Q(status__in=SET_ASIDE) & _near_any(incidents)) | Q(pk__in=[incident.pk for incident in incidents]))
        .order_by()
        .values_list(
            "pk",
            "organisation_id",
            "place_id",
            "place__level",
            "place__parent_id",
            "event_on",
            "status",
            "violations__type_id",
        )
    )
    compared: dict[int, _Compared] = {}
    for pk, organisation_id, place_id, level, parent_id, event_on, status, type_id in rows:
        if pk not in compared:
            cercle = _cercle_of(place_id, level, parent_id)
            compared[pk] = _Compared(pk, organisation_id, cercle, event_on, status in SET_ASIDE)
        if type_id is not None:
            compared[pk].types.add(type_id)
    return compared


def _matches(incident: _Compared, others: list[_Compared]) -> set[int]:
    return {
        other.pk
        for other in others
        if other.pk != incident.pk
        and not other.set_aside
        and other.organisation_id != incident.organisation_id
        and abs(other.event_on - incident.event_on) <= DUPLICATE_WINDOW
        and other.types == incident.types
    }


def possible_duplicates(incidents: Iterable[Incident], *, user: User) -> dict[int, list[Incident]]:
    """For each incident, others in the user's scope that may record the same event: same cercle, dates within
    two days, the same violation types, reported by another organisation. The candidates are compared as plain
    values (one query); only the matches are read as records, with what their cards show (two more queries, none
    when nothing matches), whatever the number of candidates."""
    incidents = [incident for incident in incidents if _cercle_id(incident)]
    if not incidents:
        return {}
    compared = _compared(incidents, user=user)
    by_cercle: dict[int | None, list[_Compared]] = defaultdict(list)
    for item in compared.values():
        by_cercle[item.cercle_id].append(item)
    matched = {
        incident.pk: _matches(compared[incident.pk], by_cercle[compared[incident.pk].cercle_id])
        for incident in incidents
        if incident.pk in compared
    }
    matched = {pk: others for pk, others in matched.items() if others}
    if not matched:
        return {}
    # The cards show each record's place, organisation, dates and violations, the queue's row as its duplicates.
    others = list(
        access.records_in_scope(Incident.objects.select_related("place", "organisation"), user, Family.GENERAL).filter(
            pk__in=set(chain(*matched.values()))
        )
    )
    prefetch_related_objects(
        [*others, *(incident for incident in incidents if incident.pk in matched)],
        Prefetch("violations", queryset=Violation.objects.select_related("type", "population_group")),
    )
    # Each list in the records' own order (newest first), as before.
    return {pk: [other for other in others if other.pk in wanted] for pk, wanted in matched.items()}


def queue_duplicates(records: list[Incident], *, user: User) -> dict[int, list[Incident]]:
    """For the review queue (the incident record type declares it in IncidentsConfig.ready): possible duplicates,
    by incident id."""
    return possible_duplicates(records, user=user)


# --- GBV referrals: need-to-know. Only GBV focal points of the region read them (core.access decides).


def _gbv_with_related(queryset: QuerySet[GbvReferral]) -> QuerySet[GbvReferral]:
    return with_relations(queryset).prefetch_related(
        Prefetch("services", queryset=ServiceReferral.objects.select_related("service"))
    )


def gbv_referral_list(*, user: User) -> QuerySet[GbvReferral]:
    """The referrals this user may read: none unless they are a GBV focal point, then their regions'."""
    return _gbv_with_related(access.records_in_scope(GbvReferral.objects.all(), user, Family.GBV))


def overdue_services(*, user: User, today: datetime.date) -> QuerySet[ServiceReferral]:
    """The follow-up board: services still pending whose follow-up date has passed, oldest first, by region."""
    referrals = access.records_in_scope(GbvReferral.objects.all(), user, Family.GBV).exclude(
        status__in=[Status.ARCHIVED, Status.REJECTED]
    )
    return (
        ServiceReferral.objects.filter(
            referral__in=referrals,
            status__in=[ServiceStatus.PENDING, ServiceStatus.ACCEPTED],
            follow_up_on__lt=today,
        )
        .select_related("service", "referral", "referral__region", "referral__incident_type")
        .order_by("referral__region__pcode", "follow_up_on", "id")
    )
