"""The Django admin, where Vigie's admins manage users, organisations, admin areas and reference lists."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core import audit, models, services, tokens
from core.access import Capability, has_capability, region_pcodes, sees_every_organisation
from core.choices import AdminLevel
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


def _is_superuser(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


class SuperusersOnly:
    """Pages where an admin could give themselves or others more than they have (users, groups, their passwords) or
    read what is not theirs (every background job): superusers only. Admins manage users on /users/, in scope."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_superuser(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_superuser(request)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_superuser(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return _is_superuser(request)

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


class AdminAreaForm(forms.ModelForm[models.AdminArea]):
    """An admin of some regions adds and changes places inside them only; a region is added by an admin of every
    region (the places are everyone's reference list: every admin reads them all)."""

    admin_regions: frozenset[str] = frozenset()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.admin_regions:
            return cleaned
        parent = cleaned.get("parent")
        if parent is None or parent.region.pcode not in self.admin_regions:
            raise ValidationError(_("You can only add or move places inside your own regions."))
        return cleaned


@admin.register(models.AdminArea)
class AdminAreaAdmin(ManagedByAdmins, admin.ModelAdmin[models.AdminArea]):
    list_display = ["pcode", "name", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["pcode", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    form = AdminAreaForm

    def _regions(self, request: HttpRequest) -> frozenset[str]:
        """The regions this admin's changes are limited to; empty for every region (and for superusers)."""
        user = request.user
        if not isinstance(user, models.User) or user.is_superuser:
            return frozenset()
        return region_pcodes(user)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        regions = self._regions(request)
        if not regions or not isinstance(obj, models.AdminArea):
            return True
        # A region itself is everyone's: only an admin of every region renames it.
        return obj.level != AdminLevel.REGION and obj.region.pcode in regions

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"admin_regions": self._regions(request)})


@admin.register(models.Organisation)
class OrganisationAdmin(ManagedByAdmins, admin.ModelAdmin[models.Organisation]):
    """The lead's admins manage every organisation; a partner's admin sees and changes theirs only. Which
    organisation leads (and so whose users see every organisation's records) is a superuser's to change."""

    list_display = ["code", "name", "is_lead", "is_active"]
    list_filter = ["is_lead", "is_active"]
    search_fields = ["code", "name"]

    def _partner_admin(self, request: HttpRequest) -> models.User | None:
        user = request.user
        if isinstance(user, models.User) and not user.is_superuser and not sees_every_organisation(user):
            return user
        return None

    def get_queryset(self, request: HttpRequest) -> QuerySet[models.Organisation]:
        organisations = super().get_queryset(request)
        partner_admin = self._partner_admin(request)
        return organisations.filter(users=partner_admin) if partner_admin else organisations

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return super().has_add_permission(request, obj) and self._partner_admin(request) is None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if _is_superuser(request) else ["is_lead"]


@admin.action(description=_("Deactivate the selected users"))
def deactivate_users(
    modeladmin: admin.ModelAdmin[models.User], request: HttpRequest, queryset: QuerySet[models.User]
) -> None:
    others = list(queryset.exclude(pk=signed_in(request).pk).filter(is_active=True))
    count = models.User.objects.filter(pk__in=[user.pk for user in others]).update(is_active=False)
    # update() skips save(), whose signal kills a deactivated user's API tokens: they die here.
    tokens.revoke_all_tokens(users=others, reason=tokens.REVOKED_ON_DEACTIVATION)
    for user in others:
        audit.record(
            audit.Action.USER_DEACTIVATED, request=request, target_user=user, details={"channel": "django_admin"}
        )
    modeladmin.message_user(
        request,
        ngettext("%(count)d user deactivated.", "%(count)d users deactivated.", count) % {"count": count},
        messages.SUCCESS,
    )


@admin.register(models.User)
class VigieUserAdmin(SuperusersOnly, UserAdmin[models.User]):
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

    # Every change to a user is in the audit log, here too (superusers only): the scope before is read in
    # save_model, the log written in save_related, once the regions (many-to-many) are saved.
    def save_model(self, request: HttpRequest, obj: models.User, form: Any, change: bool) -> None:
        form.scope_before = services.scope_before(obj) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.user_saved_elsewhere(
            user=form.instance,
            by=signed_in(request),
            before=getattr(form, "scope_before", None),
            changed_fields=form.changed_data,
            request=request,
        )


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
class JobAdmin(SuperusersOnly, admin.ModelAdmin[models.Job]):
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

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# Groups give permissions, which Vigie's roles do not use; whoever edits them could still give some: superusers only.
admin.site.unregister(Group)


@admin.register(Group)
class VigieGroupAdmin(SuperusersOnly, GroupAdmin):
    pass
