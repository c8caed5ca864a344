"""Gifts through checkout: which registry a cart's gift lines belong to, the
order shipping to the registrant's address, the purchased counts moving when
the order is placed, and moving back (exactly once) when it is cancelled,
expires unpaid or is refunded in full.

The rule for carts: a cart may hold gifts for one registry (adding a second
registry's gift is refused with 409 `registry_cart_conflict`) beside ordinary
lines. When the buyer chooses "ship to the registrant's address", the whole
order ships there (ordinary lines included) and the buyer's typed address
becomes the billing address; otherwise the gifts ship to the buyer, and the
counts move all the same."""

from dataclasses import dataclass, replace

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from boutique.audit.services import audit_record
from boutique.cart.models import CartItem
from boutique.notifications.services import notification_enqueue
from boutique.orders.errors import ShippingNotAvailable

from .errors import RegistryCartConflict, RegistryClosed, RegistryInvalid, RegistryItemFulfilled
from .locks import registry_item_qs_for_update
from .models import Registry, RegistryCartLine, RegistryItem, RegistryPurchase, RegistryStatus
from .selectors import registry_buyers_visible

GIFT_MESSAGE_MAX = 500


@dataclass(frozen=True)
class RegistryGift:
    """A cart's gift lines: their registry and {variant id: registry item}."""

    registry: Registry
    items: dict
    ship_to_registry: bool
    gift_message: str


def gift_message_clean(value) -> str:
    text = "" if value is None else str(value)
    if "\x00" in text:
        raise RegistryInvalid(
            _("Text cannot contain NUL characters."),
            field_errors={"gift_message": [_("Invalid characters.")]},
        )
    text = text.strip()
    if len(text) > GIFT_MESSAGE_MAX:
        raise RegistryInvalid(
            _("A gift message is at most %(n)d characters.") % {"n": GIFT_MESSAGE_MAX},
            field_errors={
                "gift_message": [_("At most %(n)d characters.") % {"n": GIFT_MESSAGE_MAX}]
            },
        )
    return text


def registry_gift_for_cart(
    *, cart, ship_to_registry: bool = False, gift_message: str = ""
) -> RegistryGift | None:
    """The cart's gifts, or None when it has none (then shipping to a registry
    is refused: only gifts ship to a registrant)."""
    marks = []
    if cart is not None:
        marks = list(
            RegistryCartLine.objects.filter(cart_item__cart=cart).select_related(
                "cart_item", "registry_item__registry__owner"
            )
        )
    if not marks:
        if ship_to_registry:
            raise RegistryInvalid(
                _("Only gifts from a registry can ship to a registrant's address."),
                field_errors={"ship_to_registry": [_("Your cart holds no registry gifts.")]},
            )
        return None
    registries = {mark.registry_item.registry_id for mark in marks}
    if len(registries) > 1:
        raise RegistryCartConflict(
            _("Your cart holds gifts for more than one registry; order them separately.")
        )
    registry = marks[0].registry_item.registry
    if registry.status != RegistryStatus.ACTIVE:
        raise RegistryClosed(
            _("The registry “%(t)s” is closed; remove its gifts from your cart.")
            % {"t": registry.title}
        )
    return RegistryGift(
        registry=registry,
        items={mark.cart_item.variant_id: mark.registry_item for mark in marks},
        ship_to_registry=bool(ship_to_registry),
        gift_message=gift_message_clean(gift_message),
    )


def registry_checkout_apply(*, clean, gift: RegistryGift | None):
    """Checkout's cleaned choices with the registrant's address as the shipping
    address when the buyer chose it (the buyer's own address, already the
    billing one, and the buyer's phone stay)."""
    if gift is None or not gift.ship_to_registry:
        return clean
    address = gift.registry.shipping_address
    method = clean.shipping_method
    if method is not None and not method.serves(address["country"]):
        raise ShippingNotAvailable(
            _("%(m)s does not deliver to the registrant's country.") % {"m": method.name},
            field_errors={"shipping_method": [_("Not available for the registry's address.")]},
        )
    return replace(clean, shipping_address=address)


