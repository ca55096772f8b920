"""The assistance and session pages, on the pages every record type shares (core.record_pages)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities import selectors, services
from activities.filtersets import AssistanceFilterSet, SessionFilterSet
from activities.forms import AssistanceForm, SessionForm
from activities.models import AssistanceEvent, Session
from beneficiaries.selectors import household_list
from core.http import signed_in
from core.inputs import version_number
from core.models import User
from core.record_forms import places_for
from core.record_pages import RecordForms, RecordPages, SingleFormRecordForms, field_differences

# --- Assistance


class AssistanceForms(RecordForms):
    def __init__(self, request: HttpRequest, event: AssistanceEvent | None) -> None:
        data = request.POST if request.method == "POST" else None
        self.places = places_for(signed_in(request))
        self.main = AssistanceForm(data, instance=event, user=signed_in(request), places=self.places)

    def differences(self, current: AssistanceEvent) -> list[dict[str, str]]:
        rows = field_differences(self.main, current)
        typed = sorted(household.pk for household in self.main.cleaned_data.get("households_assisted") or [])
        saved = sorted(household.pk for household in current.households_assisted.all())
        if typed != saved:
            rows.append(
                {
                    "field": _("Registered households reached"),
                    "saved": ", ".join(f"#{pk}" for pk in saved) or "—",
                    "typed": ", ".join(f"#{pk}" for pk in typed) or "—",
                }
            )
        return rows


class AssistancePages(RecordPages[AssistanceEvent, AssistanceForms]):
    model = AssistanceEvent
    namespace = "activities"
    name = "assistance"
    filterset_class = AssistanceFilterSet
    forms_class = AssistanceForms
    template_prefix = "activities/assistance"
    new_label = gettext_lazy("New assistance event")

    def get_queryset(self, user: User) -> QuerySet[AssistanceEvent]:
        return selectors.assistance_list(user=user)

    def write(self, request: HttpRequest, forms_: AssistanceForms, event: AssistanceEvent | None) -> AssistanceEvent:
        fields = dict(forms_.main.cleaned_data)
        households = fields.pop("households_assisted", None) or []
        if event is None:
            return services.assistance_create(by=signed_in(request), fields=fields, households=households)
        return services.assistance_update(
            event=event,
            by=signed_in(request),
            version=version_number(request.POST.get("version")),
            fields=fields,
            households=households,
        )

    def detail_extra(self, request: HttpRequest, event: AssistanceEvent) -> dict[str, Any]:
        # The prefetched households carry their ids only; those this user may read are shown with their number.
        linked = [item.pk for item in event.households_assisted.all()]
        readable = {
            household.pk: household
            for household in household_list(user=signed_in(request)).prefetch_related(None).filter(pk__in=linked)
        }
        return {
            "people": event.people(),
            "people_total": event.total,
            "linked_households": [{"pk": pk, "household": readable.get(pk)} for pk in linked],
            # Warnings, not errors: a second distribution can be planned; the reviewer sees them too.
            "repeat_warnings": selectors.repeat_assistance(event, user=signed_in(request)),
        }


ASSISTANCE_PAGES = AssistancePages()


# --- Sessions


class SessionForms(SingleFormRecordForms):
    form_class = SessionForm


class SessionPages(RecordPages[Session, SessionForms]):
    model = Session
    namespace = "activities"
    name = "session"
    filterset_class = SessionFilterSet
    forms_class = SessionForms
    template_prefix = "activities/session"
    new_label = gettext_lazy("New session")

    def get_queryset(self, user: User) -> QuerySet[Session]:
        return selectors.session_list(user=user)

    def detail_extra(self, request: HttpRequest, session: Session) -> dict[str, Any]:
        return {"people": session.people(), "people_total": session.total}


SESSION_PAGES = SessionPages()
