from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class ReferenceEntrySerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class AdminAreaSerializer(serializers.Serializer):
    code = serializers.CharField(source="pcode")
    label = serializers.CharField(source="name")
    level = serializers.IntegerField()
    parent = serializers.CharField(source="parent.pcode", allow_null=True, default=None)


INVALID_CREDENTIALS = _("Unable to log in with the user name and password given.")
