import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from boutique.accounts.tests.factories import UserFactory
from boutique.cart.models import Cart, CartItem, WishlistItem
from boutique.cart.services import cart_add_item, cart_obtain, wishlist_add
from boutique.catalog.services import variant_update
from boutique.catalog.tests.factories import make_product
from boutique.inventory.services import stock_adjust
from boutique.storefront.helpers import CART_SESSION_KEY, LOGIN_BACKEND

from .conftest import HTMX

pytestmark = pytest.mark.django_db

CART = reverse("storefront:cart")
ADD = reverse("storefront:cart_add")


def _variant(stock=5, price="12.00", name="Organic cotton bodysuit"):
    return make_product(name, stock=stock, price=price).variants.get()


def _lines(cart) -> list[tuple[str, int]]:
    return sorted(CartItem.objects.filter(cart=cart).values_list("variant__sku", "quantity"))


def _guest_cart(client) -> Cart:
    return Cart.objects.get(token=client.session[CART_SESSION_KEY])


def _count(html: str) -> str:
    return re.search(r'class="mini-cart-count"[^>]*>(\d+)<', html).group(1)


def test_guest_adds_to_cart_without_javascript(client):
    variant = _variant()
    response = client.post(ADD, {"variant_id": variant.pk, "quantity": "2"})
    assert response.status_code == 302 and response["Location"] == CART
    cart = _guest_cart(client)
    assert cart.user is None
    assert _lines(cart) == [(variant.sku, 2)]
    page = client.get(CART)
    html = page.content.decode()
    assert "Organic cotton bodysuit" in html and "$24.00" in html
    assert _count(html) == "2"


