"""A customer's own data: export it as JSON, or delete the account.

Deletion keeps orders for the books (totals, items, city and country) but
removes every trace of who placed them; everything else that only exists for
the customer (address book, children, carts, wishlist, tokens, codes, unsent
messages) is deleted.
"""

from django.contrib.auth.hashers import check_password
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from boutique.audit.models import AuditLog
from boutique.audit.services import audit_record
from boutique.cart.models import Cart, WishlistItem
from boutique.inventory.alerts import stock_alerts_delete_for_user, stock_alerts_for_export
from boutique.inventory.services import reservations_release_for
from boutique.notifications.models import Notification, NotificationStatus
from boutique.orders.models import Order, OrderAddress
from boutique.payments.models import Payment
from boutique.reviews.models import Review
from boutique.reviews.services import reviews_delete_for_user
from boutique.support.models import Conversation
from boutique.support.services import conversations_delete_for_user

from ..errors import PasswordConfirmationFailed
from ..locks import user_qs_for_update
from ..models import Address, ApiToken, Child, OtpCode, Status, User

DELETED_NAME = "Deleted customer"


def _iso(value):
    return value.isoformat() if value is not None else None


def _money(value):
    return str(value) if value is not None else None


def _address(address, *, with_type: str) -> dict:
    return {
        with_type: getattr(address, with_type),
        "full_name": address.full_name,
        "phone": address.phone,
        "line1": address.line1,
        "line2": address.line2,
        "city": address.city,
        "state": address.state,
        "postal_code": address.postal_code,
        "country": address.country,
    }


def _orders(user: User) -> list[dict]:
    orders = (
        Order.objects.filter(user=user)
        .prefetch_related("items", "addresses")
        .order_by("placed_at", "id")
    )
    payments: dict[int, list[dict]] = {}
    for payment in Payment.objects.filter(order__user=user).order_by("created_at", "id"):
        payments.setdefault(payment.order_id, []).append(
            {
                "method": payment.method,
                "status": payment.status,
                "amount": _money(payment.amount),
                "currency": payment.currency,
                "card_brand": payment.card_brand,
                "card_last4": payment.card_last4,
                "created_at": _iso(payment.created_at),
            }
        )
    return [
        {
            "number": order.number,
            "placed_at": _iso(order.placed_at),
            "status": order.status,
            "payment_status": order.payment_status,
            "payment_method": order.payment_method,
            "email": order.email,
            "phone": order.phone,
            "currency": order.currency,
            "subtotal": _money(order.subtotal),
            "discount": _money(order.discount),
            "shipping": _money(order.shipping),
            "tax": _money(order.tax),
            "total": _money(order.total),
            "coupon_code": order.coupon_code,
            "note": order.note,
            "items": [
                {
                    "product_name": item.product_name,
                    "sku": item.sku,
                    "options": item.options,
                    "unit_price": _money(item.unit_price),
                    "quantity": item.quantity,
                    "line_total": _money(item.line_total),
                }
                for item in order.items.all()
            ],
            "addresses": [_address(a, with_type="kind") for a in order.addresses.all()],
            "payments": payments.get(order.pk, []),
        }
        for order in orders
    ]


def user_data_export(*, user: User) -> dict:
    """Everything the shop keeps about `user`, as JSON-ready values. Card data is
    limited to brand and last four digits; password hashes and token hashes are
    never included."""
    carts = Cart.objects.filter(user=user).prefetch_related("items__variant").order_by("id")
    wishlist = WishlistItem.objects.filter(user=user).select_related("product", "variant")
    return {
        "exported_at": _iso(timezone.now()),
        "profile": {
            "id": user.pk,
            "email": user.email,
            "phone": user.phone,
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "role": user.role,
            "is_verified": user.is_verified,
            "cart_reminders": user.cart_reminders,
            "email_verified_at": _iso(user.email_verified_at),
            "phone_verified_at": _iso(user.phone_verified_at),
            "date_joined": _iso(user.date_joined),
        },
        "addresses": [
            {**_address(a, with_type="type"), "is_default": a.is_default}
            for a in Address.objects.filter(user=user)
        ],
        "children": [
            {
                "name": c.name,
                "birth_date": _iso(c.birth_date),
                "gender": c.gender,
                "clothing_size": c.clothing_size,
                "shoe_size": c.shoe_size,
                "birthday_reminders": c.birthday_reminders,
                "birthday_reminders_sent": sorted(_iso(r.birthday) for r in c.reminders_sent.all()),
            }
            for c in Child.objects.filter(user=user).prefetch_related("reminders_sent")
        ],
        "orders": _orders(user),
        "wishlist": [
            {
                "product": w.product.name,
                "variant_sku": w.variant.sku if w.variant else None,
                "added_at": _iso(w.created_at),
            }
            for w in wishlist
        ],
        "reviews": [
            {
                "product": r.product.name,
                "rating": r.rating,
                "title": r.title,
                "text": r.text,
                "status": r.status,
                "written_at": _iso(r.created_at),
            }
            for r in Review.objects.filter(user=user).select_related("product").order_by("id")
        ],
        "support_conversations": [
            {
                "subject": c.subject,
                "status": c.status,
                "messages": [
                    {"from": m.author_side, "body": m.body, "at": _iso(m.created_at)}
                    for m in c.messages.all()
                ],
            }
            for c in Conversation.objects.filter(user=user)
            .prefetch_related("messages")
            .order_by("id")
        ],
        "stock_alerts": stock_alerts_for_export(user=user),
        "carts": [
            {
                "status": cart.status,
                "currency": cart.currency,
                "items": [
                    {
                        "sku": i.variant.sku,
                        "quantity": i.quantity,
                        "unit_price": _money(i.unit_price),
                    }
                    for i in cart.items.all()
                ],
            }
            for cart in carts
        ],
    }


