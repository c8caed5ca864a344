"""API fuzzing: schemathesis drives every operation of the app's own OpenAPI
schema, anonymously and as each kind of signed-in user (a customer, a seller
owning an active store, staff who may change payments; bearer tokens), and
follows the schema's links (product → add to cart → cart, line, quote, place
order → order, pay, payments, cancel; token → /me) in a bounded stateful run.
It checks that nothing answers 5xx, that every status and content type answered
is documented, that responses (error bodies included) match their schema and
that every 4xx is RFC 9457 problem+json.

Bounded so `make test` stays quick (about a minute on either database): a few
derandomized examples per operation and actor, a few short stateful scenarios.
"""

import json

import pytest
import schemathesis
from django.contrib.auth.models import Permission
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from boutique.accounts import services as account_services
from boutique.accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from boutique.catalog.tests.factories import SellerFactory
from boutique.checkout.tests.api_support import body as checkout_body
from boutique.checkout.tests.api_support import courier, variant
from boutique.core.problems import PROBLEM_CONTENT_TYPE
from boutique.payments.api_orders import STAFF_PERMISSION
from config.openapi import _OP as _op
from config.wsgi import application

OPENAPI_PATH = "/api/openapi.json"
BOUNDS = {"deadline": None, "derandomize": True, "database": None}
FUZZ_SETTINGS = settings(max_examples=10, suppress_health_check=list(HealthCheck), **BOUNDS)
# Signed-in actors past the first: the same operations, fewer examples each.
ACTOR_SETTINGS = settings(max_examples=6, suppress_health_check=list(HealthCheck), **BOUNDS)
STATEFUL_SETTINGS = settings(
    max_examples=60,
    stateful_step_count=10,
    suppress_health_check=list(HealthCheck),
    **BOUNDS,
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


def documented_status(ctx, response, case):
    """Every status an operation answers is documented (its errors included), for
    the methods it declares; a method it does not declare is 405 (see below)."""
    if case.method.upper() != case.operation.method.upper():
        assert response.status_code == 405, response.status_code
        return True
    return status_code_conformance(ctx, response, case)


CHECKS = [
    not_a_server_error,
    documented_status,
    content_type_conformance,
    response_schema_conformance,
    problem_json_on_4xx,
]


schema = schemathesis.openapi.from_wsgi(OPENAPI_PATH, application)


def _linked_operations(document: dict) -> set[str]:
    """The operationIds the schema's links start from or lead to."""
    ids = set()
    for path_item in document["paths"].values():
        for operation in path_item.values():
            for response in operation.get("responses", {}).values():
                for link in response.get("links", {}).values():
                    ids.update({operation["operationId"], link["operationId"]})
    return ids


# The stateful run: only the operations on a chain, valid data only, and no
# generated credentials (a random bearer token would end every chain at 401).
chains = schemathesis.openapi.from_wsgi(OPENAPI_PATH, application)
chains.config.generation.update(modes=["positive"], with_security_parameters=False)
_LINKED = _linked_operations(chains.raw_schema)
_AUTH_CHAIN = {"boutique_accounts_api_token", "boutique_accounts_api_me"}
# Two machines, so that which chain a derandomized run happens to favour never
# depends on how many other operations the schema has: the shopping chains
# (cart → order → payments), and signing in → /me.
CHAINS = {
    "shopping": chains.include(operation_id=sorted(_LINKED - _AUTH_CHAIN)),
    "sign-in": chains.include(operation_id=sorted(_LINKED & _AUTH_CHAIN)),
}
# What each run must get past its first step to. Which links a derandomized
# shopping run follows to the end depends on the schema's shape, so the whole
# shopping chain is walked link by link in test_links_lead_to_real_objects.
CHAIN_TARGETS = {
    "shopping": {"POST /api/v1/cart/items", "GET /api/v1/cart"},
    "sign-in": {"GET /api/v1/me"},
}


def _token_for(user) -> str:
    secret, _ = account_services.token_issue(user=user, name="fuzz")
    return secret


def _customer():
    return UserFactory()


def _seller():
    return SellerFactory().owner


def _staff():
    """Staff with the one permission the staff endpoints ask for, not a superuser."""
    user = StaffFactory(is_superuser=False)
    app_label, codename = STAFF_PERMISSION.split(".")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    return user


ACTORS = {"customer": _customer, "seller": _seller, "staff": _staff}


@pytest.fixture
def customer_token(db):
    return _token_for(_customer())


@pytest.fixture(params=["seller", "staff"])
def actor_token(request, db):
    return _token_for(ACTORS[request.param]())


@schema.parametrize()
@FUZZ_SETTINGS
def test_anonymous_requests_never_break_the_api(case):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FUZZ_SETTINGS
def test_customer_requests_never_break_the_api(case, customer_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {customer_token}"}, checks=CHECKS)


@schema.parametrize()
@ACTOR_SETTINGS
def test_seller_and_staff_requests_never_break_the_api(case, actor_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {actor_token}"}, checks=CHECKS)


@pytest.mark.parametrize("actor", ACTORS)
def test_each_actor_token_authenticates(client, actor):
    """Each signed-in run really is signed in as that actor: the header opens /me,
    and only staff may reach the staff endpoints (404 for an unknown order there)."""
    headers = {"Authorization": f"Bearer {_token_for(ACTORS[actor]())}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    response = client.post(
        "/api/v1/staff/orders/NOPE/confirm-payment",
        {"method": "cash"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == (404 if actor == "staff" else 403)


@pytest.fixture
def shop(db):
    """What the linked chains need to go past their first step: a product in
    stock, a shipping method, a customer who signs in."""
    return {
        "variant": variant(stock=1000),
        "method": courier(),
        "customer": UserFactory(email="fuzz-customer@example.com"),
    }


@pytest.mark.parametrize("chain", CHAINS)
def test_linked_chains_never_break_the_api(shop, chain):
    """schemathesis walks the schema's links (add to cart → read, change, remove
    the line, quote, place the order → read, pay, list payments, cancel it; sign
    in → /me). The first step of each chain is given real data (the SKU in stock,
    a checkout body, the customer's credentials) so the chains reach their
    targets; the stateless runs above fuzz those bodies."""
    real_bodies = {
        "POST /api/v1/cart/items": {"variant_id": shop["variant"].pk, "quantity": 1},
        "POST /api/v1/orders": checkout_body(shop["method"]),
        "POST /api/v1/auth/token": {
            "login": shop["customer"].email,
            "password": DEFAULT_PASSWORD,
        },
    }
    reached = set()

    class Chains(CHAINS[chain].as_state_machine()):
        def before_call(self, case):
            if case.operation.label in real_bodies:
                case.body = dict(real_bodies[case.operation.label])

        def after_call(self, response, case):
            super().after_call(response, case)
            if response.status_code < 300:
                reached.add(case.operation.label)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response, checks=CHECKS, transport_kwargs=kwargs or None, recorder=self.recorder
            )

    Chains.run(settings=STATEFUL_SETTINGS)
    # The links were followed to a real object, not only their first steps.
    assert CHAIN_TARGETS[chain] <= reached, reached


def _operation(document: dict, operation_id: str) -> tuple[str, str, dict]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return path, method, operation
    raise AssertionError(f"no operation {operation_id}")


def _resolve(expression: str, request_body: dict, response_body: dict) -> str:
    """A link's runtime expression ($response.body#/a/0/b, $request.body#/x, or a
    string embedding one in braces) evaluated the way a client would."""
    if "{$" in expression:
        start, end = expression.index("{$"), expression.index("}")
        return (
            expression[:start]
            + _resolve(expression[start + 1 : end], request_body, response_body)
            + expression[end + 1 :]
        )
    source, pointer = expression.split("#", 1)
    value = {"$response.body": response_body, "$request.body": request_body}[source]
    for part in pointer.strip("/").split("/"):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return str(value)


def _follow(client, document, link: dict, request_body: dict, response_body: dict, body=None):
    path, method, _ = _operation(document, link["operationId"])
    headers, query = {}, {}
    for target, expression in link.get("parameters", {}).items():
        where, name = target.split(".", 1)
        value = _resolve(expression, request_body, response_body)
        if where == "path":
            path = path.replace("{" + name + "}", value)
        elif where == "header":
            headers[name] = value
        else:
            query[name] = value
    if link.get("requestBody") and body is None:
        body = {
            k: _resolve(v, request_body, response_body)
            if isinstance(v, str) and v.startswith("$")
            else v
            for k, v in link["requestBody"].items()
        }
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    if method == "get":
        return client.get(path, headers=headers), body or {}
    return client.generic(
        method.upper(), path, json.dumps(body or {}), "application/json", headers=headers
    ), body or {}


def test_links_lead_to_real_objects(client, shop):
    """The schema's links, followed as a client would: products → product → add
    to cart → place the order (the cart's token) → the order; token → /me."""
    document = client.get(OPENAPI_PATH).json()

    def links(operation_id, status):
        return _operation(document, operation_id)[2]["responses"][str(status)]["links"]

    listing = client.get("/api/v1/products").json()
    detail, _ = _follow(
        client, document, links(_op("catalog", "product_list"), 200)["Product"], {}, listing
    )
    assert detail.status_code == 200
    added, added_body = _follow(
        client,
        document,
        links(_op("catalog", "product_detail"), 200)["AddToCart"],
        {},
        detail.json(),
    )
    assert added.status_code == 201, added.content
    cart_links = links(_op("cart", "cart_item_add"), 201)
    cart, _ = _follow(client, document, cart_links["Cart"], added_body, added.json())
    assert cart.status_code == 200 and cart.json()["count"] == 1
    order_body = checkout_body(shop["method"])
    placed, _ = _follow(
        client, document, cart_links["PlaceOrder"], added_body, added.json(), order_body
    )
    assert placed.status_code == 201, placed.content
    order_links = links(_op("orders", "order_create"), 201)
    order, _ = _follow(client, document, order_links["Order"], order_body, placed.json())
    assert order.status_code == 200 and order.json()["number"] == placed.json()["number"]
    login = {"login": shop["customer"].email, "password": DEFAULT_PASSWORD}
    token = client.post("/api/v1/auth/token", login, content_type="application/json")
    me, _ = _follow(
        client, document, links(_op("accounts", "token"), 200)["Me"], login, token.json()
    )
    assert me.status_code == 200 and me.json()["email"] == shop["customer"].email


def test_undeclared_method_is_problem_json(client):
    response = client.generic("TRACE", "/api/v1/categories")
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response["Allow"] == "GET"


def test_token_with_broken_multipart_body_is_a_4xx(client):
    response = client.post(
        "/api/v1/auth/token",
        data=b'{"login": "nobody@example.com", "password": "wrong-password"}',
        content_type="multipart/form-data",
    )
    assert 400 <= response.status_code < 500


def test_token_with_overlong_login_is_a_4xx(client):
    response = client.post(
        "/api/v1/auth/token",
        {"login": "0" * 253, "password": "wrong-password"},
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500
