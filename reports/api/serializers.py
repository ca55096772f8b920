"""The shape of the monthly figures' answer, for the OpenAPI schema only: the answer itself is built by
`reports.figures` (and read back from a closed month's published figures), never through these serializers.

The assistance and sessions rows are described field by field, with their rows by sector and population group
(`reports.breakdowns`, docs/api.md); the other sections are API.md's and described there. Every count may be null:
a viewer's suppressed cell (API.md, "Suppression")."""

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
