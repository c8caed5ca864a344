"""Safety data and recalls (issue 13): the materials and certifications staff
keep, and product recalls.

A recall marks the product (its page, cards and API show it) and tells every
past buyer once: `recall_issue` writes the recall in the caller's transaction
and, after commit, `recall_notify_buyers` fans out in batches, each batch its
own transaction holding the recall's row lock. A RecallNotice row per
(recall, email), unique, is written with the outbox message, so running the
fan-out again (a retry, a second worker, staff pressing "send again") never
emails a buyer twice for the same recall."""

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from boutique.audit.services import audit_record
from boutique.core.errors import Conflict, ValidationFailed
from boutique.notifications.services import notification_enqueue
from boutique.orders.selectors import buyer_emails_for

from .cache import catalog_changed
from .models import Certification, Material, Product, Recall, RecallNotice, Variant
from .services import _clean, _fields_update, unique_slug

logger = logging.getLogger(__name__)

MATERIAL_FIELDS = ("name", "slug")
CERTIFICATION_FIELDS = ("code", "slug", "name", "description")
RECALL_BATCH_SIZE = 200


class AlreadyRecalled(Conflict):
    code = "already_recalled"
    title = "Already recalled"


# --- Materials and certifications ------------------------------------------------
def material_create(*, name: str, actor=None, **fields) -> Material:
    slug = fields.pop("slug", None) or unique_slug(Material, name)
    material = Material(name=name.strip(), slug=slug, **fields)
    _clean(material)
    with transaction.atomic():
        material.save()
        audit_record(entity=material, action="material.created", actor=actor, new={"name": name})
    return material


def material_update(*, material: Material, actor=None, **fields) -> Material:
    saved, _old, _new = _fields_update(
        material, fields, allowed=MATERIAL_FIELDS, action="material.updated", actor=actor
    )
    return saved


def certification_create(*, code: str, name: str, actor=None, **fields) -> Certification:
    slug = fields.pop("slug", None) or slugify(code) or unique_slug(Certification, name)
    certification = Certification(code=code.strip(), name=name.strip(), slug=slug, **fields)
    _clean(certification)
    with transaction.atomic():
        certification.save()
        audit_record(
            entity=certification,
            action="certification.created",
            actor=actor,
            new={"code": certification.code, "name": certification.name},
        )
    return certification


def certification_update(*, certification: Certification, actor=None, **fields):
    saved, _old, _new = _fields_update(
        certification,
        fields,
        allowed=CERTIFICATION_FIELDS,
        action="certification.updated",
        actor=actor,
    )
    return saved


def safety_entry_delete_refusal(entry) -> str | None:
    """A material or certification still on a product stays (the product page
    would silently lose it)."""
    count = entry.products.count()
    if count:
        kind = type(entry).__name__.lower()
        return f"The {kind} “{entry}” is on {count} product(s): take it off them first."
    return None


def safety_entry_delete(*, entry, actor=None) -> None:
    """Delete an unused material or certification (audited); Conflict while in use."""
    if not isinstance(entry, Material | Certification):
        raise ValidationFailed(f"{type(entry).__name__} rows are not deleted this way.")
    with transaction.atomic():
        locked = type(entry).objects.select_for_update().get(pk=entry.pk)
        reason = safety_entry_delete_refusal(locked)
        if reason:
            raise Conflict(reason)
        audit_record(
            entity=locked,
            action=f"{locked._meta.model_name}.deleted",
            actor=actor,
            old={"name": str(locked), "slug": locked.slug},
        )
        locked.delete()


