"""Serializer fields every record type's API uses: references by code, places in the user's regions, people."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import access
from core.models import AdminArea
from core.records import PEOPLE_FIELDS

UNKNOWN_CODE = _("Unknown code “{value}”.")


def code_field(queryset, slug_field: str = "code", **kwargs: Any) -> serializers.SlugRelatedField:
    """A reference given by its code (API.md: codes are the `code` columns of the reference lists)."""
    kwargs.setdefault("error_messages", {"does_not_exist": UNKNOWN_CODE, "invalid": _("Enter a code.")})
    return serializers.SlugRelatedField(slug_field=slug_field, queryset=queryset, **kwargs)


class PlaceField(serializers.SlugRelatedField):
    """A P-code of any level; a place outside the requesting user's regions is refused (API.md: 400 on place)."""

    default_error_messages = {
        "does_not_exist": UNKNOWN_CODE,
        "invalid": _("Enter a P-code."),
        "outside_scope": _("This place is outside your regions."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="pcode", queryset=AdminArea.objects.filter(is_active=True), **kwargs)

    def to_internal_value(self, data: Any) -> AdminArea:
        place = super().to_internal_value(data)
        if not access.may_place_record(self.context["request"].user, place.region.pcode):
            self.fail("outside_scope")
        return place


class PeopleCountsSerializer(serializers.Serializer):
    """The five people counts (≥ 0, default 0); at least one person."""

    women = serializers.IntegerField(min_value=0, default=0)
    girls = serializers.IntegerField(min_value=0, default=0)
    men = serializers.IntegerField(min_value=0, default=0)
    boys = serializers.IntegerField(min_value=0, default=0)
    unknown = serializers.IntegerField(min_value=0, default=0)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if sum(attrs.get(name, 0) for name in PEOPLE_FIELDS) <= 0:
            raise serializers.ValidationError(_("Count at least one person."))
        return super().validate(attrs)
