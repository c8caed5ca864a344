from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from boutique.accounts.tests.factories import AddressFactory, UserFactory
from boutique.audit.models import AuditLog
from boutique.cart.models import CartItem
from boutique.cart.services import cart_add, cart_obtain
from boutique.registry.errors import (
    RegistryCartConflict,
    RegistryClosed,
    RegistryInvalid,
    RegistryItemFulfilled,
    RegistryItemHasPurchases,
    RegistryItemNotFound,
    RegistryNotFound,
    WantedBelowPurchased,
)
from boutique.registry.models import Registry, RegistryCartLine, RegistryItem, RevealBuyers
from boutique.registry.selectors import (
    registry_buyers_visible,
    registry_get_by_token,
    registry_get_for_owner,
    registry_owner_label,
    registry_search_public,
)
from boutique.registry.services import (
    registry_close,
    registry_create,
    registry_gift_add_to_cart,
    registry_item_add,
    registry_item_remove,
    registry_item_update,
    registry_share_token_rotate,
    registry_update,
)

from .factories import REGISTRANT_ADDRESS, gift_cart, make_registrant, make_registry, make_variant

pytestmark = pytest.mark.django_db


def test_create_copies_the_address_and_makes_an_unguessable_token():
    owner, address = make_registrant()
    registry = registry_create(
        user=owner,
        title="  Baby shower ",
        event_date=(timezone.localdate() + timedelta(days=10)).isoformat(),
        address_id=address.pk,
    )
    assert registry.title == "Baby shower"
    assert registry.ship_line1 == REGISTRANT_ADDRESS["line1"]
    assert len(registry.share_token) >= 32
    assert registry.visibility == "link_only"
    assert registry.reveal_buyers == RevealBuyers.AFTER_EVENT
    assert AuditLog.objects.filter(action="registry.created", entity_id=str(registry.pk)).exists()
    # Editing the address book later does not move the registry's address.
    address.line1 = "Elsewhere 9"
    address.save()
    registry.refresh_from_db()
    assert registry.ship_line1 == REGISTRANT_ADDRESS["line1"]


def test_create_refuses_bad_input_all_at_once_and_writes_nothing():
    owner, _ = make_registrant()
    other_address = AddressFactory()  # someone else's
    with pytest.raises(RegistryInvalid) as caught:
        registry_create(
            user=owner,
            title="",
            event_date="2020-01-01",
            address_id=other_address.pk,
            visibility="everyone",
        )
    assert set(caught.value.field_errors) == {"title", "event_date", "address_id", "visibility"}
    assert caught.value.status == 422
    assert not Registry.objects.exists()


def test_update_changes_given_fields_and_closed_registry_refuses():
    registry = make_registry()
    registry = registry_update(
        registry=registry, actor=registry.owner, title="New title", reveal_buyers="always"
    )
    assert (registry.title, registry.reveal_buyers) == ("New title", "always")
    registry_close(registry=registry, actor=registry.owner)
    with pytest.raises(RegistryClosed):
        registry_update(registry=registry, actor=registry.owner, title="Again")


def test_rotating_the_token_voids_the_old_link():
    registry = make_registry()
    old = registry.share_token
    registry_share_token_rotate(registry=registry, actor=registry.owner)
    with pytest.raises(RegistryNotFound):
        registry_get_by_token(token=old)
    assert registry_get_by_token(token=Registry.objects.get().share_token).pk == registry.pk


def test_closed_registry_is_not_found_by_its_link():
    registry = make_registry()
    registry_close(registry=registry, actor=registry.owner)
    with pytest.raises(RegistryNotFound):
        registry_get_by_token(token=registry.share_token)


def test_someone_elses_registry_is_not_found():
    registry = make_registry()
    with pytest.raises(RegistryNotFound):
        registry_get_for_owner(user=UserFactory(), registry_id=registry.pk)


def test_adding_a_variant_twice_raises_the_wanted_quantity():
    variant = make_variant()
    registry = make_registry(items=[(variant, 2)])
    item = registry_item_add(registry=registry, actor=registry.owner, variant_id=variant.pk)
    assert item.wanted_quantity == 3
    assert RegistryItem.objects.count() == 1


def test_adding_an_unknown_variant_or_too_many_is_refused():
    variant = make_variant()
    registry = make_registry(items=[(variant, 98)])
    with pytest.raises(RegistryInvalid):
        registry_item_add(registry=registry, actor=registry.owner, variant_id=10**12)
    with pytest.raises(RegistryInvalid):
        registry_item_add(
            registry=registry, actor=registry.owner, variant_id=variant.pk, quantity=2
        )
    assert RegistryItem.objects.get().wanted_quantity == 98


def test_wanted_never_drops_below_purchased():
    variant = make_variant()
    registry = make_registry(items=[(variant, 3)])
    item = registry.items.get()
    RegistryItem.objects.filter(pk=item.pk).update(purchased_quantity=2)
    with pytest.raises(WantedBelowPurchased):
        registry_item_update(item=item, actor=registry.owner, wanted_quantity=1)
    assert (
        registry_item_update(item=item, actor=registry.owner, wanted_quantity=2).wanted_quantity
        == 2
    )


