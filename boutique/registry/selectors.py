"""Every read of registries: the owner's own (someone else's is 404), the
public page by share token, the search over public registries, and what a
buyer may see of an order that ships to a registrant."""

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import RegistryItemNotFound, RegistryNotFound
from .models import (
    Registry,
    RegistryCartLine,
    RegistryItem,
    RegistryPurchase,
    RegistryStatus,
    RevealBuyers,
    Visibility,
)

MAX_TOKEN_LENGTH = 64
MAX_QUERY_LENGTH = 100


def _items_prefetch():
    return Prefetch(
        "items", queryset=RegistryItem.objects.select_related("variant__product").order_by("pk")
    )


def registry_list_for_owner(*, user):
    return (
        Registry.objects.filter(owner=user)
        .prefetch_related(_items_prefetch())
        .order_by("-created_at", "-id")
    )


def registry_active_for_owner(*, user) -> list[Registry]:
    """The owner's active registries (for "Add to registry"), soonest first."""
    return list(
        Registry.objects.filter(owner=user, status=RegistryStatus.ACTIVE)
        .order_by("event_date", "pk")
        .only("pk", "title", "event_date")
    )


def registry_get_for_owner(*, user, registry_id) -> Registry:
    """The caller's registry with its items; anyone else's (or none) is 404."""
    try:
        registry_id = int(registry_id)
    except (TypeError, ValueError):
        raise RegistryNotFound() from None
    if user is None or not user.is_authenticated:
        raise RegistryNotFound()
    registry = (
        Registry.objects.filter(pk=registry_id, owner=user)
        .select_related("owner")
        .prefetch_related(_items_prefetch())
        .first()
    )
    if registry is None:
        raise RegistryNotFound()
    return registry


def registry_item_get_for_owner(*, user, registry_id, item_id) -> RegistryItem:
    registry = registry_get_for_owner(user=user, registry_id=registry_id)
    item = next((i for i in registry.items.all() if str(i.pk) == str(item_id)), None)
    if item is None:
        raise RegistryItemNotFound()
    return item


def registry_get_by_token(*, token) -> Registry:
    """An active registry by its share link; closed, unknown or malformed is 404."""
    token = str(token or "")
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii() or "\x00" in token:
        raise RegistryNotFound()
    registry = (
        Registry.objects.filter(share_token=token, status=RegistryStatus.ACTIVE)
        .select_related("owner")
        .prefetch_related(_items_prefetch())
        .first()
    )
    if registry is None:
        raise RegistryNotFound()
    return registry


def registry_search_public(*, query: str = ""):
    """Active public registries matching the owner's name or the title."""
    qs = Registry.objects.filter(
        visibility=Visibility.PUBLIC, status=RegistryStatus.ACTIVE
    ).select_related("owner")
    query = " ".join(str(query or "").replace("\x00", "").split())[:MAX_QUERY_LENGTH]
    for word in query.split():
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(owner__first_name__icontains=word)
            | Q(owner__last_name__icontains=word)
        )
    return qs.order_by("event_date", "pk")


def registry_owner_label(registry: Registry) -> str:
    """ "Maya H.": the first name and the last name's initial."""
    owner = registry.owner
    first = (owner.first_name or "").strip() or _("the registrant")
    last = (owner.last_name or "").strip()
    return f"{first} {last[0]}." if last else first


def registry_buyers_visible(registry: Registry, *, today=None) -> bool:
    """Whether the owner may see who bought what (and their gift messages)."""
    if registry.reveal_buyers == RevealBuyers.ALWAYS:
        return True
    if registry.reveal_buyers == RevealBuyers.NEVER:
        return False
    return (today or timezone.localdate()) > registry.event_date


def registry_purchases_for_owner(*, registry: Registry):
    """The registry's live purchases (cancelled ones left out), newest first."""
    return (
        RegistryPurchase.objects.filter(item__registry=registry, cancelled_at__isnull=True)
        .select_related("item__variant__product", "order")
        .order_by("-created_at", "-id")
    )


def registry_cart_lines(*, cart) -> dict[int, RegistryItem]:
    """{cart item id: registry item} for a cart's gift lines."""
    if cart is None:
        return {}
    rows = RegistryCartLine.objects.filter(cart_item__cart=cart).select_related(
        "registry_item__registry__owner"
    )
    return {row.cart_item_id: row.registry_item for row in rows}


def registry_of_cart(*, cart) -> Registry | None:
    """The registry a cart's gift lines belong to (the first, should a cart
    somehow hold two: checkout refuses that), or None."""
    if cart is None:
        return None
    mark = (
        RegistryCartLine.objects.filter(cart_item__cart=cart)
        .select_related("registry_item__registry__owner")
        .order_by("pk")
        .first()
    )
    return mark.registry_item.registry if mark is not None else None


def registry_shipping_label_for_order(order) -> str | None:
    """ "Registry address of Maya H." when the order ships to a registrant's
    address (what the buyer is shown instead of the address), else None."""
    purchase = (
        RegistryPurchase.objects.filter(order=order, ships_to_registry=True)
        .select_related("item__registry__owner")
        .first()
    )
    if purchase is None:
        return None
    name = registry_owner_label(purchase.item.registry)
    return _("Registry address of %(name)s") % {"name": name}
