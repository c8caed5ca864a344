"""Inventory back office: stock levels with held/available read at query time,
receive and adjust through the services (movement + audit with the staff actor,
all-or-nothing on refusal), a read-only ledger and reservations, release action,
model permissions and fixed-query changelists."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from boutique.accounts.models import Role
from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.audit.models import AuditLog
from boutique.catalog.tests.factories import make_product
from boutique.core.errors import ValidationFailed
from boutique.inventory.models import Reservation, ReservationState, Stock, StockMovement
from boutique.inventory.services import (
    reservation_release,
    stock_receive,
    stock_reserve,
    stock_set_threshold,
)

pytestmark = pytest.mark.django_db

STOCKS = reverse("admin:inventory_stock_changelist")
LEDGER = reverse("admin:inventory_stockmovement_changelist")
RESERVATIONS = reverse("admin:inventory_reservation_changelist")


@pytest.fixture
def staff_client(client):
    staff = StaffFactory(email="stock@example.com")
    client.force_login(staff)
    client.staff = staff
    return client


def _stock(on_hand=5, name="Knitted cardigan", threshold=None, **kw):
    variant = make_product(name, stock=on_hand, **kw).variants.get()
    stock = Stock.objects.get(variant=variant)
    if threshold is not None:
        Stock.objects.filter(pk=stock.pk).update(low_stock_threshold=threshold)
        stock.refresh_from_db()
    return stock


def _reserve(stock, quantity, holder="7"):
    return stock_reserve(
        variant=stock.variant, quantity=quantity, holder_type="cart", holder_id=holder
    )


def _expire(reservation):
    Reservation.objects.filter(pk=reservation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )


def _rows(response):
    return {s.variant.sku: s for s in response.context["cl"].result_list}


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _on_hand(stock) -> int:
    return Stock.objects.get(pk=stock.pk).on_hand


def _ledger(stock) -> int:
    movements = StockMovement.objects.filter(variant_id=stock.pk)
    return movements.aggregate(total=Sum("quantity"))["total"] or 0


def _action(client, action, stocks, **data):
    """The stock changelist action; with data, the intermediate form's submit."""
    payload = {"action": action, "_selected_action": [s.pk for s in stocks]}
    if data:
        payload.update(apply="1", **data)
    return client.post(STOCKS, payload, follow=True)


def _staff_with(*codenames):
    user = UserFactory(role=Role.ADMIN, is_superuser=False)
    assert user.is_staff
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


# --- Stock levels ------------------------------------------------------------------------
def test_stock_list_shows_on_hand_held_available_and_low_flag(staff_client):
    busy = _stock(5, "Busy bib", threshold=3)
    _reserve(busy, 3)
    _expire(_reserve(busy, 1, holder="8"))  # expired: no longer counts
    full = _stock(10, "Full bib", threshold=3)

    response = staff_client.get(STOCKS)

    assert response.status_code == 200
    rows = _rows(response)
    row = rows[busy.variant.sku]
    assert (row.on_hand, row.held_units, row.available, row.low) == (5, 3, 2, True)
    assert rows[full.variant.sku].low is False
    page = response.content.decode()
    assert "Busy bib" in page
    assert reverse("admin:inventory_stock_receive", args=[busy.pk]) in page


def test_low_and_out_of_stock_filters_and_search(staff_client):
    low = _stock(3, "Low socks", threshold=3)
    out = _stock(2, "Gone socks")
    _reserve(out, 2)  # on hand but all held: nothing available
    plenty = _stock(20, "Many socks")

    def skus(query):
        response = staff_client.get(STOCKS, query)
        assert response.status_code == 200
        return set(_rows(response))

    assert skus({"low": "yes"}) == {low.variant.sku, out.variant.sku}
    assert skus({"low": "no"}) == {plenty.variant.sku}
    assert skus({"out": "yes"}) == {out.variant.sku}
    assert skus({"out": "no"}) == {low.variant.sku, plenty.variant.sku}
    assert skus({"q": "many"}) == {plenty.variant.sku}
    assert skus({"q": low.variant.sku}) == {low.variant.sku}
    assert "low stock (available ≤ threshold)" in staff_client.get(STOCKS).content.decode()


def test_stock_list_runs_a_fixed_number_of_queries(staff_client, django_assert_max_num_queries):
    def run():
        with django_assert_max_num_queries(8) as queries:
            assert staff_client.get(STOCKS, {"low": "no"}).status_code == 200
        return len(queries)

    for n in range(3):
        _reserve(_stock(9, f"Few {n}"), 1)
    few = run()
    for n in range(27):
        _reserve(_stock(9, f"Many {n}"), 1)
    assert len(_rows(staff_client.get(STOCKS))) == 30
    assert run() == few