def test_the_database_refuses_purchased_above_wanted():
    variant = make_variant()
    item = make_registry(items=[(variant, 1)]).items.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistryItem.objects.filter(pk=item.pk).update(purchased_quantity=2)


def test_an_item_friends_bought_cannot_be_removed():
    variant, other = make_variant(), make_variant()
    registry = make_registry(items=[(variant, 2), (other, 1)])
    bought = registry.items.get(variant=variant)
    RegistryItem.objects.filter(pk=bought.pk).update(purchased_quantity=1)
    with pytest.raises(RegistryItemHasPurchases):
        registry_item_remove(item=bought, actor=registry.owner)
    registry_item_remove(item=registry.items.get(variant=other), actor=registry.owner)
    assert list(registry.items.values_list("variant", flat=True)) == [variant.pk]


def test_buyers_are_revealed_by_the_rule():
    registry = make_registry(days=5)
    today = timezone.localdate()
    assert not registry_buyers_visible(registry, today=today)
    assert registry_buyers_visible(registry, today=today + timedelta(days=6))
    registry.reveal_buyers = RevealBuyers.ALWAYS
    assert registry_buyers_visible(registry, today=today)
    registry.reveal_buyers = RevealBuyers.NEVER
    assert not registry_buyers_visible(registry, today=today + timedelta(days=600))


def test_owner_label_is_first_name_and_initial():
    assert registry_owner_label(make_registry()) == "Maya H."


def test_search_finds_public_registries_only():
    public = make_registry(title="Twins on the way", visibility="public")
    make_registry(title="Twins secret", visibility="link_only")
    closed = make_registry(title="Twins closed", visibility="public")
    registry_close(registry=closed, actor=closed.owner)
    assert list(registry_search_public(query="twins")) == [public]
    assert list(registry_search_public(query="maya twins")) == [public]
    assert list(registry_search_public(query="nobody")) == []


def test_gift_goes_into_the_cart_as_a_marked_line():
    variant = make_variant()
    registry = make_registry(items=[(variant, 2)])
    item = registry.items.get()
    cart = gift_cart(registry, item, quantity=2)
    line = CartItem.objects.get(cart=cart)
    assert line.quantity == 2
    assert RegistryCartLine.objects.get(cart_item=line).registry_item == item


def test_gift_above_what_is_still_needed_is_refused():
    variant = make_variant()
    registry = make_registry(items=[(variant, 2)])
    item = registry.items.get()
    RegistryItem.objects.filter(pk=item.pk).update(purchased_quantity=1)
    token = cart_obtain().token
    with pytest.raises(RegistryItemFulfilled):
        registry_gift_add_to_cart(
            token=registry.share_token, item_id=item.pk, quantity=2, cart_token=token
        )
    assert not CartItem.objects.exists()


def test_gift_of_another_registrys_item_or_unknown_item_is_refused():
    variant = make_variant()
    registry = make_registry(items=[(variant, 1)])
    other = make_registry(items=[(make_variant(), 1)])
    with pytest.raises(RegistryItemNotFound):
        registry_gift_add_to_cart(
            token=registry.share_token, item_id=other.items.get().pk, cart_token=None
        )


def test_a_cart_holds_gifts_for_one_registry_only():
    first = make_registry(items=[(make_variant(), 1)])
    second = make_registry(items=[(make_variant(), 1)])
    friend = UserFactory()
    gift_cart(first, first.items.get(), user=friend)
    with pytest.raises(RegistryCartConflict):
        gift_cart(second, second.items.get(), user=friend)
    assert CartItem.objects.filter(cart__user=friend).count() == 1


def test_a_variant_already_in_the_cart_for_oneself_is_not_turned_into_a_gift():
    variant = make_variant()
    registry = make_registry(items=[(variant, 2)])
    friend = UserFactory()
    cart_add(user=friend, variant_id=variant.pk, quantity=1)
    with pytest.raises(RegistryCartConflict):
        gift_cart(registry, registry.items.get(), user=friend)
    assert not RegistryCartLine.objects.exists()


def test_gift_lines_stay_gifts_when_a_guest_cart_is_merged_on_sign_in():
    from boutique.cart.services import cart_merge_on_sign_in

    gift_variant, own_variant = make_variant(), make_variant()
    registry = make_registry(items=[(gift_variant, 1), (own_variant, 1)])
    friend = UserFactory()
    cart_add(user=friend, variant_id=own_variant.pk, quantity=1)  # bought for herself earlier
    guest = gift_cart(registry, registry.items.get(variant=gift_variant))
    registry_gift_add_to_cart(
        token=registry.share_token,
        item_id=registry.items.get(variant=own_variant).pk,
        cart_token=guest.token,
    )

    result = cart_merge_on_sign_in(user=friend, guest_token=str(guest.token))

    marked = RegistryCartLine.objects.filter(cart_item__cart=result.cart)
    assert [m.cart_item.variant_id for m in marked] == [gift_variant.pk]
    assert any("no longer as a registry gift" in note for note in result.notes)
