"""Every write a registrant makes to their registry, and a friend's "Buy as a
gift" that puts a registry item in their cart. What happens when the gift is
ordered, cancelled or refunded is in services_checkout.py.

Owner writes run in a transaction holding the registry's row lock, then its
items' (pk order); a wanted quantity never drops below what friends bought."""

import secrets
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from boutique.accounts.selectors import address_get_for
from boutique.audit.services import audit_record
from boutique.cart.locks import cart_for_update
from boutique.cart.models import CartItem
from boutique.cart.services import cart_add_item, cart_obtain
from boutique.catalog.selectors import variant_find
from boutique.core.errors import NotFound

from .errors import (
    RegistryCartConflict,
    RegistryClosed,
    RegistryInvalid,
    RegistryItemFulfilled,
    RegistryItemHasPurchases,
    RegistryItemNotFound,
    RegistryNotFound,
    WantedBelowPurchased,
)
from .locks import registry_item_qs_for_update, registry_qs_for_update
from .models import (
    MAX_WANTED,
    Registry,
    RegistryCartLine,
    RegistryItem,
    RegistryPurchase,
    RegistryStatus,
    RevealBuyers,
    Visibility,
)
from .selectors import registry_get_by_token

TITLE_MAX = 120
MESSAGE_MAX = 1000
NOTE_MAX = 200
ADDRESS_FIELDS = ("full_name", "phone", "line1", "line2", "city", "state", "postal_code", "country")


def _token() -> str:
    return secrets.token_urlsafe(24)


def _text(value, name: str, limit: int, errors: dict, *, required=False) -> str:
    text = "" if value is None else str(value)
    if "\x00" in text:
        errors[name] = [_("Text cannot contain NUL characters.")]
        return ""
    text = text.strip()
    if required and not text:
        errors[name] = [_("Required.")]
    elif len(text) > limit:
        errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
    return text


def _choice(value, name: str, choices, errors: dict) -> str:
    if value not in choices.values:
        errors[name] = [_("Choose one of: %(c)s.") % {"c": ", ".join(choices.values)}]
    return value


def _event_date(value, errors: dict, *, allow_past: bool) -> date | None:
    if isinstance(value, date):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(str(value or "").strip())
        except ValueError:
            errors["event_date"] = [_("Give the date as YYYY-MM-DD.")]
            return None
    if not allow_past and parsed < timezone.localdate():
        errors["event_date"] = [_("The event date cannot be in the past.")]
    return parsed


def _snapshot(user, address_id, errors: dict) -> dict:
    try:
        address = address_get_for(user=user, address_id=int(address_id))
    except (NotFound, TypeError, ValueError):
        errors["address_id"] = [_("Choose one of your addresses.")]
        return {}
    snapshot = {f"ship_{name}": getattr(address, name) or "" for name in ADDRESS_FIELDS}
    return {"address": address, **snapshot}


def _raise(errors: dict) -> None:
    if errors:
        raise RegistryInvalid(_("Some registry details need fixing."), field_errors=errors)


def _audit_fields(registry: Registry) -> dict:
    return {
        "title": registry.title,
        "event_date": registry.event_date.isoformat(),
        "visibility": registry.visibility,
        "reveal_buyers": registry.reveal_buyers,
        "status": registry.status,
        "address": registry.address_id,
    }


def registry_create(
    *,
    user,
    title,
    event_date,
    address_id,
    message="",
    visibility=Visibility.LINK_ONLY,
    reveal_buyers=RevealBuyers.AFTER_EVENT,
) -> Registry:
    """A new active registry with a fresh share token; the chosen address is
    copied onto it. Every problem at once as 422, nothing written."""
    if user is None or not user.is_authenticated:
        raise RegistryNotFound()
    errors: dict = {}
    fields = {
        "title": _text(title, "title", TITLE_MAX, errors, required=True),
        "message": _text(message, "message", MESSAGE_MAX, errors),
        "event_date": _event_date(event_date, errors, allow_past=False),
        "visibility": _choice(visibility, "visibility", Visibility, errors),
        "reveal_buyers": _choice(reveal_buyers, "reveal_buyers", RevealBuyers, errors),
        **_snapshot(user, address_id, errors),
    }
    _raise(errors)
    with transaction.atomic():
        registry = Registry.objects.create(owner=user, share_token=_token(), **fields)
        audit_record(
            entity=registry, action="registry.created", actor=user, new=_audit_fields(registry)
        )
    return registry


def _locked_active(registry: Registry) -> Registry:
    locked = registry_qs_for_update().get(pk=registry.pk)
    if locked.status != RegistryStatus.ACTIVE:
        raise RegistryClosed(_("This registry is closed; it cannot change."))
    return locked


