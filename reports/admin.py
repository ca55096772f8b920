"""Admins enter the population and funding figures the report's headline tables show."""

from django.contrib import admin
from django.http import HttpRequest

from core.admin import ManagedByAdmins
from reports.models import DonorContribution, FundingFigure, PopulationFigure


class EnteredByAdmin(ManagedByAdmins, admin.ModelAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # A figure entered by mistake is corrected or removed: these are not records of people.
        return self.has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PopulationFigure)
class PopulationFigureAdmin(EnteredByAdmin):
    list_display = ["as_of", "population_group", "label", "source", "persons", "sort_order"]
    list_filter = ["as_of", "population_group"]
    list_select_related = ["population_group"]


class DonorContributionInline(ManagedByAdmins, admin.TabularInline):
    model = DonorContribution
    extra = 1

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_change_permission(request, obj)


@admin.register(FundingFigure)
class FundingFigureAdmin(EnteredByAdmin):
    list_display = ["as_of", "currency", "requested", "funded", "gap"]
    inlines = [DonorContributionInline]
