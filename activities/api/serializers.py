from __future__ import annotations

import re
from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from activities import services
from activities.models import AssistanceEvent, Session
from beneficiaries.models import Household
from beneficiaries.selectors import household_list
from core.api.records import RecordSerializer
from core.models import User


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


class AssistanceSerializer(RecordSerializer):
    """An assistance event (API.md): codes for kind, sector and population group; amounts as JSON numbers."""

    # Its fields are the model's (RecordSerializer); declared here, what differs.

    currency = CurrencyField()
    households_assisted = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Household.objects.none(), required=False
    )
    unit = serializers.CharField(source="kind.unit", read_only=True)

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


class SessionSerializer(RecordSerializer):
    """Sessions (API.md): the kind by code, a free-text topic, the number of sessions (1 or more), participants."""

    # Its fields are the model's (RecordSerializer): nothing differs.

    record_model = Session

    def create(self, validated_data: dict[str, Any]) -> Session:
        validated_data.pop("version", None)
        return services.session_create(by=self.context["request"].user, fields=validated_data)

    def update(self, session: Session, validated_data: dict[str, Any]) -> Session:
        version = validated_data.pop("version", None)
        return services.session_update(
            session=session, by=self.context["request"].user, version=version, fields=validated_data
        )
