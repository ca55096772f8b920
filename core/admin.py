"""The Django admin, where Vigie's admins manage users, organisations, admin areas and reference lists."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core import models, tokens
from core.access import Capability, has_capability
from core.forms import UserChangeForm, UserCreationForm
from core.http import signed_in


class ManagedByAdmins:
    """Admins (the role) may view, add and change; nothing is deleted here: entries are deactivated."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_capability(request.user, Capability.MANAGE)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return has_capability(request.user, Capability.MANAGE)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # `obj`: Django asks an inline (the donor rows of a funding figure) with the parent record, a page without.
        return has_capability(request.user, Capability.MANAGE)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return has_capability(request.user, Capability.MANAGE)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReferenceItemAdmin(ManagedByAdmins, admin.ModelAdmin[Any]):
    list_display = ["code", "label_en", "label_fr", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "label_en", "label_fr"]


for reference_model in (
    models.ViolationCategory,
    models.GbvIncidentType,
    models.GbvService,
    models.PopulationGroup,
    models.PerpetratorCategory,
    models.SessionKind,
    models.Sector,
    models.SourceType,
    models.CollectionMethod,
    models.LocationType,
):
    admin.site.register(reference_model, ReferenceItemAdmin)


@admin.register(models.ViolationType)
class ViolationTypeAdmin(ReferenceItemAdmin):
    list_display = ["code", "category", "label_en", "label_fr", "collective", "sexual_violence", "is_active"]
    list_editable = ["is_active"]
    list_filter = ["category", "collective", "sexual_violence", "is_active"]


@admin.register(models.AssistanceKind)
class AssistanceKindAdmin(ReferenceItemAdmin):
    list_display = ["code", "label_en", "label_fr", "unit", "sort_order", "is_active"]


@admin.register(models.AdminArea)
class AdminAreaAdmin(ManagedByAdmins, admin.ModelAdmin[models.AdminArea]):
    list_display = ["pcode", "name", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["pcode", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(models.Organisation)
class OrganisationAdmin(ManagedByAdmins, admin.ModelAdmin[models.Organisation]):
    list_display = ["code", "name", "is_lead", "is_active"]
    list_filter = ["is_lead", "is_active"]
    search_fields = ["code", "name"]


@admin.action(description=_("Deactivate the selected users"))
def deactivate_users(
    modeladmin: admin.ModelAdmin[models.User], request: HttpRequest, queryset: QuerySet[models.User]
) -> None:
    others = list(queryset.exclude(pk=signed_in(request).pk))
    count = models.User.objects.filter(pk__in=[user.pk for user in others]).update(is_active=False)
    # update() skips save(), whose signal kills a deactivated user's API tokens: they die here.
    tokens.revoke_all_tokens(users=others, reason=tokens.REVOKED_ON_DEACTIVATION)
    modeladmin.message_user(
        request,
        ngettext("%(count)d user deactivated.", "%(count)d users deactivated.", count) % {"count": count},
        messages.SUCCESS,
    )


@admin.register(models.User)
class VigieUserAdmin(ManagedByAdmins, UserAdmin[models.User]):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active", "last_login"]
    list_filter = ["role", "organisation", "is_active", "regions"]
    list_select_related = ["organisation"]
    search_fields = ["username", "first_name", "last_name", "email"]
    filter_horizontal = ["regions"]
    actions = [deactivate_users]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email")}),
        (_("Role and scope"), {"fields": ("role", "organisation", "regions", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        (_("Role and scope"), {"fields": ("role", "organisation", "regions")}),
    )
    readonly_fields = ["last_login", "date_joined"]


@admin.register(models.AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[models.AuditEntry]):
    """The audit log, read-only and for superusers only: admins read it, within their scope, on /audit/.
    Nobody adds, changes or deletes an entry, here or anywhere."""

    list_display = ["at", "action", "username", "actor", "target_user", "object_type", "object_id", "ip_address"]
    list_filter = ["action", ("at", admin.DateFieldListFilter)]
    search_fields = ["username", "object_id"]
    list_select_related = ["actor", "target_user"]
    date_hierarchy = "at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(models.Job)
class JobAdmin(admin.ModelAdmin[models.Job]):
    """Every background job — each export included — with who started it and when: the export log. The file
    itself is not here: it is its starter's alone (reports' job views)."""

    list_display = ["created_at", "kind", "user", "status", "progress", "finished_at", "expired_at"]
    list_filter = ["kind", "status", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["user__username", "kind"]
    list_select_related = ["user"]
    fields = readonly_fields = (
        "kind",
        "user",
        "status",
        "progress",
        "params",
        "errors",
        "created_at",
        "finished_at",
        "expired_at",
    )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_capability(request.user, Capability.MANAGE)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return has_capability(request.user, Capability.MANAGE)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
