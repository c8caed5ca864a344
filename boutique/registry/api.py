"""The registry API (issue 13).

Owner operations (bearer token or session; 401 otherwise) work on the caller's
own registries: anyone else's is 404, as an unknown id is. Friends read an
active registry by its share token (no sign-in; a closed registry or a stale
token is 404) and put a gift in their cart (the cart API's X-Cart-Token rules).
Public registries are also found by /registries/search.

Errors (problem+json): 422 `registry_invalid` (field errors), 409
`registry_closed`, `registry_wanted_below_purchased`,
`registry_item_has_purchases`, `registry_item_fulfilled` (nothing more is
needed) and `registry_cart_conflict` (the cart holds another registry's gifts
or the same product as an ordinary line)."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from ninja import Header, Query, Router, Status

from boutique.cart.api import CART_AUTH, CART_TOKEN_HEADER, TOKEN_DOC, _caller, _cart_out, _reread
from boutique.cart.schemas import CartOut
from boutique.core.api_auth import optional_auth
from boutique.core.pagination import PageQuery, page_of
from boutique.core.schemas import problems

from . import selectors, services
from .schemas import (
    GiftIn,
    RegistryIn,
    RegistryItemIn,
    RegistryItemOut,
    RegistryItemPatchIn,
    RegistryOut,
    RegistryPageOut,
    RegistryPatchIn,
    RegistryPublicOut,
    RegistryPurchasesOut,
    RegistrySearchOut,
)

registry_router = Router(tags=["registries"])


class SearchQuery(PageQuery):
    q: str = ""


def share_url(registry) -> str:
    path = reverse("storefront:registry_public", kwargs={"token": registry.share_token})
    return settings.SITE_URL.rstrip("/") + path


def _out(registry) -> dict:
    return {
        "id": registry.pk,
        "title": registry.title,
        "event_date": registry.event_date,
        "message": registry.message,
        "visibility": registry.visibility,
        "reveal_buyers": registry.reveal_buyers,
        "status": registry.status,
        "share_token": registry.share_token,
        "share_url": share_url(registry),
        "buyers_visible": selectors.registry_buyers_visible(registry),
        "shipping_address": registry.shipping_address,
        "items": list(registry.items.all()),
    }


def _own(request, registry_id: int):
    return selectors.registry_get_for_owner(user=request.auth, registry_id=registry_id)


def _fresh(request, registry_id: int) -> dict:
    return _out(_own(request, registry_id))


@registry_router.get("/registries", response={200: RegistryPageOut, **problems(400, 401)})
def registry_list(request, query: Query[PageQuery]):
    """The caller's registries, newest first, with their items."""
    qs = selectors.registry_list_for_owner(user=request.auth)
    return page_of(qs, query, prepare=lambda rows: [_out(r) for r in rows])


@registry_router.post("/registries", response={201: RegistryOut, **problems(401, 403, 422)})
def registry_create(request, payload: RegistryIn):
    """Create a registry; the chosen address is copied onto it."""
    registry = services.registry_create(user=request.auth, **payload.dict())
    return Status(201, _fresh(request, registry.pk))


@registry_router.get(
    "/registries/search", auth=optional_auth(), response={200: RegistrySearchOut, **problems(400)}
)
def registry_search(request, query: Query[SearchQuery]):
    """Active public registries whose title or owner's name matches every word
    of `q` (link-only registries are never listed)."""
    qs = selectors.registry_search_public(query=query.q)
    return page_of(
        qs,
        query,
        prepare=lambda rows: [
            {
                "title": r.title,
                "owner_name": selectors.registry_owner_label(r),
                "event_date": r.event_date,
                "share_token": r.share_token,
            }
            for r in rows
        ],
    )


@registry_router.get(
    "/registries/{int:registry_id}", response={200: RegistryOut, **problems(401, 404)}
)
def registry_detail(request, registry_id: int):
    return _fresh(request, registry_id)


@registry_router.patch(
    "/registries/{int:registry_id}",
    response={200: RegistryOut, **problems(401, 403, 404, 409, 422)},
)
def registry_update(request, registry_id: int, payload: RegistryPatchIn):
    """Change some of the registry's details (409 once it is closed)."""
    registry = _own(request, registry_id)
    services.registry_update(registry=registry, actor=request.auth, **payload.dict())
    return _fresh(request, registry_id)


@registry_router.post(
    "/registries/{int:registry_id}/close", response={200: RegistryOut, **problems(401, 403, 404)}
)
def registry_close(request, registry_id: int):
    """Close the registry: its share link answers 404 from now on."""
    services.registry_close(registry=_own(request, registry_id), actor=request.auth)
    return _fresh(request, registry_id)


