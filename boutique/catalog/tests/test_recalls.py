"""Recalls (issue 13): staff recall a product or one variant; every past buyer
(paid, processing, shipped or delivered orders with it) is emailed once through
the outbox, never twice, never a non-buyer; the product is marked."""

import pytest
from django.core import mail
from django.urls import reverse

from boutique.accounts.tests.factories import StaffFactory
from boutique.audit.models import AuditLog
from boutique.catalog.models import Recall, RecallNotice
from boutique.catalog.safety import AlreadyRecalled, recall_issue, recall_notify_buyers
from boutique.core.errors import ValidationFailed
from boutique.notifications.models import Notification
from boutique.orders.models import OrderItem
from boutique.orders.tests.factories import order_factory

from .factories import CategoryFactory, make_product

pytestmark = pytest.mark.django_db

RECALL = {
    "title": "Loose eyes on the rattle",
    "description": "The eyes can come off and are a choking hazard.",
    "remedy": "Stop using it and return it for a full refund.",
}


def bought(product, email, *, status="delivered", variant=None):
    """An order by `email` in `status` holding `product` (or `variant` of it)."""
    variant = variant or product.variants.order_by("pk").first()
    order = order_factory(email=email, status=status)
    OrderItem.objects.filter(order=order).update(product=product, variant=variant)
    return order


def recall_notices():
    return Notification.objects.filter(template="product_recall")


@pytest.fixture
def rattle():
    return make_product(
        "Bunny rattle",
        variants=[
            {"sku": "RAT-PINK", "color": "Pink", "price": "12.00", "stock": 3},
            {"sku": "RAT-BLUE", "color": "Blue", "price": "12.00", "stock": 3},
        ],
    )


def _issue(product, **extra):
    return recall_issue(product=product, actor=StaffFactory(), **{**RECALL, **extra})


def test_every_past_buyer_is_emailed_once(rattle, django_capture_on_commit_callbacks):
    for email, status in (
        ("amal@example.com", "delivered"),
        ("AMAL@example.com", "paid"),  # the same buyer, twice, another case
        ("omar@example.com", "shipped"),
        ("guest@example.com", "processing"),
    ):
        bought(rattle, email, status=status)
    with django_capture_on_commit_callbacks(execute=True):
        recall = _issue(rattle)

    recipients = sorted(recall_notices().values_list("recipient", flat=True))
    assert recipients == ["amal@example.com", "guest@example.com", "omar@example.com"]
    assert sorted(m.to[0] for m in mail.outbox) == recipients
    assert all("Loose eyes on the rattle" in m.body for m in mail.outbox)
    assert RecallNotice.objects.filter(recall=recall).count() == 3
    recall.refresh_from_db()
    assert recall.notified_at is not None


