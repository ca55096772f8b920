from __future__ import annotations

import django_filters
from django.db.models import Case, Exists, F, OuterRef, QuerySet, TextField, Value, When
from django.utils.translation import gettext_lazy as _

from core import access
from core.filtersets import RecordFilterSet, date_after, date_before
from core.models import GbvIncidentType, PerpetratorCategory, PopulationGroup, ViolationType
from incidents.choices import CaseStatus
from incidents.models import GbvReferral, Incident, Violation

# The narrative as text search sees it for who may not read restricted narratives: empty where restricted.
SEARCHABLE_NARRATIVE = "searchable_narrative"


class IncidentFilterSet(RecordFilterSet):
    """Filters of the incident list page and of `/api/v1/incidents/`."""

    reported_on_after = date_after("reported_on")
    reported_on_before = date_before("reported_on")
    type = django_filters.ModelChoiceFilter(
        label=_("Violation"), queryset=ViolationType.objects.all(), to_field_name="code", method="with_violation"
    )
    population_group = django_filters.ModelChoiceFilter(
        label=_("Population group"),
        queryset=PopulationGroup.objects.all(),
        to_field_name="code",
        method="with_population_group",
    )
    perpetrator = django_filters.ModelChoiceFilter(
        label=_("Alleged perpetrator"), queryset=PerpetratorCategory.objects.all(), to_field_name="code"
    )
    urgent = django_filters.BooleanFilter(label=_("Urgent"))
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("reported_on", "reported_on"), ("occurred_on", "occurred_on"), ("id", "id"), ("status", "status")),
        field_labels={
            "reported_on": _("Date reported"),
            "occurred_on": _("Date of the incident"),
            "id": _("Number"),
            "status": _("Status"),
        },
    )

    class Meta:
        model = Incident
        fields = ["region", "status", "organisation", "month", "type", "urgent"]

    def searched_fields(self) -> tuple[str, ...]:
        fields = super().searched_fields()
        user = getattr(self.request, "user", None)
        if user is None or not access.may_read_restricted_narrative(user):
            # The words of a restricted narrative never make a record match for who may not read it: they search
            # the narratives that are not restricted (and the rest), so the count tells nothing either.
            return tuple(SEARCHABLE_NARRATIVE if field == "narrative" else field for field in fields)
        return fields

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if SEARCHABLE_NARRATIVE in self.searched_fields():
            queryset = queryset.annotate(
                **{
                    SEARCHABLE_NARRATIVE: Case(
                        When(narrative_restricted=True, then=Value("")),
                        default=F("narrative"),
                        output_field=TextField(),
                    )
                }
            )
        return super().search(queryset, name, value)

    # Exists, not a join: an incident with two matching violations is still listed once.
    def with_violation(self, queryset: QuerySet, name: str, value: ViolationType | None) -> QuerySet:
        if not value:
            return queryset
        return queryset.with_violation_type(value)  # type: ignore[attr-defined]  # an IncidentQuerySet

    def with_population_group(self, queryset: QuerySet, name: str, value: PopulationGroup | None) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(Exists(Violation.objects.filter(incident=OuterRef("pk"), population_group=value)))


class GbvReferralFilterSet(RecordFilterSet):
    """Filters of the GBV referral list page and of `/api/v1/gbv-referrals/`."""

    reported_on_after = date_after("reported_on")
    reported_on_before = date_before("reported_on")
    incident_type = django_filters.ModelChoiceFilter(
        label=_("GBV incident type"), queryset=GbvIncidentType.objects.all(), to_field_name="code"
    )
    case_status = django_filters.ChoiceFilter(label=_("Case status"), choices=CaseStatus.choices)
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("reported_on", "reported_on"), ("id", "id"), ("status", "status")),
        field_labels={"reported_on": _("Date reported"), "id": _("Number"), "status": _("Status")},
    )

    class Meta:
        model = GbvReferral
        fields = ["region", "status", "organisation", "month", "incident_type", "case_status"]
