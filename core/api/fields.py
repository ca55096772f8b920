"""Serializer fields every record type's API uses: references by code, places in the user's regions, people."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxValueValidator, MinValueValidator, ProhibitNullCharactersValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from core import access
from core.http import signed_in
from core.models import AdminArea, Organisation, ReferenceItem
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
            check_someone_counted(attrs, self.instance)
        validated: dict[str, Any] = super().validate(attrs)
        return validated


def check_someone_counted(attrs: dict[str, Any], instance: Any) -> None:
    """At least one person among the values the record will have: those sent, the saved ones for the rest."""
    total = sum(attrs.get(name, getattr(instance, name, 0)) or 0 for name in PEOPLE_FIELDS)
    if total <= 0:
        raise serializers.ValidationError(_("Count at least one person."))


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


def record_field(model_field: models.Field[Any, Any]) -> serializers.Field[Any, Any, Any, Any]:
    """The API field of a record's editable model field, as API.md writes them: references by code (a list of codes for
    a many-to-many), `place` by P-code in the user's regions, ISO country codes, counts capped at 1,000,000, amounts
    as JSON numbers. Optional where the model allows blank or null (null sent where the model keeps none); the
    model's default and bounds carry over. A field of a kind not mapped here is said, never guessed: the serializer
    declares it (core.api.records.RecordSerializer)."""
    if model_field.many_to_many:
        return _reference_field(model_field, many=True, required=not model_field.blank)
    optional: dict[str, Any] = {"required": False, "allow_null": True} if model_field.null else {}
    if model_field.many_to_one:
        return _reference_field(model_field, **optional)
    if model_field.has_default():
        optional["default"] = model_field.default
    for model_class, build in _VALUE_FIELDS:
        if isinstance(model_field, model_class):
            return build(model_field, optional)
    return _unmapped(model_field)


def _reference_field(model_field: models.Field[Any, Any], **kwargs: Any) -> serializers.Field[Any, Any, Any, Any]:
    related = model_field.related_model
    if related is AdminArea:
        return PlaceField(**kwargs)
    if related is Organisation and model_field.name == "organisation":
        # The author's organisation when left out (core.workflow); another one only as its code.
        kwargs["required"] = False
    if not (isinstance(related, type) and issubclass(related, ReferenceItem | Organisation)):
        raise ImproperlyConfigured(f"No API field for {model_field!r} (not a reference list): declare it.")
    return code_field(related._default_manager.all(), **kwargs)


def _bounds(model_field: models.Field[Any, Any]) -> tuple[Any, Any]:
    """The tightest bounds the model's validators set (a PositiveIntegerField's own 0 among them)."""
    lows = [v.limit_value for v in model_field.validators if isinstance(v, MinValueValidator)]
    highs = [v.limit_value for v in model_field.validators if isinstance(v, MaxValueValidator)]
    return (max(lows) if lows else None), (min(highs) if highs else None)


def _integer_field(model_field: models.Field[Any, Any], optional: dict[str, Any]) -> serializers.IntegerField:
    low, high = _bounds(model_field)
    if high == MAX_COUNT:
        # People, households, sessions (API.md's cap); from 0 unless the model says more (sessions: 1).
        return count_field(**({"min_value": low} if low not in (None, 0) else {}), **optional)
    return serializers.IntegerField(min_value=low, max_value=high, **optional)


def _decimal_field(model_field: models.Field[Any, Any], optional: dict[str, Any]) -> serializers.DecimalField:
    assert isinstance(model_field, models.DecimalField)  # noqa: S101  # _VALUE_FIELDS pairs it with DecimalField
    low, high = _bounds(model_field)
    bounds = {name: value for name, value in (("min_value", low), ("max_value", high)) if value is not None}
    # API.md: amounts are JSON numbers, not strings.
    return serializers.DecimalField(
        max_digits=model_field.max_digits,
        decimal_places=model_field.decimal_places,
        coerce_to_string=False,
        **bounds,
        **optional,
    )


def _text_field(model_field: models.Field[Any, Any], optional: dict[str, Any]) -> serializers.Field[Any, Any, Any, Any]:
    # Optional text is blank, not absent: the model's "" default applies, as DRF leaves it out.
    text: dict[str, Any] = {"required": False, "allow_blank": True} if model_field.blank else {}
    if model_field.choices:
        return serializers.ChoiceField(model_field.choices, **text)
    if isinstance(model_field, models.CharField):
        text["max_length"] = model_field.max_length
    return serializers.CharField(**text)


def _boolean_field(model_field: models.Field[Any, Any], optional: dict[str, Any]) -> serializers.BooleanField:
    # Left out, the model's default applies: required only where the model has none (a consent).
    return serializers.BooleanField(required=not model_field.has_default())


def _date_field(model_field: models.Field[Any, Any], optional: dict[str, Any]) -> serializers.DateField:
    return serializers.DateField(**optional)


def _country_field(model_field: models.Field[Any, Any], optional: dict[str, Any]) -> CountryCodeField:
    # The model keeps "none" as an empty string; the API reads and writes it as null (RecordSerializer.validate).
    nullable: dict[str, Any] = {"required": False, "allow_null": True} if model_field.blank else {}
    return CountryCodeField(**nullable)


# Model field class → its API field, the first that matches (a CountryField is a CharField; a DateTimeField, a date
# set by the workflow only, is a DateField and deliberately not mapped).
_VALUE_FIELDS: tuple[tuple[type[models.Field[Any, Any]], Callable[..., serializers.Field[Any, Any, Any, Any]]], ...] = (
    (CountryField, _country_field),
    (models.DateTimeField, lambda model_field, optional: _unmapped(model_field)),
    (models.DateField, _date_field),
    (models.BooleanField, _boolean_field),
    (models.IntegerField, _integer_field),
    (models.DecimalField, _decimal_field),
    (models.CharField, _text_field),
    (models.TextField, _text_field),
)


def _unmapped(model_field: models.Field[Any, Any]) -> serializers.Field[Any, Any, Any, Any]:
    raise ImproperlyConfigured(f"No API field for {model_field!r}: declare it on the serializer.")
