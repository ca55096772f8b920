from __future__ import annotations

import datetime
import json
from typing import Any, cast

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core import access
from core.choices import AdminLevel
from core.filtersets import parse_month
from core.models import AdminArea
from reports.closed_months import published_months
from reports.exports import FORMATS as FORMATS_BY_KIND
from reports.exports import ExportError, exportable_choices, validate_export
from reports.jobs import FORMAT_NAMES
from reports.publishing import NOTE_LENGTH


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
        cast("forms.ModelChoiceField[AdminArea]", self.fields["region"]).queryset = regions
        if access.reads_published_figures_only(user):
            # Viewers read published months only: they choose among them, newest first. A month typed in the
            # address is still read as text, so that an open one is told "not published" rather than refused.
            month = self.fields["month"]
            month.label = _("Published month")
            month.widget = forms.Select(
                choices=[(f"{day:%Y-%m}", date_format(day, "F Y")) for day in published_months()]
            )

    def clean_month(self) -> datetime.date:
        return parse_month(self.cleaned_data["month"])


class CloseMonthForm(forms.Form):
    """The close page's form: a note kept with the published month, and, when the closing checklist has findings,
    the admin's word that they close anyway."""

    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the published month: readers of its report see it (what is missing, what was late…)."),
    )
    acknowledge = forms.BooleanField(
        label=_("I have read the checklist and close the month anyway"),
        required=False,
    )

    def __init__(self, *args: Any, needs_acknowledgement: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_acknowledgement = needs_acknowledgement
        if not needs_acknowledgement:
            del self.fields["acknowledge"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.needs_acknowledgement and not cleaned.get("acknowledge"):
            self.add_error(
                "acknowledge",
                _("The checklist has findings: tick this box to close the month anyway, or deal with them first."),
            )
        return cleaned


class ReopenMonthForm(forms.Form):
    reason = forms.CharField(label=_("Why reopen this month?"), widget=forms.Textarea(attrs={"rows": 2}))


class ExportForm(forms.Form):
    """What an admin may export in the background. The format follows the kind: left at "Default", each kind is made
    in its usual format (records and 5W: CSV; the report: PDF), and a format the kind is not made in is refused with
    the formats it takes. With scripts (static/js/exports.js) the format list offers only the kind's formats, and
    the fields a kind does not take are hidden; `data-…` attributes tell the script which."""

    KINDS = [
        ("records", _("Records (one row per record; incidents: one row per violation)")),
        ("report_pdf", _("The monthly report as PDF")),
        ("5w", _("5W activity table (who, what, where, when, for how many)")),
    ]
    FORMATS = [("", _("Default (CSV; the report: PDF)")), *FORMAT_NAMES.items()]

    kind = forms.ChoiceField(label=_("Export"), choices=KINDS, widget=forms.Select(attrs={"data-export-kind": ""}))
    record_type = forms.ChoiceField(
        label=_("Record type"),
        choices=exportable_choices,
        required=False,
        widget=forms.Select(attrs={"data-export-kinds": "records"}),
    )
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
        help_text=_("Or a year, or a range of months. Nothing: every month (records and 5W)."),
    )
    year = forms.CharField(
        label=_("Year"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4, "data-export-kinds": "records 5w"}),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=FORMATS,
        required=False,
        widget=forms.Select(attrs={"data-formats-by-kind": json.dumps(FORMATS_BY_KIND)}),
        help_text=_("Records and the 5W table: CSV or Excel. The monthly report: PDF."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: these two fields are added by name, before the format.
        fields = list(self.fields.items())
        at = [name for name, _field in fields].index("format")
        range_only = {"data-export-kinds": "records 5w"}  # the report is of one month
        months = {
            "from": forms.CharField(
                label=_("From (month)"),
                required=False,
                widget=forms.DateInput(attrs={"type": "month", **range_only}),
            ),
            "to": forms.CharField(
                label=_("To (month, included)"),
                required=False,
                widget=forms.DateInput(attrs={"type": "month", **range_only}),
            ),
        }
        self.fields = dict([*fields[:at], *months.items(), *fields[at:]])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            cleaned["params"] = validate_export(
                {key: cleaned.get(key) for key in ("kind", "record_type", "month", "year", "from", "to", "format")}
            )
        except ExportError as error:
            self.refuse(error)
        return cleaned

    def refuse(self, error: ExportError) -> None:
        """Show what the export's checks refused (a bad period, an Excel sheet too small) as the form's errors."""
        for field, messages in error.errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
