"""The shapes of the closing checklist and of a closing's body, for the OpenAPI schema (docs/api.md describes them).

The checklist is computed by `reports.checklist` as plain data; these serializers only describe it (and validate a
closing's optional `acknowledged`)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


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
