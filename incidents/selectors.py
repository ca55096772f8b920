"""Reads of incidents, always within the user's scope (core.access decides it)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import Http404

from core import access
from core.access import Family
from core.choices import AdminLevel, Status
from core.models import User
from core.records import with_relations
from incidents.choices import ServiceStatus
from incidents.filtersets import IncidentFilterSet
from incidents.models import GbvReferral, Incident, ServiceReferral, Violation

DUPLICATE_WINDOW = datetime.timedelta(days=2)


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
    if place.level >= AdminLevel.COMMUNE:
        return place.parent_id
    return place.pk if place.level == AdminLevel.CERCLE else None


def _event_date(incident: Incident) -> datetime.date:
    return incident.occurred_on or incident.reported_on


def _type_codes(incident: Incident) -> frozenset[int]:
    return frozenset(violation.type_id for violation in incident.violations.all())


# The day of the event: the incident's date, else the day it was reported (as `_event_date`); the index
# incidents_region_event_date holds it.
EVENT_DATE = Coalesce("occurred_on", "reported_on")


def _near_any(incidents: list[Incident]) -> Q:
    """Incidents of the same region and cercle as one of `incidents`, within two days of its event: each record its
    own window (one window from the page's earliest record to its latest read ten years of a region: issue 14)."""
    near = Q()
    for cercle, region, day in sorted({(_cercle_id(item), item.region_id, _event_date(item)) for item in incidents}):
        near |= (
            Q(region_id=region)
            & Q(event_on__range=(day - DUPLICATE_WINDOW, day + DUPLICATE_WINDOW))
            & (Q(place_id=cercle) | Q(place__parent_id=cercle))
        )
    return near


def possible_duplicates(incidents: Iterable[Incident], *, user: User) -> dict[int, list[Incident]]:
    """For each incident, others in the user's scope that may record the same event: same cercle, dates within
    two days, the same violation types, reported by another organisation. Two queries, whatever the number."""
    incidents = [incident for incident in incidents if _cercle_id(incident)]
    if not incidents:
        return {}
    candidates = list(
        # What the duplicates' cards show: place, organisation, dates, violations.
        _with_related(access.records_in_scope(Incident.objects.all(), user, Family.GENERAL), optional=False)
        .exclude(status__in=[Status.ARCHIVED, Status.REJECTED])
        .annotate(event_on=EVENT_DATE)
        .filter(_near_any(incidents))
    )
    by_cercle: dict[int | None, list[Incident]] = defaultdict(list)
    for candidate in candidates:
        by_cercle[_cercle_id(candidate)].append(candidate)
    found: dict[int, list[Incident]] = {}
    for incident in incidents:
        matches = [
            other
            for other in by_cercle[_cercle_id(incident)]
            if other.pk != incident.pk
            and other.organisation_id != incident.organisation_id
            and abs(_event_date(other) - _event_date(incident)) <= DUPLICATE_WINDOW
            and _type_codes(other) == _type_codes(incident)
        ]
        if matches:
            found[incident.pk] = matches
    return found


def queue_duplicates(records: list[Incident], *, user: User) -> dict[int, list[Incident]]:
    """For the review queue (the incident record type declares it in IncidentsConfig.ready): possible duplicates,
    by incident id."""
    prefetch_related_objects(
        records, Prefetch("violations", queryset=Violation.objects.select_related("type", "population_group"))
    )
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
