"""The flash alert entry form; the place picker, organisation and dates come from core's RecordForm."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from alerts.models import FlashAlert
from core.models import AlertEventType, AlertNeed
from core.record_forms import RecordForm


class AlertForm(RecordForm):
    date_fields = ("reported_on", "occurred_on", "response_on")

    class Meta:
        model = FlashAlert
        widgets = {"needs": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        event_type = cast("forms.ModelChoiceField[AlertEventType]", self.fields["event_type"])
        event_type.queryset = AlertEventType.objects.filter(is_active=True)
        needs = cast("forms.ModelMultipleChoiceField[AlertNeed]", self.fields["needs"])
        needs.queryset = AlertNeed.objects.filter(is_active=True)
        self.fields["households"].widget.attrs["inputmode"] = "numeric"
