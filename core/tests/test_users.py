"""Users managed within scope (SPEC.md, "Access and data protection"): the users page, the Django admin's user pages,
one-time reset links, the audit log of user changes, and the GBV focal point role.

Each escalation test here passed (the escalation worked) on the code before the users page: against the Django admin
as it was, which let any admin change any user.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pytest_django import DjangoAssertNumQueries

from conftest import PASSWORD, make_user
from core import access, services
from core.auth import reset_tokens
from core.models import AdminArea, ApiToken, AuditEntry, Job, Notification, Organisation, User

NEW_PASSWORD = "Another-horse-2026"  # noqa: S105 -- a test password


@pytest.fixture
def cast(people: SimpleNamespace, lead: Organisation, partner: Organisation) -> SimpleNamespace:
    """The people fixture, with the admins of issue 11: one of Gao only, one of the partner, and a superuser."""
    people.gao_admin = make_user("gao_admin", "admin", ["ML07"], lead)
    people.partner_admin = make_user("partner_admin", "admin", [], partner)
    people.mopti_monitor = make_user("mopti_monitor", "monitor", ["ML05"], lead)
    people.mopti_gbv = make_user("mopti_gbv", "gbv_focal_point", ["ML05"], lead)
    people.superuser = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    people.lead, people.partner = lead, partner
    return people


def region(pcode: str) -> AdminArea:
    return AdminArea.objects.get(pcode=pcode)


def user_form(user: User | None = None, **changes: Any) -> dict[str, Any]:
    """What the users page posts: a user's current values (or a new Gao monitor's), with `changes`."""
    if user is None:
        data: dict[str, Any] = {
            "username": "aminata",
            "first_name": "Aminata",
            "last_name": "Traoré",
            "email": "",
            "role": "monitor",
            "organisation": Organisation.objects.get(is_lead=True).pk,
            "regions": [region("ML07").pk],
        }
    else:
        data = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "role": user.role,
            "organisation": user.organisation_id,
            "regions": list(user.regions.values_list("pk", flat=True)),
        }
    data.update(changes)
    return data


def admin_user_form(user: User, **changes: Any) -> dict[str, Any]:
    """What the Django admin's user change page posts."""
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "organisation": user.organisation_id or "",
        "regions": list(user.regions.values_list("pk", flat=True)),
        "is_active": "on",
    }
    data.update(changes)
    return data


def scope(user: User) -> tuple[str, int | None, frozenset[str]]:
    fresh = User.objects.get(pk=user.pk)
    return fresh.role, fresh.organisation_id, fresh.region_pcodes()


