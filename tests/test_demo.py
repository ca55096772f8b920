"""`load_demo`: idempotent, demo logins printed, and a 2021 whose verified incidents give the seed report's
figures (../shared/seeds/unhcr-mali-operational-update-2021-12.txt)."""

import re
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.db.models import Sum

from core.models import User
from core.records import PEOPLE_FIELDS
from incidents.models import GbvReferral, Incident, ServiceReferral, Violation


def _people(violations) -> dict[str, int]:
    return violations.aggregate(**{name: Sum(name) for name in PEOPLE_FIELDS})


def test_load_demo_is_idempotent_prints_logins_and_gives_the_seed_figures(db):
    first, second = StringIO(), StringIO()
    call_command("load_demo", stdout=first)
    counts = (User.objects.count(), Incident.objects.count())
    call_command("load_demo", stdout=second)

    assert (User.objects.count(), Incident.objects.count()) == counts
    for name in ("admin", "monitor_gao", "supervisor_gao", "gbv_gao", "viewer"):
        assert name in first.getvalue()
        assert name in second.getvalue()
    assert "Vigie-demo-2026" in first.getvalue()
    assert User.objects.get(username="monitor_gao").check_password("Vigie-demo-2026")

    verified = Incident.objects.filter(status="verified", reported_on__year=2021)
    assert verified.filter(reported_on__month=12).count() == 373
    assert verified.filter(reported_on__month=11).count() == 531
    right_to_life = verified.filter(violations__type__category__code="B").distinct()
    assert [right_to_life.filter(reported_on__month=month).count() for month in (10, 11, 12)] == [31, 23, 61]
    counted = Violation.objects.filter(incident__in=verified, type__collective=False)
    assert _people(counted) == {"women": 1152, "girls": 376, "men": 4537, "boys": 339, "unknown": 8}
    shares = {
        region: round(100 * sum(_people(counted.filter(incident__region__pcode=region)).values()) / 6412)
        for region in ("ML05", "ML06", "ML07")
    }
    assert shares == {"ML05": 50, "ML06": 17, "ML07": 16}
    assert Incident.objects.filter(status="submitted").exists()  # the review queue has work
    # Written in bulk, the demo's sexual-violence incidents still have their narratives restricted.
    sexual_violence = Incident.objects.filter(violations__type__sexual_violence=True).distinct()
    assert sexual_violence.exists()
    assert not sexual_violence.filter(narrative_restricted=False).exists()


def test_demo_gbv_referrals_follow_the_rules(db):
    call_command("load_demo", keep_open=True, stdout=StringIO())  # the records only: 2021 left open (faster)
    referrals = GbvReferral.objects.all()
    assert referrals.count() > 250
    assert all(
        re.fullmatch(settings.VIGIE_SURVIVOR_CODE_PATTERN, code)
        for code in referrals.values_list("survivor_code", flat=True)
    )
    assert not ServiceReferral.objects.filter(referral__consent_to_referral=False).exists()
    assert referrals.filter(consent_to_reporting=False).exists()
    assert ServiceReferral.objects.filter(status="pending", follow_up_on__lt="2022-01-01").exists()
    # verified by a second focal point, never by the author
    assert not referrals.filter(status="verified", reviewed_by=models.F("created_by")).exists()
