"""The shapes of answers and bodies for the OpenAPI schema only (docs/api.md describes them); the answers themselves
are built as plain data, never through these serializers:

- the monthly figures, built by `reports.figures` (and read back from a closed month's published figures). The
  assistance and sessions rows are described field by field, with their rows by sector and population group
  (`reports.breakdowns`); the other sections are API.md's and described there. Every count may be null: a viewer's
  suppressed cell (API.md, "Suppression");
- the closing checklist, computed by `reports.checklist`, and a closing's body (these validate its optional
  `acknowledged`)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


def _count(help_text: str = "") -> serializers.IntegerField:
    return serializers.IntegerField(allow_null=True, help_text=help_text or None)


class PeopleGroupsSerializer(serializers.Serializer[Any]):
    """The five people counts."""

    women = _count()
    girls = _count()
    men = _count()
    boys = _count()
    unknown = _count()


def _code(what: str) -> serializers.CharField:
    return serializers.CharField(allow_null=True, help_text=f"The {what}'s code; null for the records naming none.")


def _label(what: str) -> serializers.CharField:
    return serializers.CharField(help_text=f"The {what}'s label, or “Not given”, in the user's language.")


class AssistancePopulationGroupSerializer(serializers.Serializer[Any]):
    code = _code("population group")
    label = _label("population group")  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class
    households = _count()
    persons = _count("The sum of the five people counts.")
    by_group = PeopleGroupsSerializer()


class AssistanceSectorSerializer(serializers.Serializer[Any]):
    code = _code("sector")
    label = _label("sector")  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class
    households = _count()
    persons = _count("The sum of the five people counts.")
    by_group = PeopleGroupsSerializer()
    by_population_group = AssistancePopulationGroupSerializer(
        many=True, help_text="The sector's figures by population group, in the order of the reference list."
    )


class AssistanceFigureSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class
    households = _count()
    persons = _count()
    quantity = serializers.FloatField(allow_null=True)
    amounts = serializers.DictField(child=serializers.FloatField(), help_text="Currency code → total amount.")
    by_group = PeopleGroupsSerializer()
    year_to_date_households = _count()
    year_to_date_persons = _count()
    year_to_date_quantity = serializers.FloatField(allow_null=True)
    year_to_date_amounts = serializers.DictField(child=serializers.FloatField())
    by_sector = AssistanceSectorSerializer(
        many=True,
        help_text="The month's figures of the kind by sector, in the order of the reference list; they add up to "
        "the kind's.",
    )


class SessionPopulationGroupSerializer(serializers.Serializer[Any]):
    code = _code("population group")
    label = _label("population group")  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class
    sessions = _count()
    participants = _count("The sum of the five people counts.")
    by_group = PeopleGroupsSerializer()


class SessionSectorSerializer(serializers.Serializer[Any]):
    code = _code("sector")
    label = _label("sector")  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class
    sessions = _count()
    participants = _count("The sum of the five people counts.")
    by_group = PeopleGroupsSerializer()
    by_population_group = SessionPopulationGroupSerializer(
        many=True, help_text="The sector's figures by population group, in the order of the reference list."
    )


class SessionFigureSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class
    sessions = _count()
    participants = _count()
    by_group = PeopleGroupsSerializer()
    by_sector = SessionSectorSerializer(
        many=True,
        help_text="The month's figures of the kind by sector, in the order of the reference list; they add up to "
        "the kind's.",
    )


class MonthlyFiguresSerializer(serializers.Serializer[Any]):
    """API.md's monthly figures (docs/api.md for what this project adds)."""

    month = serializers.CharField(help_text="YYYY-MM")
    region = serializers.CharField(allow_null=True)
    closed = serializers.BooleanField()
    changed_since_closing = serializers.BooleanField()
    suppressed = serializers.BooleanField()
    pending_review = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    incidents = serializers.DictField()
    violations = serializers.DictField()
    trend = serializers.ListField(child=serializers.DictField())
    gbv_referrals = serializers.DictField(allow_null=True, help_text="Null for a viewer, but for the whole operation.")
    movements = serializers.DictField()
    assistance = AssistanceFigureSerializer(many=True)
    sessions = SessionFigureSerializer(many=True)
    alerts = serializers.ListField(child=serializers.DictField(), required=False)


class CloseMonthSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(
        required=False, allow_blank=True, help_text="Kept with the published month (the first 2,000 characters)."
    )
    acknowledged = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True: the client read the checklist and closes anyway. Optional; logged with its counts.",
    )