def as_user(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


# --- the escalations of issue 11


class TestSelfPromotion:
    def test_an_admin_cannot_change_their_own_scope_on_the_users_page(
        self, cast: SimpleNamespace, client: Client
    ) -> None:
        before = scope(cast.gao_admin)
        response = as_user(client, cast.gao_admin).post(
            reverse("user-edit", args=[cast.gao_admin.pk]), user_form(cast.gao_admin, regions=[])
        )
        assert response.status_code == 403
        assert scope(cast.gao_admin) == before
        assert "This is your own account" in response.content.decode()

    def test_their_own_row_shows_read_only(self, cast: SimpleNamespace, client: Client) -> None:
        html = as_user(client, cast.partner_admin).get(reverse("user-edit", args=[cast.partner_admin.pk])).content
        assert b'name="role"' not in html
        assert b"This is your own account" in html

    def test_the_service_refuses_it_too(self, cast: SimpleNamespace) -> None:
        with pytest.raises(access.GrantRefused):
            services.user_change(
                user=cast.partner_admin,
                by=cast.partner_admin,
                role="admin",
                organisation=cast.lead,
                regions=[],
                first_name="",
                last_name="",
                email="",
            )
        assert User.objects.get(pk=cast.partner_admin.pk).organisation == cast.partner

    def test_a_partner_admin_cannot_make_themselves_the_leads_in_the_django_admin(
        self, cast: SimpleNamespace, client: Client
    ) -> None:
        """The attack of issue 11: then they read every partner's records."""
        url = reverse("admin:core_user_change", args=[cast.partner_admin.pk])
        response = as_user(client, cast.partner_admin).post(
            url, admin_user_form(cast.partner_admin, organisation=cast.lead.pk)
        )
        assert response.status_code == 403
        assert User.objects.get(pk=cast.partner_admin.pk).organisation == cast.partner

    def test_a_region_admin_cannot_give_themselves_every_region_in_the_django_admin(
        self, cast: SimpleNamespace, client: Client
    ) -> None:
        url = reverse("admin:core_user_change", args=[cast.gao_admin.pk])
        response = as_user(client, cast.gao_admin).post(url, admin_user_form(cast.gao_admin, regions=[]))
        assert response.status_code == 403
        assert User.objects.get(pk=cast.gao_admin.pk).region_pcodes() == {"ML07"}


class TestGbvFocalPointRole:
    def test_an_admin_cannot_create_a_gbv_focal_point_on_the_users_page(
        self, cast: SimpleNamespace, client: Client
    ) -> None:
        response = as_user(client, cast.admin).post(reverse("user-create"), user_form(role="gbv_focal_point"))
        assert response.status_code == 400
        assert not User.objects.filter(username="aminata").exists()
        # The role is not even offered.
        assert b'value="gbv_focal_point"' not in as_user(client, cast.admin).get(reverse("user-create")).content

    def test_the_service_refuses_it_too(self, cast: SimpleNamespace) -> None:
        with pytest.raises(access.GrantRefused, match="superuser"):
            services.user_add(by=cast.admin, username="x", role="gbv_focal_point", organisation=cast.lead)
        assert not User.objects.filter(username="x").exists()

    def test_a_gao_admin_cannot_create_an_all_region_gbv_account_in_the_django_admin(
        self, cast: SimpleNamespace, client: Client
    ) -> None:
        """The attack of issue 11: through that account, every GBV referral with survivor code, age and type."""
        data = {
            "username": "gbv_everywhere",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "role": "gbv_focal_point",
            "organisation": cast.lead.pk,
        }
        response = as_user(client, cast.gao_admin).post(reverse("admin:core_user_add"), data)
        assert response.status_code == 403
        assert not User.objects.filter(username="gbv_everywhere").exists()

    def test_an_admin_cannot_make_an_existing_user_a_gbv_focal_point(
        self, cast: SimpleNamespace, client: Client
    ) -> None:
        response = as_user(client, cast.admin).post(
            reverse("user-edit", args=[cast.monitor.pk]), user_form(cast.monitor, role="gbv_focal_point")
        )
        assert response.status_code == 400
        assert scope(cast.monitor)[0] == "monitor"

    def test_an_admin_only_reads_a_gbv_focal_points_account(self, cast: SimpleNamespace, client: Client) -> None:
        """Editing its e-mail address (then asking a reset by e-mail), or a reset link, would be taking it over."""
        client = as_user(client, cast.admin)
        page = client.get(reverse("user-edit", args=[cast.gbv.pk])).content.decode()
        assert 'name="email"' not in page
        assert "Only a superuser manages a GBV focal point" in page
        response = client.post(reverse("user-edit", args=[cast.gbv.pk]), user_form(cast.gbv, email="me@example.org"))
        assert response.status_code == 403
        assert User.objects.get(pk=cast.gbv.pk).email == "gbv@example.org"
        response = client.post(reverse("user-reset-link", args=[cast.gbv.pk]))
        assert response.status_code == 302
        assert not AuditEntry.objects.filter(action=AuditEntry.Action.RESET_LINK).exists()

    def test_an_admin_may_deactivate_one_but_not_reactivate_it(self, cast: SimpleNamespace, client: Client) -> None:
        client = as_user(client, cast.admin)
        client.post(reverse("user-deactivate", args=[cast.gbv.pk]), {"confirm": "1"})
        assert not User.objects.get(pk=cast.gbv.pk).is_active
        client.post(reverse("user-reactivate", args=[cast.gbv.pk]))
        assert not User.objects.get(pk=cast.gbv.pk).is_active

    def test_a_superuser_grants_it_and_the_regions_focal_points_are_told(
        self, cast: SimpleNamespace, client: Client
    ) -> None:
        make_user("gbv_all", "gbv_focal_point", [], cast.lead)
        make_user("gbv_retired", "gbv_focal_point", ["ML07"], cast.lead)
        User.objects.filter(username="gbv_retired").update(is_active=False)
        Notification.objects.all().delete()
        response = as_user(client, cast.superuser).post(
            reverse("user-create"), user_form(role="gbv_focal_point", first_name="Awa", last_name="Diallo")
        )
        assert response.status_code == 200
        told = Notification.objects.order_by("recipient__username")
        assert [notification.recipient.username for notification in told] == ["gbv", "gbv_all"]
        # The user name only: no other personal data (names, e-mail).
        assert {notification.message for notification in told} == {"aminata is now a GBV focal point for Gao."}

    def test_a_superuser_changes_a_user_into_one_and_they_are_told(self, cast: SimpleNamespace, client: Client) -> None:
        as_user(client, cast.superuser).post(
            reverse("user-edit", args=[cast.mopti_monitor.pk]), user_form(cast.mopti_monitor, role="gbv_focal_point")
        )
        assert scope(cast.mopti_monitor)[0] == "gbv_focal_point"
        assert [n.recipient.username for n in Notification.objects.all()] == ["mopti_gbv"]

    def test_adduser_grants_it_from_the_shell_and_tells_them(self, cast: SimpleNamespace) -> None:
        call_command("adduser", "fanta", "--role", "gbv_focal_point", "--regions", "ML05")
        assert [n.recipient.username for n in Notification.objects.all()] == ["mopti_gbv"]
        entry = AuditEntry.objects.get(action=AuditEntry.Action.USER_CREATED, target_user__username="fanta")
        assert entry.actor is None
        assert entry.details == {
            "role": "gbv_focal_point",
            "organisation": "UNHCR",
            "regions": ["ML05"],
            "channel": "shell",
        }

    def test_a_superuser_granting_it_in_the_django_admin_is_logged_and_told(
        self, cast: SimpleNamespace, client: Client
    ) -> None:
        url = reverse("admin:core_user_change", args=[cast.monitor.pk])
        response = as_user(client, cast.superuser).post(url, admin_user_form(cast.monitor, role="gbv_focal_point"))
        assert response.status_code == 302
        entry = AuditEntry.objects.get(action=AuditEntry.Action.USER_CHANGED)
        assert entry.details["role"] == ["monitor", "gbv_focal_point"]
        assert [n.recipient.username for n in Notification.objects.all()] == ["gbv"]


class TestDjangoAdminPages:
    def test_an_admin_cannot_open_another_users_password_page(self, cast: SimpleNamespace, client: Client) -> None:
        url = reverse("admin:auth_user_password_change", args=[cast.superuser.pk])
        response = as_user(client, cast.admin).get(url)
        assert response.status_code == 403
        response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        assert response.status_code == 403
        assert User.objects.get(pk=cast.superuser.pk).check_password(PASSWORD)

    @pytest.mark.parametrize(
        "url_name", ["admin:core_user_changelist", "admin:auth_group_changelist", "admin:core_job_changelist"]
    )
    def test_user_group_and_job_pages_are_for_superusers(
        self, cast: SimpleNamespace, client: Client, url_name: str
    ) -> None:
        assert as_user(client, cast.admin).get(reverse(url_name)).status_code == 403
        assert as_user(client, cast.superuser).get(reverse(url_name)).status_code == 200

    def test_the_admin_index_lists_no_user_or_group_page_for_admins(
        self, cast: SimpleNamespace, client: Client
    ) -> None:
        html = as_user(client, cast.admin).get(reverse("admin:index")).content.decode()
        assert reverse("admin:core_user_changelist") not in html
        assert reverse("admin:auth_group_changelist") not in html
        assert reverse("admin:core_organisation_changelist") in html

    def test_reference_lists_stay_open_to_admins(self, cast: SimpleNamespace, client: Client) -> None:
        client = as_user(client, cast.partner_admin)
        assert client.get(reverse("admin:core_violationtype_changelist")).status_code == 200
        assert client.get(reverse("admin:reports_populationfigure_changelist")).status_code == 200

    def test_a_partner_admin_sees_and_changes_only_their_organisation(
        self, cast: SimpleNamespace, client: Client
    ) -> None:
        client = as_user(client, cast.partner_admin)
        listing = client.get(reverse("admin:core_organisation_changelist")).content.decode()
        assert "AMSS" in listing
        assert cast.lead.name not in listing
        response = client.get(reverse("admin:core_organisation_change", args=[cast.lead.pk]))
        assert response.status_code == 302  # Django's admin: "doesn't exist", back to the index
        assert client.get(reverse("admin:core_organisation_add")).status_code == 403

    def test_a_partner_admin_cannot_make_their_organisation_the_lead(
        self, cast: SimpleNamespace, client: Client
    ) -> None:
        url = reverse("admin:core_organisation_change", args=[cast.partner.pk])
        data = {"code": "AMSS", "name": "AMSS renamed", "is_lead": "on", "is_active": "on"}
        response = as_user(client, cast.partner_admin).post(url, data)
        assert response.status_code == 302
        partner = Organisation.objects.get(pk=cast.partner.pk)
        assert (partner.name, partner.is_lead) == ("AMSS renamed", False)

    def test_a_lead_admin_cannot_change_which_organisation_leads_either(
        self, cast: SimpleNamespace, client: Client
    ) -> None:
        url = reverse("admin:core_organisation_change", args=[cast.partner.pk])
        as_user(client, cast.admin).post(url, {"code": "AMSS", "name": "AMSS", "is_lead": "on", "is_active": "on"})
        assert Organisation.objects.get(is_lead=True) == cast.lead

    def test_a_region_admin_changes_places_of_their_regions_only(self, cast: SimpleNamespace, client: Client) -> None:
        client = as_user(client, cast.gao_admin)
        mopti_cercle = AdminArea.objects.filter(pcode__startswith="ML05", level=2).first()
        gao_cercle = AdminArea.objects.filter(pcode__startswith="ML07", level=2).first()
        assert mopti_cercle is not None
        assert gao_cercle is not None
        for area, expected_name in ((mopti_cercle, mopti_cercle.name), (gao_cercle, "Renamed")):
            data = {"pcode": area.pcode, "name": "Renamed", "level": 2, "parent": area.parent_id, "is_active": "on"}
            client.post(reverse("admin:core_adminarea_change", args=[area.pk]), data)
            assert AdminArea.objects.get(pk=area.pk).name == expected_name
        new_place = {"pcode": "ML0599", "name": "Nouveau", "level": 2, "parent": region("ML05").pk, "is_active": "on"}
        response = client.post(reverse("admin:core_adminarea_add"), new_place)
        assert response.status_code == 200  # the form again, with the error
        assert "inside your own regions" in response.content.decode()
        assert not AdminArea.objects.filter(pcode="ML0599").exists()


class TestBeyondScope:
    @pytest.mark.parametrize(
        ("who", "changes"),
        [
            ("gao_admin", {"regions": ["ML05"]}),  # another region
            ("gao_admin", {"regions": []}),  # every region, from an admin of Gao
            ("gao_admin", {"regions": ["ML07", "ML05"]}),
            ("partner_admin", {"organisation": "lead"}),  # another organisation
        ],
    )
    def test_creating_a_user_beyond_the_admins_scope_is_refused(
        self, cast: SimpleNamespace, client: Client, who: str, changes: dict[str, Any]
    ) -> None:
        data = user_form(organisation=getattr(cast, who).organisation_id)
        if "regions" in changes:
            data["regions"] = [region(pcode).pk for pcode in changes["regions"]]
        if "organisation" in changes:
            data["organisation"] = cast.lead.pk
        response = as_user(client, getattr(cast, who)).post(reverse("user-create"), data)
        assert response.status_code == 400
        assert not User.objects.filter(username="aminata").exists()

    @pytest.mark.parametrize(
        ("who", "changes"),
        [
            ("gao_admin", {"regions": ["ML05"]}),  # another region
            ("gao_admin", {"regions": []}),  # every region, from an admin of Gao
            ("gao_admin", {"regions": [], "role": "admin"}),  # an admin of every region
            ("partner_admin", {"organisation": "lead"}),  # another organisation
        ],
    )
    def test_creating_a_user_beyond_the_admins_scope_in_the_django_admin_is_refused(
        self, cast: SimpleNamespace, client: Client, who: str, changes: dict[str, Any]
    ) -> None:
        """The route of issue 11: the Django admin's add page, which any admin used to create any user."""
        admin = getattr(cast, who)
        data: dict[str, Any] = {
            "username": "aminata",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "role": changes.get("role", "monitor"),
            "organisation": cast.lead.pk if changes.get("organisation") == "lead" else admin.organisation_id,
            "regions": [region(pcode).pk for pcode in changes.get("regions", ["ML07"])],
        }
        response = as_user(client, admin).post(reverse("admin:core_user_add"), data)
        assert response.status_code == 403
        assert not User.objects.filter(username="aminata").exists()

    @pytest.mark.parametrize(
        ("who", "grant"),
        [
            ("gao_admin", {"region_codes": ["ML05"]}),
            ("gao_admin", {"region_codes": []}),
            ("partner_admin", {"organisation_id": "lead"}),
            ("gao_admin", {"role": "gbv_focal_point"}),
        ],
    )
    def test_check_grant_refuses_more_than_the_admin_has(
        self, cast: SimpleNamespace, who: str, grant: dict[str, Any]
    ) -> None:
        admin = getattr(cast, who)
        asked = {"role": "monitor", "organisation_id": admin.organisation_id, "region_codes": ["ML07"], **grant}
        if asked["organisation_id"] == "lead":
            asked["organisation_id"] = cast.lead.pk
        with pytest.raises(access.GrantRefused):
            access.check_grant(admin, **asked)

    def test_within_scope_is_allowed(self, cast: SimpleNamespace, client: Client) -> None:
        response = as_user(client, cast.gao_admin).post(reverse("user-create"), user_form(role="admin"))
        assert response.status_code == 200
        assert scope(User.objects.get(username="aminata")) == ("admin", cast.lead.pk, frozenset({"ML07"}))

    def test_a_region_admin_cannot_move_a_user_to_another_region(self, cast: SimpleNamespace, client: Client) -> None:
        response = as_user(client, cast.gao_admin).post(
            reverse("user-edit", args=[cast.monitor.pk]), user_form(cast.monitor, regions=[region("ML05").pk])
        )
        assert response.status_code == 400
        assert scope(cast.monitor)[2] == {"ML07"}

    @pytest.mark.parametrize(
        ("who", "target"),
        [
            ("gao_admin", "outsider"),  # another region
            ("gao_admin", "admin"),  # every region
            ("gao_admin", "viewer"),
            ("partner_admin", "monitor"),  # another organisation
            ("admin", "superuser"),  # superusers are managed by superusers
        ],
    )
    @pytest.mark.parametrize("url_name", ["user-edit", "user-deactivate", "user-reactivate", "user-reset-link"])
    def test_a_user_outside_the_admins_scope_is_a_404(
        self, cast: SimpleNamespace, client: Client, who: str, target: str, url_name: str
    ) -> None:
        user = getattr(cast, target)
        client = as_user(client, getattr(cast, who))
        url = reverse(url_name, args=[user.pk])
        response = client.post(url, {**user_form(user, first_name="Changed"), "confirm": "1"})
        assert response.status_code == 404
        assert user.email not in response.content.decode()
        fresh = User.objects.get(pk=user.pk)
        assert (fresh.first_name, fresh.is_active) == (user.first_name, True)
        assert not AuditEntry.objects.filter(target_user=user).exists()

    def test_the_list_shows_the_admins_scope_only(self, cast: SimpleNamespace, client: Client) -> None:
        listed = {
            who: set(as_user(client, getattr(cast, who)).get(reverse("user-list")).context["page"].object_list)
            for who in ("gao_admin", "partner_admin", "admin", "superuser")
        }
        names = {who: {user.username for user in users} for who, users in listed.items()}
        assert names["gao_admin"] == {"monitor", "supervisor", "partner_monitor", "gbv", "gao_admin"}
        assert names["partner_admin"] == {"partner_monitor", "partner_admin"}
        assert "root" not in names["admin"]
        assert "outsider" in names["admin"]
        assert "root" in names["superuser"]

    def test_non_admins_have_no_users_page(self, cast: SimpleNamespace, client: Client) -> None:
        for person in (cast.monitor, cast.supervisor, cast.gbv, cast.viewer):
            assert as_user(client, person).get(reverse("user-list")).status_code == 403
            assert client.get(reverse("user-edit", args=[person.pk])).status_code == 403


# --- the pages


class TestListPage:
    def test_filters_search_and_sorting(self, cast: SimpleNamespace, client: Client) -> None:
        client = as_user(client, cast.admin)

        def names(**query: str) -> list[str]:
            response = client.get(reverse("user-list"), query)
            assert response.status_code == 200
            return [user.username for user in response.context["page"].object_list]

        assert names(role="supervisor") == ["outsider", "supervisor"]
        assert names(organisation="AMSS") == ["partner_admin", "partner_monitor"]
        assert "outsider" in names(region="ML05")
        assert "monitor" not in names(region="ML05")
        assert "admin" in names(region="ML05")  # every region: they work there too
        User.objects.filter(pk=cast.viewer.pk).update(is_active=False)
        assert names(active="no") == ["viewer"]
        User.objects.filter(pk=cast.monitor.pk).update(first_name="Aminata", last_name="Traoré")
        assert names(q="aminata") == ["monitor"]
        assert names(q="traor") == ["monitor"]
        assert names(q="mopti_")[0] == "mopti_gbv"
        assert names(ordering="-username")[0] == "viewer"

    def test_a_bad_filter_is_a_clear_400(self, cast: SimpleNamespace, client: Client) -> None:
        response = as_user(client, cast.admin).get(reverse("user-list"), {"region": "XX99", "ordering": "password"})
        assert response.status_code == 400
        assert "Correct the filters" in response.content.decode()

    def test_empty_states(self, cast: SimpleNamespace, client: Client) -> None:
        client = as_user(client, cast.admin)
        assert "No user matches these filters." in client.get(reverse("user-list"), {"q": "nobody"}).content.decode()

    def test_pagination(self, cast: SimpleNamespace, client: Client) -> None:
        for number in range(30):
            make_user(f"monitor{number:02}", "monitor", ["ML07"], cast.lead)
        html = as_user(client, cast.gao_admin).get(reverse("user-list"), {"role": "monitor"}).content.decode()
        assert "Page 1 of 2" in html
        assert "role=monitor&amp;page=2" in html

    def test_query_budget(
        self, cast: SimpleNamespace, client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
    ) -> None:
        client = as_user(client, cast.admin)
        # session, user, the user's regions (scope), count, the page of users, their regions (one query), the
        # header's unread notifications, the filter form's organisations and regions, and the session saved
        # (savepoint, update, release)
        with django_assert_max_num_queries(14):
            assert client.get(reverse("user-list")).status_code == 200

    def test_the_menu_has_users_for_admins_only(self, cast: SimpleNamespace, client: Client) -> None:
        assert reverse("user-list") in as_user(client, cast.partner_admin).get("/").content.decode()
        assert reverse("user-list") not in as_user(client, cast.supervisor).get("/").content.decode()


class TestCreateAndEdit:
    def test_create_gives_an_unusable_password_and_a_reset_link(self, cast: SimpleNamespace, client: Client) -> None:
        response = as_user(client, cast.gao_admin).post(reverse("user-create"), user_form())
        assert response.status_code == 200
        user = User.objects.get(username="aminata")
        assert not user.has_usable_password()
        html = response.content.decode()
        assert "http://testserver/accounts/reset/" in html
        assert "no-store" in response["Cache-Control"]
        assert "Once" in html

    def test_a_taken_user_name_is_a_form_error(self, cast: SimpleNamespace, client: Client) -> None:
        response = as_user(client, cast.admin).post(reverse("user-create"), user_form(username="MONITOR"))
        assert response.status_code == 400
        assert "already exists" in response.content.decode()

    def test_bad_input_is_a_clear_error_never_a_500(self, cast: SimpleNamespace, client: Client) -> None:
        client = as_user(client, cast.admin)
        for bad in ({"username": "a b/c"}, {"role": "superuser"}, {"organisation": "x"}, {"regions": ["x"]}):
            assert client.post(reverse("user-create"), user_form(**bad)).status_code == 400
        assert client.post(reverse("user-edit", args=[cast.monitor.pk]), {"role": "nope"}).status_code == 400

    def test_edit_changes_role_regions_and_names(self, cast: SimpleNamespace, client: Client) -> None:
        response = as_user(client, cast.admin).post(
            reverse("user-edit", args=[cast.monitor.pk]),
            user_form(cast.monitor, role="supervisor", regions=[region("ML05").pk], last_name="Keita"),
        )
        assert response.status_code == 302
        assert scope(cast.monitor) == ("supervisor", cast.lead.pk, frozenset({"ML05"}))
        assert User.objects.get(pk=cast.monitor.pk).last_name == "Keita"


class TestDeactivation:
    def test_asks_first_then_deactivates_and_kills_tokens(self, cast: SimpleNamespace, client: Client) -> None:
        ApiToken.objects.create(user=cast.monitor, name="script")
        client = as_user(client, cast.gao_admin)
        url = reverse("user-deactivate", args=[cast.monitor.pk])
        assert "Deactivate monitor?" in client.get(url).content.decode()
        assert "Deactivate monitor?" in client.post(url).content.decode()  # no confirmation: asked again
        assert User.objects.get(pk=cast.monitor.pk).is_active
        assert client.post(url, {"confirm": "1"}).status_code == 302
        assert not User.objects.get(pk=cast.monitor.pk).is_active
        assert not ApiToken.objects.filter(user=cast.monitor).exists()
        assert client.post(reverse("user-reactivate", args=[cast.monitor.pk])).status_code == 302
        assert User.objects.get(pk=cast.monitor.pk).is_active

    def test_never_ones_own_account(self, cast: SimpleNamespace, client: Client) -> None:
        client = as_user(client, cast.admin)
        response = client.post(reverse("user-deactivate", args=[cast.admin.pk]), {"confirm": "1"})
        assert response.status_code == 302
        assert User.objects.get(pk=cast.admin.pk).is_active
        with pytest.raises(access.GrantRefused):
            services.user_deactivate(user=cast.admin, by=cast.admin)


class TestAudit:
    def test_each_action_is_logged(self, cast: SimpleNamespace, client: Client) -> None:
        client = as_user(client, cast.admin)
        client.post(reverse("user-create"), user_form(email="aminata@example.org"))
        user = User.objects.get(username="aminata")
        client.post(
            reverse("user-edit", args=[user.pk]),
            user_form(user, role="supervisor", regions=[region("ML05").pk, region("ML07").pk], first_name="Awa"),
        )
        client.post(reverse("user-deactivate", args=[user.pk]), {"confirm": "1"})
        client.post(reverse("user-reactivate", args=[user.pk]))
        link_page = client.post(reverse("user-reset-link", args=[user.pk])).content.decode()
        entries = list(AuditEntry.objects.filter(target_user=user).order_by("at", "id"))
        assert [entry.action for entry in entries] == [
            "user_created",
            "reset_link",  # the link shown when the account was created
            "user_changed",
            "user_deactivated",
            "user_reactivated",
            "reset_link",
        ]
        assert all(entry.actor == cast.admin and entry.ip_address == "127.0.0.1" for entry in entries)
        assert entries[0].details == {
            "role": "monitor",
            "organisation": "UNHCR",
            "regions": ["ML07"],
            "channel": "page",
        }
        assert entries[2].details == {
            "fields": ["first_name", "role", "regions"],
            "role": ["monitor", "supervisor"],
            "regions": [["ML07"], ["ML05", "ML07"]],
        }
        # The link itself is never logged, nor a password.
        token = link_page.split("/accounts/reset/")[1].split("/")[1]
        for entry in AuditEntry.objects.all():
            assert token not in str(entry.details)
            assert "password" not in str(entry.details)

    def test_a_save_without_a_change_logs_nothing(self, cast: SimpleNamespace, client: Client) -> None:
        as_user(client, cast.admin).post(reverse("user-edit", args=[cast.monitor.pk]), user_form(cast.monitor))
        assert not AuditEntry.objects.filter(action="user_changed").exists()

    def test_the_django_admin_logs_a_superusers_changes(self, cast: SimpleNamespace, client: Client) -> None:
        url = reverse("admin:core_user_change", args=[cast.monitor.pk])
        as_user(client, cast.superuser).post(url, admin_user_form(cast.monitor, regions=[region("ML05").pk]))
        entry = AuditEntry.objects.get(action="user_changed")
        assert (entry.actor, entry.target_user) == (cast.superuser, cast.monitor)
        assert entry.details["regions"] == [["ML07"], ["ML05"]]


class TestResetLink:
    def _link(self, client: Client, admin: User, user: User) -> str:
        html = as_user(client, admin).post(reverse("user-reset-link", args=[user.pk])).content.decode()
        start = html.index("http://testserver/accounts/reset/")
        return html[start : html.index('"', start)].removeprefix("http://testserver")

    def test_works_once(self, cast: SimpleNamespace, client: Client) -> None:
        link = self._link(client, cast.gao_admin, cast.monitor)
        visitor = Client()
        form_page = visitor.get(link, follow=True)
        assert form_page.context["validlink"]
        done = visitor.post(
            form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        assert done.status_code == 302
        assert User.objects.get(pk=cast.monitor.pk).check_password(NEW_PASSWORD)
        signed_in = Client().post(reverse("login"), {"username": "monitor", "password": NEW_PASSWORD})
        assert signed_in.status_code == 302
        # Django's token hashes the password: once it changed, the link is dead.
        again = Client().get(link, follow=True)
        assert not again.context["validlink"]
        assert "not valid any more" in again.content.decode()

    def test_expires_after_password_reset_timeout(self, cast: SimpleNamespace, client: Client) -> None:
        generator = reset_tokens
        now = generator._num_seconds(generator._now())
        uid = urlsafe_base64_encode(force_bytes(cast.monitor.pk))

        def opens(age: int) -> bool:
            token = generator._make_token_with_timestamp(cast.monitor, now - age, generator.secret)
            response = Client().get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
            return bool(response.context["validlink"])

        assert settings.PASSWORD_RESET_TIMEOUT == 4 * 60 * 60
        assert opens(settings.PASSWORD_RESET_TIMEOUT - 60)
        assert not opens(settings.PASSWORD_RESET_TIMEOUT + 1)
        with override_settings(PASSWORD_RESET_TIMEOUT=60):
            assert not opens(120)

    def test_the_page_says_when_it_expires(self, cast: SimpleNamespace, client: Client) -> None:
        response = as_user(client, cast.admin).post(reverse("user-reset-link", args=[cast.monitor.pk]))
        expires_at = response.context["expires_at"]
        expected = datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
        assert abs(expires_at - (AuditEntry.objects.get(action="reset_link").at + expected)) < datetime.timedelta(
            seconds=5
        )
        assert "Valid until" in response.content.decode()

    def test_only_by_post(self, cast: SimpleNamespace, client: Client) -> None:
        assert as_user(client, cast.admin).get(reverse("user-reset-link", args=[cast.monitor.pk])).status_code == 405

    def test_not_for_ones_own_account(self, cast: SimpleNamespace, client: Client) -> None:
        response = as_user(client, cast.admin).post(reverse("user-reset-link", args=[cast.admin.pk]))
        assert response.status_code == 302
        assert not AuditEntry.objects.filter(action="reset_link").exists()


def test_jobs_are_not_readable_by_admins_in_the_django_admin(cast: SimpleNamespace, client: Client) -> None:
    job = Job.objects.create(kind="export_records", user=cast.superuser)
    assert as_user(client, cast.admin).get(reverse("admin:core_job_change", args=[job.pk])).status_code == 403


def test_the_django_admins_bulk_deactivation_is_logged(cast: SimpleNamespace, client: Client) -> None:
    data = {"action": "deactivate_users", "_selected_action": [cast.monitor.pk, cast.superuser.pk]}
    response = as_user(client, cast.superuser).post(reverse("admin:core_user_changelist"), data)
    assert response.status_code == 302
    entries = AuditEntry.objects.filter(action="user_deactivated")
    assert [(entry.actor, entry.target_user) for entry in entries] == [(cast.superuser, cast.monitor)]
    assert User.objects.get(pk=cast.superuser.pk).is_active


class TestServices:
    """The services ask core.access whatever their caller checked: a page, a command or a script calls them."""

    def _change(self, user: User, by: User, **changes: Any) -> User:
        values: dict[str, Any] = {
            "role": user.role,
            "organisation": user.organisation,
            "regions": list(user.regions.all()),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            **changes,
        }
        return services.user_change(user=user, by=by, **values)

    def test_a_user_outside_scope_is_not_in_scope(self, cast: SimpleNamespace) -> None:
        with pytest.raises(access.NotInScope):
            self._change(cast.outsider, cast.gao_admin, first_name="Changed")
        with pytest.raises(access.NotInScope):
            services.reset_link(user=cast.monitor, by=cast.partner_admin)
        with pytest.raises(access.NotInScope):
            services.user_deactivate(user=cast.superuser, by=cast.admin)
        assert User.objects.get(pk=cast.outsider.pk).first_name == ""

    def test_an_unknown_role_is_refused(self, cast: SimpleNamespace) -> None:
        with pytest.raises(ValidationError):
            self._change(cast.monitor, cast.superuser, role="superuser")
        assert scope(cast.monitor)[0] == "monitor"

    def test_no_reset_link_for_a_deactivated_account(self, cast: SimpleNamespace) -> None:
        services.user_deactivate(user=cast.monitor, by=cast.admin)
        with pytest.raises(access.GrantRefused):
            services.reset_link(user=User.objects.get(pk=cast.monitor.pk), by=cast.admin)


def test_a_user_moved_out_of_scope_while_the_page_was_open_is_a_404(
    cast: SimpleNamespace, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page found the user in scope; by the time the service locks the row, another admin moved them away.
    monkeypatch.setattr(access, "may_manage_user", lambda admin, user: False)
    response = as_user(client, cast.admin).post(
        reverse("user-edit", args=[cast.monitor.pk]), user_form(cast.monitor, first_name="Changed")
    )
    assert response.status_code == 404
    assert User.objects.get(pk=cast.monitor.pk).first_name == ""


def test_a_superuser_finds_the_second_factor_reset_on_the_users_page(cast: SimpleNamespace, client: Client) -> None:
    reset = reverse("user-second-factor-reset", args=[cast.monitor.pk])
    assert reset in as_user(client, cast.superuser).get(reverse("user-edit", args=[cast.monitor.pk])).content.decode()
    assert reset not in as_user(client, cast.admin).get(reverse("user-edit", args=[cast.monitor.pk])).content.decode()
