"""API fuzzing: schemathesis drives every operation of the app's own OpenAPI
schema, anonymously and as a signed-in customer (bearer token), and checks that
nothing answers 5xx, that responses match their documented schema and that every
4xx is RFC 9457 problem+json.

Bounded so `make test` stays quick: a few derandomized examples per operation.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from boutique.accounts import services as account_services
from boutique.accounts.tests.factories import UserFactory
from boutique.core.problems import PROBLEM_CONTENT_TYPE
from config.wsgi import application

OPENAPI_PATH = "/api/openapi.json"
FUZZ_SETTINGS = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _keep_test_connection_open():
    """The schema's WSGI transport calls the app as a server would, and Django
    closes "old" connections at the start and end of each request: that would
    close the test transaction's connection. django.test.Client does the same."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def problem_json_on_4xx(ctx, response, case):
    """Every client error is application/problem+json with its status and code."""
    if not 400 <= response.status_code < 500:
        return None
    if response.status_code == 405 and case.method.upper() != case.operation.method.upper():
        # Methods the schema does not declare (schemathesis probes TRACE, …) are
        # refused by django-ninja's router before any handler runs, as an empty
        # text/html 405: see test_undeclared_method_is_problem_json below.
        return None
    headers = {name.lower(): value for name, value in response.headers.items()}
    content_type = headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.split(";")[0].strip() == PROBLEM_CONTENT_TYPE, (
        f"{response.status_code} answered with {content_type!r}, not {PROBLEM_CONTENT_TYPE}"
    )
    body = response.json()
    assert body.get("status") == response.status_code, body
    assert body.get("code"), body
    return True


# Known 5xx left to its owners, each pinned by a strict xfail test below so the
# exemption goes when the bug is fixed.
KNOWN_SERVER_ERRORS = {
    # django-axes stores the login of a failed sign-in in a varchar(255): a long
    # login (253 characters, within TokenIn's 254) is a DataError on PostgreSQL:
    # see test_token_with_overlong_login_is_a_4xx.
    "POST /api/v1/auth/token": lambda case: (
        len(str((case.body or {}).get("login", "") if isinstance(case.body, dict) else "")) > 200
    ),
}


def no_server_error(ctx, response, case):
    """not_a_server_error, minus the known cases listed above."""
    known = KNOWN_SERVER_ERRORS.get(case.operation.label)
    if response.status_code >= 500 and known is not None and known(case):
        return None
    return not_a_server_error(ctx, response, case)


CHECKS = [no_server_error, response_schema_conformance, problem_json_on_4xx]


schema = schemathesis.openapi.from_wsgi(OPENAPI_PATH, application)


@pytest.fixture
def customer_token(db):
    user = UserFactory()
    secret, _ = account_services.token_issue(user=user, name="fuzz")
    return secret


@schema.parametrize()
@FUZZ_SETTINGS
def test_anonymous_requests_never_break_the_api(case):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FUZZ_SETTINGS
def test_customer_requests_never_break_the_api(case, customer_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {customer_token}"}, checks=CHECKS)


def test_customer_token_authenticates(client, customer_token):
    """The customer run really is signed in: the same header opens /me."""
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {customer_token}"})
    assert response.status_code == 200


@pytest.mark.xfail(
    strict=True,
    reason="django-ninja answers an undeclared method with an empty text/html 405 "
    "(config/api.py has no hook for it yet)",
)
def test_undeclared_method_is_problem_json(client):
    response = client.generic("TRACE", "/api/v1/categories")
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE


def test_token_with_broken_multipart_body_is_a_4xx(client):
    response = client.post(
        "/api/v1/auth/token",
        data=b'{"login": "nobody@example.com", "password": "wrong-password"}',
        content_type="multipart/form-data",
    )
    assert 400 <= response.status_code < 500


def test_token_with_overlong_login_is_a_4xx(client, request):
    from django.db import connection

    if connection.vendor == "postgresql":
        request.applymarker(
            pytest.mark.xfail(
                strict=True,
                reason="a failed sign-in with a 253-character login (TokenIn allows 254) "
                "overflows a varchar(255) in django-axes' records: DataError (500) on "
                "PostgreSQL; owner: accounts",
            )
        )
    response = client.post(
        "/api/v1/auth/token",
        {"login": "0" * 253, "password": "wrong-password"},
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500
