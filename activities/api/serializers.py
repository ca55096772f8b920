from __future__ import annotations

import re
from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from activities import services
from activities.models import AssistanceEvent, Session
from beneficiaries.models import Household
from beneficiaries.selectors import household_list
from core.api.fields import CountryCodeField, PeopleCountsSerializer, PlaceField, code_field, count_field
from core.api.records import RecordSerializerMixin
from core.models import AssistanceKind, Organisation, PopulationGroup, Sector, SessionKind, User
from core.records import MAX_COUNT


class CurrencyField(serializers.CharField):
    """A three-letter ISO currency code (XOF, USD), upper-cased; null or empty for none."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=3, required=False, allow_blank=True, allow_null=True, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        code = super().to_internal_value(data).strip().upper()
        if code and not re.fullmatch(r"[A-Z]{3}", code):
            raise serializers.ValidationError(_("Use a three-letter ISO currency code, e.g. XOF."))
        return code

    def to_representation(self, value: Any) -> str | None:  # type: ignore[override]  # DRF's stub says str; "" is null
        return value or None


def _blank_for_null(attrs: dict[str, Any], names: tuple[str, ...]) -> None:
    # The model keeps "none" as an empty string for these codes.
    for name in names:
        if name in attrs and attrs[name] is None:
            attrs[name] = ""


class AssistanceSerializer(RecordSerializerMixin, PeopleCountsSerializer):
    """An assistance event (API.md): codes for kind, sector and population group; amounts as JSON numbers."""

    delivered_on = serializers.DateField()
    place = PlaceField()
    organisation = code_field(Organisation.objects.all(), required=False)
    kind = code_field(AssistanceKind.objects.all())
    sector = code_field(Sector.objects.all(), required=False, allow_null=True)
    population_group = code_field(PopulationGroup.objects.all(), required=False, allow_null=True)
    households = count_field(required=False, allow_null=True)
    quantity = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        max_value=MAX_COUNT,
        coerce_to_string=False,
        required=False,
        allow_null=True,
    )
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, coerce_to_string=False, required=False, allow_null=True
    )
    currency = CurrencyField()
    country = CountryCodeField(required=False, allow_null=True)
    households_assisted = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Household.objects.none(), required=False
    )
    urgent = serializers.BooleanField(required=False)
    unit = serializers.CharField(source="kind.unit", read_only=True)
    total = serializers.IntegerField(read_only=True)

    record_model = AssistanceEvent
    # Households or a quantity may be what is counted (NFI kits, shelters): persons are not required.
    require_people = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # Only a household the user may read can be linked (none for the schema generator's anonymous request).
        if request is not None and isinstance(request.user, User):
            households = cast(serializers.ManyRelatedField, self.fields["households_assisted"])
            households.child_relation.queryset = household_list(user=request.user)  # type: ignore[arg-type]  # mypy takes the stub's Manager (a descriptor) for the attribute

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _blank_for_null(attrs, ("currency", "country"))
        return super().validate(attrs)

    def create(self, validated_data: dict[str, Any]) -> AssistanceEvent:
        households = validated_data.pop("households_assisted", [])
        validated_data.pop("version", None)
        return services.assistance_create(by=self.context["request"].user, fields=validated_data, households=households)

    def update(self, event: AssistanceEvent, validated_data: dict[str, Any]) -> AssistanceEvent:
        households = validated_data.pop("households_assisted", None)
        version = validated_data.pop("version", None)
        return services.assistance_update(
            event=event, by=self.context["request"].user, version=version, fields=validated_data, households=households
        )


class SessionSerializer(RecordSerializerMixin, PeopleCountsSerializer):
    """Sessions (API.md): the kind by code, a free-text topic, the number of sessions (1 or more), participants."""

    held_on = serializers.DateField()
    place = PlaceField()
    organisation = code_field(Organisation.objects.all(), required=False)
    kind = code_field(SessionKind.objects.all())
    topic = serializers.CharField(max_length=300, required=False, allow_blank=True)
    sector = code_field(Sector.objects.all(), required=False, allow_null=True)
    population_group = code_field(PopulationGroup.objects.all(), required=False, allow_null=True)
    sessions = count_field(min_value=1, default=1)
    urgent = serializers.BooleanField(required=False)
    total = serializers.IntegerField(read_only=True)

    record_model = Session

    def create(self, validated_data: dict[str, Any]) -> Session:
        validated_data.pop("version", None)
        return services.session_create(by=self.context["request"].user, fields=validated_data)

    def update(self, session: Session, validated_data: dict[str, Any]) -> Session:
        version = validated_data.pop("version", None)
        return services.session_update(
            session=session, by=self.context["request"].user, version=version, fields=validated_data
        )
