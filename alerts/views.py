"""The flash alert pages, on the pages every record type shares (core.record_pages)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from alerts import selectors
from alerts.filtersets import AlertFilterSet
from alerts.forms import AlertForm
from alerts.models import FlashAlert
from core.models import User
from core.record_pages import RecordPages, SingleFormRecordForms


class AlertForms(SingleFormRecordForms):
    form_class = AlertForm


class AlertPages(RecordPages[FlashAlert, AlertForms]):
    """The shared pages as they are: the alert is written with the generic workflow write (RecordPages.write)."""

    model = FlashAlert
    namespace = "alerts"
    name = "alert"
    url_name_prefix = ""  # the namespace is the type's own: "alerts:detail"
    filterset_class = AlertFilterSet
    forms_class = AlertForms
    template_prefix = "alerts/alert"
    new_label = gettext_lazy("New flash alert")

    def get_queryset(self, user: User) -> QuerySet[FlashAlert]:
        return selectors.alert_list(user=user)

    def detail_extra(self, request: HttpRequest, alert: FlashAlert) -> dict[str, Any]:
        return {"people": alert.people(), "people_total": alert.total}


ALERT_PAGES = AlertPages()
