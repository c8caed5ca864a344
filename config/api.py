"""The JSON API: one NinjaAPI, one router per app, every error as problem+json."""

import logging

from django.db import DataError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from boutique.accounts.api import auth_router, me_router
from boutique.cart.api import cart_router
from boutique.catalog.api import catalog_router
from boutique.checkout.api import checkout_router
from boutique.core.api_auth import BearerAuth, SessionAuth
from boutique.core.errors import DomainError
from boutique.core.problems import problem_response
from boutique.orders.api import orders_router
from boutique.payments.api import webhooks_router
from boutique.payments.api_orders import payments_router

from .openapi import BoutiqueAPI

logger = logging.getLogger("boutique.api")

api = BoutiqueAPI(
    title="Boutique API",
    version="1",
    description="Store, back office and marketplace API. Errors are RFC 9457 problem+json.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=[BearerAuth(), SessionAuth()],
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    headers = {}
    if getattr(exc, "retry_after", None):
        headers["Retry-After"] = str(exc.retry_after)
    return problem_response(
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        errors=exc.field_errors or None,
        instance=request.path,
        headers=headers,
    )


def _field_errors(errors: list[dict]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        name = ".".join(loc[1:] if loc and loc[0] in ("query", "path") else loc) or "__all__"
        fields.setdefault(name, []).append(error.get("msg", "Invalid value."))
    return fields


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    return problem_response(
        status=422,
        code="validation_error",
        title="Some fields are not valid",
        detail="The request body or parameters did not pass validation.",
        errors=_field_errors(exc.errors),
        instance=request.path,
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return problem_response(
        status=401,
        code="not_authenticated",
        title="Authentication required",
        detail="Send a bearer token or sign in.",
        instance=request.path,
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
    )


@api.exception_handler(AuthorizationError)
def authorization_error(request, exc):
    return problem_response(
        status=403,
        code="permission_denied",
        title="You are not allowed to do this",
        detail=str(exc) or None,
        instance=request.path,
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return problem_response(status=404, code="not_found", title="Not found", instance=request.path)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return problem_response(
        status=exc.status_code,
        code="http_error",
        title=str(exc.message) if hasattr(exc, "message") else str(exc),
        instance=request.path,
    )


@api.exception_handler(MultiPartParserError)
def malformed_body(request, exc):
    # A form body that cannot be parsed (e.g. multipart without a boundary) is
    # the client's mistake, wherever it is first read (django-axes reads it too).
    return problem_response(
        status=400,
        code="malformed_body",
        title="The request body cannot be read",
        detail="Send JSON with Content-Type: application/json.",
        instance=request.path,
    )


@api.exception_handler(DataError)
def data_error(request, exc):
    # PostgreSQL refuses NUL characters in text (SQLite stores them): whatever
    # field a client put one in, the write or lookup failed and rolled back.
    if "NUL (0x00)" not in str(exc):
        return server_error(request, exc)
    return problem_response(
        status=422,
        code="validation_error",
        title="Some fields are not valid",
        detail="Text may not contain NUL (0x00) characters.",
        instance=request.path,
    )


@api.exception_handler(Exception)
def server_error(request, exc):
    logger.exception("Unhandled API error on %s", request.path)
    return problem_response(
        status=500,
        code="server_error",
        title="Something went wrong on our side",
        detail=f"Quote request id {getattr(request, 'request_id', '-')} to the shop.",
        instance=request.path,
    )


api.add_router("/v1/auth", auth_router)
api.add_router("/v1/me", me_router)
api.add_router("/v1/", catalog_router)
api.add_router("/v1/", cart_router)
api.add_router("/v1/", checkout_router)
api.add_router("/v1/", orders_router)
api.add_router("/v1/", payments_router)
api.add_router("/v1/", webhooks_router)
api.add_router("/v1/", "boutique.shipping.api.carriers_router")
api.add_router("/v1/", "boutique.marketplace.api.seller_router")
api.add_router("/v1/", "boutique.reviews.api.reviews_router")
api.add_router("/v1/", "boutique.support.api.support_router")
api.add_router("/v1/", "boutique.registry.api.registry_router")
api.add_router("/v1/", "boutique.inventory.api.stock_alerts_router")
