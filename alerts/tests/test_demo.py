"""`load_demo`'s flash alerts of 2021: every month, in the demo teams' regions, valid records that went through the
workflow, some urgent, some with a response, some raised by the lead organisation where a partner's monitor works
(so the demo shows a partner reading another organisation's alert); idempotent."""

from __future__ import annotations

from io import StringIO

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from alerts.models import FlashAlert
from core import access
from core.choices import Status
from core.models import RecordEvent, User


def test_the_demo_year_of_flash_alerts(db) -> None:
    call_command("load_demo", keep_open=True, stdout=StringIO())  # the records only: 2021 left open (faster)
    alerts = FlashAlert.objects.filter(reported_on__year=2021)
    count, every_year = alerts.count(), FlashAlert.objects.count()
    call_command("load_demo", keep_open=True, stdout=StringIO())
    assert FlashAlert.objects.count() == every_year  # a second load adds none

    assert {alert.reported_on.month for alert in alerts} == set(range(1, 13))
    verified = alerts.filter(status=Status.VERIFIED)
    assert verified.count() >= 0.9 * count  # they count in the figures
    assert not alerts.filter(reported_on__month=12).exclude(status=Status.VERIFIED).exists()
    assert alerts.filter(status=Status.SUBMITTED).exists()  # the review queue has alerts too
    assert alerts.filter(urgent=True).exists()
    assert alerts.filter(urgent=False).exists()
    assert alerts.filter(response_triggered=True).exists()
    assert alerts.filter(response_triggered=False).exists()
    assert {alert.region.pcode for alert in alerts} >= {"ML05", "ML07", "ML06"}

    for alert in alerts.prefetch_related("needs").select_related("created_by", "reviewed_by", "region"):
        alert.full_clean()  # the model's own rules: dates in order, response fields only with a response
        assert alert.needs.exists()
        assert alert.total > 0
        assert alert.reviewed_by_id != alert.created_by_id
        if alert.reviewed_by is not None:
            assert access.record_in_scope(alert.reviewed_by, alert)

    history = RecordEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(FlashAlert), object_id__in=alerts.values("pk")
    )
    assert history.filter(action="created").count() == count
    assert history.filter(action="verified").count() == verified.count()

    # 2022's first months are open, with alerts in the queue
    assert FlashAlert.objects.filter(reported_on__year=2022, status=Status.SUBMITTED).exists()


def test_a_partner_monitor_of_the_demo_reads_the_lead_s_alerts_of_their_region(db) -> None:
    call_command("load_demo", keep_open=True, stdout=StringIO())
    monitor_gao = User.objects.get(username="monitor_gao")  # of AMSS, a partner
    readable = access.records_in_scope(FlashAlert.objects.all(), monitor_gao)
    organisations = {alert.organisation.code for alert in readable.select_related("organisation")}
    assert monitor_gao.organisation is not None
    assert monitor_gao.organisation.code in organisations
    assert len(organisations) > 1  # the lead's alerts of Gao too
    assert not readable.exclude(region__pcode="ML07").exists()
