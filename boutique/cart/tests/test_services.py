from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from boutique.accounts.tests.factories import UserFactory
from boutique.cart.errors import (
    CartItemNotFound,
    CartRequestInvalid,
    CurrencyMismatch,
    NotEnoughAvailable,
    ProductUnavailable,
    SignInRequired,
)
from boutique.cart.models import Cart, CartItem, WishlistItem
from boutique.cart.selectors import cart_count, cart_find, cart_view, wishlist_product_ids
from boutique.cart.services import (
    cart_accept_prices,
    cart_add,
    cart_add_item,
    cart_merge_on_sign_in,
    cart_obtain,
    cart_remove_item,
    cart_set_quantity,
    wishlist_add,
    wishlist_move_to_cart,
    wishlist_remove,
    wishlist_toggle,
)
from boutique.catalog.services import product_update, variant_update
from boutique.catalog.tests.factories import make_product
from boutique.inventory.services import stock_adjust, stock_reserve

pytestmark = pytest.mark.django_db


def _variant(stock=5, price="10.00", **kw):
    return make_product(stock=stock, price=price, **kw).variants.get()


def _snapshot(cart):
    return sorted(CartItem.objects.filter(cart=cart).values_list("variant_id", "quantity"))


def test_guest_gets_a_cart_by_token_and_a_user_one_open_cart():
    guest = cart_obtain()
    assert guest.user is None
    assert cart_obtain(token=str(guest.token)) == guest
    assert cart_obtain(token="not-a-uuid") != guest
    user = UserFactory()
    mine = cart_obtain(user=user)
    assert cart_obtain(user=user) == mine
    with pytest.raises(IntegrityError), transaction.atomic():
        Cart.objects.create(user=user)


def test_a_refused_first_add_opens_no_cart():
    sold_out = _variant(stock=0)
    with pytest.raises(NotEnoughAvailable):
        cart_add(quantity=1, sku=sold_out.sku)
    with pytest.raises(CartRequestInvalid):
        cart_add(user=UserFactory(), quantity=1, sku="NOPE")
    assert not Cart.objects.exists()
    line = cart_add(quantity=1, sku=_variant().sku)
    assert line.cart.user is None and Cart.objects.count() == 1


def test_a_token_never_opens_a_users_cart():
    user = UserFactory()
    mine = cart_obtain(user=user)
    assert cart_find(token=str(mine.token)) is None


def test_add_snapshots_the_price_and_adds_to_the_same_line():
    variant = _variant(price="12.00")
    cart = cart_obtain()
    line = cart_add_item(cart=cart, sku=variant.sku, quantity=2)
    assert (line.quantity, line.unit_price) == (2, Decimal("12.00"))
    cart_add_item(cart=cart, variant_id=variant.pk, quantity=1)
    assert _snapshot(cart) == [(variant.pk, 3)]
    assert cart_count(token=cart.token) == 3


@pytest.mark.parametrize("quantity", [0, -1, 1000, "2", 1.5, True])
def test_bad_quantities_are_refused_and_change_nothing(quantity):
    variant = _variant()
    cart = cart_obtain()
    cart_add_item(cart=cart, sku=variant.sku, quantity=1)
    with pytest.raises(CartRequestInvalid):
        cart_add_item(cart=cart, sku=variant.sku, quantity=quantity)
    assert _snapshot(cart) == [(variant.pk, 1)]


def test_unknown_sku_and_unsold_products_are_refused():
    cart = cart_obtain()
    with pytest.raises(CartRequestInvalid, match="NOPE"):
        cart_add_item(cart=cart, sku="NOPE", quantity=1)
    with pytest.raises(CartRequestInvalid):
        cart_add_item(cart=cart, quantity=1)
    archived = _variant(status="archived")
    with pytest.raises(ProductUnavailable):
        cart_add_item(cart=cart, sku=archived.sku, quantity=1)
    assert _snapshot(cart) == []


def test_quantity_is_capped_by_availability_with_a_clear_message():
    variant = _variant(stock=3)
    cart = cart_obtain()
    cart_add_item(cart=cart, sku=variant.sku, quantity=2)
    with pytest.raises(NotEnoughAvailable, match=r"Only 3 .* and 2 already in your cart"):
        cart_add_item(cart=cart, sku=variant.sku, quantity=2)
    assert _snapshot(cart) == [(variant.pk, 2)]
    # Units held for someone's checkout are not available.
    stock_reserve(variant=variant, quantity=1, holder_type="order", holder_id="9")
    with pytest.raises(NotEnoughAvailable):
        cart_add_item(cart=cart, sku=variant.sku, quantity=1)


