"""Back-in-stock alerts (issue 13): a customer or a guest subscribes to a
sold-out variant; when stock comes back they get one message and the alert
ends. Services, product page, the subscribe and unsubscribe pages, the API."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from boutique.accounts.tests.factories import UserFactory
from boutique.catalog.tests.factories import make_product
from boutique.core.errors import ValidationFailed
from boutique.inventory.alerts import (
    VariantInStock,
    stock_alert_subscribe,
    stock_alert_unsubscribe_token,
    stock_alerts_notify,
    stock_alerts_notify_due,
)
from boutique.inventory.models import StockAlert, StockAlertStatus
from boutique.inventory.services import (
    reservation_release,
    stock_adjust,
    stock_receive,
    stock_reserve,
    stock_return,
)
from boutique.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def sold_out():
    return make_product("Linen sleep sack", stock=0).variants.get()


def messages_to(email=None):
    qs = Notification.objects.filter(template="back_in_stock")
    return qs.filter(recipient=email) if email else qs


# --- Subscribing -------------------------------------------------------------------
def test_a_guest_subscribes_with_an_email(sold_out):
    alert = stock_alert_subscribe(variant=sold_out, email="  Guest@Example.com ")
    assert (alert.email, alert.status, alert.user) == ("guest@example.com", "active", None)


def test_a_customer_subscribes_with_their_account_email(sold_out):
    user = UserFactory(email="mama@example.com")
    alert = stock_alert_subscribe(variant=sold_out, user=user)
    assert (alert.email, alert.user) == ("mama@example.com", user)


def test_subscribing_again_keeps_one_active_alert(sold_out):
    first = stock_alert_subscribe(variant=sold_out, email="a@example.com")
    again = stock_alert_subscribe(variant=sold_out, email="A@example.com")
    assert again.pk == first.pk
    assert StockAlert.objects.count() == 1


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b", "x" * 250 + "@example.com"])
def test_a_bad_email_is_refused_and_nothing_is_stored(sold_out, email):
    with pytest.raises(ValidationFailed) as refused:
        stock_alert_subscribe(variant=sold_out, email=email)
    assert "email" in refused.value.field_errors
    assert not StockAlert.objects.exists()


def test_an_option_in_stock_is_refused(sold_out):
    stock_receive(variant=sold_out, quantity=1)
    with pytest.raises(VariantInStock):
        stock_alert_subscribe(variant=sold_out, email="a@example.com")
    assert not StockAlert.objects.exists()


# --- Telling the subscribers ---------------------------------------------------------
def _subscribe_three(variant):
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        stock_alert_subscribe(variant=variant, email=email)


def test_receiving_stock_sends_one_message_each_and_ends_the_alerts(
    sold_out, django_capture_on_commit_callbacks
):
    _subscribe_three(sold_out)
    with django_capture_on_commit_callbacks(execute=True):
        stock_receive(variant=sold_out, quantity=4)
    assert sorted(messages_to().values_list("recipient", flat=True)) == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
    ]
    assert set(StockAlert.objects.values_list("status", flat=True)) == {"notified"}
    assert len(mail.outbox) == 3
    assert "Linen sleep sack" in mail.outbox[0].subject
    assert "/stock-alerts/unsubscribe/" in mail.outbox[0].body
    # More stock later: the subscription has ended, nobody is told again.
    with django_capture_on_commit_callbacks(execute=True):
        stock_receive(variant=sold_out, quantity=2)
    assert messages_to().count() == 3


def test_a_return_or_an_adjustment_up_also_tells_them(sold_out, django_capture_on_commit_callbacks):
    stock_alert_subscribe(variant=sold_out, email="a@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        stock_return(variant=sold_out, quantity=1)
    assert messages_to("a@example.com").count() == 1
    other = make_product("Cot bumper", stock=0).variants.get()
    stock_alert_subscribe(variant=other, email="b@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(variant=other, quantity=2, reason="Found in the back room")
    assert messages_to("b@example.com").count() == 1


def test_availability_not_on_hand_decides_and_a_release_sends_nothing_more(
    django_capture_on_commit_callbacks,
):
    variant = make_product("Play mat", stock=1).variants.get()
    held = stock_reserve(variant=variant, quantity=1, holder_type="order", holder_id="1")
    stock_alert_subscribe(variant=variant, email="a@example.com")
    # One unit back while another is still promised: available goes 0 → 1.
    with django_capture_on_commit_callbacks(execute=True):
        stock_receive(variant=variant, quantity=1)
    assert messages_to().count() == 1
    reservation_release(reservation=held)
    assert messages_to().count() == 1


def test_a_rolled_back_receipt_tells_nobody(sold_out, django_capture_on_commit_callbacks):
    from django.db import transaction

    stock_alert_subscribe(variant=sold_out, email="a@example.com")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        stock_receive(variant=sold_out, quantity=1)
        raise RuntimeError("the receiving form failed later")
    assert not messages_to().exists()
    assert StockAlert.objects.get().status == StockAlertStatus.ACTIVE


def test_notifying_again_sends_nothing_more(sold_out):
    _subscribe_three(sold_out)
    stock_receive(variant=sold_out, quantity=1)  # after-commit work not run here
    assert stock_alerts_notify(variant_id=sold_out.pk) == 3
    assert stock_alerts_notify(variant_id=sold_out.pk) == 0
    assert stock_alerts_notify_due() == 0
    assert messages_to().count() == 3


def test_the_periodic_sweep_tells_what_a_lost_job_left(sold_out):
    _subscribe_three(sold_out)
    stock_receive(variant=sold_out, quantity=1)
    assert stock_alerts_notify_due() == 3
    assert messages_to().count() == 3


def test_nothing_is_sent_while_the_option_is_still_sold_out(sold_out):
    stock_alert_subscribe(variant=sold_out, email="a@example.com")
    assert stock_alerts_notify(variant_id=sold_out.pk) == 0
    assert stock_alerts_notify_due() == 0
    assert not messages_to().exists()


# --- Unsubscribing ------------------------------------------------------------------------
def test_the_unsubscribe_link_asks_then_cancels_every_waiting_alert(client, sold_out):
    other = make_product("Cot bumper", stock=0).variants.get()
    stock_alert_subscribe(variant=sold_out, email="a@example.com")
    stock_alert_subscribe(variant=other, email="a@example.com")
    stock_alert_subscribe(variant=other, email="b@example.com")
    url = reverse(
        "storefront:stock_alert_unsubscribe", args=[stock_alert_unsubscribe_token("a@example.com")]
    )

    page = client.get(url)
    assert page.status_code == 200 and "a@example.com" in page.content.decode()
    assert StockAlert.objects.filter(status="active").count() == 3  # a GET changes nothing

    done = client.post(url)
    assert done.status_code == 200 and "2 alerts stopped" in done.content.decode()
    assert list(StockAlert.objects.filter(status="active").values_list("email", flat=True)) == [
        "b@example.com"
    ]


def test_a_forged_unsubscribe_link_is_404(client, sold_out):
    stock_alert_subscribe(variant=sold_out, email="a@example.com")
    token = stock_alert_unsubscribe_token("a@example.com")
    for bad in (token[:-2] + "xx", "nonsense"):
        url = reverse("storefront:stock_alert_unsubscribe", args=[bad])
        assert client.post(url).status_code == 404
    assert StockAlert.objects.get().status == "active"


# --- Product page and subscribe form -------------------------------------------------------
def _page(client, variant):
    url = reverse("storefront:product", args=[variant.product.slug])
    return client.get(url, {"variant": variant.pk}).content.decode()


def _subscribe_url(variant):
    return reverse("storefront:stock_alert_subscribe", args=[variant.product.slug])


def test_the_product_page_offers_the_form_only_when_sold_out(client, sold_out):
    assert 'id="stock-alert"' in _page(client, sold_out)
    stock_receive(variant=sold_out, quantity=2)
    assert 'id="stock-alert"' not in _page(client, sold_out)


def test_a_signed_in_customers_email_is_filled_in(client, sold_out):
    client.force_login(UserFactory(email="mama@example.com"))
    html = _page(client, sold_out)
    assert re.search(r'name="email"[^>]*value="mama@example.com"', html, re.S)


def test_a_guest_subscribes_with_htmx(client, sold_out):
    response = client.post(
        _subscribe_url(sold_out),
        {"variant": sold_out.pk, "email": "guest@example.com"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "we will email guest@example.com once" in response.content.decode()
    assert StockAlert.objects.get().email == "guest@example.com"


def test_a_guest_without_htmx_is_sent_back_to_the_product(client, sold_out):
    response = client.post(
        _subscribe_url(sold_out), {"variant": sold_out.pk, "email": "guest@example.com"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?variant={sold_out.pk}")
    assert StockAlert.objects.count() == 1


@pytest.mark.parametrize("htmx", [True, False])
def test_a_bad_email_on_the_page_is_422_and_stores_nothing(client, sold_out, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(
        _subscribe_url(sold_out), {"variant": sold_out.pk, "email": "nope"}, **headers
    )
    assert response.status_code == 422
    assert "Enter a valid email address." in response.content.decode()
    assert not StockAlert.objects.exists()


def test_an_option_of_another_product_is_404(client, sold_out):
    other = make_product("Other", stock=0).variants.get()
    response = client.post(_subscribe_url(sold_out), {"variant": other.pk, "email": "a@b.co"})
    assert response.status_code == 404
    response = client.post(_subscribe_url(sold_out), {"variant": "x", "email": "a@b.co"})
    assert response.status_code == 404
    assert not StockAlert.objects.exists()


def test_an_option_in_stock_is_409_on_the_page(client, sold_out):
    stock_receive(variant=sold_out, quantity=1)
    response = client.post(
        _subscribe_url(sold_out),
        {"variant": sold_out.pk, "email": "a@example.com"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert not StockAlert.objects.exists()


def test_subscribing_is_rate_limited(client, settings, sold_out):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "stock_alert": "2/h"}
    statuses = [
        client.post(
            _subscribe_url(sold_out),
            {"variant": sold_out.pk, "email": f"p{n}@example.com"},
            HTTP_HX_REQUEST="true",
        ).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert StockAlert.objects.count() == 2


# --- API ------------------------------------------------------------------------------------
API = "/api/v1/stock-alerts"


def test_api_guest_subscribes(client, sold_out):
    response = client.post(
        API, {"variant_id": sold_out.pk, "email": "g@example.com"}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["status"], body["sku"]) == ("g@example.com", "active", sold_out.sku)


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"email": "not-an-email"}, 422),
        ({}, 422),  # a guest must give an address
        ({"email": "a@example.com", "variant_id": 0}, 422),
        ({"email": "a@example.com", "variant_id": 2**62}, 404),
    ],
)
def test_api_refusals_store_nothing(client, sold_out, payload, status):
    body = {"variant_id": sold_out.pk, **payload}
    response = client.post(API, body, content_type="application/json")
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/problem+json")
    assert not StockAlert.objects.exists()


def test_api_in_stock_is_409(client, sold_out):
    stock_receive(variant=sold_out, quantity=1)
    response = client.post(
        API, {"variant_id": sold_out.pk, "email": "g@example.com"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "variant_in_stock"


def test_api_customers_list_and_cancel_only_their_own(client, sold_out):
    mine, theirs = UserFactory(email="me@example.com"), UserFactory(email="them@example.com")
    own = stock_alert_subscribe(variant=sold_out, user=mine)
    other = stock_alert_subscribe(variant=sold_out, user=theirs)
    client.force_login(mine)
    listed = client.get(API).json()
    assert [row["id"] for row in listed["results"]] == [own.pk]
    assert client.delete(f"{API}/{other.pk}").status_code == 404
    assert client.delete(f"{API}/{own.pk}").json()["status"] == "cancelled"
    assert StockAlert.objects.get(pk=other.pk).status == "active"


def test_api_listing_needs_a_sign_in(client):
    assert client.get(API).status_code == 401


def test_api_list_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    user = UserFactory()
    for n in range(6):
        variant = make_product(f"Item {n}", stock=0).variants.get()
        stock_alert_subscribe(variant=variant, user=user)
    client.force_login(user)
    with django_assert_max_num_queries(6):
        body = client.get(API).json()
    assert body["count"] == 6


# --- Privacy -------------------------------------------------------------------------------
def test_export_and_account_deletion_cover_the_alerts(sold_out):
    from boutique.accounts.services.privacy import user_data_export, user_delete

    user = UserFactory(email="mama@example.com")
    stock_alert_subscribe(variant=sold_out, user=user)
    other = make_product("Cot bumper", stock=0).variants.get()
    stock_alert_subscribe(variant=other, email="MAMA@example.com")  # as a guest, same address
    stock_alert_subscribe(variant=other, email="someone@example.com")

    exported = user_data_export(user=user)["stock_alerts"]
    assert [row["sku"] for row in exported] == [sold_out.sku, other.sku]

    counts = user_delete(user=user, actor=user, password_confirmed=True)
    assert counts["stock_alerts"] == 2
    assert list(StockAlert.objects.values_list("email", flat=True)) == ["someone@example.com"]