def test_threshold_is_saved_through_the_service_and_on_hand_is_not_editable(staff_client):
    stock = _stock(4)
    url = reverse("admin:inventory_stock_change", args=[stock.pk])
    assert staff_client.get(url).status_code == 200

    response = staff_client.post(url, {"low_stock_threshold": "7", "on_hand": "999"})

    assert response.status_code == 302
    stock.refresh_from_db()
    assert (stock.low_stock_threshold, stock.on_hand) == (7, 4)
    assert not StockMovement.objects.filter(variant_id=stock.pk, kind="adjustment").exists()
    log = AuditLog.objects.get(action="stock.threshold_set")
    assert (log.old, log.new["low_stock_threshold"]) == ({"low_stock_threshold": 3}, 7)
    assert log.actor == staff_client.staff


def test_bad_threshold_is_a_form_error(staff_client):
    stock = _stock(4)
    url = reverse("admin:inventory_stock_change", args=[stock.pk])
    for value in ("-1", "abc", "99999999999"):
        response = staff_client.post(url, {"low_stock_threshold": value})
        assert response.status_code == 200
    stock.refresh_from_db()
    assert stock.low_stock_threshold == 3
    assert not AuditLog.objects.filter(action="stock.threshold_set").exists()


def test_stock_rows_cannot_be_added_or_deleted(staff_client):
    stock = _stock()
    assert staff_client.get(reverse("admin:inventory_stock_add")).status_code == 403
    delete = reverse("admin:inventory_stock_delete", args=[stock.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert Stock.objects.filter(pk=stock.pk).exists()


# --- Receive and adjust -----------------------------------------------------------------
def test_receive_action_shows_a_form_then_adds_units_with_movement_and_audit(staff_client):
    first, second = _stock(1, "Bib one"), _stock(0, "Bib two")

    form_page = _action(staff_client, "receive_stock", [first, second])
    assert form_page.status_code == 200
    assert "Receive stock" in form_page.content.decode()
    assert _on_hand(first) == 1

    response = _action(
        staff_client, "receive_stock", [first, second], quantity="6", note="delivery 42"
    )

    assert response.status_code == 200
    assert (_on_hand(first), _on_hand(second)) == (7, 6)
    movement = StockMovement.objects.get(variant_id=second.pk)
    assert (movement.kind, movement.quantity, movement.note) == ("in", 6, "delivery 42")
    assert movement.actor == staff_client.staff
    logs = AuditLog.objects.filter(action="stock.in", actor=staff_client.staff)
    assert logs.count() == 2
    assert any("Received 6 unit(s)" in m for m in _messages(response))


def test_row_adjust_page_applies_a_signed_quantity_with_reason(staff_client):
    stock = _stock(5)
    url = reverse("admin:inventory_stock_adjust", args=[stock.pk])
    assert staff_client.get(url).status_code == 200

    response = staff_client.post(url, {"apply": "1", "quantity": "-2", "reason": "damaged"})

    assert response.status_code == 302
    assert response["Location"] == STOCKS
    assert _on_hand(stock) == 3 == _ledger(stock)
    movement = StockMovement.objects.get(variant_id=stock.pk, kind="adjustment")
    assert (movement.quantity, movement.note, movement.actor) == (-2, "damaged", staff_client.staff)
    log = AuditLog.objects.get(action="stock.adjustment")
    assert (log.old, log.new["on_hand"], log.actor) == ({"on_hand": 5}, 3, staff_client.staff)


def test_row_receive_page(staff_client):
    stock = _stock(0)
    url = reverse("admin:inventory_stock_receive", args=[stock.pk])
    response = staff_client.post(url, {"apply": "1", "quantity": "4", "note": ""}, follow=True)
    assert response.status_code == 200
    assert _on_hand(stock) == 4
    assert AuditLog.objects.get(action="stock.in").actor == staff_client.staff


def test_refused_adjust_changes_nothing_for_any_selected_row(staff_client):
    plenty, scarce = _stock(10, "Plenty"), _stock(2, "Scarce")
    before = StockMovement.objects.count(), AuditLog.objects.count()

    response = _action(
        staff_client, "adjust_stock", [plenty, scarce], quantity="-3", reason="stocktake"
    )

    assert response.status_code == 200
    assert (_on_hand(plenty), _on_hand(scarce)) == (10, 2)
    assert (StockMovement.objects.count(), AuditLog.objects.count()) == before
    errors = [m for m in _messages(response) if m.startswith("Nothing was changed")]
    assert errors and scarce.variant.sku in errors[0] and "Only 2 in stock" in errors[0]


def test_adjust_cannot_cut_into_held_units(staff_client):
    stock = _stock(5)
    _reserve(stock, 4)
    url = reverse("admin:inventory_stock_adjust", args=[stock.pk])

    response = staff_client.post(url, {"apply": "1", "quantity": "-2", "reason": "lost"})

    assert response.status_code == 200
    assert _on_hand(stock) == 5
    assert any("held by checkouts or orders" in m for m in _messages(response))


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("adjust", {"quantity": "-1", "reason": "   "}),
        ("adjust", {"quantity": "0", "reason": "stocktake"}),
        ("adjust", {"quantity": "abc", "reason": "stocktake"}),
        ("receive", {"quantity": "0"}),
        ("receive", {"quantity": "-4"}),
        ("receive", {"quantity": "5000000"}),
        ("receive", {"quantity": ""}),
    ],
)
def test_bad_quantities_or_missing_reason_are_form_errors(staff_client, kind, data):
    stock = _stock(5)
    url = reverse(f"admin:inventory_stock_{kind}", args=[stock.pk])

    response = staff_client.post(url, {"apply": "1", **data})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert _on_hand(stock) == 5
    assert not StockMovement.objects.filter(variant_id=stock.pk).exclude(kind="in").exists()
    assert StockMovement.objects.filter(variant_id=stock.pk).count() == 1  # the initial one


