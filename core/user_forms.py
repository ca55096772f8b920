"""The users page's filters and form (core.user_pages): what an admin may pick is what core.access lets them give."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core import access
from core.choices import AdminLevel, Role
from core.inputs import whole_number
from core.models import AdminArea, Organisation, User


# Record numbers as core.inputs reads them: Django would look up "٣" as 3, and 10**40 raised OverflowError (a 500).
class NumberChoiceField(forms.ModelChoiceField[Organisation]):
    def to_python(self, value: Any) -> Organisation | None:
        if value not in self.empty_values and whole_number(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class NumbersChoiceField(forms.ModelMultipleChoiceField[AdminArea]):
    def _check_values(self, value: Any) -> QuerySet[AdminArea]:
        for pk in value:
            if whole_number(pk) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        checked: QuerySet[AdminArea] = super()._check_values(value)  # type: ignore[misc]  # not in the stubs
        return checked


def _regions_for(admin: User) -> QuerySet[AdminArea]:
    """The regions an admin may give: their own, or every region for an admin of every region."""
    regions = AdminArea.objects.filter(level=AdminLevel.REGION).order_by("pcode")
    own = access.region_pcodes(admin)
    return regions.filter(pcode__in=sorted(own)) if own and not admin.is_superuser else regions


def _organisations_for(admin: User) -> QuerySet[Organisation]:
    """The organisations an admin may give: their own, or every organisation for the lead's admins."""
    organisations = Organisation.objects.order_by("code")
    if admin.is_superuser or access.sees_every_organisation(admin):
        return organisations
    return organisations.filter(users=admin)


def role_choices(admin: User) -> list[tuple[str, Any]]:
    """The roles an admin may give: the GBV focal point role is a superuser's to grant."""
    return [(value, label) for value, label in Role.choices if admin.is_superuser or value != Role.GBV_FOCAL_POINT]


class UserFilterSet(django_filters.FilterSet):
    """Filters of the users page: role, organisation, region, active, a search by name, and sorting."""

    q = django_filters.CharFilter(label=_("Name or user name"), method="search")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices)
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=Organisation.objects.all(), to_field_name="code"
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=AdminArea.objects.filter(level=AdminLevel.REGION),
        to_field_name="pcode",
        method="in_region",
    )
    active = django_filters.ChoiceFilter(
        label=_("Status"), choices=[("yes", _("Active")), ("no", _("Deactivated"))], method="by_activity"
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("username", "username"),
            ("last_name", "last_name"),
            ("role", "role"),
            ("organisation__code", "organisation"),
            ("last_login", "last_login"),
        ),
        field_labels={
            "username": _("User name"),
            "last_name": _("Name"),
            "role": _("Role"),
            "organisation__code": _("Organisation"),
            "last_login": _("Last sign-in"),
        },
    )

    class Meta:
        model = User
        fields = ["q", "role", "organisation", "region", "active"]

    def __init__(self, *args: Any, admin: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only what the admin has to choose from: a partner's admin is not told which other organisations exist.
        organisations, regions = self.filters["organisation"], self.filters["region"]
        assert isinstance(organisations, django_filters.ModelChoiceFilter)  # noqa: S101 -- declared above
        assert isinstance(regions, django_filters.ModelChoiceFilter)  # noqa: S101 -- declared above
        organisations.queryset = _organisations_for(admin)
        regions.queryset = _regions_for(admin)

    def search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        condition = Q()
        for word in value.split():
            condition &= Q(username__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word)
        return queryset.filter(condition)

    def in_region(self, queryset: QuerySet[User], name: str, value: AdminArea | None) -> QuerySet[User]:
        # Who works there: the users of that region and those of every region.
        if value is None:
            return queryset
        return queryset.filter(Q(regions=value) | Q(regions__isnull=True)).distinct()

    def by_activity(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return queryset.filter(is_active=value == "yes") if value else queryset


class UserForm(forms.Form):
    """Create a user (with a user name) or change one: names, e-mail, role, organisation, regions.

    No password field: a new account gets an unusable password and the admin hands over a one-time reset link.
    The choices offered are what the admin may give; core.access.check_grant says the last word (here, as a form
    error, and again in the service).
    """

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[User.username_validator],
        help_text=_("Letters, digits and @ . + - _ only. It cannot be changed later."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Optional: without one, password resets go through a link you hand over."),
    )
    role = forms.ChoiceField(label=_("Role"))
    organisation = NumberChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    regions = NumbersChoiceField(
        label=_("Regions"),
        queryset=AdminArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, admin: User, user: User | None = None, **kwargs: Any) -> None:
        if user is not None:
            kwargs.setdefault("initial", self.initial_for(user))
        else:
            # A new user is most often one of the admin's own people: their organisation, and their region if one.
            own_regions = list(_regions_for(admin).values_list("pk", flat=True)) if access.region_pcodes(admin) else []
            kwargs.setdefault(
                "initial",
                {"role": Role.MONITOR, "organisation": admin.organisation_id, "regions": own_regions[:1]}
                if len(own_regions) == 1
                else {"role": Role.MONITOR, "organisation": admin.organisation_id},
            )
        super().__init__(*args, **kwargs)
        self.admin, self.user = admin, user
        if user is not None:
            del self.fields["username"]
        roles = self.fields["role"]
        organisations = self.fields["organisation"]
        regions = self.fields["regions"]
        assert isinstance(organisations, forms.ModelChoiceField)  # noqa: S101 -- declared just above
        assert isinstance(regions, forms.ModelMultipleChoiceField)  # noqa: S101 -- declared just above
        assert isinstance(roles, forms.ChoiceField)  # noqa: S101 -- declared just above
        roles.choices = role_choices(admin)
        organisations.queryset = _organisations_for(admin)
        regions.queryset = _regions_for(admin)
        if access.region_pcodes(admin) and not admin.is_superuser:
            regions.required = True
            regions.help_text = _("At least one: a user of yours works in some of your regions.")
        else:
            regions.help_text = _("None ticked: every region.")

    @staticmethod
    def initial_for(user: User) -> dict[str, Any]:
        return {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "role": user.role,
            "organisation": user.organisation_id,
            "regions": list(user.regions.values_list("pk", flat=True)),
        }

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("A user named “%(name)s” already exists.") % {"name": username})
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            access.check_grant(
                self.admin,
                role=cleaned["role"],
                organisation_id=cleaned["organisation"].pk,
                region_codes=[region.pcode for region in cleaned["regions"]],
                user=self.user,
            )
            if self.user is not None:
                access.check_account_action(self.admin, self.user, access.AccountAction.EDIT)
        except access.GrantRefused as refusal:
            raise forms.ValidationError(refusal.message) from refusal
        return cleaned