def test_add_with_htmx_returns_the_drawer_count_and_message(client):
    variant = _variant()
    response = client.post(ADD, {"variant_id": variant.pk, "quantity": "1"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="cart-drawer"' in html
    assert 'id="mini-cart"' in html and 'hx-swap-oob="true"' in html
    assert _count(html) == "1"
    assert "Added Organic cotton bodysuit to your cart." in html


@pytest.mark.parametrize("quantity", ["0", "-1", "abc", "1000", ""])
def test_bad_quantities_answer_400_and_change_nothing(client, quantity):
    variant = _variant()
    client.post(ADD, {"variant_id": variant.pk, "quantity": "1"})
    response = client.post(ADD, {"variant_id": variant.pk, "quantity": quantity}, headers=HTMX)
    assert response.status_code == 400
    assert _lines(_guest_cart(client)) == [(variant.sku, 1)]


def test_over_availability_is_refused_with_a_clear_message(client):
    variant = _variant(stock=3)
    client.post(ADD, {"variant_id": variant.pk, "quantity": "2"})
    response = client.post(ADD, {"variant_id": variant.pk, "quantity": "2"}, headers=HTMX)
    assert response.status_code == 409
    assert "Only 3 of Organic cotton bodysuit available and 2 already in your cart." in (
        response.content.decode()
    )
    assert _lines(_guest_cart(client)) == [(variant.sku, 2)]


def test_unknown_or_archived_variants_are_refused(client):
    assert client.post(ADD, {"variant_id": "999999", "quantity": "1"}).status_code == 302
    archived = make_product(stock=3, status="archived").variants.get()
    response = client.post(ADD, {"variant_id": archived.pk, "quantity": "1"}, headers=HTMX)
    assert response.status_code == 409
    assert not CartItem.objects.exists()


def test_change_quantity_and_remove_swap_the_cart_body(client):
    variant = _variant(stock=5)
    client.post(ADD, {"variant_id": variant.pk, "quantity": "1"})
    line = CartItem.objects.get()
    url = reverse("storefront:cart_item_update", args=[line.pk])
    response = client.post(url, {"quantity": "4"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="cart-body"' in html
    assert _count(html) == "4" and "$48.00" in html
    assert client.post(url, {"quantity": "6"}, headers=HTMX).status_code == 409
    line.refresh_from_db()
    assert line.quantity == 4
    remove = reverse("storefront:cart_item_remove", args=[line.pk])
    html = client.post(remove, headers=HTMX).content.decode()
    assert "Your cart is empty" in html and _count(html) == "0"


def test_someone_elses_line_is_404(client):
    variant = _variant()
    theirs = cart_obtain()
    line = cart_add_item(cart=theirs, variant_id=variant.pk, quantity=1)
    client.post(ADD, {"variant_id": _variant().pk, "quantity": "1"})
    url = reverse("storefront:cart_item_remove", args=[line.pk])
    assert client.post(url).status_code == 404
    update = reverse("storefront:cart_item_update", args=[line.pk])
    assert client.post(update, {"quantity": "1"}, headers=HTMX).status_code == 404
    assert CartItem.objects.filter(pk=line.pk).exists()


def test_cart_page_flags_price_changes_and_stock_problems(client):
    pricier = _variant(price="12.00", name="Sun hat")
    scarce = _variant(stock=2, name="Rain boots")
    client.post(ADD, {"variant_id": pricier.pk, "quantity": "1"})
    client.post(ADD, {"variant_id": scarce.pk, "quantity": "2"})
    variant_update(variant=pricier, price=Decimal("14.50"))
    stock_adjust(variant=scarce, quantity=-2, reason="damaged")
    html = client.get(CART).content.decode()
    assert "Some prices changed" in html and "was $12.00" in html and "$14.50" in html
    assert "Out of stock" in html
    response = client.post(reverse("storefront:cart_accept_prices"), headers=HTMX)
    assert "Some prices changed" not in response.content.decode()


def test_cart_page_queries_do_not_grow_with_lines(client, django_assert_max_num_queries):
    for i in range(8):
        client.post(ADD, {"variant_id": _variant(name=f"Item {i}").pk, "quantity": "1"})
    # 10 with the footer's social links (cached after the first page; cold in tests),
    # + 1 for the registry gift labels (issue 13).
    with django_assert_max_num_queries(11):
        assert client.get(CART).status_code == 200


def test_signing_in_merges_the_guest_cart_once(client):
    user = UserFactory()
    shared, extra = _variant(stock=4, name="Bib"), _variant(stock=4, name="Rattle")
    cart_add_item(cart=cart_obtain(user=user), variant_id=shared.pk, quantity=3)
    client.post(ADD, {"variant_id": shared.pk, "quantity": "3"})
    client.post(ADD, {"variant_id": extra.pk, "quantity": "1"})
    response = client.post(
        reverse("storefront:signin"),
        {"login": user.email, "password": "Tulip-Garden-42"},
        follow=True,
    )
    html = response.content.decode()
    assert "Only 4 of Bib available: quantity capped." in html
    mine = Cart.objects.get(user=user, status="open")
    assert _lines(mine) == sorted([(shared.sku, 4), (extra.sku, 1)])
    assert CART_SESSION_KEY not in client.session
    assert Cart.objects.filter(status="merged").count() == 1


def test_wishlist_hearts_toggle_on_listing_and_product_pages(client):
    user = UserFactory()
    product = make_product("Knitted bunny", stock=2)
    client.force_login(user, backend=LOGIN_BACKEND)
    toggle = reverse("storefront:wishlist_toggle", args=[product.pk])
    listing = client.get(reverse("storefront:product_list")).content.decode()
    assert 'aria-pressed="false"' in listing
    response = client.post(toggle, {"next": "/shop/"}, headers=HTMX)
    assert 'aria-pressed="true"' in response.content.decode()
    assert WishlistItem.objects.filter(user=user, product=product).exists()
    page = client.get(reverse("storefront:product", args=[product.slug])).content.decode()
    assert 'aria-pressed="true"' in page
    client.post(toggle, headers=HTMX)
    assert not WishlistItem.objects.filter(user=user).exists()


def test_guests_hearts_lead_to_sign_in(client):
    product = make_product("Knitted bunny", stock=2)
    toggle = reverse("storefront:wishlist_toggle", args=[product.pk])
    response = client.post(toggle, {"next": "/shop/"})
    assert response.status_code == 302 and "/account/signin/" in response["Location"]
    response = client.post(toggle, {"next": "/shop/"}, headers=HTMX)
    assert "/account/signin/" in response["HX-Redirect"]
    assert not WishlistItem.objects.exists()
    assert client.get(reverse("storefront:wishlist")).status_code == 302


def test_wishlist_page_moves_to_cart_and_removes(client):
    user = UserFactory()
    product = make_product("Knitted bunny", stock=2)
    item, _ = wishlist_add(user=user, product_id=product.pk)
    client.force_login(user, backend=LOGIN_BACKEND)
    html = client.get(reverse("storefront:wishlist")).content.decode()
    assert "Knitted bunny" in html and "Move to cart" in html
    client.post(reverse("storefront:wishlist_move_to_cart", args=[item.pk]))
    assert _lines(Cart.objects.get(user=user)) == [(product.variants.get().sku, 1)]
    assert not WishlistItem.objects.exists()
    other, _ = wishlist_add(user=UserFactory(), product_id=product.pk)
    response = client.post(reverse("storefront:wishlist_remove", args=[other.pk]))
    assert response.status_code == 404
    assert WishlistItem.objects.filter(pk=other.pk).exists()


def test_product_page_add_to_cart_form_only_when_available(client):
    product = make_product("Knitted bunny", stock=0)
    html = client.get(reverse("storefront:product", args=[product.slug])).content.decode()
    assert "Add to cart" not in html
    stock_adjust(variant=product.variants.get(), quantity=2, reason="found two")
    html = client.get(reverse("storefront:product", args=[product.slug])).content.decode()
    assert "Add to cart" in html and 'max="2"' in html


def test_a_refused_first_add_leaves_no_cart_behind(client):
    sold_out = _variant(stock=0)
    response = client.post(ADD, {"variant_id": sold_out.pk, "quantity": "1"}, headers=HTMX)
    assert response.status_code == 409
    assert not Cart.objects.exists()
    assert CART_SESSION_KEY not in client.session


class _FormNesting(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth = self.deepest = 0

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag):
        if tag == "form":
            self.depth -= 1


@pytest.mark.parametrize("path", ["/shop/", "/search/?q=bunny", "/"])
def test_hearts_are_never_nested_in_another_form(client, path):
    """Browsers drop a form nested in another: the first card's heart would
    submit the filters instead."""
    make_product("Knitted bunny", stock=2, is_featured=True)
    client.force_login(UserFactory(), backend=LOGIN_BACKEND)
    html = client.get(path).content.decode()
    assert "heart-form" in html
    parser = _FormNesting()
    parser.feed(html)
    assert parser.deepest == 1