# --- Recalls -----------------------------------------------------------------------
def recall_issue(
    *,
    product: Product,
    title: str,
    description: str,
    remedy: str,
    variant: Variant | None = None,
    actor=None,
) -> Recall:
    """Recall a product (or one variant of it): the recall is written and the
    product marked (`recalled_at`) under the product's row lock, audited; once
    the caller's transaction commits the past buyers are told
    (recall_notify_buyers, through Celery when a broker is configured).

    A product or variant already recalled is AlreadyRecalled (409) and nothing
    changes, so issuing twice never tells anyone twice. Nests in the caller's
    transaction (the admin's)."""
    if variant is not None and variant.product_id != product.pk:
        raise ValidationFailed(
            "That option is not one of this product's.",
            field_errors={"variant": ["Choose an option of the recalled product."]},
        )
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        existing = Recall.objects.filter(product=locked, variant__isnull=True).first()
        if existing is None and variant is not None:
            existing = Recall.objects.filter(product=locked, variant=variant).first()
        if existing is not None:
            raise AlreadyRecalled(
                f"{locked.name} is already recalled (“{existing.title}”, "
                f"{existing.issued_at:%Y-%m-%d})."
            )
        now = timezone.now()
        recall = Recall(
            product=locked,
            variant=variant,
            title=(title or "").strip(),
            description=(description or "").strip(),
            remedy=(remedy or "").strip(),
            issued_at=now,
            issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _clean(recall)
        recall.save()
        if locked.recalled_at is None:
            Product.objects.filter(pk=locked.pk).update(recalled_at=now, updated_at=now)
            product.recalled_at = now
            catalog_changed()  # the banner and badge show on the next cached read
        audit_record(
            entity=locked,
            action="product.recalled",
            actor=actor,
            old={"recalled_at": locked.recalled_at},
            new={
                "recall": recall.pk,
                "title": recall.title,
                "sku": variant.sku if variant is not None else "",
                "recalled_at": now,
            },
        )
        transaction.on_commit(partial(recall_notify_after_commit, recall.pk))
    return recall


def recall_notify_after_commit(recall_id: int) -> None:
    """Start the fan-out: a Celery task when a broker is configured, else here.
    Never raises into the request: staff can send the rest again from the
    recall's admin page, and nobody is told twice."""
    try:
        if settings.CELERY_BROKER_URL:
            from .tasks import recall_notify

            recall_notify.delay(recall_id)
        else:
            recall_notify_buyers(recall_id=recall_id)
    except Exception:
        logger.exception("recall %s: could not notify the buyers", recall_id)


def _recall_context(recall: Recall) -> dict:
    product = recall.product
    url = settings.SITE_URL.rstrip("/") + reverse("storefront:product", args=[product.slug])
    return {
        "recall_id": recall.pk,
        "title": recall.title,
        "description": recall.description,
        "remedy": recall.remedy,
        "product": product.name,
        "option": recall.variant.label if recall.variant is not None else "",
        "sku": recall.variant.sku if recall.variant is not None else "",
        "product_url": url,
        "issued_on": recall.issued_at.date().isoformat(),
    }


def recall_notify_buyers(*, recall_id: int, batch_size: int = RECALL_BATCH_SIZE) -> int:
    """Write one outbox message and one RecallNotice for every past buyer of the
    recalled product or variant who has none yet; returns how many were told
    now. Buyers are read in email order, `batch_size` at a time; each batch is
    one transaction holding the recall's row lock, so two runs at once take
    turns and the second finds the first one's notices. Idempotent."""
    told = 0
    after = ""
    while True:
        with transaction.atomic():
            recall = (
                Recall.objects.select_for_update(of=("self",))
                .select_related("product", "variant")
                .get(pk=recall_id)
            )
            emails = buyer_emails_for(
                product_id=recall.product_id,
                variant_id=recall.variant_id,
                after=after,
                limit=batch_size,
            )
            if not emails:
                if recall.notified_at is None:
                    Recall.objects.filter(pk=recall.pk).update(
                        notified_at=timezone.now(), updated_at=timezone.now()
                    )
                return told
            done = set(
                RecallNotice.objects.filter(recall=recall, email__in=emails).values_list(
                    "email", flat=True
                )
            )
            context = _recall_context(recall)
            for email in emails:
                if email in done:
                    continue
                notification = notification_enqueue(
                    channel="email",
                    recipient=email,
                    template="product_recall",
                    context=context,
                    reference=("recall", recall.pk),
                )
                RecallNotice.objects.create(recall=recall, email=email, notification=notification)
                told += 1
            after = emails[-1]
