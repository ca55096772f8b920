from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)  # as the user model: longer is a 400, never a database error
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    # Required of the roles in OTP_REQUIRED_ROLES (core.second_factor_views.api_refusal says why it is missing).
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=16,
        help_text=_(
            "The 6-digit code of your authenticator app, if your role needs a second factor (OTP_REQUIRED_ROLES)."
        ),
    )


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(read_only=True)
    expiry = serializers.DateTimeField(read_only=True, help_text="When the token stops working.")


class ReferenceEntrySerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class


class AdminAreaSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(source="pcode")
    label = serializers.CharField(source="name")  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class
    level = serializers.IntegerField()
    parent = serializers.CharField(source="parent.pcode", allow_null=True, default=None)  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class


INVALID_CREDENTIALS = _("Unable to log in with the user name and password given.")
