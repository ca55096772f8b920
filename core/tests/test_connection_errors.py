"""DatabaseUnavailableMiddleware on any database: a lost connection is a 503 the user can act on, asked of no
database. (The real cut, on PostgreSQL: core/tests/test_connection_cut.py.)"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.test import RequestFactory

from core.connection_errors import DatabaseUnavailableMiddleware

middleware = DatabaseUnavailableMiddleware(lambda request: HttpResponse())


@pytest.mark.parametrize("error", [OperationalError("terminating connection"), InterfaceError("connection closed")])
def test_a_page_gets_a_503_page_without_asking_the_database(error: Exception) -> None:
    # No database for this test (no django_db mark): pytest-django fails any query, as a dead database would.
    request = RequestFactory().post("/incidents/1/verify/")
    response = middleware.process_exception(request, error)
    assert isinstance(response, HttpResponse)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "The connection to the database was lost" in page
    assert "terminating connection" not in page
    assert "connection closed" not in page


def test_the_api_gets_a_503_with_a_detail() -> None:
    request = RequestFactory().post("/api/v1/incidents/1/verify/")
    response = middleware.process_exception(request, OperationalError("server closed the connection"))
    assert isinstance(response, JsonResponse)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"The connection to the database was lost" in response.content
    assert b"server closed" not in response.content


@pytest.mark.parametrize("error", [ValueError("bug"), DatabaseError("integrity, not connection")])
def test_other_errors_are_left_to_django(error: Exception) -> None:
    assert middleware.process_exception(RequestFactory().get("/"), error) is None
