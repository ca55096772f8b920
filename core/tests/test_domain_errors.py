"""Domain errors on pages (core.middleware.DomainErrorMiddleware): NotInScope → 404, RoleRefused → 403, a conflict →
409 with its message, as core.api.errors answers them on the API, which the middleware leaves to DRF."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, include, path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import NotInScope, RoleRefused
from core.closing import MonthClosed
from core.errors import ConflictError
from core.middleware import DomainErrorMiddleware
from core.workflow import StaleVersion

HIDDEN_FACT = "incident 4242 of Mopti exists"
ERRORS: dict[str, Exception] = {
    "not-in-scope": NotInScope(HIDDEN_FACT),
    "role-refused": RoleRefused(HIDDEN_FACT),
    "conflict": ConflictError("This month is already closed."),
    "stale": StaleVersion("Someone changed this record meanwhile."),
    "month-closed": MonthClosed("This month is closed."),
}


def raising_page(request: HttpRequest, kind: str) -> HttpResponse:
    raise ERRORS[kind]


class RaisingApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get(self, request: Request, kind: str) -> Response:
        raise ERRORS[kind]


# The project's URLs (the error pages extend base.html, which links to them) and two that raise.
urlpatterns: list[URLPattern | URLResolver] = [
    path("domain-error/<slug:kind>/", raising_page),
    path("api/v1/domain-error/<slug:kind>/", RaisingApi.as_view()),
    path("", include("config.urls")),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.test_domain_errors")]


@pytest.fixture
def client() -> Client:
    # A raised exception would fail the test; the point here is the answer a browser gets.
    return Client(raise_request_exception=False)


def test_not_in_scope_is_the_404_page_and_tells_nothing(client: Client) -> None:
    response = client.get("/domain-error/not-in-scope/")
    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    assert HIDDEN_FACT not in response.content.decode()


@override_settings(DEBUG=True)
def test_not_in_scope_tells_nothing_even_with_debug(client: Client) -> None:
    response = client.get("/domain-error/not-in-scope/")
    assert response.status_code == 404
    assert HIDDEN_FACT not in response.content.decode()


def test_role_refused_is_the_403_page(client: Client) -> None:
    response = client.get("/domain-error/role-refused/")
    assert response.status_code == 403
    assert "403.html" in [template.name for template in response.templates]
    assert HIDDEN_FACT not in response.content.decode()


@pytest.mark.parametrize("kind", ["conflict", "stale", "month-closed"])
def test_a_conflict_is_409_with_its_message(client: Client, kind: str) -> None:
    response = client.get(f"/domain-error/{kind}/")
    assert response.status_code == 409
    assert "409.html" in [template.name for template in response.templates]
    assert str(ERRORS[kind]) in response.content.decode()


@pytest.mark.parametrize(
    ("kind", "status"), [("not-in-scope", 404), ("role-refused", 403), ("conflict", 409), ("stale", 409)]
)
def test_the_api_keeps_its_own_answers(client: Client, kind: str, status: int) -> None:
    response = client.get(f"/api/v1/domain-error/{kind}/", HTTP_ACCEPT="application/json")
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert HIDDEN_FACT not in response.content.decode()


def test_the_middleware_leaves_the_api_and_other_errors_alone() -> None:
    middleware = DomainErrorMiddleware(lambda request: HttpResponse())
    api_request = RequestFactory().get("/api/v1/incidents/1/")
    for error in ERRORS.values():
        assert middleware.process_exception(api_request, error) is None
    page_request = RequestFactory().get("/incidents/1/")
    assert middleware.process_exception(page_request, ValueError("a bug stays a bug")) is None