def registry_purchases_record(*, gift: RegistryGift, order, buyer_name: str, actor=None) -> list:
    """Inside order_place's transaction: lock the gift lines' registry items in
    pk order and add the ordered units with a conditional update (purchased + n
    <= wanted). When one no longer fits — a friend bought the last one first —
    raise RegistryItemFulfilled (409) so the whole order rolls back."""
    order_items = {item.variant_id: item for item in order.items.all()}
    wanted = {
        registry_item.pk: order_items[variant_id]
        for variant_id, registry_item in gift.items.items()
        if variant_id in order_items
    }
    locked = list(
        registry_item_qs_for_update().filter(pk__in=list(wanted)).select_related("variant__product")
    )
    if Registry.objects.filter(pk=gift.registry.pk, status=RegistryStatus.ACTIVE).count() == 0:
        raise RegistryClosed(_("This registry closed while you were checking out."))
    purchases = []
    for registry_item in locked:
        order_item = wanted[registry_item.pk]
        quantity = order_item.quantity
        fits = RegistryItem.objects.filter(
            pk=registry_item.pk, purchased_quantity__lte=F("wanted_quantity") - quantity
        ).update(purchased_quantity=F("purchased_quantity") + quantity, updated_at=timezone.now())
        if not fits:
            left = registry_item.still_needed
            raise RegistryItemFulfilled(
                _("%(v)s: only %(n)d still needed on the registry; a friend was quicker.")
                % {"v": registry_item.variant, "n": left},
                field_errors={"sku": [order_item.sku]},
            )
        audit_record(
            entity=registry_item,
            action="registry.item_purchased",
            actor=actor,
            old={"purchased_quantity": registry_item.purchased_quantity},
            new={
                "purchased_quantity": registry_item.purchased_quantity + quantity,
                "order": order.number,
            },
        )
        purchases.append(
            RegistryPurchase(
                item=registry_item,
                order=order,
                order_item=order_item,
                quantity=quantity,
                buyer_name=buyer_name[:200],
                buyer_email=order.email,
                gift_message=gift.gift_message,
                ships_to_registry=gift.ship_to_registry,
            )
        )
    RegistryPurchase.objects.bulk_create(purchases)
    _notify_registrant(gift, purchases, buyer_name=buyer_name)
    return purchases


def _notify_registrant(gift: RegistryGift, purchases: list, *, buyer_name: str) -> None:
    registry = gift.registry
    if not purchases or not registry.owner.email:
        return
    revealed = registry_buyers_visible(registry)
    notification_enqueue(
        channel="email",
        recipient=registry.owner.email,
        template="registry_gift_bought",
        context={
            "customer_name": registry.owner.first_name,
            "title": registry.title,
            "registry_id": registry.pk,
            "registry_url": settings.SITE_URL.rstrip("/")
            + reverse("storefront:registry_manage", args=[registry.pk]),
            "items": [{"name": str(p.item.variant), "quantity": p.quantity} for p in purchases],
            "revealed": revealed,
            "buyer_name": buyer_name if revealed else "",
            "gift_message": gift.gift_message if revealed else "",
        },
        reference=("registry", registry.pk),
    )


def registry_purchases_cancel(*, order, actor=None, reason: str = "") -> int:
    """The order was cancelled, expired unpaid or refunded in full: its live
    purchases are marked cancelled and their units go back to the registry.
    Each purchase is claimed with a conditional update, so calling this twice
    (or from two paths at once) gives the units back exactly once. Takes the
    registry items' row locks in pk order. Returns how many units went back."""
    rows = list(
        RegistryPurchase.objects.filter(order=order, cancelled_at__isnull=True).values_list(
            "pk", "item_id", "quantity"
        )
    )
    if not rows:
        return 0
    list(registry_item_qs_for_update().filter(pk__in=sorted({r[1] for r in rows})))
    now = timezone.now()
    returned = 0
    for pk, item_id, quantity in sorted(rows):
        claimed = RegistryPurchase.objects.filter(pk=pk, cancelled_at__isnull=True).update(
            cancelled_at=now, updated_at=now
        )
        if not claimed:
            continue
        RegistryItem.objects.filter(pk=item_id, purchased_quantity__gte=quantity).update(
            purchased_quantity=F("purchased_quantity") - quantity, updated_at=now
        )
        audit_record(
            entity_type="registry.registryitem",
            entity=item_id,
            action="registry.purchase_cancelled",
            actor=actor,
            old={"purchase": pk, "quantity": quantity},
            new={"order": order.number, "reason": reason[:200]},
        )
        returned += quantity
    return returned


def registry_marks_follow_merge(*, guest, mine, skip_variants: set) -> list[str]:
    """Signing in folded a guest cart into the customer's: its gift lines stay
    gifts in the customer's cart. A line the customer already had for
    themselves (`skip_variants`) is not turned into a gift, nor are gifts for
    a second registry (one registry per cart); both are said in the notes.
    Runs inside the merge's transaction, holding both carts' locks."""
    marks = list(
        RegistryCartLine.objects.filter(cart_item__cart=guest).select_related(
            "cart_item", "registry_item__variant__product"
        )
    )
    if not marks:
        return []
    held = {
        mark.registry_item.registry_id
        for mark in RegistryCartLine.objects.filter(cart_item__cart=mine).select_related(
            "registry_item"
        )
    }
    lines = {line.variant_id: line for line in CartItem.objects.filter(cart=mine)}
    notes = []
    for mark in marks:
        variant_id = mark.cart_item.variant_id
        line = lines.get(variant_id)
        if line is None:
            continue
        registry_id = mark.registry_item.registry_id
        if variant_id in skip_variants or (held and registry_id not in held):
            notes.append(
                _("%(v)s is in your cart for yourself, no longer as a registry gift.")
                % {"v": mark.registry_item.variant}
            )
            continue
        RegistryCartLine.objects.get_or_create(
            cart_item=line, defaults={"registry_item": mark.registry_item}
        )
        held.add(registry_id)
    return notes
