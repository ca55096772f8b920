"""The admin pages of the published figures: admins (the role) enter funding figures with their donors."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from reports.models import DonorContribution, FundingFigure

pytestmark = pytest.mark.django_db


def test_an_admin_opens_the_funding_figure_pages_with_their_donor_rows(people: SimpleNamespace, client: Client) -> None:
    figure = FundingFigure.objects.create(
        as_of=datetime.date(2021, 12, 31), requested=1000, funded=400, gap=600, entered_by=people.admin
    )
    DonorContribution.objects.create(funding=figure, donor="ECHO", amount=400)
    client.force_login(people.admin)
    add = client.get(reverse("admin:reports_fundingfigure_add"))
    change = client.get(reverse("admin:reports_fundingfigure_change", args=[figure.pk]))
    assert add.status_code == 200
    assert change.status_code == 200
    assert "ECHO" in change.content.decode()