def test_set_quantity_checks_only_increases_and_remove_deletes():
    variant = _variant(stock=4)
    cart = cart_obtain()
    line = cart_add_item(cart=cart, sku=variant.sku, quantity=4)
    stock_adjust(variant=variant, quantity=-3, reason="damaged")
    cart_set_quantity(cart=cart, item_id=line.pk, quantity=2)  # lowering is fine
    with pytest.raises(NotEnoughAvailable):
        cart_set_quantity(cart=cart, item_id=line.pk, quantity=3)
    with pytest.raises(CartRequestInvalid):
        cart_set_quantity(cart=cart, item_id=line.pk, quantity=0)
    assert _snapshot(cart) == [(variant.pk, 2)]
    cart_remove_item(cart=cart, item_id=line.pk)
    assert _snapshot(cart) == []


def test_someone_elses_line_is_not_found():
    variant = _variant()
    theirs = cart_obtain()
    line = cart_add_item(cart=theirs, sku=variant.sku, quantity=1)
    mine = cart_obtain()
    with pytest.raises(CartItemNotFound):
        cart_set_quantity(cart=mine, item_id=line.pk, quantity=1)
    with pytest.raises(CartItemNotFound):
        cart_remove_item(cart=mine, item_id=line.pk)
    assert _snapshot(theirs) == [(variant.pk, 1)]


def test_a_cart_keeps_one_currency():
    usd = _variant()
    lbp = make_product(
        variants=[{"price": Decimal("900000"), "currency": "LBP", "stock": 3}]
    ).variants.get()
    cart = cart_obtain()
    cart_add_item(cart=cart, sku=usd.sku, quantity=1)
    with pytest.raises(CurrencyMismatch):
        cart_add_item(cart=cart, sku=lbp.sku, quantity=1)
    other = cart_obtain()
    cart_add_item(cart=other, sku=lbp.sku, quantity=1)
    other.refresh_from_db()
    assert other.currency == "LBP"


def test_view_flags_price_changes_and_stock_problems():
    cheap = _variant(price="12.00", stock=5)
    scarce = _variant(price="5.00", stock=3)
    gone = _variant(price="7.00", stock=2)
    cart = cart_obtain()
    for variant, quantity in ((cheap, 1), (scarce, 3), (gone, 1)):
        cart_add_item(cart=cart, sku=variant.sku, quantity=quantity)
    variant_update(variant=cheap, price=Decimal("14.50"))
    stock_adjust(variant=scarce, quantity=-2, reason="damaged")
    product_update(product=gone.product, status="archived")

    view = cart_view(cart)
    by_sku = {line.variant.sku: line for line in view.lines}
    assert by_sku[cheap.sku].price_changed and by_sku[cheap.sku].price == Decimal("14.50")
    assert by_sku[scarce.sku].over_available and by_sku[scarce.sku].available == 1
    assert by_sku[gone.sku].problem == "No longer available"
    assert view.subtotal == Decimal("14.50")  # only the line that can be bought now
    assert not view.can_check_out

    assert cart_accept_prices(cart=cart) == 1
    assert not cart_view(cart).price_changes


def test_view_reads_a_fixed_number_of_queries(django_assert_max_num_queries):
    cart = cart_obtain()
    for _ in range(8):
        cart_add_item(cart=cart, sku=_variant().sku, quantity=1)
    with django_assert_max_num_queries(5):
        view = cart_view(cart)
        [(line.problem, line.image, line.product.name) for line in view.lines]


def test_guest_cart_merges_into_the_users_cart_once_capped_by_stock():
    user = UserFactory()
    shared = _variant(stock=5)
    only_guest = _variant(stock=2)
    sold_out = _variant(stock=1)
    mine = cart_obtain(user=user)
    cart_add_item(cart=mine, sku=shared.sku, quantity=3)
    guest = cart_obtain()
    cart_add_item(cart=guest, sku=shared.sku, quantity=4)
    cart_add_item(cart=guest, sku=only_guest.sku, quantity=2)
    cart_add_item(cart=guest, sku=sold_out.sku, quantity=1)
    stock_adjust(variant=sold_out, quantity=-1, reason="broken")

    result = cart_merge_on_sign_in(user=user, guest_token=str(guest.token))

    assert result.merged and result.cart == mine
    assert _snapshot(mine) == sorted([(shared.pk, 5), (only_guest.pk, 2)])
    assert any("capped" in note for note in result.notes)
    assert any("out of stock" in note for note in result.notes)
    guest.refresh_from_db()
    assert (guest.status, guest.merged_into) == ("merged", mine)
    again = cart_merge_on_sign_in(user=user, guest_token=str(guest.token))
    assert not again.merged
    assert _snapshot(mine) == sorted([(shared.pk, 5), (only_guest.pk, 2)])


def test_guest_cart_is_adopted_when_the_user_has_none():
    user = UserFactory()
    variant = _variant()
    guest = cart_obtain()
    cart_add_item(cart=guest, sku=variant.sku, quantity=1)
    result = cart_merge_on_sign_in(user=user, guest_token=guest.token)
    assert result.cart == guest
    assert cart_find(user=user) == guest
    assert cart_find(token=guest.token) is None


