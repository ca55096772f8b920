"""The flash alert pages, on the pages every record type shares (core.record_pages)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from alerts import selectors
from alerts.filtersets import AlertFilterSet
from alerts.forms import AlertForm
from alerts.models import FlashAlert
from core import workflow
from core.http import signed_in
from core.inputs import version_number
from core.record_pages import RecordPages, SingleFormRecordForms


class AlertForms(SingleFormRecordForms):
    form_class = AlertForm


def _write_alert(request: HttpRequest, forms_: AlertForms, alert: FlashAlert | None) -> FlashAlert:
    fields = dict(forms_.main.cleaned_data)
    if alert is None:
        return workflow.create_from_fields(FlashAlert, by=signed_in(request), fields=fields)
    return workflow.update_from_fields(
        alert, by=signed_in(request), version=version_number(request.POST.get("version")), fields=fields
    )


ALERT_PAGES = RecordPages(
    slug="alerts",
    namespace="alerts",
    name="alert",
    url_name_prefix="",
    selector=lambda user: selectors.alert_list(user=user),
    filterset_class=AlertFilterSet,
    list_filters=(
        "q",
        "region",
        "status",
        "organisation",
        "event_type",
        "need",
        "response_triggered",
        "urgent",
        "month",
        "reported_on_after",
        "reported_on_before",
        "ordering",
    ),
    sort_columns=("id", "reported_on", "occurred_on", "status"),
    build_forms=AlertForms,
    write=_write_alert,
    template_prefix="alerts/alert",
    new_label=gettext_lazy("New flash alert"),
    detail_extra=lambda request, alert: {"people": alert.people(), "people_total": alert.total},
)
