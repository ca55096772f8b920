"""core.access, the one module that decides who sees and does what, on real records."""

from __future__ import annotations

import pytest

from core import access
from core.access import Action, Family
from core.choices import Status
from core.models import AdminArea
from incidents.models import GbvReferral, Incident
from incidents.tests.factories import GbvReferralFactory, IncidentFactory


@pytest.fixture
def records(people):
    mopti = AdminArea.objects.get(pcode="ML0506")
    return {
        "gao_lead": IncidentFactory(created_by=people.monitor),
        "gao_partner": IncidentFactory(created_by=people.partner_monitor),
        "mopti_lead": IncidentFactory(created_by=people.outsider, place=mopti),
    }


def visible(user) -> set[int]:
    return set(access.records_in_scope(Incident.objects.all(), user).values_list("pk", flat=True))


def test_a_gao_supervisor_sees_gao_not_mopti(people, records):
    assert visible(people.supervisor) == {records["gao_lead"].pk, records["gao_partner"].pk}


def test_a_partners_monitor_sees_their_organisations_records_only(people, records):
    assert visible(people.partner_monitor) == {records["gao_partner"].pk}


def test_the_lead_organisations_supervisor_sees_every_organisations(people, records):
    assert records["gao_partner"].pk in visible(people.supervisor)


def test_a_user_without_regions_sees_every_region(people, records):
    assert visible(people.admin) == {record.pk for record in records.values()}


def test_viewers_read_no_individual_record(people, records):
    assert visible(people.viewer) == set()


def test_gbv_records_are_for_gbv_focal_points_only(people):
    referral = GbvReferralFactory(created_by=people.gbv)
    for user in (people.monitor, people.supervisor, people.admin, people.viewer):
        assert not access.records_in_scope(GbvReferral.objects.all(), user, Family.GBV).exists()
        assert not access.record_in_scope(user, referral)
    assert access.record_in_scope(people.gbv, referral)


def test_aggregates_include_every_organisation_of_the_users_regions(people, records):
    counted = access.aggregate_scope(Incident.objects.all(), people.partner_monitor)
    assert set(counted.values_list("pk", flat=True)) == {records["gao_lead"].pk, records["gao_partner"].pk}


@pytest.mark.parametrize(
    ("role", "action", "family", "allowed"),
    [
        ("monitor", Action.CREATE, Family.GENERAL, True),
        ("monitor", Action.REVIEW, Family.GENERAL, False),
        ("monitor", Action.READ, Family.GBV, False),
        ("supervisor", Action.REVIEW, Family.GENERAL, True),
        ("supervisor", Action.CREATE, Family.GBV, False),
        ("gbv", Action.CREATE, Family.GBV, True),
        ("gbv", Action.CREATE, Family.GENERAL, False),
        ("gbv", Action.READ, Family.GENERAL, True),
        ("admin", Action.REVIEW, Family.GENERAL, True),
        ("admin", Action.READ, Family.GBV, False),
        ("viewer", Action.READ, Family.GENERAL, False),
    ],
)
def test_the_role_table_of_spec(people, role, action, family, allowed):
    assert access.may(getattr(people, role), action, family) is allowed


def test_record_checks_scope_before_role(people, records):
    with pytest.raises(access.NotInScope):
        access.check_record_action(people.outsider, records["gao_lead"], Action.REVIEW)
    with pytest.raises(access.RoleRefused):
        access.check_record_action(people.monitor, records["gao_lead"], Action.REVIEW)


def test_nobody_reviews_their_own_record_but_admins(people):
    own = IncidentFactory(created_by=people.supervisor, status=Status.SUBMITTED)
    with pytest.raises(access.RoleRefused):
        access.check_record_action(people.supervisor, own, Action.REVIEW)
    mine = IncidentFactory(created_by=people.admin, status=Status.SUBMITTED)
    access.check_record_action(people.admin, mine, Action.REVIEW)


def test_a_monitor_edits_only_their_own(people, records):
    access.check_record_action(people.monitor, records["gao_lead"], Action.EDIT)
    with pytest.raises(access.RoleRefused):
        access.check_record_action(people.monitor, IncidentFactory(created_by=people.supervisor), Action.EDIT)


def test_a_deactivated_user_may_nothing(people, records):
    people.supervisor.is_active = False
    assert not access.may(people.supervisor, Action.READ)
