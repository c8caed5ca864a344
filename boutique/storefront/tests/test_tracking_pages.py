"""Tracking for customers: the order page shows each parcel (carrier, tracking
number linked to the carrier, items, status, estimate) with its timeline; the
order history shows when undelivered orders should arrive; the public /track/
page finds a guest's or a customer's order by number + email and shows its
status and parcels, never an address or a price. Wrong pairs are a form error
(422) and the page is rate-limited."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from boutique.shipping.services import shipment_mark_delivered
from boutique.shipping.tests.factories import ADDRESS, items_of, paid_order
from boutique.shipping.tests.tracking_support import START, customer_order, ship_in_two
from boutique.storefront.helpers import LOGIN_BACKEND

pytestmark = pytest.mark.django_db

TRACK = reverse("storefront:track")
HISTORY = reverse("storefront:orders")


def _timeline(page: str) -> list[str]:
    return re.findall(r'class="timeline-event" data-kind="([a-z_]+)"', page)


def test_the_order_page_shows_each_parcel_and_its_timeline(client):
    order, user = customer_order()
    ship_in_two(order)
    cardigan, hat = items_of(order)
    client.force_login(user, backend=LOGIN_BACKEND)
    response = client.get(reverse("storefront:account_order_detail", args=[order.number]))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<a href="https://track.example.com/AX100"' in page and ">AX100</a>" in page
    assert "Aramex" in page and "In transit" in page and "Tripoli" in page
    assert "On the truck" in page
    assert f'data-sku="{cardigan.sku}">2 × {cardigan.product_name}' in page
    assert f'data-sku="{hat.sku}">1 × {hat.product_name}' in page
    assert _timeline(page) == ["shipped", "in_transit", "packed"]
    assert "5 March 2026" in page and 'Estimated delivery: <time datetime="2026-03-09">' in page


def test_the_order_page_query_count_does_not_grow_with_parcels(
    client, django_assert_max_num_queries
):
    order, user = customer_order(quantities=(1,))
    client.force_login(user, backend=LOGIN_BACKEND)
    url = reverse("storefront:account_order_detail", args=[order.number])
    big_order = paid_order(quantities=(1, 1, 1))
    big_order.user = user
    big_order.save(update_fields=["user"])
    ship_in_two(big_order)
    with CaptureQueriesContext(connection) as none_shipped:
        client.get(url)
    big = reverse("storefront:account_order_detail", args=[big_order.number])
    with django_assert_max_num_queries(len(none_shipped) + 2):
        page = client.get(big).content.decode()
    assert page.count('class="card shipment"') == 2 and len(_timeline(page)) == 3


def test_a_guest_order_page_shows_its_parcels_too(client):
    order = paid_order(email="guest@example.com")
    ship_in_two(order)
    session = client.session
    session["guest_orders"] = {order.number: order.email}
    session.save()
    page = client.get(reverse("storefront:order_detail", args=[order.number])).content.decode()
    assert _timeline(page) == ["shipped", "in_transit", "packed"]


def test_history_shows_the_estimate_of_undelivered_orders_only(
    client, django_assert_max_num_queries
):
    order, user = customer_order()
    first, second = ship_in_two(order)
    unshipped = paid_order()
    unshipped.user = user
    unshipped.save(update_fields=["user"])
    client.force_login(user, backend=LOGIN_BACKEND)
    page = client.get(HISTORY).content.decode()
    rows = dict(
        re.findall(r'data-number="([^"]+)">.*?<td class="order-eta">(.*?)</td>', page, re.S)
    )
    assert "9 Mar 2026" in rows[order.number] and rows[unshipped.number] == "—"

    shipment_mark_delivered(shipment=second, at=START + timedelta(days=1))
    page = client.get(HISTORY).content.decode()
    assert "5 Mar 2026" in page and "9 Mar 2026" not in page
    shipment_mark_delivered(shipment=first, at=START + timedelta(days=2))
    with CaptureQueriesContext(connection) as two:
        page = client.get(HISTORY).content.decode()
    assert "Mar 2026</time>" not in page
    for _ in range(3):
        more = paid_order()
        more.user = user
        more.save(update_fields=["user"])
        ship_in_two(more)
    with django_assert_max_num_queries(len(two)):
        page = client.get(HISTORY).content.decode()
    assert page.count("9 Mar 2026") == 3


@pytest.mark.parametrize("guest", [True, False])
def test_public_tracking_with_the_right_pair(client, guest):
    if guest:
        order = paid_order(email="Guest@Example.com")
    else:
        order, _ = customer_order(email="member@example.com")
    ship_in_two(order)
    email = order.email.upper()
    response = client.post(TRACK, {"number": order.number.lower(), "email": email})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Order {order.number}" in page and order.get_status_display() in page
    assert _timeline(page) == ["shipped", "in_transit", "packed"]
    assert '<a href="https://track.example.com/AX100"' in page
    # Nothing private: no address, no price, no email, no link into the account.
    for private in (ADDRESS["full_name"], ADDRESS["line1"], "10.00", "4.00", str(order.total)):
        assert private not in page
    assert order.email not in page and "/account/orders/" not in page
    # Nothing remembered: the order page itself stays closed to this browser.
    assert client.get(reverse("storefront:order_detail", args=[order.number])).status_code == 404


def test_public_tracking_of_an_order_not_shipped_yet(client):
    order = paid_order()
    page = client.post(TRACK, {"number": order.number, "email": order.email}).content.decode()
    assert "Nothing has been shipped yet." in page and "Paid" in page


def test_public_tracking_with_a_wrong_pair_is_a_form_error(client):
    order = paid_order(email="guest@example.com")
    mine, _ = customer_order(email="member@example.com")
    assert client.get(TRACK).status_code == 200
    for number, email in [
        (order.number, "member@example.com"),
        (mine.number, "guest@example.com"),
        ("BQ-2026-999999", "guest@example.com"),
    ]:
        response = client.post(TRACK, {"number": number, "email": email})
        page = response.content.decode()
        assert response.status_code == 422
        assert "No order matches that number and email." in page
        assert "timeline-event" not in page and "Nothing has been shipped" not in page
    bad = client.post(TRACK, {"number": "", "email": "not an email"})
    assert bad.status_code == 422 and "Nothing has been shipped" not in bad.content.decode()


def test_public_tracking_is_rate_limited(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "order_tracking": "2/h"}
    order = paid_order(email="guest@example.com")
    for _ in range(2):
        response = client.post(TRACK, {"number": order.number, "email": "x@example.com"})
        assert response.status_code == 422
    throttled = client.post(TRACK, {"number": order.number, "email": "guest@example.com"})
    assert throttled.status_code == 429
    page = throttled.content.decode()
    assert "Too many requests" in page and "timeline" not in page
    # The order lookup keeps its own allowance.
    lookup = reverse("storefront:order_lookup")
    assert (
        client.post(lookup, {"number": order.number, "email": "x@example.com"}).status_code == 422
    )


def test_every_page_links_to_order_tracking(client):
    html = client.get("/").content.decode()
    assert 'href="/track/"' in html and "Track an order" in html