def registry_update(*, registry: Registry, actor, **changes) -> Registry:
    """Change the given fields (title, event_date, message, visibility,
    reveal_buyers, address_id); None leaves a field as it is."""
    errors: dict = {}
    fields: dict = {}
    given = {k: v for k, v in changes.items() if v is not None}
    unknown = set(given) - {
        "title",
        "event_date",
        "message",
        "visibility",
        "reveal_buyers",
        "address_id",
    }
    if unknown:
        raise TypeError(f"registry_update got {sorted(unknown)}")
    if "title" in given:
        fields["title"] = _text(given["title"], "title", TITLE_MAX, errors, required=True)
    if "message" in given:
        fields["message"] = _text(given["message"], "message", MESSAGE_MAX, errors)
    if "event_date" in given:
        fields["event_date"] = _event_date(given["event_date"], errors, allow_past=True)
    if "visibility" in given:
        fields["visibility"] = _choice(given["visibility"], "visibility", Visibility, errors)
    if "reveal_buyers" in given:
        fields["reveal_buyers"] = _choice(
            given["reveal_buyers"], "reveal_buyers", RevealBuyers, errors
        )
    if "address_id" in given:
        fields.update(_snapshot(registry.owner, given["address_id"], errors))
    _raise(errors)
    with transaction.atomic():
        locked = _locked_active(registry)
        old = _audit_fields(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        if fields:
            locked.save(update_fields=[*fields, "updated_at"])
            audit_record(
                entity=locked,
                action="registry.updated",
                actor=actor,
                old=old,
                new=_audit_fields(locked),
            )
    return locked


def registry_close(*, registry: Registry, actor) -> Registry:
    """Close the registry: its page and share link answer 404 from now on.
    Gifts already ordered are not touched. Closing twice is a no-op."""
    with transaction.atomic():
        locked = registry_qs_for_update().get(pk=registry.pk)
        if locked.status == RegistryStatus.CLOSED:
            return locked
        locked.status = RegistryStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record(
            entity=locked,
            action="registry.closed",
            actor=actor,
            old={"status": RegistryStatus.ACTIVE},
            new={"status": RegistryStatus.CLOSED},
        )
    return locked


def registry_share_token_rotate(*, registry: Registry, actor) -> Registry:
    """A new share link; the old one stops working at once."""
    with transaction.atomic():
        locked = _locked_active(registry)
        locked.share_token = _token()
        locked.save(update_fields=["share_token", "updated_at"])
        audit_record(entity=locked, action="registry.share_token_rotated", actor=actor)
    return locked


# --- Items ---------------------------------------------------------------------------
def _id(value) -> int | None:
    """A positive database id, or None (never a number the database would refuse)."""
    try:
        value = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**31 else None


def _quantity(value, errors: dict, name: str = "wanted_quantity", low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            errors[name] = [_("A whole number.")]
            return 0
    if not low <= value <= MAX_WANTED:
        errors[name] = [_("Between %(low)d and %(high)d.") % {"low": low, "high": MAX_WANTED}]
    return value


def registry_item_add(
    *, registry: Registry, actor, variant_id, quantity=1, note: str = ""
) -> RegistryItem:
    """Put a variant on the registry, or raise its wanted quantity when it is
    already there (at most MAX_WANTED)."""
    errors: dict = {}
    quantity = _quantity(quantity, errors, "quantity")
    note = _text(note, "note", NOTE_MAX, errors)
    variant = variant_find(variant_id=_id(variant_id))
    if variant is None:
        errors["variant_id"] = [_("Unknown product.")]
    elif not variant.purchasable:
        errors["variant_id"] = [_("%(v)s is no longer sold.") % {"v": variant}]
    _raise(errors)
    with transaction.atomic():
        locked = _locked_active(registry)
        item = registry_item_qs_for_update().filter(registry=locked, variant=variant).first()
        if item is None:
            try:
                with transaction.atomic():
                    item = RegistryItem.objects.create(
                        registry=locked, variant=variant, wanted_quantity=quantity, note=note
                    )
            except IntegrityError:  # pragma: no cover - the registry lock serialises adds
                raise RegistryInvalid(_("This product is already on the registry.")) from None
            old = None
        else:
            old = {"wanted_quantity": item.wanted_quantity}
            if item.wanted_quantity + quantity > MAX_WANTED:
                raise RegistryInvalid(
                    _("At most %(n)d of one item.") % {"n": MAX_WANTED},
                    field_errors={
                        "quantity": [
                            _("At most %(n)d more.") % {"n": MAX_WANTED - item.wanted_quantity}
                        ]
                    },
                )
            item.wanted_quantity += quantity
            item.note = note or item.note
            item.save(update_fields=["wanted_quantity", "note", "updated_at"])
        audit_record(
            entity=item,
            action="registry.item_added",
            actor=actor,
            old=old,
            new={
                "registry": locked.pk,
                "sku": variant.sku,
                "wanted_quantity": item.wanted_quantity,
            },
        )
    return item


def registry_item_update(*, item: RegistryItem, actor, wanted_quantity=None, note=None):
    """Change how many are wanted (never below what friends already bought) or
    the note. Takes the registry's and the item's row locks."""
    errors: dict = {}
    if wanted_quantity is not None:
        wanted_quantity = _quantity(wanted_quantity, errors)
    if note is not None:
        note = _text(note, "note", NOTE_MAX, errors)
    _raise(errors)
    with transaction.atomic():
        _locked_active(item.registry)
        locked = registry_item_qs_for_update().get(pk=item.pk)
        old = {"wanted_quantity": locked.wanted_quantity, "note": locked.note}
        if wanted_quantity is not None:
            if wanted_quantity < locked.purchased_quantity:
                raise WantedBelowPurchased(
                    _("Friends have already bought %(n)d; you cannot want fewer.")
                    % {"n": locked.purchased_quantity},
                    field_errors={
                        "wanted_quantity": [_("At least %(n)d.") % {"n": locked.purchased_quantity}]
                    },
                )
            locked.wanted_quantity = wanted_quantity
        if note is not None:
            locked.note = note
        locked.save(update_fields=["wanted_quantity", "note", "updated_at"])
        audit_record(
            entity=locked,
            action="registry.item_updated",
            actor=actor,
            old=old,
            new={"wanted_quantity": locked.wanted_quantity, "note": locked.note},
        )
    return locked


def registry_item_remove(*, item: RegistryItem, actor) -> None:
    """Take an item off the registry. Refused (409) once friends have bought
    some: lower the wanted quantity instead. Cancelled purchases go with it."""
    with transaction.atomic():
        _locked_active(item.registry)
        locked = registry_item_qs_for_update().filter(pk=item.pk).first()
        if locked is None:
            return
        live = RegistryPurchase.objects.filter(item=locked, cancelled_at__isnull=True).exists()
        if locked.purchased_quantity or live:
            raise RegistryItemHasPurchases(
                _("Friends have already bought this item; lower the wanted quantity instead.")
            )
        RegistryPurchase.objects.filter(item=locked).delete()
        audit_record(
            entity=locked,
            action="registry.item_removed",
            actor=actor,
            old={"variant": locked.variant_id, "wanted_quantity": locked.wanted_quantity},
        )
        locked.delete()


# --- A friend buys a gift --------------------------------------------------------------
def registry_gift_add_to_cart(*, token, item_id, quantity=1, user=None, cart_token=None):
    """Put a registry item in the friend's cart as a gift line (the line is
    marked with the registry item). At most what is still needed. A cart holds
    gifts for one registry only (409 `registry_cart_conflict` otherwise), and a
    variant already in the cart as an ordinary line is refused (409) rather
    than silently turned into a gift. Returns the cart line (line.cart is the cart)."""
    registry = registry_get_by_token(token=token)
    item = next((i for i in registry.items.all() if str(i.pk) == str(item_id)), None)
    if item is None:
        raise RegistryItemNotFound()
    errors: dict = {}
    quantity = _quantity(quantity, errors, "quantity")
    _raise(errors)
    with transaction.atomic():
        cart = cart_obtain(user=user, token=cart_token)
        cart = cart_for_update().get(pk=cart.pk)
        marks = RegistryCartLine.objects.filter(cart_item__cart=cart).select_related(
            "registry_item"
        )
        if any(mark.registry_item.registry_id != registry.pk for mark in marks):
            raise RegistryCartConflict(
                _("Your cart holds gifts for another registry. Order those first.")
            )
        line = CartItem.objects.filter(cart=cart, variant_id=item.variant_id).first()
        mine = next((m for m in marks if line is not None and m.cart_item_id == line.pk), None)
        if line is not None and mine is None:
            raise RegistryCartConflict(
                _("%(v)s is already in your cart for yourself; remove it to buy it as a gift.")
                % {"v": item.variant}
            )
        in_cart = line.quantity if line is not None else 0
        fresh = RegistryItem.objects.get(pk=item.pk)
        if fresh.still_needed <= 0:
            raise RegistryItemFulfilled(_("Friends have already bought every one of these."))
        if in_cart + quantity > fresh.still_needed:
            raise RegistryItemFulfilled(
                _("Only %(n)d still needed.") % {"n": fresh.still_needed},
                field_errors={
                    "quantity": [_("At most %(n)d.") % {"n": fresh.still_needed - in_cart}]
                },
            )
        line = cart_add_item(cart=cart, quantity=quantity, variant_id=item.variant_id)
        RegistryCartLine.objects.get_or_create(cart_item=line, defaults={"registry_item": item})
    return line