def test_unknown_stock_row_is_404(staff_client):
    for kind in ("receive", "adjust"):
        for bad in ("99999", "abc"):
            url = reverse(f"admin:inventory_stock_{kind}", args=[bad])
            assert staff_client.get(url).status_code == 404, url


# --- Ledger ------------------------------------------------------------------------------
def test_ledger_lists_movements_and_filters(staff_client):
    stock = _stock(0, "Rain boots")
    stock_receive(variant=stock.variant, quantity=5, note="box 1", actor=staff_client.staff)
    other = _stock(3, "Sun hat")

    response = staff_client.get(LEDGER)
    assert response.status_code == 200
    page = response.content.decode()
    assert "+5" in page and "box 1" in page and "stock@example.com" in page

    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    for query in ({"kind__exact": "in"}, {"kind__exact": "adjustment"}, {"q": other.variant.sku}):
        assert staff_client.get(LEDGER, query).status_code == 200, query
    since = {"at__gte": str(today), "at__lt": str(today + timedelta(days=1))}
    assert len(staff_client.get(LEDGER, since).context["cl"].result_list) == 2
    before = {"at__lt": str(today - timedelta(days=7))}
    assert list(staff_client.get(LEDGER, before).context["cl"].result_list) == []
    found = staff_client.get(LEDGER, {"q": stock.variant.sku}).context["cl"].result_list
    assert {m.variant_id for m in found} == {stock.pk}
    none = staff_client.get(LEDGER, {"kind__exact": "adjustment"}).context["cl"].result_list
    assert list(none) == []


