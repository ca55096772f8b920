"""The users page (SPEC.md, "Access and data protection"): admins manage the accounts of their own scope.

A user outside the admin's scope does not exist here (404); what an admin may give and do is core.access's say, and
every change is a core.services function that asks it again and writes the audit log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core import access, services
from core.access import AccountAction, GrantRefused
from core.choices import Role
from core.http import signed_in
from core.models import User
from core.record_pages import sort_links
from core.user_forms import UserFilterSet, UserForm

PAGE_SIZE = 25
SORT_COLUMNS = ("username", "last_name", "role", "organisation", "last_login")


def _admin(request: HttpRequest) -> User:
    """The signed-in admin; anyone else has no users page (403)."""
    user = signed_in(request)
    if not access.may_manage_users(user):
        raise PermissionDenied
    return user


def _managed(admin: User, pk: int) -> User:
    """The user `pk` if this admin manages them; else a 404, as for a record out of scope."""
    return get_object_or_404(access.manageable_users(admin), pk=pk)


def _refusal(admin: User, user: User, action: AccountAction) -> str | None:
    try:
        access.check_account_action(admin, user, action)
    except GrantRefused as refusal:
        return refusal.message
    return None


def _edit_refusal(admin: User, user: User) -> str | None:
    """Why this admin only reads this account (their own; a GBV focal point's unless a superuser), or None."""
    if user.pk == admin.pk:
        return _("This is your own account: another admin changes your role, organisation or regions.")
    return _refusal(admin, user, AccountAction.EDIT)


@login_required
@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    admin = _admin(request)
    users = access.manageable_users(admin).prefetch_related("regions").order_by("username")
    filterset = UserFilterSet(request.GET, queryset=users, admin=admin)
    valid = filterset.is_valid()
    page = Paginator(filterset.qs if valid else users.none(), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset,
        "page": page,
        "users": list(page.object_list),
        "query": query.urlencode(),
        "sort_links": sort_links(request, SORT_COLUMNS),
        "filtered": any(request.GET.get(name) for name in ("q", "role", "organisation", "region", "active")),
    }
    return render(request, "core/user_list.html", context, status=200 if valid else 400)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    """A new account, without a password: the answer is the one-time link that lets its owner choose one."""
    admin = _admin(request)
    form = UserForm(request.POST if request.method == "POST" else None, admin=admin)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_add(
                by=admin,
                request=request,
                username=data["username"],
                role=data["role"],
                organisation=data["organisation"],
                regions=data["regions"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
            link = services.reset_link(user=user, by=admin, request=request)
        except GrantRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Account %(username)s created.") % {"username": user.username})
            return _link_page(request, user, link, created=True)
    status = 400 if form.errors else 200
    return render(request, "core/user_form.html", {"form": form, "managed": None}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    admin = _admin(request)
    user = _managed(admin, pk)
    refusal = _edit_refusal(admin, user)
    form = None
    status = 200
    if refusal is None:
        form = UserForm(request.POST if request.method == "POST" else None, admin=admin, user=user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.user_change(user=user, by=admin, request=request, **_changes(data))
            except GrantRefused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("Account %(username)s saved.") % {"username": user.username})
                return HttpResponseRedirect(reverse("user-edit", args=[user.pk]))
        status = 400 if form.errors else 200
    elif request.method == "POST":
        status = 403
    context = {
        "form": form,
        "managed": user,
        "refusal": refusal,
        "regions": user.regions.order_by("pcode"),
        "may_reset": _refusal(admin, user, AccountAction.RESET_LINK) is None and user.is_active,
        "may_deactivate": _refusal(admin, user, AccountAction.DEACTIVATE) is None and user.is_active,
        "may_reactivate": _refusal(admin, user, AccountAction.REACTIVATE) is None and not user.is_active,
        # A lost phone: superusers reset a user's authenticator (core.second_factor_views.reset, logged there).
        "may_reset_second_factor": admin.is_superuser and user.pk != admin.pk,
    }
    return render(request, "core/user_form.html", context, status=status)


def _changes(data: dict[str, Any]) -> dict[str, Any]:
    names = ("role", "organisation", "regions", "first_name", "last_name", "email")
    return {name: data[name] for name in names}


@login_required
@require_http_methods(["GET", "POST"])
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first (GET, or a POST without `confirm`), then closes the account."""
    admin = _admin(request)
    user = _managed(admin, pk)
    refusal = _refusal(admin, user, AccountAction.DEACTIVATE)
    if refusal is not None:
        messages.error(request, refusal)
        return HttpResponseRedirect(reverse("user-edit", args=[user.pk]))
    if request.method == "POST" and request.POST.get("confirm") == "1":
        services.user_deactivate(user=user, by=admin, request=request)
        messages.success(request, _("Account %(username)s deactivated.") % {"username": user.username})
        return HttpResponseRedirect(reverse("user-edit", args=[user.pk]))
    return render(request, "core/user_deactivate.html", {"managed": user})


@login_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    admin = _admin(request)
    user = _managed(admin, pk)
    try:
        services.user_reactivate(user=user, by=admin, request=request)
    except GrantRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Account %(username)s is active again.") % {"username": user.username})
    return HttpResponseRedirect(reverse("user-edit", args=[user.pk]))


@never_cache
@login_required
@require_POST
def user_reset_link(request: HttpRequest, pk: int) -> HttpResponse:
    """A one-time password-reset link, shown once in this answer (never in a URL the browser keeps)."""
    admin = _admin(request)
    user = _managed(admin, pk)
    try:
        link = services.reset_link(user=user, by=admin, request=request)
    except GrantRefused as refusal:
        messages.error(request, refusal.message)
        return HttpResponseRedirect(reverse("user-edit", args=[user.pk]))
    return _link_page(request, user, link, created=False)


def _link_page(request: HttpRequest, user: User, link: services.ResetLink, *, created: bool) -> HttpResponse:
    context = {
        "managed": user,
        "link": request.build_absolute_uri(link.path),
        "expires_at": link.expires_at,
        "created": created,
        "is_gbv": user.role == Role.GBV_FOCAL_POINT,
    }
    return render(request, "core/user_reset_link.html", context)