def test_merge_ignores_bad_tokens_and_other_users_carts():
    user, other = UserFactory(), UserFactory()
    theirs = cart_obtain(user=other)
    assert not cart_merge_on_sign_in(user=user, guest_token="junk").merged
    assert not cart_merge_on_sign_in(user=user, guest_token=theirs.token).merged
    assert cart_find(user=other) == theirs


def test_wishlist_add_toggle_remove_and_move_to_cart():
    user = UserFactory()
    product = make_product(stock=2)
    variant = product.variants.get()
    item, created = wishlist_add(user=user, product_id=product.pk)
    assert created
    assert wishlist_add(user=user, product_id=product.pk) == (item, False)
    assert wishlist_product_ids(user=user) == {product.pk}
    assert wishlist_toggle(user=user, product_id=product.pk) is False
    assert not WishlistItem.objects.filter(user=user).exists()
    assert wishlist_toggle(user=user, product_id=product.pk) is True

    item = WishlistItem.objects.get(user=user)
    line = wishlist_move_to_cart(user=user, item_id=item.pk)
    assert line.variant == variant and line.cart == cart_find(user=user)
    assert not WishlistItem.objects.filter(user=user).exists()

    other_item, _ = wishlist_add(user=UserFactory(), variant_id=variant.pk)
    with pytest.raises(Exception) as refused:
        wishlist_remove(user=user, item_id=other_item.pk)
    assert refused.value.status == 404
    assert WishlistItem.objects.filter(pk=other_item.pk).exists()


def test_move_to_cart_needs_a_size_and_stock_and_changes_nothing_when_refused():
    user = UserFactory()
    product = make_product(
        variants=[
            {"size": "0-3M", "price": Decimal("9.00"), "stock": 2},
            {"size": "3-6M", "price": Decimal("9.00"), "stock": 0},
        ]
    )
    item, _ = wishlist_add(user=user, product_id=product.pk)
    cart = cart_obtain(user=user)
    with pytest.raises(CartRequestInvalid, match="Choose a size"):
        wishlist_move_to_cart(user=user, item_id=item.pk)
    sold_out = product.variants.get(size="3-6M")
    item2, _ = wishlist_add(user=user, variant_id=sold_out.pk)
    with pytest.raises(NotEnoughAvailable):
        wishlist_move_to_cart(user=user, item_id=item2.pk)
    assert WishlistItem.objects.filter(user=user).count() == 2
    assert _snapshot(cart) == []


def test_wishlist_needs_a_signed_in_user():
    from django.contrib.auth.models import AnonymousUser

    product = make_product()
    with pytest.raises(SignInRequired):
        wishlist_add(user=AnonymousUser(), product_id=product.pk)
    with pytest.raises(CartRequestInvalid):
        wishlist_add(user=UserFactory(), product_id=999999)


def test_a_carts_own_checkout_hold_is_still_its_to_buy():
    from boutique.checkout.services import checkout_hold

    variant = _variant(stock=2)
    cart = cart_obtain()
    cart_add_item(cart=cart, sku=variant.sku, quantity=2)
    assert checkout_hold(cart=cart) == []
    line = cart_view(cart).lines[0]
    assert line.ok and line.available == 2
    # Someone else sees the units as taken.
    other = cart_obtain()
    with pytest.raises(NotEnoughAvailable):
        cart_add_item(cart=other, sku=variant.sku, quantity=1)
    cart_set_quantity(cart=cart, item_id=line.item.pk, quantity=1)
    cart_set_quantity(cart=cart, item_id=line.item.pk, quantity=2)


def test_one_abandoned_cart_reminder_for_opted_in_customers_only():
    from datetime import timedelta

    from django.utils import timezone

    from boutique.cart.services import carts_remind_abandoned
    from boutique.notifications.models import Notification

    variant = _variant()
    keen = UserFactory(cart_reminders=True, first_name="Maya")
    quiet = UserFactory(cart_reminders=False)
    for user in (keen, quiet):
        cart_add_item(cart=cart_obtain(user=user), sku=variant.sku, quantity=1)
    guest = cart_obtain()
    cart_add_item(cart=guest, sku=variant.sku, quantity=1)
    later = timezone.now() + timedelta(hours=25)

    assert carts_remind_abandoned(now=timezone.now()) == 0  # too soon
    assert carts_remind_abandoned(now=later) == 1
    reminder = Notification.objects.get(template="abandoned_cart")
    assert reminder.recipient == keen.email and reminder.context["customer_name"] == "Maya"
    assert reminder.context["items"] == [{"name": str(variant), "quantity": 1}]
    assert carts_remind_abandoned(now=later + timedelta(days=3)) == 0  # one per cart


def test_no_reminder_once_the_cart_became_an_order():
    from datetime import timedelta

    from django.utils import timezone

    from boutique.cart.services import carts_remind_abandoned

    user = UserFactory(cart_reminders=True)
    cart = cart_obtain(user=user)
    cart_add_item(cart=cart, sku=_variant().sku, quantity=1)
    Cart.objects.filter(pk=cart.pk).update(status="converted")
    assert carts_remind_abandoned(now=timezone.now() + timedelta(days=2)) == 0
