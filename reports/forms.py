from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import AdminLevel
from core.filtersets import parse_month
from core.models import AdminArea


class ReportFilterForm(forms.Form):
    """Month and region pickers of the monthly report; regions are the user's own."""

    month = forms.CharField(label=_("Month"), widget=forms.DateInput(attrs={"type": "month"}))
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=AdminArea.objects.none(),
        required=False,
        to_field_name="pcode",
        empty_label=_("All my regions"),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        regions = AdminArea.objects.filter(level=AdminLevel.REGION)
        if user.region_pcodes():
            regions = regions.filter(pcode__in=user.region_pcodes())
        self.fields["region"].queryset = regions

    def clean_month(self) -> datetime.date:
        return parse_month(self.cleaned_data["month"])


class CloseMonthForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenMonthForm(forms.Form):
    reason = forms.CharField(label=_("Why reopen this month?"), widget=forms.Textarea(attrs={"rows": 2}))