def test_non_buyers_are_never_emailed(rattle, django_capture_on_commit_callbacks):
    other = make_product("Wooden stacker")
    bought(other, "stacker@example.com")
    bought(rattle, "unpaid@example.com", status="pending")
    bought(rattle, "cancelled@example.com", status="cancelled")
    bought(rattle, "returned@example.com", status="returned")
    bought(rattle, "buyer@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        _issue(rattle)
    assert list(recall_notices().values_list("recipient", flat=True)) == ["buyer@example.com"]


def test_running_the_fan_out_again_emails_nobody_twice(rattle, django_capture_on_commit_callbacks):
    for n in range(5):
        bought(rattle, f"parent{n}@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        recall = _issue(rattle)
    assert recall_notify_buyers(recall_id=recall.pk) == 0
    assert recall_notify_buyers(recall_id=recall.pk, batch_size=2) == 0
    assert recall_notices().count() == 5
    # A buyer whose order is confirmed later is told on the next run, once.
    bought(rattle, "late@example.com")
    assert recall_notify_buyers(recall_id=recall.pk) == 1
    assert recall_notify_buyers(recall_id=recall.pk) == 0
    assert recall_notices().filter(recipient="late@example.com").count() == 1


def test_buyers_are_told_in_batches_and_all_of_them(rattle):
    for n in range(7):
        bought(rattle, f"p{n}@example.com")
    recall = _issue(rattle)
    assert recall_notify_buyers(recall_id=recall.pk, batch_size=2) == 7
    assert recall_notices().count() == 7
    assert RecallNotice.objects.filter(recall=recall).count() == 7


def test_issuing_twice_is_refused_and_tells_nobody_again(
    rattle, django_capture_on_commit_callbacks
):
    bought(rattle, "buyer@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        _issue(rattle)
    with pytest.raises(AlreadyRecalled), django_capture_on_commit_callbacks(execute=True):
        _issue(rattle, title="Again")
    with pytest.raises(AlreadyRecalled):
        _issue(rattle, variant=rattle.variants.get(sku="RAT-BLUE"))
    assert Recall.objects.count() == 1
    assert recall_notices().count() == 1


def test_a_variant_recall_tells_only_that_variants_buyers(
    rattle, django_capture_on_commit_callbacks
):
    pink, blue = rattle.variants.get(sku="RAT-PINK"), rattle.variants.get(sku="RAT-BLUE")
    bought(rattle, "pink@example.com", variant=pink)
    bought(rattle, "blue@example.com", variant=blue)
    with django_capture_on_commit_callbacks(execute=True):
        recall = _issue(rattle, variant=blue)
    assert list(recall_notices().values_list("recipient", flat=True)) == ["blue@example.com"]
    assert recall_notices().get().context["sku"] == "RAT-BLUE"
    # The other colour can still be recalled on its own.
    assert _issue(rattle, variant=pink).pk != recall.pk


def test_a_variant_of_another_product_is_refused(rattle):
    other = make_product("Other")
    with pytest.raises(ValidationFailed):
        _issue(rattle, variant=other.variants.get())
    assert not Recall.objects.exists()


def test_a_recall_needs_its_texts(rattle):
    with pytest.raises(ValidationFailed) as refused:
        _issue(rattle, remedy="  ")
    assert "remedy" in refused.value.field_errors
    assert not Recall.objects.exists()
    rattle.refresh_from_db()
    assert rattle.recalled_at is None


def test_the_recall_marks_the_product_and_is_audited(rattle):
    recall = _issue(rattle)
    rattle.refresh_from_db()
    assert rattle.recalled_at == recall.issued_at
    entry = AuditLog.objects.get(action="product.recalled")
    assert entry.entity_id == str(rattle.pk)
    assert entry.new["title"] == RECALL["title"]


def test_the_product_page_shows_the_recall_banner(client, rattle):
    html = client.get(reverse("storefront:product", args=[rattle.slug])).content.decode()
    assert "recall-banner" not in html
    _issue(rattle, variant=rattle.variants.get(sku="RAT-BLUE"))
    html = client.get(reverse("storefront:product", args=[rattle.slug])).content.decode()
    assert 'class="recall-banner"' in html
    assert "Loose eyes on the rattle" in html
    assert "Stop using it and return it for a full refund." in html
    assert "RAT-BLUE" in html


def test_cards_and_the_api_show_the_recall(client, rattle):
    make_product("Safe stacker", category=rattle.category)
    _issue(rattle)
    html = client.get(reverse("storefront:product_list")).content.decode()
    assert html.count("product-badge-recall") == 1
    body = client.get("/api/v1/products").json()
    flags = {p["slug"]: p["is_recalled"] for p in body["results"]}
    assert flags == {rattle.slug: True, "safe-stacker": False}
    detail = client.get(f"/api/v1/products/{rattle.slug}").json()
    assert detail["is_recalled"] is True
    assert detail["safety"]["recalls"][0]["title"] == RECALL["title"]
    assert detail["safety"]["recalls"][0]["sku"] is None


def test_staff_issue_a_recall_from_the_admin(client, rattle, django_capture_on_commit_callbacks):
    bought(rattle, "buyer@example.com")
    client.force_login(StaffFactory(is_superuser=True))
    data = {"product": rattle.pk, "variant": "", **RECALL}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:catalog_recall_add"), data)
    assert response.status_code == 302
    recall = Recall.objects.get()
    assert recall.issued_by is not None
    assert list(recall_notices().values_list("recipient", flat=True)) == ["buyer@example.com"]
    # Issuing it again from the form changes nothing and says why.
    response = client.post(reverse("admin:catalog_recall_add"), data, follow=True)
    assert "already recalled" in response.content.decode()
    assert Recall.objects.count() == 1 and recall_notices().count() == 1


def test_the_admin_refuses_an_option_of_another_product(client, rattle):
    client.force_login(StaffFactory(is_superuser=True))
    other = make_product("Other", category=CategoryFactory())
    data = {"product": rattle.pk, "variant": other.variants.get().pk, **RECALL}
    response = client.post(reverse("admin:catalog_recall_add"), data)
    assert response.status_code == 200
    assert "Choose an option of the recalled product." in response.content.decode()
    assert not Recall.objects.exists()


def test_the_admin_action_sends_only_the_missing_notices(client, rattle):
    bought(rattle, "first@example.com")
    recall = _issue(rattle)
    recall_notify_buyers(recall_id=recall.pk)
    bought(rattle, "second@example.com")
    client.force_login(StaffFactory(is_superuser=True))
    response = client.post(
        reverse("admin:catalog_recall_changelist"),
        {"action": "send_notices_again", "_selected_action": [recall.pk]},
        follow=True,
    )
    assert "1 buyer(s) told now." in response.content.decode()
    assert sorted(recall_notices().values_list("recipient", flat=True)) == [
        "first@example.com",
        "second@example.com",
    ]
