"""Authorisation rows for issue 13's gift registry pages and API. Imported by
matrix.py.

A registry is its owner's: A's registry and its items answer 404 to everyone
else, staff included (staff browse registries in the back office). Anyone may
create their own (signed in). Friends — anyone, signed in or not — open an
active registry by its share token, search public ones and put a gift in their
own cart."""

from .matrix import (
    ALLOWED,
    OK,
    SIGNIN,
    UNAUTHORIZED,
    Entry,
    customer_a,
    everyone,
    signed_in,
)


def _registry(w) -> dict:
    return {"registry_id": w.extra["registry_a"].pk}


def _item(w) -> dict:
    return {**_registry(w), "item_id": w.extra["registry_a_item"].pk}


def _shared(w) -> dict:
    return {"token": w.extra["registry_a"].share_token}


def _shared_item(w) -> dict:
    return {**_shared(w), "item_id": w.extra["registry_a_item"].pk}


def _add_body(w) -> dict:
    return {
        "registry_id": w.extra["registry_a"].pk,
        "variant_id": w.extra["registry_a_item"].variant_id,
    }


def _create_body(w) -> dict:
    return {"title": "Refused", "event_date": "2099-01-01", "address_id": w.a.address.pk}


EDIT = {"title": "Refused", "event_date": "2099-01-01", "visibility": "public"}
WANTED = {"wanted_quantity": "3"}

REGISTRY_PAGES: list = [
    Entry("account/registries/", "GET", signed_in(OK)),
    Entry("account/registries/new/", "GET", signed_in(OK)),
    Entry("account/registries/new/", "POST", signed_in(ALLOWED), body=_create_body),
    Entry("account/registries/<int:registry_id>/", "GET", customer_a(OK), kwargs=_registry),
    Entry("account/registries/<int:registry_id>/edit/", "GET", customer_a(OK), kwargs=_registry),
    Entry(
        "account/registries/<int:registry_id>/edit/",
        "POST",
        customer_a(ALLOWED),
        kwargs=_registry,
        body=EDIT,
    ),
    Entry(
        "account/registries/<int:registry_id>/close/",
        "POST",
        customer_a(ALLOWED),
        kwargs=_registry,
    ),
    Entry(
        "account/registries/<int:registry_id>/share-link/",
        "POST",
        customer_a(ALLOWED),
        kwargs=_registry,
    ),
    Entry(
        "account/registries/<int:registry_id>/items/<int:item_id>/",
        "POST",
        customer_a(ALLOWED),
        kwargs=_item,
        body=WANTED,
    ),
    Entry(
        "account/registries/<int:registry_id>/items/<int:item_id>/remove/",
        "POST",
        customer_a(ALLOWED),
        kwargs=_item,
    ),
    Entry("registry/", "GET", everyone(OK), query="q=shower"),
    Entry("registry/add/", "POST", customer_a(ALLOWED, anonymous=SIGNIN), body=_add_body),
    Entry("registry/<str:token>/", "GET", everyone(OK), kwargs=_shared),
    Entry(
        "registry/<str:token>/items/<int:item_id>/buy/",
        "POST",
        everyone(ALLOWED),
        kwargs=_shared_item,
    ),
]

REGISTRY_API: list = [
    Entry("/api/v1/registries", "GET", signed_in(OK, anonymous=UNAUTHORIZED)),
    Entry(
        "/api/v1/registries",
        "POST",
        signed_in(ALLOWED, anonymous=UNAUTHORIZED),
        body=_create_body,
    ),
    Entry("/api/v1/registries/search", "GET", everyone(OK), query="q=shower"),
    Entry(
        "/api/v1/registries/{registry_id}",
        "GET",
        customer_a(OK, anonymous=UNAUTHORIZED),
        kwargs=_registry,
    ),
    Entry(
        "/api/v1/registries/{registry_id}",
        "PATCH",
        customer_a(ALLOWED, anonymous=UNAUTHORIZED),
        kwargs=_registry,
        body={"title": "Refused"},
    ),
    Entry(
        "/api/v1/registries/{registry_id}/close",
        "POST",
        customer_a(ALLOWED, anonymous=UNAUTHORIZED),
        kwargs=_registry,
    ),
    Entry(
        "/api/v1/registries/{registry_id}/share-token",
        "POST",
        customer_a(ALLOWED, anonymous=UNAUTHORIZED),
        kwargs=_registry,
    ),
    Entry(
        "/api/v1/registries/{registry_id}/items",
        "POST",
        customer_a(ALLOWED, anonymous=UNAUTHORIZED),
        kwargs=_registry,
        body=lambda w: {"variant_id": w.extra["registry_a_item"].variant_id},
    ),
    Entry(
        "/api/v1/registries/{registry_id}/items/{item_id}",
        "PATCH",
        customer_a(ALLOWED, anonymous=UNAUTHORIZED),
        kwargs=_item,
        body={"wanted_quantity": 3},
    ),
    Entry(
        "/api/v1/registries/{registry_id}/items/{item_id}",
        "DELETE",
        customer_a(ALLOWED, anonymous=UNAUTHORIZED),
        kwargs=_item,
    ),
    Entry(
        "/api/v1/registries/{registry_id}/purchases",
        "GET",
        customer_a(OK, anonymous=UNAUTHORIZED),
        kwargs=_registry,
    ),
    Entry("/api/v1/registries/shared/{token}", "GET", everyone(OK), kwargs=_shared),
    Entry(
        "/api/v1/registries/shared/{token}/items/{item_id}/cart",
        "POST",
        everyone(ALLOWED),
        kwargs=_shared_item,
    ),
]