def test_ledger_cannot_be_added_changed_or_deleted_even_by_a_superuser(staff_client):
    stock = _stock(4)
    movement = StockMovement.objects.get(variant_id=stock.pk)
    note = movement.note
    assert staff_client.staff.is_superuser

    assert staff_client.get(reverse("admin:inventory_stockmovement_add")).status_code == 403
    change = reverse("admin:inventory_stockmovement_change", args=[movement.pk])
    assert staff_client.get(change).status_code == 200  # a view-only page
    staff_client.post(change, {"quantity": "100", "note": "tampered"})
    delete = reverse("admin:inventory_stockmovement_delete", args=[movement.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    staff_client.post(LEDGER, {"action": "delete_selected", "_selected_action": [movement.pk]})

    movement.refresh_from_db()
    assert (movement.quantity, movement.note) == (4, note)
    assert StockMovement.objects.filter(pk=movement.pk).exists()
    assert "delete_selected" not in staff_client.get(LEDGER).content.decode()


def test_ledger_runs_a_fixed_number_of_queries(staff_client, django_assert_max_num_queries):
    def run():
        with django_assert_max_num_queries(8) as queries:
            assert staff_client.get(LEDGER).status_code == 200
        return len(queries)

    stock = _stock(1)
    for _ in range(2):
        stock_receive(variant=stock.variant, quantity=1, actor=staff_client.staff)
    few = run()
    for n in range(27):
        stock_receive(variant=_stock(1, f"M {n}").variant, quantity=1, actor=UserFactory())
    assert run() == few


# --- Reservations -------------------------------------------------------------------------
def test_reservation_list_counts_now_column_and_filters(staff_client):
    stock = _stock(9)
    live = _reserve(stock, 2, holder="1")
    expired = _reserve(stock, 1, holder="2")
    _expire(expired)
    released = _reserve(stock, 1, holder="3")
    reservation_release(reservation=released)

    response = staff_client.get(RESERVATIONS)
    assert response.status_code == 200
    counting = {r.pk: r.counting for r in response.context["cl"].result_list}
    assert counting == {live.pk: True, expired.pk: False, released.pk: False}

    def ids(query):
        response = staff_client.get(RESERVATIONS, query)
        assert response.status_code == 200
        return {r.pk for r in response.context["cl"].result_list}

    assert ids({"counting": "yes"}) == {live.pk}
    assert ids({"counting": "no"}) == {expired.pk, released.pk}
    assert ids({"state__exact": "released"}) == {released.pk}
    assert ids({"state__exact": "active"}) == {live.pk, expired.pk}


def test_release_action_releases_with_the_staff_actor(staff_client):
    stock = _stock(5)
    first, second = _reserve(stock, 2, holder="1"), _reserve(stock, 1, holder="2")
    reservation_release(reservation=second)

    response = staff_client.post(
        RESERVATIONS,
        {"action": "release_selected", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )

    assert response.status_code == 200
    first.refresh_from_db()
    assert first.state == ReservationState.RELEASED
    log = AuditLog.objects.get(action="reservation.released", entity_id=str(first.pk))
    assert log.actor == staff_client.staff
    assert "Released 1 reservation(s)." in _messages(response)
    assert any("already consumed or released" in m for m in _messages(response))


def test_reservations_are_read_only(staff_client):
    reservation = _reserve(_stock(5), 2)
    assert staff_client.get(reverse("admin:inventory_reservation_add")).status_code == 403
    delete = reverse("admin:inventory_reservation_delete", args=[reservation.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:inventory_reservation_change", args=[reservation.pk])
    assert staff_client.get(change).status_code == 200
    staff_client.post(change, {"quantity": "1", "state": "consumed"})
    reservation.refresh_from_db()
    assert (reservation.quantity, reservation.state) == (2, ReservationState.ACTIVE)


def test_reservation_list_runs_a_fixed_number_of_queries(
    staff_client, django_assert_max_num_queries
):
    def run():
        with django_assert_max_num_queries(8) as queries:
            assert staff_client.get(RESERVATIONS, {"counting": "yes"}).status_code == 200
        return len(queries)

    stock = _stock(100)
    for n in range(3):
        _reserve(stock, 1, holder=str(n))
    few = run()
    for n in range(27):
        _reserve(_stock(2, f"R {n}"), 1, holder=f"r{n}")
    assert run() == few


# --- Permissions ---------------------------------------------------------------------------
def test_staff_without_inventory_permissions_cannot_reach_the_pages(client):
    stock = _stock(5)
    client.force_login(_staff_with("view_product"))

    for url in (
        STOCKS,
        LEDGER,
        RESERVATIONS,
        reverse("admin:inventory_stock_change", args=[stock.pk]),
        reverse("admin:inventory_stock_receive", args=[stock.pk]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("admin:inventory_stock_adjust", args=[stock.pk]),
        {"apply": "1", "quantity": "-5", "reason": "gone"},
    )
    assert response.status_code == 403
    assert _on_hand(stock) == 5


def test_view_only_staff_sees_levels_but_cannot_move_stock_or_release(client):
    stock = _stock(5)
    reservation = _reserve(stock, 1)
    client.force_login(_staff_with("view_stock", "view_reservation"))

    response = client.get(STOCKS)
    assert response.status_code == 200
    assert "receive_stock" not in response.content.decode()
    assert reverse("admin:inventory_stock_receive", args=[stock.pk]) not in (
        response.content.decode()
    )
    url = reverse("admin:inventory_stock_receive", args=[stock.pk])
    assert client.post(url, {"apply": "1", "quantity": "3"}).status_code == 403
    _action(client, "receive_stock", [stock], quantity="3", note="")
    assert _on_hand(stock) == 5

    client.post(RESERVATIONS, {"action": "release_selected", "_selected_action": [reservation.pk]})
    reservation.refresh_from_db()
    assert reservation.state == ReservationState.ACTIVE


def test_staff_with_change_stock_permission_can_receive(client):
    stock = _stock(1)
    user = _staff_with("view_stock", "change_stock")
    client.force_login(user)
    url = reverse("admin:inventory_stock_receive", args=[stock.pk])
    assert client.post(url, {"apply": "1", "quantity": "2"}).status_code == 302
    assert _on_hand(stock) == 3
    assert StockMovement.objects.get(variant_id=stock.pk, actor=user).quantity == 2


def test_threshold_service_refuses_bad_values_and_skips_no_change():
    stock = _stock(4)
    for bad in (-1, 2**31, True, "5"):
        with pytest.raises(ValidationFailed):
            stock_set_threshold(stock=stock, threshold=bad)
    stock_set_threshold(stock=stock, threshold=3)  # the current value
    assert not AuditLog.objects.filter(action="stock.threshold_set").exists()
    assert stock_set_threshold(stock=stock, threshold=0).low_stock_threshold == 0