def user_password_confirm(*, user: User, password: str) -> None:
    """Raise PasswordConfirmationFailed unless `password` is the user's password."""
    if not password or not user.has_usable_password():
        raise PasswordConfirmationFailed()
    if not check_password(password, user.password):
        raise PasswordConfirmationFailed()


def _anonymise_orders(user: User) -> tuple[int, int]:
    orders = Order.objects.filter(user=user)
    order_count = orders.count()
    for order_id in orders.values_list("pk", flat=True):
        Order.objects.filter(pk=order_id).update(
            email=f"deleted-{order_id}@invalid", phone="", note="", updated_at=timezone.now()
        )
    address_count = OrderAddress.objects.filter(order__user=user).update(
        full_name=DELETED_NAME, phone="", line1="", line2="", state="", postal_code=""
    )
    return order_count, address_count


def _delete_carts(user: User, actor) -> int:
    cart_ids = list(Cart.objects.filter(user=user).values_list("pk", flat=True))
    for cart_id in cart_ids:
        reservations_release_for(
            holder_type="cart", holder_id=cart_id, actor=actor, reason="account deleted"
        )
    Cart.objects.filter(pk__in=cart_ids).delete()
    return len(cart_ids)


def _pending_notifications(user: User):
    recipients = [value for value in (user.email, user.phone) if value]
    return Notification.objects.filter(recipient__in=recipients, status=NotificationStatus.PENDING)


def _scrub(user: User) -> None:
    user.email = f"deleted-{user.pk}@invalid"
    user.phone = None
    user.username = None
    user.first_name = ""
    user.last_name = ""
    user.cart_reminders = False
    user.is_verified = False
    user.email_verified_at = None
    user.phone_verified_at = None
    user.status = Status.INACTIVE
    user.is_active = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


def user_delete(*, user: User, actor, password_confirmed: bool = False) -> dict:
    """Delete `user`'s account in one transaction and return what was removed.

    Orders stay (anonymised: email `deleted-<order id>@invalid`, no phone or
    note, addresses reduced to city and country). Addresses, children, carts
    (their reservations released), wishlist, reviews (product ratings kept in
    step), support conversations, API tokens, OTP codes and pending messages to
    the user are deleted. The user row is scrubbed and made inactive,
    or deleted when nothing else refers to it. Takes the user's row lock.
    The caller must have confirmed the password (`user_password_confirm`)."""
    if not password_confirmed:
        raise PasswordConfirmationFailed()
    with transaction.atomic(durable=True):
        user = user_qs_for_update().get(pk=user.pk)
        orders, order_addresses = _anonymise_orders(user)
        counts = {
            "orders_anonymised": orders,
            "order_addresses_anonymised": order_addresses,
            "addresses": Address.objects.filter(user=user).delete()[0],
            "children": Child.objects.filter(user=user).delete()[0],
            "carts": _delete_carts(user, actor),
            "wishlist_items": WishlistItem.objects.filter(user=user).delete()[0],
            "api_tokens": ApiToken.objects.filter(user=user).delete()[0],
            "otp_codes": (
                OtpCode.objects.filter(phone=user.phone).delete()[0] if user.phone else 0
            ),
            "notifications": _pending_notifications(user).delete()[0],
            "reviews": reviews_delete_for_user(user=user, actor=actor),
            "support_conversations": conversations_delete_for_user(user=user),
            "stock_alerts": stock_alerts_delete_for_user(user=user),
        }
        user_id = user.pk
        _scrub(user)
        counts["user_row"] = "scrubbed" if orders else "deleted"
        entry = audit_record(
            entity=user_id,
            entity_type="accounts.user",
            action="account_deleted",
            actor=user if actor is None or actor.pk == user_id else actor,
            new=counts,
        )
        if not orders:
            try:
                with transaction.atomic():
                    User.objects.filter(pk=user_id).delete()
            except (ProtectedError, IntegrityError):
                # Referenced by something we keep (e.g. a seller's store): stays scrubbed.
                counts["user_row"] = "scrubbed"
                AuditLog.objects.filter(pk=entry.pk).update(new=counts)
    return counts
