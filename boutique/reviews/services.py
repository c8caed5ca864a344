"""Every write of reviews: a verified buyer submits or edits their review, staff
approve or reject it, the author or staff delete it.

Only approved reviews count. Each service that can change what counts takes the
product's row lock first (then the review's), recomputes the approved reviews'
average and count after taking it and stores them on the product through
catalog.services.product_set_rating_summary, in the same transaction: concurrent
moderations of one product queue on its row and the last one to commit has seen
every earlier one."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from boutique.audit.services import audit_record
from boutique.catalog.services import product_set_rating_summary
from boutique.core.errors import ValidationFailed, validation_errors_from_django

from . import selectors
from .errors import AlreadyReviewed, NotVerifiedBuyer, RejectionReasonRequired, ReviewNotFound
from .locks import product_qs_for_update, review_qs_for_update
from .models import REASON_MAX, Review, ReviewStatus

AUDITED = ("rating", "title", "text", "status", "rejection_reason")


def _snapshot(review: Review) -> dict:
    return {name: getattr(review, name) for name in AUDITED}


def _clean_text(value: str, name: str) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise ValidationFailed(f"{name} contains a NUL character.", field_errors={name: ["NUL"]})
    return text


def _validate(review: Review) -> None:
    try:
        review.full_clean(exclude=["product", "user", "moderated_by"])
    except ValidationError as exc:
        raise ValidationFailed(
            "Some fields are not valid.", field_errors=validation_errors_from_django(exc)
        ) from exc


def _summary_refresh(product_id: int) -> None:
    """Expects the product's row lock (taken before any review changed)."""
    average, count = selectors.rating_summary(product_id=product_id)
    product_set_rating_summary(product_id=product_id, average=average, count=count)


def review_submit(*, user, product, rating: int, title: str, text: str) -> Review:
    """A verified buyer's first review of `product`, waiting for moderation.
    NotVerifiedBuyer (403) without a delivered purchase of it; AlreadyReviewed
    (409) for a second one, also when two submissions race (the unique
    constraint decides). Counts nothing until approved, so takes no product lock."""
    if not selectors.is_verified_buyer(user=user, product_id=product.pk):
        raise NotVerifiedBuyer("Reviews are open to customers whose order with it was delivered.")
    if selectors.review_get_own(user=user, product_id=product.pk) is not None:
        raise AlreadyReviewed("Edit your review instead of writing another.")
    review = Review(
        product=product,
        user=user,
        rating=rating,
        title=_clean_text(title, "title"),
        text=_clean_text(text, "text"),
    )
    _validate(review)
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError as exc:
            raise AlreadyReviewed("Edit your review instead of writing another.") from exc
        audit_record(entity=review, action="review.submitted", actor=user, new=_snapshot(review))
    return review


def review_update(*, review: Review, user, rating: int, title: str, text: str) -> Review:
    """The author's edit: new rating, title and text, back to pending moderation
    (an approved review stops counting until approved again). Someone else's
    review is ReviewNotFound. Takes the product's then the review's row lock."""
    if review.user_id != getattr(user, "pk", None):
        raise ReviewNotFound("Review not found.")
    with transaction.atomic(durable=True):
        product_qs_for_update().get(pk=review.product_id)
        locked = review_qs_for_update().get(pk=review.pk)
        old = _snapshot(locked)
        was_approved = locked.status == ReviewStatus.APPROVED
        locked.rating = rating
        locked.title = _clean_text(title, "title")
        locked.text = _clean_text(text, "text")
        locked.status = ReviewStatus.PENDING
        locked.rejection_reason = ""
        locked.moderated_at = None
        locked.moderated_by = None
        _validate(locked)
        locked.save()
        if was_approved:
            _summary_refresh(locked.product_id)
        audit_record(
            entity=locked, action="review.edited", actor=user, old=old, new=_snapshot(locked)
        )
    return locked


def _moderate(*, review: Review, actor, status: str, reason: str = "") -> Review:
    with transaction.atomic(durable=True):
        product_qs_for_update().get(pk=review.product_id)
        locked = review_qs_for_update().filter(pk=review.pk).first()
        if locked is None:
            raise ReviewNotFound("Review not found.")
        if locked.status == status and locked.rejection_reason == reason:
            return locked  # already so: nothing to change or audit
        old = _snapshot(locked)
        counted = ReviewStatus.APPROVED in (locked.status, status)
        locked.status = status
        locked.rejection_reason = reason
        locked.moderated_at = timezone.now()
        locked.moderated_by = actor
        locked.save(
            update_fields=[
                "status",
                "rejection_reason",
                "moderated_at",
                "moderated_by",
                "updated_at",
            ]
        )
        if counted:
            _summary_refresh(locked.product_id)
        audit_record(
            entity=locked, action=f"review.{status}", actor=actor, old=old, new=_snapshot(locked)
        )
    return locked


def review_approve(*, review: Review, actor) -> Review:
    """Staff approve a pending (or earlier rejected) review: it is shown and
    counted. Approving an approved review changes nothing. Takes the product's
    then the review's row lock; safe under concurrent approvals."""
    return _moderate(review=review, actor=actor, status=ReviewStatus.APPROVED)


def review_reject(*, review: Review, actor, reason: str) -> Review:
    """Staff reject a review with a reason (kept for the author and the audit
    log); an approved review stops counting. Same locks as review_approve."""
    reason = _clean_text(reason, "reason")
    if not reason:
        raise RejectionReasonRequired(field_errors={"reason": ["Say why."]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            f"The reason is at most {REASON_MAX} characters.",
            field_errors={"reason": [f"At most {REASON_MAX} characters."]},
        )
    return _moderate(review=review, actor=actor, status=ReviewStatus.REJECTED, reason=reason)


def review_delete(*, review: Review, actor) -> None:
    """The author or staff delete a review; an approved one stops counting.
    Anyone else gets ReviewNotFound. Takes the product's then the review's row lock."""
    if not (getattr(actor, "is_staff", False) or review.user_id == getattr(actor, "pk", None)):
        raise ReviewNotFound("Review not found.")
    with transaction.atomic(durable=True):
        product_qs_for_update().get(pk=review.product_id)
        locked = review_qs_for_update().filter(pk=review.pk).first()
        if locked is None:
            return
        old = _snapshot(locked)
        review_id, product_id = locked.pk, locked.product_id
        locked.delete()
        if old["status"] == ReviewStatus.APPROVED:
            _summary_refresh(product_id)
        audit_record(
            entity=review_id,
            entity_type="reviews.review",
            action="review.deleted",
            actor=actor,
            old=old,
        )


def reviews_delete_for_user(*, user, actor) -> int:
    """Delete every review `user` wrote (account deletion), keeping each product's
    average and count in step. Runs inside the caller's transaction; takes the
    products' row locks in pk order before touching their reviews."""
    product_ids = sorted(set(Review.objects.filter(user=user).values_list("product_id", flat=True)))
    if not product_ids:
        return 0
    list(product_qs_for_update().filter(pk__in=product_ids).values_list("pk", flat=True))
    deleted, _ = Review.objects.filter(user=user).delete()
    for product_id in product_ids:
        _summary_refresh(product_id)
    audit_record(
        entity=user,
        action="reviews.deleted_with_account",
        actor=actor,
        old={"reviews": deleted, "products": product_ids},
    )
    return deleted