@registry_router.post(
    "/registries/{int:registry_id}/share-token",
    response={200: RegistryOut, **problems(401, 403, 404, 409)},
)
def registry_share_token_rotate(request, registry_id: int):
    """A new share link; the old one stops working."""
    services.registry_share_token_rotate(registry=_own(request, registry_id), actor=request.auth)
    return _fresh(request, registry_id)


@registry_router.post(
    "/registries/{int:registry_id}/items",
    response={201: RegistryItemOut, **problems(401, 403, 404, 409, 422)},
)
def registry_item_add(request, registry_id: int, payload: RegistryItemIn):
    """Add a variant (or raise how many of it are wanted)."""
    item = services.registry_item_add(
        registry=_own(request, registry_id), actor=request.auth, **payload.dict()
    )
    return Status(
        201,
        selectors.registry_item_get_for_owner(
            user=request.auth, registry_id=registry_id, item_id=item.pk
        ),
    )


def _item(request, registry_id: int, item_id: int):
    return selectors.registry_item_get_for_owner(
        user=request.auth, registry_id=registry_id, item_id=item_id
    )


@registry_router.patch(
    "/registries/{int:registry_id}/items/{int:item_id}",
    response={200: RegistryItemOut, **problems(401, 403, 404, 409, 422)},
)
def registry_item_update(request, registry_id: int, item_id: int, payload: RegistryItemPatchIn):
    """Change the wanted quantity (never below purchased: 409) or the note."""
    services.registry_item_update(
        item=_item(request, registry_id, item_id), actor=request.auth, **payload.dict()
    )
    return _item(request, registry_id, item_id)


@registry_router.delete(
    "/registries/{int:registry_id}/items/{int:item_id}",
    response={204: None, **problems(401, 403, 404, 409)},
)
def registry_item_remove(request, registry_id: int, item_id: int):
    """Take an item off (409 once friends bought some of it)."""
    services.registry_item_remove(item=_item(request, registry_id, item_id), actor=request.auth)
    return Status(204, None)


@registry_router.get(
    "/registries/{int:registry_id}/purchases",
    response={200: RegistryPurchasesOut, **problems(401, 404)},
)
def registry_purchase_list(request, registry_id: int):
    """Who bought what, with their gift messages, once the reveal rule allows."""
    registry = _own(request, registry_id)
    if not selectors.registry_buyers_visible(registry):
        return {"buyers_visible": False, "results": []}
    rows = selectors.registry_purchases_for_owner(registry=registry)[:500]
    return {
        "buyers_visible": True,
        "results": [
            {
                "item_id": p.item_id,
                "product_name": p.item.variant.product.name,
                "quantity": p.quantity,
                "buyer_name": p.buyer_name,
                "gift_message": p.gift_message,
                "bought_at": p.created_at,
            }
            for p in rows
        ],
    }


@registry_router.get(
    "/registries/shared/{token}",
    auth=optional_auth(),
    response={200: RegistryPublicOut, **problems(404)},
)
def registry_shared(request, token: str):
    """A friend's view of an active registry: what is still needed. No address,
    no buyers. 404 for a closed registry or a stale link."""
    registry = selectors.registry_get_by_token(token=token)
    return {
        "title": registry.title,
        "owner_name": selectors.registry_owner_label(registry),
        "event_date": registry.event_date,
        "message": registry.message,
        "items": list(registry.items.all()),
    }


@registry_router.post(
    "/registries/shared/{token}/items/{int:item_id}/cart",
    auth=CART_AUTH,
    response={201: CartOut, **problems(401, 403, 404, 409, 422)},
)
def registry_gift_add(
    request,
    response: HttpResponse,
    token: str,
    item_id: int,
    payload: GiftIn,
    x_cart_token: str | None = Header(None, alias=CART_TOKEN_HEADER, description=TOKEN_DOC),
):
    """Put a registry item in the caller's cart as a gift (at most what is still
    needed). Place the order with `ship_to_registry: true` to ship it to the
    registrant without ever seeing their address."""
    caller = _caller(request, x_cart_token)
    line = services.registry_gift_add_to_cart(
        token=token,
        item_id=item_id,
        quantity=payload.quantity,
        user=caller.user,
        cart_token=caller.token,
    )
    caller.remember(request, line.cart)
    return Status(201, _cart_out(_reread(caller, line.cart), caller, response))
