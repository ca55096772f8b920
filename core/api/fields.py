"""Serializer fields every record type's API uses: references by code, places in the user's regions, people."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from core import access
from core.http import signed_in
from core.models import AdminArea
from core.records import MAX_COUNT, PEOPLE_FIELDS

UNKNOWN_CODE = _("Unknown code “{value}”.")


def count_field(**kwargs: Any) -> serializers.IntegerField:
    """A count of people, households or sessions: a whole number from `min_value` (0) to 1,000,000 (API.md)."""
    kwargs.setdefault("min_value", 0)
    return serializers.IntegerField(max_value=MAX_COUNT, **kwargs)


class CodeListField(serializers.ManyRelatedField):
    """A list of codes (`many=True`). DRF takes anything iterable for a list, so a JSON object would be read as the
    list of its keys: here only a JSON array is a list (API.md: a body not of the shape expected is a 400)."""

    def to_internal_value(self, data: Any) -> Iterable[Any]:
        if not isinstance(data, list | tuple):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class CodeField(serializers.SlugRelatedField[Any]):
    """A reference given by its code. A code holding a NUL character is refused before the database is asked
    (PostgreSQL cannot even compare such a text: it would be a 500)."""

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> CodeListField:
        # As DRF's RelatedField.many_init, with a list field that takes JSON arrays only.
        list_kwargs = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return CodeListField(child_relation=cls(*args, **kwargs), **list_kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError(ProhibitNullCharactersValidator.message)
        if not isinstance(data, str | int) or isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


def code_field(queryset: Any, slug_field: str = "code", **kwargs: Any) -> CodeField:
    """A reference given by its code (API.md: codes are the `code` columns of the reference lists)."""
    kwargs.setdefault("error_messages", {"does_not_exist": UNKNOWN_CODE, "invalid": _("Enter a code.")})
    return CodeField(slug_field=slug_field, queryset=queryset, **kwargs)


class PlaceField(CodeField):
    """A P-code of any level; a place outside the requesting user's regions is refused (API.md: 400 on place)."""

    default_error_messages = {
        "does_not_exist": UNKNOWN_CODE,
        "invalid": _("Enter a P-code."),
        "outside_scope": _("This place is outside your regions."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="pcode", queryset=AdminArea.objects.filter(is_active=True), **kwargs)

    def to_internal_value(self, data: Any) -> AdminArea:
        place: AdminArea = super().to_internal_value(data)
        if not access.may_place_record(signed_in(self.context["request"]), place.region.pcode):
            self.fail("outside_scope")
        return place


class PeopleCountsSerializer(serializers.Serializer[Any]):
    """The five people counts (≥ 0, default 0); at least one person among the values the record will have (a
    PATCH may send one count). A record type that may count no one (assistance to households) says so."""

    require_people = True

    women = count_field(default=0)
    girls = count_field(default=0)
    men = count_field(default=0)
    boys = count_field(default=0)
    unknown = count_field(default=0)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.require_people:
            total = sum(attrs.get(name, getattr(self.instance, name, 0)) or 0 for name in PEOPLE_FIELDS)
            if total <= 0:
                raise serializers.ValidationError(_("Count at least one person."))
        validated: dict[str, Any] = super().validate(attrs)
        return validated


@extend_schema_field(OpenApiTypes.STR)
class CountryCodeField(serializers.Field[str, str, str | None, Any]):
    """An ISO 3166-1 alpha-2 country code ("CI"), answered as the code, or null."""

    default_error_messages = {"invalid": _("Unknown country code “{value}”.")}

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError(ProhibitNullCharactersValidator.message)
        code = str(data).strip().upper()
        if code not in countries:
            self.fail("invalid", value=data)
        return code

    def to_representation(self, value: Any) -> str | None:
        code = getattr(value, "code", value)
        return str(code) if code else None
