"""Back-in-stock alerts (issue 13): a customer or a guest asks to be told when a
sold-out variant comes back; when its availability goes from nothing to
something (stock_receive, stock_return, an adjustment up) the stock service
calls `stock_alerts_after_commit`, and every waiting subscriber gets exactly
one outbox message, after which their alert has ended.

"Exactly one" under concurrent receipts: an alert ends by one conditional
UPDATE (active → notified) in the transaction that writes its message; of two
jobs racing for the same alert one updates the row and the other updates
nothing, so only one message is written."""

import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from boutique.core.errors import Conflict, NotFound, ValidationFailed
from boutique.notifications.services import notification_enqueue

from .models import StockAlert, StockAlertStatus
from .selectors import available

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "boutique.inventory.stock-alerts.unsubscribe"
NOTIFY_BATCH_SIZE = 200


class VariantInStock(Conflict):
    code = "variant_in_stock"
    title = "This option is in stock"


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        if len(email) > 254:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError as exc:
        raise ValidationFailed(
            _("Enter a valid email address."),
            field_errors={"email": [_("Enter a valid email address.")]},
        ) from exc
    return email


def stock_alert_subscribe(*, variant, email: str = "", user=None) -> StockAlert:
    """Wait for `variant` to come back: a signed-in customer's alert goes to
    their account's email unless they give another; a guest must give one.

    The variant must be one a customer can buy and must be sold out now
    (VariantInStock, 409, otherwise). Subscribing again while waiting returns
    the alert already there: one active alert per (variant, email)."""
    from boutique.catalog.selectors import purchasable_variants

    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    email = _clean_email(email or (user.email if user is not None else ""))
    if not purchasable_variants().filter(pk=variant.pk).exists():
        raise NotFound(_("This option of the product does not exist."))
    if available(variant) > 0:
        raise VariantInStock(_("This option is in stock: you can order it now."))
    existing = StockAlert.objects.filter(
        variant=variant, email=email, status=StockAlertStatus.ACTIVE
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return StockAlert.objects.create(variant=variant, email=email, user=user)
    except IntegrityError:
        # Someone subscribed the same address a moment ago: theirs is ours.
        return StockAlert.objects.get(variant=variant, email=email, status=StockAlertStatus.ACTIVE)


def stock_alert_cancel(*, alert_id: int, user) -> StockAlert:
    """A signed-in customer stops one of their own waiting alerts. Someone
    else's alert is NotFound; one already ended is left as it is."""
    alert = StockAlert.objects.filter(pk=alert_id, user=user).first()
    if alert is None:
        raise NotFound(_("No such alert."))
    now = timezone.now()
    StockAlert.objects.filter(pk=alert.pk, status=StockAlertStatus.ACTIVE).update(
        status=StockAlertStatus.CANCELLED, cancelled_at=now, updated_at=now
    )
    alert.refresh_from_db()
    return alert


def stock_alerts_cancel(*, alert_ids: list[int]) -> int:
    """Staff cancel waiting alerts; ended ones stay as they are. Returns how many."""
    now = timezone.now()
    return StockAlert.objects.filter(pk__in=alert_ids, status=StockAlertStatus.ACTIVE).update(
        status=StockAlertStatus.CANCELLED, cancelled_at=now, updated_at=now
    )


def _user_alerts(user):
    from django.db.models import Q

    mine = Q(user=user)
    if user.email:
        mine |= Q(email=user.email.lower())
    return StockAlert.objects.filter(mine)


def stock_alerts_for_export(*, user) -> list[dict]:
    """The user's alerts (theirs, or under their account's email) for the
    privacy export."""
    rows = _user_alerts(user).select_related("variant").order_by("id")
    return [
        {
            "sku": alert.variant.sku,
            "email": alert.email,
            "status": alert.status,
            "created_at": alert.created_at.isoformat(),
            "notified_at": alert.notified_at.isoformat() if alert.notified_at else None,
        }
        for alert in rows
    ]


def stock_alerts_delete_for_user(*, user) -> int:
    """Account deletion: the user's alerts go (their email with them)."""
    return _user_alerts(user).delete()[0]


# --- Unsubscribing by the link in the message ----------------------------------------
def stock_alert_unsubscribe_token(email: str) -> str:
    """The signed token of the unsubscribe link: it names an email address,
    and holding it (it came in that address's mail) is the proof."""
    return signing.dumps({"email": email.lower()}, salt=UNSUBSCRIBE_SALT, compress=True)


def stock_alert_token_email(token: str) -> str:
    """The address a token names; NotFound for a token that is not ours."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise NotFound(_("This link is not valid.")) from exc
    email = data.get("email") if isinstance(data, dict) else None
    if not isinstance(email, str) or not email:
        raise NotFound(_("This link is not valid."))
    return email


def stock_alerts_unsubscribe(*, token: str) -> int:
    """Cancel every waiting alert of the token's address; returns how many."""
    email = stock_alert_token_email(token)
    now = timezone.now()
    return StockAlert.objects.filter(email=email, status=StockAlertStatus.ACTIVE).update(
        status=StockAlertStatus.CANCELLED, cancelled_at=now, updated_at=now
    )


# --- Telling the subscribers ------------------------------------------------------------
def stock_alerts_after_commit(variant_id: int) -> None:
    """Called by the stock service when a variant's availability went from 0 to
    more: once the movement commits, tell its subscribers (Celery when a broker
    is configured, else here). Never raises into the stock change."""

    def run() -> None:
        try:
            if settings.CELERY_BROKER_URL:
                from .tasks import notify_stock_alerts

                notify_stock_alerts.delay(variant_id)
            else:
                stock_alerts_notify(variant_id=variant_id)
        except Exception:
            logger.exception("variant %s: could not send back-in-stock alerts", variant_id)

    transaction.on_commit(run)


def _message_context(variant, email: str) -> dict:
    site = settings.SITE_URL.rstrip("/")
    product = variant.product
    product_path = reverse("storefront:product", args=[product.slug])
    token = stock_alert_unsubscribe_token(email)
    return {
        "product": product.name,
        "option": "" if variant.label == "Standard" else variant.label,
        "sku": variant.sku,
        "product_url": f"{site}{product_path}?variant={variant.pk}",
        "unsubscribe_url": site + reverse("storefront:stock_alert_unsubscribe", args=[token]),
    }


def stock_alerts_notify(*, variant_id: int, batch_size: int = NOTIFY_BATCH_SIZE) -> int:
    """Tell everyone waiting for the variant, if it is available now: one
    message each, then their alert is `notified`. Returns how many were told
    by this call. Safe to run any number of times at once."""
    from boutique.catalog.models import Variant

    if not StockAlert.objects.filter(
        variant_id=variant_id, status=StockAlertStatus.ACTIVE
    ).exists():
        return 0
    variant = Variant.objects.select_related("product").filter(pk=variant_id).first()
    if variant is None or available(variant) <= 0:
        return 0
    told, last_id = 0, 0
    while True:
        waiting = list(
            StockAlert.objects.filter(
                variant_id=variant_id, status=StockAlertStatus.ACTIVE, pk__gt=last_id
            )
            .order_by("pk")
            .values_list("pk", "email")[:batch_size]
        )
        if not waiting:
            return told
        with transaction.atomic():
            now = timezone.now()
            for alert_id, email in waiting:
                ended = StockAlert.objects.filter(
                    pk=alert_id, status=StockAlertStatus.ACTIVE
                ).update(status=StockAlertStatus.NOTIFIED, notified_at=now, updated_at=now)
                if not ended:
                    continue  # another job told them, or they cancelled
                notification_enqueue(
                    channel="email",
                    recipient=email,
                    template="back_in_stock",
                    context=_message_context(variant, email),
                    reference=("stock_alert", alert_id),
                )
                told += 1
        last_id = waiting[-1][0]


def stock_alerts_notify_due() -> int:
    """The periodic sweep: tell the subscribers of every variant that has
    waiting alerts and is available now (a job lost after a receipt, or stock
    freed by released reservations). Returns how many were told."""
    variant_ids = (
        StockAlert.objects.filter(status=StockAlertStatus.ACTIVE)
        .order_by("variant_id")
        .values_list("variant_id", flat=True)
        .distinct()
    )
    return sum(stock_alerts_notify(variant_id=pk) for pk in list(variant_ids))
