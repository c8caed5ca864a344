"""The API's OpenAPI document says what every endpoint really answers.

django-ninja documents each endpoint's own responses; this adds, in one place,
the problem+json errors the transport answers for any endpoint (see
`transport_problems`), serves every 4xx/5xx as application/problem+json with the
shared ProblemOut schema, and adds OpenAPI links for the chains a client follows.
Domain outcomes (402, 409, 429, …) stay declared on their endpoints."""

from http import HTTPStatus

from ninja import NinjaAPI
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema

from boutique.core.api_auth import AnonymousAllowed
from boutique.core.problems import PROBLEM_CONTENT_TYPE
from boutique.core.schemas import ProblemOut


def transport_problems(operation) -> set[int]:
    """The problem+json statuses the transport itself may answer for an operation,
    whatever its handler does: 401 when no anonymous caller is let through, 403
    (an inactive account's token, a session without its CSRF token) when it takes
    credentials, 404 for a path naming an object, 422 for parameters or a body that
    do not validate, and for a body 400 (unreadable) and 413 (too large)."""
    statuses: set[int] = set()
    auth = operation.auth_callbacks or []
    if auth:
        statuses.add(403)
        # AnonymousAllowed proper lets a bad token through as anonymous; its
        # subclasses (GuestOrUser) still refuse credentials that did not pass.
        if not any(type(callback) is AnonymousAllowed for callback in auth):
            statuses.add(401)
    models = operation.models
    if any(model.__ninja_param_source__ == "path" for model in models):
        statuses.add(404)
    if models:
        statuses.add(422)
    if any(model.__ninja_param_source__ in ("body", "form", "file") for model in models):
        statuses.update({400, 413})
    return statuses


# OpenAPI links for the chains a client follows (schemathesis follows them in its
# stateful run): source operationId → status → link name → target and parameters.
_OP = "boutique_{}_api_{}".format
# A placed order by its number; a guest names it with the email it was placed with.
_ORDER = {"path.number": "$response.body#/number", "query.email": "$request.body#/email"}
LINKS = {
    _OP("catalog", "product_list"): {
        200: {
            "Product": {
                "operationId": _OP("catalog", "product_detail"),
                "parameters": {"path.slug": "$response.body#/results/0/slug"},
            },
        },
    },
    _OP("catalog", "product_detail"): {
        200: {
            "AddToCart": {
                "operationId": _OP("cart", "cart_item_add"),
                "requestBody": {"variant_id": "$response.body#/variants/0/id", "quantity": 1},
            },
        },
    },
    _OP("accounts", "token"): {
        200: {
            "Me": {
                "operationId": _OP("accounts", "me"),
                "parameters": {"header.Authorization": "Bearer {$response.body#/token}"},
            },
        },
    },
    _OP("cart", "cart_item_add"): {
        201: {
            "Cart": {
                "operationId": _OP("cart", "cart_detail"),
                "parameters": {"header.X-Cart-Token": "$response.body#/token"},
            },
            "UpdateLine": {
                "operationId": _OP("cart", "cart_item_update"),
                "parameters": {
                    "path.item_id": "$response.body#/lines/0/id",
                    "header.X-Cart-Token": "$response.body#/token",
                },
            },
            "RemoveLine": {
                "operationId": _OP("cart", "cart_item_remove"),
                "parameters": {
                    "path.item_id": "$response.body#/lines/0/id",
                    "header.X-Cart-Token": "$response.body#/token",
                },
            },
            "Quote": {
                "operationId": _OP("checkout", "checkout_quote"),
                "parameters": {"header.X-Cart-Token": "$response.body#/token"},
            },
            "PlaceOrder": {
                "operationId": _OP("orders", "order_create"),
                "parameters": {"header.X-Cart-Token": "$response.body#/token"},
            },
        },
    },
    _OP("orders", "order_create"): {
        201: {
            "Order": {
                "operationId": _OP("orders", "order_detail"),
                "parameters": _ORDER,
            },
            "Pay": {
                "operationId": _OP("payments", "orders_payment_create"),
                "parameters": _ORDER,
            },
            "Payments": {
                "operationId": _OP("payments", "orders_payment_list"),
                "parameters": _ORDER,
            },
            "Cancel": {
                "operationId": _OP("orders", "order_cancel_for_customer"),
                "parameters": _ORDER,
            },
        },
    },
}


class BoutiqueOpenAPISchema(OpenAPISchema):
    """django-ninja's schema, plus what every endpoint really answers: the
    transport's problem+json responses (one shared ProblemOut schema) and links."""

    def responses(self, operation):
        result = super().responses(operation)
        for status in sorted(transport_problems(operation) - set(result)):
            result[status] = {
                "description": HTTPStatus(status).phrase,
                "content": {PROBLEM_CONTENT_TYPE: {"schema": self._problem_schema()}},
            }
        for status, details in result.items():
            content = details.get("content") or {}
            if status >= 400 and self.api.renderer.media_type in content:
                details["content"] = {PROBLEM_CONTENT_TYPE: content[self.api.renderer.media_type]}
        operation_id = operation.operation_id or self.api.get_openapi_operation_id(operation)
        for status, links in LINKS.get(operation_id, {}).items():
            result[status]["links"] = links
        return result

    def _problem_schema(self) -> dict:
        name = ProblemOut.__name__
        if name not in self.schemas:
            schema, _ = self._create_schema_from_model(
                ProblemOut, remove_level=False, mode="serialization"
            )
            self.add_schema_definitions({name: schema})
        return {"$ref": REF_TEMPLATE.format(model=name)}


class BoutiqueAPI(NinjaAPI):
    """NinjaAPI serving BoutiqueOpenAPISchema."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return BoutiqueOpenAPISchema(self, path_prefix)
