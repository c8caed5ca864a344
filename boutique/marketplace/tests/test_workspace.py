"""A seller manages only their own products, stock and order items (issue 9)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from boutique.catalog.models import Product
from boutique.catalog.tests.factories import CategoryFactory, make_product
from boutique.core.errors import NotFound, ValidationFailed
from boutique.inventory.models import StockMovement
from boutique.inventory.selectors import available
from boutique.marketplace import selectors, services
from boutique.marketplace.errors import NotASeller, SellerNotActive
from boutique.shipping.models import Shipment
from boutique.shipping.services import shipment_create
from boutique.shipping.tests.factories import make_provider

from .factories import SellerFactory, multi_seller_order, seller_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_tax(settings):
    settings.DEFAULT_TAX_RATE = "0"


def _create(seller, **fields):
    return services.seller_product_create(
        seller=seller,
        actor=seller.owner,
        name=fields.pop("name", "Knitted booties"),
        category=CategoryFactory(),
        status="active",
        variants=[{"sku": fields.pop("sku", "OA-BOOT-1"), "price": Decimal("18.00"), "stock": 4}],
        **fields,
    )


def test_a_seller_lists_a_product_with_stock_in_their_store():
    seller = SellerFactory()
    product = _create(seller)
    assert product.seller == seller
    assert available(product.variants.get()) == 4


def test_a_seller_cannot_feature_their_own_product():
    seller = SellerFactory()
    with pytest.raises(ValidationFailed):
        _create(seller, is_featured=True)
    product = _create(seller, sku="OA-2")
    with pytest.raises(ValidationFailed):
        services.seller_product_update(
            seller=seller, product_id=product.pk, actor=seller.owner, is_featured=True
        )
    assert not Product.objects.get(pk=product.pk).is_featured


def test_another_sellers_product_is_not_found_and_unchanged():
    owner, other = SellerFactory(), SellerFactory()
    product = seller_product(owner)
    with pytest.raises(NotFound):
        services.seller_product_update(
            seller=other, product_id=product.pk, actor=other.owner, name="Mine now"
        )
    variant = product.variants.get()
    with pytest.raises(NotFound):
        services.seller_stock_receive(
            seller=other, variant_id=variant.pk, quantity=5, actor=other.owner
        )
    product.refresh_from_db()
    assert product.name != "Mine now" and available(variant) == 10


def test_shop_products_are_not_a_sellers_either():
    seller = SellerFactory()
    shop = make_product("Shop blanket")
    with pytest.raises(NotFound):
        services.seller_product_update(seller=seller, product_id=shop.pk, actor=seller.owner)


def test_a_suspended_store_changes_nothing():
    seller = SellerFactory(status="suspended")
    with pytest.raises(SellerNotActive):
        _create(seller)
    assert not Product.objects.exists()


def test_stock_moves_through_the_ledger():
    seller = SellerFactory()
    variant = _create(seller).variants.get()
    services.seller_stock_receive(
        seller=seller, variant_id=variant.pk, quantity=6, actor=seller.owner
    )
    services.seller_stock_adjust(
        seller=seller, variant_id=variant.pk, quantity=-2, reason="Stocktake", actor=seller.owner
    )
    assert available(variant) == 8
    assert list(
        StockMovement.objects.filter(variant=variant)
        .order_by("pk")
        .values_list("quantity", flat=True)
    ) == [
        4,
        6,
        -2,
    ]


@pytest.fixture
def shared_order():
    a, b = SellerFactory(), SellerFactory()
    order = multi_seller_order(
        [(seller_product(a), 2), (seller_product(b), 1), (make_product("Shop hat"), 1)]
    )
    items = {item.seller_id: item for item in order.items.all()}
    return a, b, order, items


def test_each_seller_sees_only_their_items_of_a_shared_order(shared_order):
    a, b, _, items = shared_order
    assert list(selectors.seller_order_items(a)) == [items[a.pk]]
    assert list(selectors.seller_order_items(b)) == [items[b.pk]]
    with pytest.raises(NotFound):
        selectors.seller_order_item_get(a, items[b.pk].pk)


def test_a_seller_ships_their_own_items_only(shared_order):
    a, b, _order, items = shared_order
    provider = make_provider()
    with pytest.raises(NotFound):
        services.seller_shipment_create(
            seller=a, items=[(items[b.pk].pk, 1)], provider_id=provider.pk, actor=a.owner
        )
    with pytest.raises(NotFound):
        services.seller_shipment_create(
            seller=a, items=[(items[None].pk, 1)], provider_id=provider.pk, actor=a.owner
        )
    assert not Shipment.objects.exists()
    shipment = services.seller_shipment_create(
        seller=a,
        items=[(items[a.pk].pk, 2)],
        provider_id=provider.pk,
        tracking_number="AX1",
        actor=a.owner,
    )
    assert list(shipment.items.values_list("order_item_id", "quantity")) == [(items[a.pk].pk, 2)]
    assert list(selectors.seller_order_items(a, to_fulfil=True)) == []
    assert list(selectors.seller_order_items(b, to_fulfil=True)) == [items[b.pk]]


def test_a_seller_sees_the_parcels_of_an_order_with_only_their_items(shared_order):
    a, b, order, items = shared_order
    provider = make_provider()
    own = services.seller_shipment_create(
        seller=a, items=[(items[a.pk].pk, 1)], provider_id=provider.pk, actor=a.owner
    )
    # Staff pack the rest of A's item with B's and the shop's in one parcel.
    mixed = shipment_create(
        order=order,
        items=[(items[a.pk].pk, 1), (items[b.pk].pk, 1), (items[None].pk, 1)],
        provider=provider,
    )
    parcels = list(selectors.seller_order_shipments(a, order))
    assert parcels == [own, mixed]
    assert [i.order_item for i in parcels[1].own_items] == [items[a.pk]]
    (only,) = selectors.seller_order_shipments(b, order)
    assert only == mixed
    assert [i.order_item for i in only.own_items] == [items[b.pk]]


def test_items_of_two_orders_do_not_go_in_one_parcel():
    seller = SellerFactory()
    product = seller_product(seller)
    first = multi_seller_order([(product, 1)])
    second = multi_seller_order([(product, 1)], email="other@example.com")
    pairs = [(first.items.get().pk, 1), (second.items.get().pk, 1)]
    with pytest.raises(ValidationFailed):
        services.seller_shipment_create(
            seller=seller, items=pairs, provider_id=make_provider().pk, actor=seller.owner
        )


def test_sales_figures_count_paid_orders_in_dollars(shared_order):
    a, _, _, _ = shared_order
    today, week, month = selectors.seller_sales_summary(a)
    assert (today.revenue, today.orders, today.units) == (Decimal("40.00"), 1, 2)
    assert week.revenue == month.revenue == Decimal("40.00")
    days = selectors.seller_sales_by_day(
        a, start=timezone.localdate() - timedelta(6), end=timezone.localdate()
    )
    assert len(days) == 7 and [d.revenue for d in days][-1] == Decimal("40.00")
    assert sum(d.revenue for d in days[:-1]) == 0
    top = selectors.seller_top_products(a, start=timezone.localdate(), end=timezone.localdate())
    assert [(t["units"], t["revenue"]) for t in top] == [(2, Decimal("40.00"))]


def test_unpaid_orders_are_not_sales():
    seller = SellerFactory()
    from boutique.cart.services import cart_add, cart_obtain
    from boutique.checkout.services import CheckoutInput, order_place
    from boutique.orders.models import ShippingMethod
    from boutique.shipping.tests.factories import ADDRESS

    cart = cart_obtain()
    cart_add(token=cart.token, variant_id=seller_product(seller).variants.get().pk, quantity=1)
    method = ShippingMethod.objects.create(name="Courier", price=Decimal(4))
    order_place(
        cart=cart,
        data=CheckoutInput(
            email="x@example.com", shipping_address=ADDRESS, shipping_method_id=method.pk
        ),
    )
    assert selectors.seller_sales_summary(seller)[0].revenue == Decimal("0.00")
    assert list(selectors.seller_order_items(seller)) == []


def test_low_stock_lists_the_sellers_variants_at_their_threshold():
    seller = SellerFactory()
    low = seller_product(seller, name="Bonnet", stock=1)
    seller_product(seller, name="Booties", stock=50)
    seller_product(SellerFactory(), name="Other", stock=0)
    assert [s.variant.product for s in selectors.seller_low_stock(seller)] == [low]


def test_the_workspace_is_for_approved_sellers():
    from boutique.accounts.tests.factories import UserFactory

    with pytest.raises(NotASeller):
        selectors.seller_for_workspace(UserFactory())
    with pytest.raises(NotASeller):
        selectors.seller_for_workspace(SellerFactory(status="pending").owner)
    suspended = SellerFactory(status="suspended")
    assert selectors.seller_for_workspace(suspended.owner) == suspended
