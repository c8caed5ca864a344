"""The seller workspace at /seller/ (issue 9): pages of the signed-in seller's
own store, every write through the marketplace workspace services."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.catalog.models import Product, ProductImage, Variant
from boutique.catalog.tests.factories import CategoryFactory
from boutique.inventory.models import StockMovement
from boutique.inventory.selectors import available
from boutique.marketplace.models import SellerStatus
from boutique.marketplace.services import payout_generate
from boutique.marketplace.tests.factories import (
    SellerFactory,
    deliver,
    multi_seller_order,
    seller_product,
)
from boutique.shipping.models import Shipment
from boutique.shipping.tests.factories import make_provider
from boutique.storefront.helpers import LOGIN_BACKEND
from boutique.storefront.views.seller import PER_PAGE
from boutique.storefront.views.seller.reports import csv_safe

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"storefront:seller:{name}", args=args)


@pytest.fixture(autouse=True)
def _no_tax(settings):
    settings.DEFAULT_TAX_RATE = "0"


@pytest.fixture
def seller(db):
    return SellerFactory(store_name="Olive Atelier", slug="olive")


@pytest.fixture
def other_seller(db):
    return SellerFactory(store_name="Cedar Toys", slug="cedar")


@pytest.fixture
def owner(client, seller):
    client.force_login(seller.owner, backend=LOGIN_BACKEND)
    return client


@pytest.fixture
def product(seller):
    return seller_product(seller, name="Hand-knit bonnet", price="20.00", stock=10)


def _png(name="bonnet.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 120, 150)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- Who gets in -----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(url("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("storefront:signin") + "?next=/seller/")


@pytest.mark.parametrize("make_user", [UserFactory, StaffFactory])
def test_customers_and_staff_get_the_not_a_seller_page(client, make_user):
    client.force_login(make_user(), backend=LOGIN_BACKEND)
    response = client.get(url("dashboard"))
    assert response.status_code == 403
    assert "approved sellers" in response.content.decode()


def test_a_pending_applicant_gets_403(client):
    pending = SellerFactory(status=SellerStatus.PENDING)
    client.force_login(pending.owner, backend=LOGIN_BACKEND)
    assert client.get(url("products")).status_code == 403


def test_another_sellers_product_is_404_and_unchanged(owner, other_seller):
    theirs = seller_product(other_seller, name="Wooden train")
    assert owner.get(url("product_edit", theirs.pk)).status_code == 404
    response = owner.post(
        url("product_edit", theirs.pk),
        {"name": "Mine now", "category": theirs.category_id, "status": "draft"},
    )
    assert response.status_code == 404
    assert Product.objects.get(pk=theirs.pk).name == theirs.name


# --- Dashboard -------------------------------------------------------------------------


def test_dashboard_shows_sales_orders_to_fulfil_and_low_stock(owner, seller, product):
    scarce = seller_product(seller, name="Linen romper", price="30.00", stock=2)
    multi_seller_order([(product, 2)])
    body = owner.get(url("dashboard")).content.decode()
    assert body.count("$40.00") == 3  # today, 7 days and 30 days
    assert re.search(r'data-testid="to-fulfil-count">1<', body)
    assert "Hand-knit bonnet olive" in body
    assert scarce.variants.get().sku in body  # 2 left, threshold 3
    assert "suspended" not in body


def test_a_suspended_store_is_told_why_and_cannot_change_products(owner, seller, product):
    seller.status, seller.status_reason = SellerStatus.SUSPENDED, "Late shipments"
    seller.save()
    body = owner.get(url("dashboard")).content.decode()
    assert "Your store is suspended" in body
    assert "products are hidden" in body
    assert "Late shipments" in body
    response = owner.post(
        url("product_edit", product.pk),
        {"name": "Renamed", "category": product.category_id, "status": "active"},
    )
    assert response.status_code == 403
    assert "suspended" in response.content.decode()
    assert Product.objects.get(pk=product.pk).name == product.name
    # Orders and payouts stay readable.
    assert owner.get(url("orders")).status_code == 200
    assert owner.get(url("payouts")).status_code == 200


# --- Products --------------------------------------------------------------------------


def test_product_list_shows_status_variants_and_available_stock(owner, product, other_seller):
    seller_product(other_seller, name="Wooden train")
    body = owner.get(url("products")).content.decode()
    assert "Hand-knit bonnet olive" in body
    assert "Wooden train" not in body
    row = re.search(rf'data-product="{product.pk}">(.*?)</tr>', body, re.S).group(1)
    assert "Active" in row
    assert '<td class="seller-available">10</td>' in row


def test_product_list_queries_do_not_grow_with_the_page(
    owner, seller, django_assert_max_num_queries
):
    seller_product(seller, name="First")
    with django_assert_max_num_queries(1000) as few:
        owner.get(url("products"))
    for n in range(8):
        seller_product(seller, name=f"More {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner.get(url("products"))
    assert response.content.decode().count("seller-product-row") == 9


def test_product_list_is_paginated(owner, seller):
    for n in range(PER_PAGE + 1):
        seller_product(seller, name=f"Bib {n:02d}")
    first = owner.get(url("products")).content.decode()
    second = owner.get(url("products"), {"page": 2}).content.decode()
    assert first.count("seller-product-row") == PER_PAGE
    assert second.count("seller-product-row") == 1
    assert "Bib 00 olive" in second  # oldest last
    assert "Page 2 of 2" in second


def test_a_suspended_store_cannot_add_a_product(owner, seller):
    seller.status = SellerStatus.SUSPENDED
    seller.save()
    category = CategoryFactory()
    body = {"name": "Bib", "category": category.pk, "status": "active"}
    response = owner.post(url("product_create"), {**body, "sku": "OL-BIB", "price": "4.00"})
    assert response.status_code == 403
    assert not Product.objects.filter(name="Bib").exists()


def test_product_create_makes_the_product_its_variant_and_stock(owner, seller):
    category = CategoryFactory(name="Knitwear")
    response = owner.post(
        url("product_create"),
        {
            "name": "Merino cardigan",
            "category": category.pk,
            "description": "Soft and warm.",
            "age_min_months": "6",
            "age_max_months": "24",
            "status": "active",
            "sku": "OL-CARD-1",
            "size": "12m",
            "color": "Oat",
            "price": "45.00",
            "stock": "4",
        },
    )
    product = Product.objects.get(name="Merino cardigan")
    assert response.status_code == 302
    assert response["Location"] == url("product_edit", product.pk)
    assert product.seller == seller
    assert (product.age_min_months, product.age_max_months) == (6, 24)
    variant = product.variants.get()
    assert (variant.sku, variant.size, variant.price) == ("OL-CARD-1", "12m", Decimal("45.00"))
    assert available(variant) == 4


def test_product_create_with_a_used_sku_shows_the_error_and_creates_nothing(owner, product):
    used = product.variants.get().sku
    response = owner.post(
        url("product_create"),
        {
            "name": "Copy",
            "category": product.category_id,
            "status": "draft",
            "sku": used,
            "price": "5.00",
        },
    )
    assert response.status_code == 409
    assert "SKU" in response.content.decode()
    assert not Product.objects.filter(name="Copy").exists()


def test_product_edit_saves_the_details(owner, product):
    page = owner.get(url("product_edit", product.pk))
    assert page.status_code == 200
    response = owner.post(
        url("product_edit", product.pk),
        {"name": "Bonnet, hand-knit", "category": product.category_id, "status": "archived"},
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.status) == ("Bonnet, hand-knit", "archived")


def test_add_and_edit_a_variant(owner, product):
    response = owner.post(
        url("variant_create", product.pk),
        {"sku": "OL-BON-L", "size": "L", "price": "22.00", "is_active": "on", "stock": "3"},
    )
    assert response.status_code == 302
    variant = Variant.objects.get(sku="OL-BON-L")
    assert variant.product == product
    assert available(variant) == 3
    assert owner.get(url("variant_edit", variant.pk)).status_code == 200
    response = owner.post(
        url("variant_edit", variant.pk),
        {"sku": "OL-BON-L", "size": "L", "color": "Rose", "price": "19.50"},
    )
    assert response.status_code == 302
    variant.refresh_from_db()
    assert (variant.color, variant.price, variant.is_active) == ("Rose", Decimal("19.50"), False)


def test_receive_stock_and_correct_it_with_a_reason(owner, product):
    variant = product.variants.get()
    stock_url = url("variant_stock", variant.pk)
    assert owner.post(stock_url, {"action": "receive", "quantity": "5"}).status_code == 302
    assert available(variant) == 15
    refused = owner.post(stock_url, {"action": "adjust", "quantity": "-2", "reason": ""})
    assert refused.status_code == 422
    assert "Say why" in refused.content.decode()
    assert available(variant) == 15
    response = owner.post(stock_url, {"action": "adjust", "quantity": "-2", "reason": "damaged"})
    assert response.status_code == 302
    assert available(variant) == 13
    assert StockMovement.objects.filter(variant=variant, note="damaged", quantity=-2).exists()


def test_upload_and_delete_a_picture(owner, product, media_root):
    response = owner.post(url("image_add", product.pk), {"image": _png(), "alt_text": "The bonnet"})
    assert response.status_code == 302
    image = ProductImage.objects.get(product=product)
    assert image.is_primary and image.alt_text == "The bonnet"
    assert f'data-image="{image.pk}"' in owner.get(url("product_edit", product.pk)).content.decode()
    response = owner.post(url("image_delete", product.pk, image.pk))
    assert response.status_code == 302
    assert not ProductImage.objects.filter(product=product).exists()


def test_a_file_that_is_not_an_image_is_refused(owner, product, media_root):
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = owner.post(url("image_add", product.pk), {"image": fake})
    assert response.status_code == 422
    assert not ProductImage.objects.exists()


# --- Orders and shipments --------------------------------------------------------------


@pytest.fixture
def mixed_order(product, other_seller):
    """One customer order with two of the seller's lines and another seller's line."""
    mittens = seller_product(product.seller, name="Mittens", price="8.00")
    train = seller_product(other_seller, name="Wooden train", price="15.00")
    return multi_seller_order([(product, 2), (mittens, 1), (train, 1)], email="rania@example.com")


def test_orders_list_only_the_sellers_own_items(owner, mixed_order):
    body = owner.get(url("orders")).content.decode()
    assert body.count("seller-item-row") == 2
    assert "Wooden train" not in body
    assert owner.get(url("orders") + "?show=all").content.decode().count("seller-item-row") == 2


def test_orders_list_queries_do_not_grow(owner, product, django_assert_max_num_queries):
    multi_seller_order([(product, 1)])
    with django_assert_max_num_queries(1000) as few:
        owner.get(url("orders"))
    for _ in range(4):
        multi_seller_order([(product, 1)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = owner.get(url("orders")).content.decode()
    assert body.count("seller-item-row") == 5


def test_order_item_page_shows_the_address_and_only_own_items(owner, mixed_order, seller):
    item = mixed_order.items.filter(seller=seller).first()
    body = owner.get(url("order_item", item.pk)).content.decode()
    assert "Rania Haddad" in body and "Hamra St 12" in body
    assert body.count("seller-item-row") == 2
    assert "Wooden train" not in body
    assert "rania@example.com" not in body


def test_another_sellers_order_item_is_404(owner, mixed_order, other_seller):
    theirs = mixed_order.items.get(seller=other_seller)
    assert owner.get(url("order_item", theirs.pk)).status_code == 404
    response = owner.post(url("shipment_create", theirs.pk), {"provider": make_provider().pk})
    assert response.status_code == 404
    assert not Shipment.objects.exists()


def test_ship_some_of_the_sellers_items_from_the_page(owner, mixed_order, seller):
    provider = make_provider()
    bonnets, mittens = mixed_order.items.filter(seller=seller).order_by("pk")
    response = owner.post(
        url("shipment_create", bonnets.pk),
        {
            "provider": provider.pk,
            "tracking_number": "OL-TRK-1",
            f"ship_{bonnets.pk}": "2",
            f"ship_{mittens.pk}": "0",
        },
    )
    assert response.status_code == 302
    shipment = Shipment.objects.get()
    assert shipment.tracking_number == "OL-TRK-1"
    assert [(i.order_item_id, i.quantity) for i in shipment.items.all()] == [(bonnets.pk, 2)]
    body = owner.get(url("orders")).content.decode()
    assert body.count("seller-item-row") == 1  # the mittens are left to fulfil
    page = owner.get(url("order_item", bonnets.pk)).content.decode()
    assert f'data-shipment="{shipment.pk}"' in page
    assert "https://track.example.com/OL-TRK-1" in page


def test_shipping_nothing_is_refused(owner, mixed_order, seller):
    item = mixed_order.items.filter(seller=seller).first()
    fields = {f"ship_{i.pk}": "0" for i in mixed_order.items.filter(seller=seller)}
    response = owner.post(
        url("shipment_create", item.pk), {"provider": make_provider().pk, **fields}
    )
    assert response.status_code == 422
    assert "Choose what to ship" in response.content.decode()
    assert not Shipment.objects.exists()


# --- Sales report and CSV --------------------------------------------------------------


def test_sales_report_draws_one_bar_per_day_and_the_totals(owner, product):
    multi_seller_order([(product, 3)])
    today = timezone.localdate()
    start = today - timedelta(days=6)
    response = owner.get(url("sales"), {"start": start.isoformat(), "end": today.isoformat()})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('<rect class="seller-chart-bar"') == 7
    assert f'data-day="{today.isoformat()}"' in body
    assert f'data-day="{start.isoformat()}"' in body
    assert re.search(r'data-testid="total-revenue">\$60.00<', body)
    assert "Hand-knit bonnet olive" in body  # top products
    assert "<script" not in body.split('class="seller-chart"')[1].split("</svg>")[0]


def test_sales_report_defaults_to_the_last_30_days(owner):
    body = owner.get(url("sales")).content.decode()
    assert body.count('<rect class="seller-chart-bar"') == 30


def test_sales_report_refuses_a_backwards_period(owner):
    response = owner.get(url("sales"), {"start": "2026-02-10", "end": "2026-02-01"})
    assert response.status_code == 400
    assert "ends before it starts" in response.content.decode()


def test_sales_csv_refuses_a_period_it_cannot_read(owner):
    response = owner.get(url("sales_csv"), {"start": "garbage", "end": "2026-02-01"})
    assert response.status_code == 400
    assert "start" in response.content.decode()
    assert not response.has_header("Content-Disposition")


def test_sales_csv_lists_the_periods_lines(owner, seller, product, other_seller):
    order = multi_seller_order([(product, 2)])
    multi_seller_order([(seller_product(other_seller, name="Wooden train"), 1)])
    today = timezone.localdate().isoformat()
    response = owner.get(url("sales_csv"), {"start": today, "end": today})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["date", "order number", "sku"]
    assert rows[1:] == [
        [
            today,
            order.number,
            product.variants.get().sku,
            "Hand-knit bonnet olive",
            "2",
            "20.00",
            "40.00",
            "USD",
            "40.00",
            "no",
        ]
    ]


def test_sales_csv_marks_paid_out_lines(owner, seller, product):
    order = multi_seller_order([(product, 1)])
    deliver(order, at=timezone.now() - timedelta(days=1))
    yesterday = timezone.localdate() - timedelta(days=1)
    payout_generate(seller=seller, period_start=yesterday, period_end=yesterday)
    today = timezone.localdate().isoformat()
    response = owner.get(url("sales_csv"), {"start": today, "end": today})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][-1] == "yes"


def test_sales_csv_cells_never_start_a_formula(owner, seller):
    evil = seller_product(seller, name='=HYPERLINK("http://x.example","Click")', price="5.00")
    multi_seller_order([(evil, 1)])
    today = timezone.localdate().isoformat()
    response = owner.get(url("sales_csv"), {"start": today, "end": today})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][3].startswith("'=HYPERLINK")
    for row in rows[1:]:
        assert not any(cell[:1] in "=+-@" and cell for cell in row)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_csv_safe_quotes_formula_starts(value):
    assert csv_safe(value) == "'" + value


def test_csv_safe_leaves_plain_text():
    assert csv_safe("Bonnet = warm") == "Bonnet = warm"


# --- Payouts ---------------------------------------------------------------------------


def test_payout_history_and_detail(owner, seller, product, other_seller):
    order = multi_seller_order([(product, 2)])
    deliver(order, at=timezone.now() - timedelta(days=1))
    yesterday = timezone.localdate() - timedelta(days=1)
    payout = payout_generate(seller=seller, period_start=yesterday, period_end=yesterday)
    body = owner.get(url("payouts")).content.decode()
    assert f'data-payout="{payout.pk}"' in body
    assert "$40.00" in body  # gross
    assert f"${payout.net_amount}" in body
    detail = owner.get(url("payout", payout.pk)).content.decode()
    assert order.number in detail
    assert detail.count("seller-payout-item") == 1
    assert "No refunds deducted" in detail
    # Another seller cannot open it.
    other = owner.__class__()
    other.force_login(other_seller.owner, backend=LOGIN_BACKEND)
    assert other.get(url("payout", payout.pk)).status_code == 404
