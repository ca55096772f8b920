"""Pages that belong to no record type: the home page per role and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import access
from core.health import run_checks


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "regions": user.regions.order_by("pcode") if user.region_pcodes() else None,
        "sees_every_organisation": access.sees_every_organisation(user),
        "may_create_records": access.may(user, access.Action.CREATE, access.Family.GENERAL),
        "may_review": access.may(user, access.Action.REVIEW, access.Family.GENERAL),
        "may_handle_gbv": access.may(user, access.Action.READ, access.Family.GBV),
        "may_manage": access.has_capability(user, access.Capability.MANAGE),
    }
    return render(request, "core/home.html", context)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every configured dependency answers; 503 naming the ones that did not."""
    outcomes = run_checks()
    failed = sorted(name for name, outcome in outcomes.items() if outcome != "ok")
    body = {"status": "ok" if not failed else "failing", "checks": outcomes, "failed": failed}
    return JsonResponse(body, status=503 if failed else 200)
