"""A seller's store from application to closing. Every change of status is a
conditional update under the seller's row lock, audited with old and new
values, and tells the seller by email through the outbox. Visibility follows
at once: the catalogue shows only active sellers' products (read at query time)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from boutique.accounts.models import Role
from boutique.accounts.services import user_set_role
from boutique.audit.services import audit_record, snapshot
from boutique.catalog.cache import catalog_changed
from boutique.core.errors import ValidationFailed, validation_errors_from_django
from boutique.core.images import reencode_image
from boutique.notifications.services import notification_enqueue

from ..errors import AlreadyApplied, SellerStatusConflict
from ..locks import seller_qs_for_update
from ..models import Seller, SellerStatus

PROFILE_FIELDS = (
    "store_name",
    "description",
    "contact_email",
    "contact_phone",
    "payout_method",
    "payout_account_name",
    "payout_account",
)
AUDITED = (*PROFILE_FIELDS, "status", "status_reason", "commission_rate")

# Which statuses each change starts from.
TRANSITIONS = {
    "approve": ({SellerStatus.PENDING}, SellerStatus.ACTIVE),
    "reject": ({SellerStatus.PENDING}, SellerStatus.REJECTED),
    "suspend": ({SellerStatus.ACTIVE}, SellerStatus.SUSPENDED),
    "reactivate": ({SellerStatus.SUSPENDED}, SellerStatus.ACTIVE),
    "close": ({SellerStatus.ACTIVE, SellerStatus.SUSPENDED}, SellerStatus.CLOSED),
}


def _state(seller: Seller) -> dict:
    return {**snapshot(seller, AUDITED), "logo": seller.logo.name or ""}


def _clean(seller: Seller, *, exclude=()) -> None:
    try:
        seller.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as exc:
        raise ValidationFailed(
            "Some fields are not valid.", field_errors=validation_errors_from_django(exc)
        ) from exc


def _required(values: dict, names) -> None:
    missing = {n: ["Required."] for n in names if not str(values.get(n) or "").strip()}
    if missing:
        raise ValidationFailed("Some required fields are missing.", field_errors=missing)


def _unique_slug(store_name: str, *, exclude_pk=None) -> str:
    base = slugify(store_name)[:120] or "store"
    slug, n = base, 2
    while Seller.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _notify(seller: Seller, template: str, **context) -> None:
    recipient = seller.contact_email or seller.owner.email
    if not recipient:
        return
    notification_enqueue(
        channel="email",
        recipient=recipient,
        template=template,
        language=seller.owner.preferred_language,
        context={"store_name": seller.store_name, "slug": seller.slug, **context},
        reference=("seller", seller.pk),
    )


def seller_apply(*, user, logo=None, **fields) -> Seller:
    """A signed-in user applies to sell: the store waits for staff approval. A
    user has one store; a rejected applicant may apply again (same store,
    pending again). Staff are told by email."""
    values = {k: str(fields.get(k) or "").strip() for k in PROFILE_FIELDS if k in fields}
    _required(values, ("store_name", "payout_account_name", "payout_account"))
    with transaction.atomic(durable=True):
        existing = seller_qs_for_update().filter(owner=user).first()
        if existing is not None and existing.status != SellerStatus.REJECTED:
            raise AlreadyApplied(f"You already have a store ({existing.get_status_display()}).")
        seller = existing or Seller(owner=user)
        before = _state(seller) if existing else None
        for name, value in values.items():
            setattr(seller, name, value)
        seller.status = SellerStatus.PENDING
        seller.status_reason = ""
        if not seller.slug:
            seller.slug = _unique_slug(seller.store_name)
        if logo:
            seller.logo = logo
        _clean(seller, exclude=["owner"])
        if logo:
            seller.logo = reencode_image(logo)
        seller.save()
        audit_record(
            entity=seller,
            action="seller.reapplied" if existing else "seller.applied",
            actor=user,
            old=before,
            new=_state(seller),
        )
        notification_enqueue(
            channel="email",
            recipient=settings.STAFF_NOTIFICATION_EMAIL,
            template="seller_application",
            context={"store_name": seller.store_name, "applicant": user.email or user.phone},
            reference=("seller", seller.pk),
        )
    return seller


def seller_profile_update(*, seller: Seller, actor, logo=None, **fields) -> Seller:
    """The seller (or staff) edits the store's public details and payout account.
    The slug, status and commission are not the seller's to change."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationFailed(
            "Some fields cannot be changed here.",
            field_errors={name: ["Not editable."] for name in sorted(unknown)},
        )
    with transaction.atomic(durable=True):
        locked = seller_qs_for_update().get(pk=seller.pk)
        before = _state(locked)
        for name, value in fields.items():
            setattr(locked, name, str(value or "").strip())
        _required(snapshot(locked, PROFILE_FIELDS), ("store_name",))
        if logo:
            locked.logo = logo
        _clean(locked, exclude=["owner"])
        if logo:
            locked.logo = reencode_image(logo)
        locked.save()
        catalog_changed()  # the store's name and logo show on its products
        after = _state(locked)
        if after != before:
            audit_record(entity=locked, action="seller.updated", actor=actor, old=before, new=after)
    return locked


