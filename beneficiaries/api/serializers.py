from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from beneficiaries import services
from beneficiaries.choices import Sex
from beneficiaries.models import EARLIEST_BIRTH_YEAR, LATEST_BIRTH_YEAR, Household, Movement
from core.api.records import RecordSerializer, django_errors_to_drf
from core.choices import AdminLevel


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(max_length=200)
    sex = serializers.ChoiceField(Sex.choices, default=Sex.UNKNOWN)
    birth_year = serializers.IntegerField(
        min_value=EARLIEST_BIRTH_YEAR, max_value=LATEST_BIRTH_YEAR, required=False, allow_null=True, default=None
    )
    is_head = serializers.BooleanField(default=False)
    specific_needs = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class HouseholdSerializer(RecordSerializer):
    """A registered household: its members nested (sent, they replace the whole list); its people counts derived
    from them."""

    # Its fields are the model's (RecordSerializer); declared here, what differs.

    # Null or blank for none; never refused as taken (validate_registration_number).
    registration_number = serializers.CharField(max_length=40, required=False, allow_blank=True, allow_null=True)
    members = MemberSerializer(many=True, required=False)
    people = serializers.SerializerMethodField()
    size = serializers.SerializerMethodField()
    merged_into = serializers.IntegerField(source="merged_into_id", read_only=True, allow_null=True)

    record_model = Household

    def get_people(self, household: Household) -> dict[str, int]:
        return household.people()

    def get_size(self, household: Household) -> int:
        return len(household.members.all())

    def validate_registration_number(self, value: str | None) -> str:
        # Never refused as taken: that would reveal a household the user may not see. A number seen twice is a
        # likely duplicate, listed to reviewers who see both (`duplicates/`).
        return (value or "").strip()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if "members" in attrs:
            registered_on = attrs.get("registered_on", getattr(self.instance, "registered_on", None))
            try:
                services.check_members(attrs["members"], registered_on=registered_on)
            except DjangoValidationError as error:
                raise django_errors_to_drf(error) from error
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Household:
        members = validated_data.pop("members", [])
        validated_data.pop("version", None)
        return services.household_create(by=self.context["request"].user, fields=validated_data, members=members)

    def update(self, household: Household, validated_data: dict[str, Any]) -> Household:
        members = validated_data.pop("members", None)
        version = validated_data.pop("version", None)
        return services.household_update(
            household=household,
            by=self.context["request"].user,
            version=version,
            fields=validated_data,
            members=members,
        )


class MovementSerializer(RecordSerializer):
    """A mixed-movement identification (API.md): ISO country codes, people counts on the record."""

    # Its fields are the model's (RecordSerializer): nothing differs.

    record_model = Movement

    def create(self, validated_data: dict[str, Any]) -> Movement:
        validated_data.pop("version", None)
        return services.movement_create(by=self.context["request"].user, fields=validated_data)

    def update(self, movement: Movement, validated_data: dict[str, Any]) -> Movement:
        version = validated_data.pop("version", None)
        return services.movement_update(
            movement=movement, by=self.context["request"].user, version=version, fields=validated_data
        )


class MergeSerializer(serializers.Serializer):
    into = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text=_("The older registration this household is merged into.")
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("The version of this household the merge is based on (409 if stale)."),
    )
    into_version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("The version of the kept household the merge is based on (409 if stale)."),
    )


class PersonMatchSerializer(serializers.Serializer):
    name = serializers.CharField()
    other_name = serializers.CharField()
    birth_year = serializers.IntegerField()
    similarity = serializers.FloatField()


class DuplicatePairSerializer(serializers.Serializer):
    keep = serializers.IntegerField(source="keep.pk")
    merge = serializers.IntegerField(source="merge.pk")
    keep_registration_number = serializers.CharField(source="keep.registration_number")
    merge_registration_number = serializers.CharField(source="merge.registration_number")
    cercle = serializers.SerializerMethodField()
    same_registration_number = serializers.CharField(
        help_text=_("The registration number both households have; empty when their members' names matched.")
    )
    matches = PersonMatchSerializer(many=True)

    def get_cercle(self, pair: Any) -> str | None:
        place = pair.keep.place
        if place.level == AdminLevel.CERCLE:
            return str(place.pcode)
        # A commune's cercle; a household placed only by region (paired by its number) has none.
        return str(place.parent.pcode) if place.level > AdminLevel.CERCLE and place.parent else None
