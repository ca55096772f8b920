"""The household and mixed-movement pages, on the pages every record type shares (core.record_pages), and the
possible-duplicates page where a reviewer merges two registrations of one household."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from beneficiaries import selectors, services
from beneficiaries.filtersets import HouseholdFilterSet, MovementFilterSet
from beneficiaries.forms import HouseholdForm, MemberFormSet, MovementForm, member_initial
from beneficiaries.models import Household, Movement
from core import access
from core.access import Action
from core.errors import ConflictError
from core.http import signed_in
from core.inputs import version_number, whole_number
from core.models import User
from core.record_forms import kept_rows, places_for
from core.record_pages import RecordForms, RecordPages, SingleFormRecordForms, field_differences

# --- Households


class HouseholdForms(RecordForms):
    """The household form and its members formset."""

    children = ("members",)

    def __init__(self, request: HttpRequest, household: Household | None) -> None:
        data = request.POST if request.method == "POST" else None
        self.places = places_for(signed_in(request))
        self.main = HouseholdForm(data, instance=household, user=signed_in(request), places=self.places)
        self.members = MemberFormSet(data, prefix="members", initial=member_initial(household) if household else None)

    def differences(self, current: Household) -> list[dict[str, str]]:
        rows = field_differences(self.main, current)
        typed = sorted(_member_key(row) for row in kept_rows(self.members))
        saved = sorted(_member_key(row) for row in member_initial(current))
        if typed != saved:
            rows.append({"field": _("Members"), "saved": "; ".join(saved), "typed": "; ".join(typed)})
        return rows


def _member_key(row: dict[str, Any]) -> str:
    head = "*" if row.get("is_head") else ""
    return f"{head}{row['full_name']} ({row.get('sex') or '?'}, {row.get('birth_year') or '?'})"


@login_required
def household_duplicates(request: HttpRequest) -> HttpResponse:
    """Likely duplicates in the user's scope, side by side, the older registration first (supervisors, admins)."""
    if not access.may(signed_in(request), Action.REVIEW):
        raise PermissionDenied
    pairs = selectors.likely_duplicate_households(user=signed_in(request))
    return render(request, "beneficiaries/household_duplicates.html", {"pairs": pairs})


@login_required
@require_POST
def household_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge household `pk` (the newer registration) into `into` (the older), after a confirmation page."""
    household = HOUSEHOLD_PAGES.get_object(request, pk)
    if not access.may(signed_in(request), Action.REVIEW):
        raise PermissionDenied
    into_pk = request.POST.get("into", "")
    number = whole_number(into_pk)
    into = selectors.household_list(user=signed_in(request)).filter(pk=number).first() if number is not None else None
    if into is None:
        messages.error(request, _("No household with this number in your scope."))
        return redirect("beneficiaries:household-duplicates")
    if request.POST.get("confirm") != "1":
        context = {"household": household, "into": into}
        return render(request, "beneficiaries/household_merge_confirm.html", context)
    try:
        kept = services.household_merge(
            household=household,
            into=into,
            by=signed_in(request),
            version=version_number(request.POST.get("version")),
            into_version=version_number(request.POST.get("into_version")),
        )
    except ConflictError as error:
        messages.error(request, str(error))
        return render(
            request, "beneficiaries/household_merge_confirm.html", {"household": household, "into": into}, status=409
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("beneficiaries:household-duplicates")
    messages.success(
        request, _("Household #%(merged)d was merged into #%(kept)d.") % {"merged": household.pk, "kept": kept.pk}
    )
    return redirect("beneficiaries:household-detail", pk=kept.pk)


class HouseholdPages(RecordPages[Household, HouseholdForms]):
    model = Household
    namespace = "beneficiaries"
    name = "household"
    filterset_class = HouseholdFilterSet
    forms_class = HouseholdForms
    template_prefix = "beneficiaries/household"
    new_label = gettext_lazy("New household")

    def get_queryset(self, user: User) -> QuerySet[Household]:
        return selectors.household_list(user=user)

    def write(self, request: HttpRequest, forms_: HouseholdForms, household: Household | None) -> Household:
        fields, members = dict(forms_.main.cleaned_data), kept_rows(forms_.members)
        if household is None:
            return services.household_create(by=signed_in(request), fields=fields, members=members)
        return services.household_update(
            household=household,
            by=signed_in(request),
            version=version_number(request.POST.get("version")),
            fields=fields,
            members=members,
        )

    def detail_extra(self, request: HttpRequest, household: Household) -> dict[str, Any]:
        people = household.people()
        return {
            "members": list(household.members.all()),
            "people": people,
            "people_total": sum(people.values()),
        }

    def list_facts(self, households: list[Household]) -> None:
        # From the prefetched members: no query per row.
        for household in households:
            household.member_count = len(household.members.all())

    def extra_urls(self) -> list[URLPattern]:
        return [
            path("households/duplicates/", household_duplicates, name="household-duplicates"),
            path("households/<int:pk>/merge/", household_merge, name="household-merge"),
        ]


HOUSEHOLD_PAGES = HouseholdPages()


# --- Mixed movements


class MovementForms(SingleFormRecordForms):
    form_class = MovementForm


class MovementPages(RecordPages[Movement, MovementForms]):
    model = Movement
    namespace = "beneficiaries"
    name = "movement"
    filterset_class = MovementFilterSet
    forms_class = MovementForms
    template_prefix = "beneficiaries/movement"
    new_label = gettext_lazy("New movement identification")

    def get_queryset(self, user: User) -> QuerySet[Movement]:
        return selectors.movement_list(user=user)

    def detail_extra(self, request: HttpRequest, movement: Movement) -> dict[str, Any]:
        return {"people": movement.people(), "people_total": movement.total}


MOVEMENT_PAGES = MovementPages()