class ChecklistRegion(serializers.Serializer[Any]):
    pcode = serializers.CharField()
    name = serializers.CharField()


class ChecklistOrganisation(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class ChecklistPendingRow(serializers.Serializer[Any]):
    record_type = serializers.CharField(help_text="The collection's name in the API: incidents, movements, …")
    label = serializers.CharField()  # type: ignore[assignment]  # the answer's key; DRF takes fields off the class
    status = serializers.ChoiceField(choices=["submitted", "returned"])
    region = ChecklistRegion()
    organisation = ChecklistOrganisation()
    count = serializers.IntegerField()
    url = serializers.CharField(
        allow_null=True, help_text="The review queue (submitted) or the type's list (returned), filtered to them."
    )


class ChecklistPending(serializers.Serializer[Any]):
    submitted = serializers.IntegerField()
    returned = serializers.IntegerField()
    rows = ChecklistPendingRow(many=True)


class ChecklistMissingOrganisation(serializers.Serializer[Any]):
    organisation = ChecklistOrganisation()
    region = ChecklistRegion()
    waiting = serializers.IntegerField(help_text="Its records of the month still submitted or returned.")


class ChecklistMissingRegion(serializers.Serializer[Any]):
    region = ChecklistRegion()
    waiting = serializers.IntegerField()


class ChecklistCompleteness(serializers.Serializer[Any]):
    months = serializers.ListField(child=serializers.CharField(), help_text="The three months before, YYYY-MM.")
    organisations = ChecklistMissingOrganisation(many=True)
    regions = ChecklistMissingRegion(many=True)


class ChecklistPoint(serializers.Serializer[Any]):
    month = serializers.CharField()
    count = serializers.IntegerField()


class ChecklistOutlier(serializers.Serializer[Any]):
    region = ChecklistRegion()
    indicator = serializers.CharField(help_text="As in the tallies: incidents, violations.<category>, …")
    label = serializers.CharField()  # type: ignore[assignment]  # the answer's key; DRF takes fields off the class
    count = serializers.IntegerField()
    median = serializers.FloatField()
    mad = serializers.FloatField()
    limit = serializers.FloatField(
        help_text="max(3 × 1.4826 × mad, 5): a distance from the median above it is unusual."
    )
    direction = serializers.ChoiceField(choices=["above", "below"])
    history = ChecklistPoint(many=True)


class ChecklistSection(serializers.Serializer[Any]):
    section = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the answer's key; DRF takes fields off the class
    cells = serializers.IntegerField()


class ChecklistPlace(serializers.Serializer[Any]):
    scope = serializers.CharField(help_text='"all", a region\'s P-code, or a set of regions "ML05,ML07".')
    name = serializers.CharField()
    cells = serializers.IntegerField()
    sections = ChecklistSection(many=True)


class ChecklistHidden(serializers.Serializer[Any]):
    month = serializers.CharField()
    scope = serializers.CharField()
    measure = serializers.CharField()


class ChecklistSuppression(serializers.Serializer[Any]):
    cells = serializers.IntegerField()
    by_scope = ChecklistPlace(many=True)
    hidden = ChecklistHidden(many=True)
    protected = serializers.BooleanField()
    unprotected = ChecklistHidden(many=True)


class ChecklistLateType(serializers.Serializer[Any]):
    record_type = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the answer's key; DRF takes fields off the class
    records = serializers.IntegerField()


class ChecklistLateMonth(serializers.Serializer[Any]):
    month = serializers.CharField()
    records = serializers.IntegerField()
    verified = serializers.IntegerField()
    by_type = ChecklistLateType(many=True)
    url = serializers.CharField()


class ChecklistLate(serializers.Serializer[Any]):
    records = serializers.IntegerField()
    months = ChecklistLateMonth(many=True)


class ChecklistFindings(serializers.Serializer[Any]):
    pending = serializers.IntegerField()
    missing = serializers.IntegerField()
    outliers = serializers.IntegerField()
    late = serializers.IntegerField()


class ChecklistSerializer(serializers.Serializer[Any]):
    month = serializers.CharField()
    region = serializers.CharField(allow_null=True)
    closed = serializers.BooleanField()
    pending = ChecklistPending()
    completeness = ChecklistCompleteness()
    outliers = ChecklistOutlier(many=True)
    suppression = ChecklistSuppression()
    late = ChecklistLate()
    findings = ChecklistFindings()
    needs_acknowledgement = serializers.BooleanField()
