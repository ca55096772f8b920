from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(read_only=True)


class ReferenceEntrySerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class


class AdminAreaSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(source="pcode")
    label = serializers.CharField(source="name")  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class
    level = serializers.IntegerField()
    parent = serializers.CharField(source="parent.pcode", allow_null=True, default=None)  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class


INVALID_CREDENTIALS = _("Unable to log in with the user name and password given.")