def _move(seller: Seller, change: str, *, actor, reason: str = "", extra: dict | None = None):
    sources, target = TRANSITIONS[change]
    with transaction.atomic(durable=True):
        locked = seller_qs_for_update().select_related("owner").get(pk=seller.pk)
        if locked.status not in sources:
            raise SellerStatusConflict(
                f"{locked.store_name} is {locked.get_status_display().lower()}: "
                f"it cannot be {'closed' if change == 'close' else change + 'd'}."
            )
        before = _state(locked)
        locked.status = target
        locked.status_reason = reason
        for name, value in (extra or {}).items():
            setattr(locked, name, value)
        _clean(locked, exclude=["owner", "logo"])
        locked.save()
        catalog_changed()  # an active seller's products are listed, others' are not
        audit_record(
            entity=locked,
            action=f"seller.{change}d" if change != "close" else "seller.closed",
            actor=actor,
            old=before,
            new=_state(locked),
        )
        _notify(locked, f"seller_{target}", reason=reason)
    return locked


def _reason(reason) -> str:
    text = str(reason or "").strip()
    if not text:
        raise ValidationFailed("Give a reason.", field_errors={"reason": ["Required."]})
    return text[:500]


def seller_approve(*, seller: Seller, actor, commission_rate=None) -> Seller:
    """Pending → active. The owner becomes a seller (role) and is told."""
    extra = {"approved_by": actor, "approved_at": timezone.now()}
    if commission_rate is not None:
        extra["commission_rate"] = commission_rate
    approved = _move(seller, "approve", actor=actor, extra=extra)
    if approved.owner.role == Role.CUSTOMER:
        user_set_role(user=approved.owner, role=Role.SELLER, actor=actor)
    return approved


def seller_reject(*, seller: Seller, actor, reason: str) -> Seller:
    """Pending → rejected, with the reason sent to the applicant."""
    return _move(seller, "reject", actor=actor, reason=_reason(reason))


def seller_suspend(*, seller: Seller, actor, reason: str) -> Seller:
    """Active → suspended: the store's products leave the storefront, API and
    search at once; its open order items stay with staff."""
    return _move(seller, "suspend", actor=actor, reason=_reason(reason))


def seller_reactivate(*, seller: Seller, actor) -> Seller:
    return _move(seller, "reactivate", actor=actor)


def seller_close(*, seller: Seller, actor, reason: str = "") -> Seller:
    """The seller (or staff) closes the store for good."""
    return _move(seller, "close", actor=actor, reason=str(reason or "").strip()[:500])


def seller_set_commission(*, seller: Seller, rate, actor) -> Seller:
    """Staff set the store's own commission rate (None: the shop's default).
    Items already paid out keep the rate they were paid at."""
    with transaction.atomic(durable=True):
        locked = seller_qs_for_update().get(pk=seller.pk)
        before = snapshot(locked, ("commission_rate",))
        locked.commission_rate = rate
        _clean(locked, exclude=["owner", "logo"])
        locked.save(update_fields=["commission_rate", "updated_at"])
        audit_record(
            entity=locked,
            action="seller.commission_changed",
            actor=actor,
            old=before,
            new=snapshot(locked, ("commission_rate",)),
        )
    return locked
