"""Carts and wishlists in the back office: read-only lists with owner, status
and line counts, the lines inline, no editing, model permissions, fixed queries."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from boutique.accounts.models import Role
from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.cart.models import Cart, CartItem, WishlistItem
from boutique.cart.services import cart_add_item, cart_obtain, wishlist_add
from boutique.catalog.tests.factories import make_product

pytestmark = pytest.mark.django_db

CARTS = reverse("admin:cart_cart_changelist")
WISHLIST = reverse("admin:cart_wishlistitem_changelist")


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory(email="support@example.com"))
    return client


def _variant(name="Fleece jacket", stock=20):
    return make_product(name, stock=stock).variants.get()


def _cart(user=None, lines=1, quantity=2):
    cart = cart_obtain(user=user)
    for n in range(lines):
        cart_add_item(cart=cart, quantity=quantity, variant_id=_variant(f"Item {n}").pk)
    return cart


def _rows(response):
    return {row.pk: row for row in response.context["cl"].result_list}


def test_cart_list_shows_owner_or_guest_status_and_line_count(staff_client):
    customer = UserFactory(email="mum@example.com")
    mine = _cart(customer, lines=2)
    guest = _cart(lines=1)

    response = staff_client.get(CARTS)

    assert response.status_code == 200
    rows = _rows(response)
    assert (rows[mine.pk].line_count, rows[guest.pk].line_count) == (2, 1)
    page = response.content.decode()
    assert "mum@example.com" in page and "guest" in page

    def ids(query):
        response = staff_client.get(CARTS, query)
        assert response.status_code == 200
        return set(_rows(response))

    assert ids({"owner": "guest"}) == {guest.pk}
    assert ids({"owner": "customer"}) == {mine.pk}
    assert ids({"status__exact": "open"}) == {mine.pk, guest.pk}
    assert ids({"status__exact": "converted"}) == set()
    assert ids({"q": "mum@"}) == {mine.pk}


def test_cart_page_shows_its_lines_read_only(staff_client):
    cart = _cart(UserFactory(), lines=1, quantity=3)
    line = cart.items.get()
    url = reverse("admin:cart_cart_change", args=[cart.pk])

    response = staff_client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert line.variant.sku in page and "Item 0" in page
    assert 'name="items-0-quantity"' not in page  # no editable line fields

    staff_client.post(
        url,
        {
            "status": "converted",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "1",
            "items-0-id": line.pk,
            "items-0-quantity": "50",
        },
    )
    cart.refresh_from_db()
    line.refresh_from_db()
    assert (cart.status, line.quantity) == ("open", 3)


def test_carts_and_wishlist_cannot_be_added_or_deleted(staff_client):
    cart = _cart(lines=1)
    user = UserFactory()
    item, _ = wishlist_add(user=user, product_id=make_product("Teddy").pk)
    assert staff_client.get(reverse("admin:cart_cart_add")).status_code == 403
    assert staff_client.get(reverse("admin:cart_wishlistitem_add")).status_code == 403
    for url in (
        reverse("admin:cart_cart_delete", args=[cart.pk]),
        reverse("admin:cart_wishlistitem_delete", args=[item.pk]),
    ):
        assert staff_client.post(url, {"post": "yes"}).status_code == 403
    staff_client.post(CARTS, {"action": "delete_selected", "_selected_action": [cart.pk]})
    assert Cart.objects.filter(pk=cart.pk).exists()
    assert CartItem.objects.filter(cart=cart).count() == 1
    assert WishlistItem.objects.filter(pk=item.pk).exists()


def test_wishlist_list_and_search(staff_client):
    user = UserFactory(email="dad@example.com")
    teddy = make_product("Teddy bear")
    wishlist_add(user=user, product_id=teddy.pk)
    other = UserFactory()
    rattle = make_product("Rattle").variants.get()
    wishlist_add(user=other, variant_id=rattle.pk)

    response = staff_client.get(WISHLIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "dad@example.com" in page and "Teddy bear" in page and rattle.sku in page

    found = staff_client.get(WISHLIST, {"q": "teddy"}).context["cl"].result_list
    assert [w.product_id for w in found] == [teddy.pk]
    detail = reverse("admin:cart_wishlistitem_change", args=[found[0].pk])
    assert staff_client.get(detail).status_code == 200


def test_staff_without_cart_permissions_cannot_reach_carts(client):
    cart = _cart(lines=1)
    staff = UserFactory(role=Role.ADMIN, is_superuser=False)
    staff.user_permissions.add(Permission.objects.get(codename="view_stock"))
    client.force_login(staff)
    for url in (CARTS, WISHLIST, reverse("admin:cart_cart_change", args=[cart.pk])):
        assert client.get(url).status_code == 403, url


def test_cart_and_wishlist_lists_run_a_fixed_number_of_queries(
    staff_client, django_assert_max_num_queries
):
    def run(url):
        with django_assert_max_num_queries(8) as queries:
            assert staff_client.get(url).status_code == 200
        return len(queries)

    def fill(count, start):
        for n in range(start, start + count):
            user = UserFactory()
            _cart(user, lines=1, quantity=1)
            wishlist_add(user=user, variant_id=_variant(f"Wish {n}").pk)

    fill(3, 0)
    few = run(CARTS), run(WISHLIST)
    fill(27, 3)
    assert len(_rows(staff_client.get(CARTS))) == 30
    assert (run(CARTS), run(WISHLIST)) == few
